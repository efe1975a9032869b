"""``liuhen upgrade-check`` after upgrading a server from before issue 8: registrations
the old server kept half-way are found and, with --fill, completed; transcripts and act
imports it received are listed to be checked against the files that were sent. A real
server's books; the command as a custodian runs it."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

from evidence.identifiers import Role
from evidence.manifest_media import MediaFacts
from liuhen.cli import main
from storage.records import ManifestRecord
from tests.builders import signed_for
from tests.ingest.test_all_or_nothing import _a_review_copy, _a_segment
from tests.ingest.test_late_uploads import store


def record_of(signed, registered_at):
    manifest = signed.manifest
    return ManifestRecord(
        evidence_id=manifest.evidence_id,
        role=manifest.role,
        device_id=manifest.device_id,
        key_id=manifest.key_id,
        sequence=manifest.sequence,
        previous_sha256=manifest.previous,
        manifest_sha256=signed.sha256,
        body=signed.body,
        signature=signed.signature,
        case_number=manifest.case_number,
        registered_at=registered_at,
    )


async def half_store(server, signed):
    """What the old server kept when a registration failed after its first step: the
    manifest alone, nothing derived from it."""
    await server.ctx.index.uploads.register_manifest(record_of(signed, datetime.now(UTC)))


async def liuhen(server, capsys, *argv):
    return json.loads(await liuhen_text(server, capsys, *argv))


async def liuhen_text(server, capsys, *argv):
    config = server.root / "liuhen.toml"
    config.write_text(f'[server]\ndata_dir = "{server.ctx.config.data_dir}"\n')
    code = await asyncio.to_thread(main, ["--config", str(config), "--log-level", "ERROR", *argv])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


async def test_half_stored_registrations_are_found_and_filled(server, capsys):
    _, segment = await _a_segment(server)
    _, copy = await _a_review_copy(server)
    device = await server.add_device()
    broken = MediaFacts(None, None, None, False, False, False, "the file is empty")
    unplayable = signed_for(b"", device.device_id, device.key, media=broken)
    for signed in (segment, copy, unplayable):
        await half_store(server, signed)
    index = server.ctx.index

    found = (await liuhen(server, capsys, "upgrade-check", "--json"))["half_stored"]
    assert {(f["evidence_id"], f["role"]): f for f in found} == {
        (str(segment.manifest.evidence_id), "original"): {
            "evidence_id": str(segment.manifest.evidence_id),
            "role": "original",
            "segment": True,
            "prints": [],
            "flags": ["metadata_incomplete"],
            "problem": None,
        },
        (str(copy.manifest.evidence_id), "proxy"): {
            "evidence_id": str(copy.manifest.evidence_id),
            "role": "proxy",
            "segment": False,
            "prints": ["original", "proxy"],
            "flags": [],
            "problem": None,
        },
        (str(unplayable.manifest.evidence_id), "original"): {
            "evidence_id": str(unplayable.manifest.evidence_id),
            "role": "original",
            "segment": False,
            "prints": [],
            "flags": ["undecodable"],
            "problem": None,
        },
    }
    assert await index.media.session("hearing-room-2") == [], "a dry run writes nothing"

    await liuhen(server, capsys, "upgrade-check", "--fill", "--json")
    assert len(await index.media.session("hearing-room-2")) == 1
    assert len(await index.media.prints(copy.manifest.evidence_id, Role.PROXY)) == 2
    assert [f.subject for f in await index.flags.open_flags("undecodable")] == [
        str(unplayable.manifest.evidence_id)
    ]
    again = await liuhen(server, capsys, "upgrade-check", "--fill", "--json")
    assert again["half_stored"] == [], "once"


async def test_what_a_whole_registration_wrote_and_a_person_resolved_is_left_alone(server, capsys):
    token, segment = await _a_segment(server)
    assert (await server.register(segment, token)).status == 201
    subject = str(segment.manifest.evidence_id)
    index = server.ctx.index
    now = datetime.now(UTC)
    assert await index.flags.resolve("metadata_incomplete", subject, "补录完成", "zhao", now)
    report = await liuhen(server, capsys, "upgrade-check", "--fill", "--json")
    assert report["half_stored"] == []
    assert await index.flags.open_for(segment.manifest.evidence_id) == []


async def test_transcripts_and_act_imports_before_the_upgrade_are_listed(server, capsys):
    ready = await store(server)
    clerk = await server.add_user("wang", "custodian")
    evidence_id = ready.signed.manifest.evidence_id
    text = "执法人员出示证件。".encode()
    reply = await server.send(
        "POST",
        f"/api/v1/recordings/{evidence_id}/transcript",
        token=clerk,
        body=text,
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    assert reply.status == 201, reply.body
    rows = [
        "案件编号,执法机关,事项,开始时间,结束时间,外部编号",
        "冀石执罚〔2026〕第0012号,石家庄市城管执法局,seizure,2026-03-12 09:30,2026-03-12 09:40,A1",
        "冀石执罚〔2026〕第0012号,石家庄市城管执法局,seizure,2026-03-12 10:30,2026-03-12 10:40,A2",
    ]
    reply = await server.send(
        "POST",
        "/api/v1/acts/import",
        token=clerk,
        body="\n".join(rows).encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert reply.status == 200, reply.body

    report = await liuhen(server, capsys, "upgrade-check", "--json")
    [transcript] = report["transcripts"]
    assert transcript["evidence_id"] == str(evidence_id)
    assert transcript["size"] == len(text)
    [batch] = report["act_imports"]
    assert (batch["created_by"], batch["acts"]) == ("wang", 2)
    assert "sha256sum" in report["transcripts_advice"]
    assert "Import the same file again" in report["act_imports_advice"]
    text = await liuhen_text(server, capsys, "upgrade-check")
    assert "1 transcript(s). Transcripts stored before" in text
    assert f"  {evidence_id}  " in text and "by wang: 2 act(s) of 冀石执罚〔2026〕第0012号" in text

    earlier = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    report = await liuhen(server, capsys, "upgrade-check", "--before", earlier, "--json")
    assert (report["transcripts"], report["act_imports"]) == ([], [])
