"""Exporting an evidence package: the export is logged before a byte is written, the
package holds everything a court needs, and it verifies offline — with the network
disabled — by its own verify.py, which is Liuhen's verifier byte for byte."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from evidence.identifiers import Role
from evidence.package import VERIFY_PY
from evidence.package.verify_package import STEPS, verify_package
from evidence.tlog.leaf_events import AccessAction, AccessLeaf, IngestLeaf
from evidence.tlog.leaves import parse_leaf
from evidence.wire import RECORDING_TRANSCRIPT
from tests.builders import CASE
from tests.transfer.conftest import PURPOSE, export, stored_video, unpack

NO_NETWORK = """
import socket

class _NoNetwork(socket.socket):
    def __init__(self, *args, **kwargs):
        raise OSError("network disabled in this test")

socket.socket = _NoNetwork
socket.create_connection = lambda *a, **k: (_ for _ in ()).throw(OSError("network disabled"))
"""


def run_verify(folder: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    """The package's verify.py in a fresh interpreter whose sockets cannot be opened."""
    blocker = tmp / "no-network"
    blocker.mkdir(exist_ok=True)
    (blocker / "sitecustomize.py").write_text(NO_NETWORK)
    env = {"PYTHONPATH": str(blocker), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "verify.py"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_package_verifier_is_the_kernels_verbatim(exported):
    assert (exported.folder / "verify.py").read_bytes() == VERIFY_PY.read_bytes()
    assert "import evidence" not in VERIFY_PY.read_text()
    assert "from evidence" not in VERIFY_PY.read_text()


def test_an_exported_package_verifies_offline_with_the_network_disabled(exported, tmp_path):
    done = run_verify(exported.folder, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[:2] for line in lines[: len(STEPS)]] == [["PASS", s] for s in STEPS]
    assert lines[-1] == "PASS: the package is intact"
    # The sockets really are gone in that interpreter.
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.socket()"],
        env={"PYTHONPATH": str(tmp_path / "no-network")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode != 0 and "network disabled" in probe.stderr


async def test_the_package_holds_originals_by_hash_copies_documents_entries_and_keys(
    server, exported
):
    rec, folder = exported.recording, exported.folder
    original, proxy = rec.original.manifest.sha256.hex, rec.proxy.manifest.sha256.hex
    assert (folder / "originals" / original).read_bytes() == rec.data
    assert hashlib.sha256(rec.data).hexdigest() == original
    assert (folder / "review-copies" / proxy).read_bytes() == rec.proxy_data
    assert (folder / "manifests" / f"{original}.json").read_bytes() == rec.original.body
    assert (folder / "manifests" / f"{original}.sig").read_bytes() == rec.original.signature
    chunks = (folder / "chunks" / f"{original}.txt").read_text().split()
    assert chunks == [c.hex for c in rec.original.manifest.chunks] and len(chunks) > 1
    assert (folder / "keys" / "log.vkey").read_text().strip() == server.ctx.log.vkey
    assert (folder / "keys" / "devices" / f"{rec.device.device_id}.pub.pem").read_bytes() == (
        rec.device.public_key_path.read_bytes()
    )
    assert (folder / "README-VERIFY.md").read_text().count("openssl pkeyutl -verify") >= 3
    document = json.loads((folder / "package.json").read_text())
    kinds = {}
    for index in document["entries"]:
        leaf = parse_leaf((folder / "log" / "entries" / f"{index}.json").read_bytes())
        kinds.setdefault(type(leaf), []).append(leaf)
    ingested = {(leaf.evidence_id, leaf.role) for leaf in kinds[IngestLeaf]}
    assert ingested == {(rec.original.manifest.evidence_id, r) for r in (Role.ORIGINAL, Role.PROXY)}
    assert document["checkpoint_size"] == exported.log_index + 1


async def test_the_export_is_logged_before_the_package_with_actor_purpose_and_objects(
    server, exported
):
    entry = await server.ctx.index.log.leaf(exported.log_index)
    leaf = parse_leaf(entry.body)
    assert isinstance(leaf, AccessLeaf) and leaf.action is AccessAction.EXPORT
    assert (leaf.actor.name, leaf.actor.role.value) == ("wang", "custodian")
    assert leaf.purpose == PURPOSE and leaf.case == CASE
    evidence_id = exported.recording.original.manifest.evidence_id
    assert sorted((r.evidence_id, r.role.value) for r in leaf.objects) == [
        (evidence_id, "original"),
        (evidence_id, "proxy"),
    ]
    # The package proves its own export: the entry is in it, with its proof.
    assert (exported.folder / "log" / "entries" / f"{exported.log_index}.tlog-proof").exists()


async def test_a_case_is_exported_by_any_typed_form_of_its_number(server, tmp_path):
    await stored_video(server, tmp_path)
    token = await server.add_user("wang", "custodian")
    status, _, headers = await export(server, token, case="冀石执罚[2026]第0012号")
    assert status == 200
    leaf = parse_leaf((await server.ctx.index.log.leaf(int(headers["Liuhen-Log-Index"]))).body)
    assert isinstance(leaf, AccessLeaf) and leaf.case == CASE and len(leaf.objects) == 2


async def test_recordings_by_id_are_exported_too(server, tmp_path):
    rec = await stored_video(server, tmp_path)
    token = await server.add_user("li", "supervisor")
    evidence_id = str(rec.original.manifest.evidence_id)
    status, archive, _ = await export(server, token, evidence_ids=[evidence_id])
    assert status == 200
    assert len(archive) > len(rec.data) + len(rec.proxy_data)


async def test_who_may_not_export_is_refused_and_nothing_is_logged(server, tmp_path):
    await stored_video(server, tmp_path)
    size = await server.ctx.index.log.size()
    for role in ("reviewer", "auditor"):
        token = await server.add_user(f"user-{role}", role)
        status, body, _ = await export(server, token, case=CASE)
        assert (status, json.loads(body)["error"]["code"]) == (403, "forbidden"), role
    assert await server.ctx.index.log.size() == size


async def test_an_export_states_its_purpose_and_names_what_it_takes(server, tmp_path):
    await stored_video(server, tmp_path)
    token = await server.add_user("wang", "custodian")
    size = await server.ctx.index.log.size()
    for body, code in (
        ({"case": CASE, "purpose": "  "}, "purpose_required"),
        ({"purpose": PURPOSE}, "bad_request"),
        ({"case": "冀石执罚〔2026〕第9999号", "purpose": PURPOSE}, "not_found"),
    ):
        _, reply, _ = await export(server, token, **body)
        assert json.loads(reply)["error"]["code"] == code, body
    assert await server.ctx.index.log.size() == size


async def test_when_the_log_cannot_record_the_export_nothing_is_exported(server, tmp_path):
    await stored_video(server, tmp_path)
    token = await server.add_user("wang", "custodian")
    raw = sqlite3.connect(server.ctx.config.index_path)
    raw.execute(
        "CREATE TRIGGER full_disk BEFORE INSERT ON log_leaves "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    raw.commit()
    try:
        status, body, _ = await export(server, token, case=CASE)
    finally:
        raw.execute("DROP TRIGGER full_disk")
        raw.commit()
        raw.close()
    assert (status, json.loads(body)["error"]["code"]) == (503, "log_unavailable")
    work = server.ctx.config.data_dir / "packages"
    assert not work.exists() or list(work.iterdir()) == []


async def test_a_transcript_the_server_signed_travels_and_verifies_too(server, tmp_path):
    rec = await stored_video(server, tmp_path)
    token = await server.add_user("wang", "custodian")
    evidence_id = rec.original.manifest.evidence_id
    text = "执法人员出示证件，告知当事人权利义务。".encode()
    reply = await server.send(
        "POST",
        RECORDING_TRANSCRIPT.format(evidence_id=evidence_id),
        token=token,
        body=text,
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    assert reply.status == 201, reply.body
    status, archive, _ = await export(server, token, evidence_ids=[str(evidence_id)])
    assert status == 200
    folder = unpack(archive, tmp_path / "with-transcript")
    assert (folder / "transcripts" / hashlib.sha256(text).hexdigest()).read_bytes() == text
    report = verify_package(folder)
    assert report.ok, [r.line() for r in report.results]
