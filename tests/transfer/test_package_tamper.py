"""Each way a package can be tampered with fails verify.py at the step that names it, with
the file, entry or chunk in its message; the importing server refuses the same package
at the same step and keeps nothing of it."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from evidence import merkle
from evidence.keys import Ed25519PrivateKey
from evidence.package.verify_package import verify_package
from evidence.signing import PayloadType, sign
from evidence.tlog.checkpoint import Checkpoint, SignedCheckpoint
from evidence.wire import PACKAGES
from tests.custody.helpers import log_signer
from tests.transfer.conftest import Exported

Tamper = Callable[[Path, Exported, object], None]


def _original(folder: Path, exported: Exported) -> Path:
    return folder / "originals" / exported.recording.original.manifest.sha256.hex


def flip_a_byte(folder, exported, server):
    path = _original(folder, exported)
    data = bytearray(path.read_bytes())
    data[64 * 1024 + 10] ^= 0x01  # in chunk 1
    path.write_bytes(bytes(data))


def truncate(folder, exported, server):
    path = _original(folder, exported)
    path.write_bytes(path.read_bytes()[:-100])


def append(folder, exported, server):
    with _original(folder, exported).open("ab") as out:
        out.write(b"\x00" * 10)


def swap_manifest(folder, exported, server):
    original = exported.recording.original.manifest.sha256.hex
    proxy = exported.recording.proxy.manifest.sha256.hex
    for suffix in ("json", "sig"):
        shutil.copy(
            folder / "manifests" / f"{proxy}.{suffix}",
            folder / "manifests" / f"{original}.{suffix}",
        )


def forge_device_signature(folder, exported, server):
    original = exported.recording.original
    forged = sign(Ed25519PrivateKey.generate(), PayloadType.MANIFEST, original.body)
    (folder / "manifests" / f"{original.manifest.sha256.hex}.sig").write_bytes(forged)


def _ingest_entry(folder: Path, exported: Exported) -> Path:
    sha = exported.recording.original.manifest.sha256.hex
    for path in (folder / "log" / "entries").glob("*.json"):
        leaf = json.loads(path.read_bytes())
        if leaf["type"] == "liuhen.log.ingest" and leaf["sha256"] == sha:
            return path
    raise AssertionError("no ingest entry")


def edit_log_leaf(folder, exported, server):
    path = _ingest_entry(folder, exported)
    leaf = json.loads(path.read_bytes())
    leaf["received_at"] = "2026-01-01T00:00:00Z"
    path.write_bytes(json.dumps(leaf, sort_keys=True, separators=(",", ":")).encode())


def delete_log_leaf(folder, exported, server):
    _ingest_entry(folder, exported).unlink()


def _write_checkpoint(folder: Path, server, size: int, root: bytes) -> None:
    checkpoint = Checkpoint(server.ctx.log.origin, size, root)
    signed = SignedCheckpoint.sign(checkpoint, log_signer(server))
    (folder / "log" / "checkpoint").write_bytes(signed.to_bytes())
    document = json.loads((folder / "package.json").read_bytes())
    document["checkpoint_size"] = size
    (folder / "package.json").write_text(json.dumps(document))


def fork_checkpoint(folder, exported, server):
    """Signed by the log's own key (a server that shows two histories): same size, other root."""
    size = json.loads((folder / "package.json").read_bytes())["checkpoint_size"]
    _write_checkpoint(folder, server, size, bytes(32))


def roll_back_checkpoint(folder, exported, server):
    """A true, older checkpoint of the same log, put in place of the package's."""
    entries = sorted(int(p.stem) for p in (folder / "log" / "entries").glob("*.json"))
    older = entries[-1]  # the log before the export's own entry
    bodies = [(folder / "log" / "entries" / f"{i}.json").read_bytes() for i in range(older)]
    _write_checkpoint(folder, server, older, merkle.root_of(bodies))


CASES = [
    (flip_a_byte, "files", "damaged chunk 1"),
    (truncate, "files", "(truncated)"),
    (append, "files", "(bytes appended)"),
    (swap_manifest, "manifests", "is not the manifest its receipt names"),
    (forge_device_signature, "manifests", "the device's signature does not verify"),
    (edit_log_leaf, "log_entries", "not in the signed log"),
    (delete_log_leaf, "log_entries", "is missing"),
    (fork_checkpoint, "checkpoint", "a fork"),
    (roll_back_checkpoint, "checkpoint", "rolled back"),
]


def tampered(exported: Exported, server, tamper: Tamper, where: Path) -> Path:
    folder = where / "tampered"
    shutil.copytree(exported.folder, folder)
    tamper(folder, exported, server)
    return folder


@pytest.mark.parametrize(("tamper", "step", "message"), CASES, ids=[c[0].__name__ for c in CASES])
def test_each_tamper_fails_at_its_step(exported, server, tmp_path, tamper, step, message):
    report = verify_package(tampered(exported, server, tamper, tmp_path))
    failed = report.first_failure
    assert failed is not None and not report.ok
    assert failed.step == step, [r.line() for r in report.results]
    assert message in failed.message
    if step == "files":  # the damage names the file it is in
        assert exported.recording.original.manifest.sha256.hex in failed.message


def test_verify_py_exits_non_zero_and_names_the_damaged_chunk(exported, server, tmp_path):
    folder = tampered(exported, server, flip_a_byte, tmp_path)
    done = subprocess.run(
        [sys.executable, "verify.py"], cwd=folder, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    files = next(line for line in done.stdout.splitlines() if line.split()[1:2] == ["files"])
    assert files.startswith("FAIL") and "chunk 1 (bytes 65536-)" in files
    assert done.stdout.splitlines()[-1] == "FAIL: do not rely on this package"


def _archive(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=str(path.relative_to(folder)))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("tamper", "step"), [(flip_a_byte, "files"), (fork_checkpoint, "checkpoint")]
)
async def test_the_receiving_server_refuses_a_tampered_package_at_the_step(
    exported, server, second, tmp_path, tamper, step
):
    token = await second.add_user("zhao", "custodian")
    size = await second.ctx.index.log.size()
    body = _archive(tampered(exported, server, tamper, tmp_path))
    reply = await second.send(
        "POST", PACKAGES, token=token, body=body, headers={"Content-Type": "application/x-tar"}
    )
    assert (reply.status, reply.code) == (422, "package_refused")
    assert reply.json()["error"]["details"]["step"] == step
    assert f"step {step}" in reply.json()["error"]["message"]
    assert await second.ctx.index.log.size() == size
    assert second.stored_blobs() == []
    assert list((second.ctx.config.data_dir / "packages").iterdir()) == []
