"""Each device numbers its manifests 1, 2, 3… and names the hash of the one before.

A hole in the numbers is footage withheld or lost between device and server; two
manifests claiming one place is a reset journal or a cloned key. Neither is a reason to
refuse footage (refusing would lose it), so both become flags a custodian sees.

This module only reads the chain and says which flags a new manifest raises and
resolves; they are written in the manifest's own transaction (``ingest.custody.registration``).
"""

from __future__ import annotations

from datetime import datetime

from evidence.digest import Sha256
from evidence.identifiers import DeviceId
from evidence.manifest import MAX_SEQUENCE, Manifest
from ingest.custody.flags import FlagKind, new_flag, server_resolution
from storage.interfaces import Manifests
from storage.records import FlagResolution, NewFlag

__all__ = ["MAX_GAP_FLAGS", "chain_notes", "chain_subject"]

MAX_GAP_FLAGS = 100  # one flag per missing number, up to this many per arrival


def chain_subject(device: DeviceId, sequence: int) -> str:
    return f"{device}#{sequence}"


async def chain_notes(
    uploads: Manifests, manifest: Manifest, sha256: Sha256, now: datetime
) -> tuple[tuple[FlagResolution, ...], tuple[NewFlag, ...]]:
    """For a manifest not yet registered: the gap flag its arrival resolves, and the gap
    and fork flags its place in the chain raises."""
    device, sequence = manifest.device_id, manifest.sequence
    arrived = server_resolution(
        FlagKind.SEQUENCE_GAP, chain_subject(device, sequence), "manifest arrived", now
    )
    flags: list[NewFlag] = []
    before = await uploads.manifest_at(device, sequence - 1) if sequence > 1 else None
    if sequence > 1 and before is None:
        last = await uploads.last_manifest(device, below=sequence)
        first_missing = 1 if last is None else last.sequence + 1
        for missing in range(max(first_missing, sequence - MAX_GAP_FLAGS), sequence):
            flags.append(
                new_flag(
                    FlagKind.SEQUENCE_GAP,
                    chain_subject(device, missing),
                    {"missing_sequence": missing, "noticed_at_sequence": sequence},
                    now,
                    device_id=device,
                )
            )
    elif before is not None and before.manifest_sha256 != manifest.previous:
        flags.append(_fork(manifest, sequence, now))
    # The last number a chain can hold has nothing after it.
    after = await uploads.manifest_at(device, sequence + 1) if sequence < MAX_SEQUENCE else None
    if after is not None and after.previous_sha256 != sha256:
        flags.append(_fork(manifest, sequence + 1, now))
    return (arrived,), tuple(flags)


def _fork(manifest: Manifest, sequence: int, now: datetime) -> NewFlag:
    return new_flag(
        FlagKind.SEQUENCE_FORK,
        chain_subject(manifest.device_id, sequence),
        {"sequence": sequence, "evidence_id": str(manifest.evidence_id)},
        now,
        device_id=manifest.device_id,
        evidence_id=manifest.evidence_id,
        role=manifest.role,
    )
