"""A drawn world stored through the index's public interface, as the server stores it
(cases and acts registered, a manifest registered, an upload opened, the object
finalized; decisions, exemptions, withdrawals, edits), each outcome checked against the
reference rules on the way, and every fact kept in a ``Ledger``."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime, timedelta

import pytest

from evidence.case_number import CaseNumber
from evidence.errors import ActConflict, AlreadyExempted, AlreadyWithdrawn
from evidence.footage_span import FootageSpan, station_span_ms
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.keys import Ed25519PrivateKey, key_id, raw_public_key
from evidence.manifest import Officer, Origin, SignedManifest
from evidence.manifest_dock import CameraClock
from ingest.compliance.act_rules import exemption_stands, same_act
from ingest.compliance.attaching import Recording
from ingest.custody.flags import FlagKind
from storage.compliance_records import (
    ActValues,
    CaseRecord,
    Decision,
    DecisionRecord,
    ExemptionReason,
)
from storage.interfaces import Index
from storage.records import ManifestRecord, NewFlag, StoredObject, UploadRecord, UploadState
from tests.builders import manifest_for, media_lasting
from tests.storage.rules_world import DOCKS, Ledger, RecordingSpec, World

KEY = Ed25519PrivateKey.generate()
_numbers = itertools.count(1)  # case numbers and sequences, unique across examples


async def register_docks(index: Index, n: int, now: datetime) -> dict[str, str]:
    """This example's docks, under names of its own: its flags and late uploads, which
    the report counts by device, are then told apart from every other example's."""
    docks = {dock: f"{dock}-{n}" for dock in DOCKS}
    for device in docks.values():
        raw = raw_public_key(KEY.public_key())
        await index.devices.add(DeviceId(device), None, key_for(device), raw, now)
    return docks


def key_for(device: str) -> str:
    return f"{device}/{key_id(KEY.public_key())}"


async def load(index: Index, world: World, base: datetime) -> Ledger:
    n = next(_numbers)
    docks = await register_docks(index, n, base)
    cases = [CaseNumber(f"JSZF-2026-{n:05d}{c}") for c in range(2)]
    agencies = {str(c): a for c, a in zip(cases, world.agencies, strict=True)}
    ledger = Ledger(cases, agencies, docks)
    for number, agency in zip(cases, world.agencies, strict=True):
        await index.compliance.cases.add_case(CaseRecord(number, agency, None, "t", base))
    for spec in world.acts:
        values = ActValues(
            cases[spec.case],
            spec.act_type,
            base + spec.start,
            base + spec.start + spec.length,
            None,
            spec.officers,
            tuple(docks.get(device, device) for device in spec.devices),
            spec.reference,
        )
        await add_act(index, ledger, values, base)
    for spec in world.recordings:
        await store(index, ledger, spec, base)
    for dock, resolved in world.gaps:
        await _gap(index, ledger, docks[dock], resolved, base)
    for step in world.steps:
        await apply(index, ledger, step, base)
    return ledger


async def add_act(index: Index, ledger: Ledger, values: ActValues, now: datetime) -> None:
    """Register an act; whether it is new, the same or a conflict, as rule 1 says."""
    held = [i for i, v in sorted(ledger.acts.items()) if same_act(v, values)]
    if held and ledger.acts[held[0]] != values:
        with pytest.raises(ActConflict):
            await index.compliance.cases.add_act(values, "t", now)
        return
    record, new = await index.compliance.cases.add_act(values, "t", now)
    assert new is not bool(held), (values, held)
    assert not held or record.act_id == held[0]
    ledger.acts[record.act_id] = values
    ledger.revision.setdefault(record.act_id, 1)


async def store(index: Index, ledger: Ledger, spec: RecordingSpec, base: datetime) -> None:
    sequence, cases, dock = next(_numbers), ledger.cases, ledger.docks[spec.dock]
    start = base + spec.start
    media = None if spec.length_ms is None else media_lasting(spec.length_ms / 1000)
    manifest = manifest_for(
        str(sequence).encode(),
        dock,
        KEY,
        sequence=sequence,
        case_number=None if spec.case is None else str(cases[spec.case]),
        media=media,
        origin=Origin("DSJ", spec.serial, "liuhen-agent/test"),
        clock=CameraClock(spec.offset_ms, start, "sidecar_clock") if spec.offset_ms else None,
    )
    manifest = dataclasses.replace(
        manifest,
        key_id=key_for(dock),
        capture=dataclasses.replace(
            manifest.capture,
            started_at=start,
            ended_at=None,
            captured_by=None if spec.officer is None else Officer(spec.officer),
        ),
    )
    signed = SignedManifest.create(manifest, KEY)
    ended = FootageSpan.of(start, None, media).ended_at
    late = _late(signed, start) if spec.late else ()
    await _finalize(index, signed, start, ended, spec.officer, late)
    evidence_id = str(manifest.evidence_id)
    if spec.late == 2:
        await index.flags.resolve(FlagKind.LATE_UPLOAD, evidence_id, "已核实", "t", base)
    if spec.late:
        ledger.flags.append((FlagKind.LATE_UPLOAD, dock, evidence_id, spec.late == 1))
    case = None if spec.case is None else str(cases[spec.case])
    span = station_span_ms(start, ended, spec.offset_ms)
    ledger.started[evidence_id] = start
    ledger.recordings.append(Recording(evidence_id, case, span, dock, spec.serial, spec.officer))


def _late(signed: SignedManifest, now: datetime) -> tuple[NewFlag, ...]:
    m = signed.manifest
    flag = NewFlag(
        FlagKind.LATE_UPLOAD, str(m.evidence_id), "{}", now, m.device_id, m.evidence_id, m.role
    )
    return (flag,)


async def _gap(index: Index, ledger: Ledger, device: str, resolved: bool, now: datetime) -> None:
    """A sequence gap: a flag about footage that never arrived, so about no stored one."""
    subject = f"{device}#{next(_numbers)}"
    await index.flags.raise_flag(
        FlagKind.SEQUENCE_GAP, subject, "{}", now, device_id=DeviceId(device)
    )
    if resolved:
        await index.flags.resolve(FlagKind.SEQUENCE_GAP, subject, "补传", "t", now)
    ledger.flags.append((FlagKind.SEQUENCE_GAP, device, None, not resolved))


async def _finalize(
    index: Index,
    signed: SignedManifest,
    start: datetime,
    ended: datetime | None,
    officer: str | None,
    flags: tuple[NewFlag, ...],
) -> None:
    m = signed.manifest
    record = ManifestRecord(
        m.evidence_id,
        m.role,
        m.device_id,
        m.key_id,
        m.sequence,
        None,
        signed.sha256,
        signed.body,
        signed.signature,
        m.case_number,
        start,
    )
    await index.uploads.register_manifest(record)
    upload = UploadRecord(
        f"u-{m.evidence_id}",
        m.evidence_id,
        Role.ORIGINAL,
        m.device_id,
        1,
        0,
        UploadState.OPEN,
        "",
        start,
        start + timedelta(days=1),
    )
    await index.uploads.create_upload(upload)
    stored = StoredObject(
        m.evidence_id,
        Role.ORIGINAL,
        m.device_id,
        m.sequence,
        signed.sha256,
        signed.sha256,
        1,
        signed.sha256,
        "local",
        "x",
        m.case_number,
        start,
        ended,
        None,
        officer,
        "clip.mp4",
        start + timedelta(hours=1),
        b"r",
        b"s",
    )
    await index.objects.finalize(upload.upload_id, stored, flags)


async def apply(
    index: Index, ledger: Ledger, step: tuple[str, int, int, bool, timedelta], base: datetime
) -> None:
    kind, i, j, flag, moment = step
    act_ids = sorted(ledger.acts)
    if kind == "withdraw" and ledger.exemptions:
        await _withdraw(index, ledger, i % len(ledger.exemptions), base)
    if not act_ids:
        return
    act_id = act_ids[i % len(act_ids)]
    if kind == "exempt":
        await _exempt(index, ledger, act_id, base)
    elif kind == "edit":
        await _edit(index, ledger, act_id, base + moment, base)
    elif kind == "decide":
        loose = [r for r in ledger.recordings if r.case_number is None]
        if loose:
            await _decide(index, ledger, loose[j % len(loose)].evidence_id, act_id, flag, base)


async def _exempt(index: Index, ledger: Ledger, act_id: int, now: datetime) -> None:
    revision = ledger.revision[act_id]
    standing = any(
        exemption_stands(entered, revision, withdrawn=out)
        for _, act, entered, out in ledger.exemptions
        if act == act_id
    )
    exemptions = index.compliance.exemptions
    if standing:
        with pytest.raises(AlreadyExempted):
            await exemptions.add(act_id, ExemptionReason.EMERGENCY, "局长", now, None, "t", now)
        return
    record = await exemptions.add(act_id, ExemptionReason.EMERGENCY, "局长", now, None, "t", now)
    ledger.exemptions.append((record.exemption_id, act_id, revision, False))


async def _withdraw(index: Index, ledger: Ledger, k: int, now: datetime) -> None:
    exemption_id, act_id, entered, withdrawn = ledger.exemptions[k]
    if withdrawn:
        with pytest.raises(AlreadyWithdrawn):
            await index.compliance.exemptions.withdraw(exemption_id, "找到了", "t", now)
        return
    await index.compliance.exemptions.withdraw(exemption_id, "找到了", "t", now)
    ledger.exemptions[k] = (exemption_id, act_id, entered, True)


async def _edit(index: Index, ledger: Ledger, act_id: int, start: datetime, now: datetime) -> None:
    values = ledger.acts[act_id]
    moved = dataclasses.replace(values, started_at=start, ended_at=max(start, values.ended_at))
    revision = ledger.revision[act_id]
    later = now + timedelta(seconds=revision)  # an edit moves updated_at forward
    await index.compliance.cases.edit_act(act_id, revision, moved, "t", "edit", later)
    ledger.acts[act_id], ledger.revision[act_id] = moved, revision + 1


async def _decide(
    index: Index, ledger: Ledger, evidence_id: str, act_id: int, yes: bool, now: datetime
) -> None:
    if (evidence_id, act_id) in ledger.decisions:
        return
    decision = Decision.CONFIRMED if yes else Decision.REJECTED
    record = DecisionRecord(EvidenceId(evidence_id), act_id, decision, "t", now, None)
    await index.compliance.decisions.decide(record)
    ledger.decisions[(evidence_id, act_id)] = yes
