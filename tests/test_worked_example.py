"""The worked example in docs/protocol.md is the file docs/examples/third_party_upload.py,
and it works: run as a third party would (its own process, nothing of ours imported)
against a real server on loopback, it ends with a verified receipt (issue 8)."""

import ast
import asyncio
import base64
import hashlib
import json
import re
import sys
from pathlib import Path

from devices.footage import write_clip
from evidence.identifiers import Role
from evidence.receipt import SignedReceipt
from tests.agent.test_slow_link_agent import START

DOCS = Path(__file__).parent.parent / "docs"
EXAMPLE = DOCS / "examples" / "third_party_upload.py"
OURS = {"evidence", "ingest", "agent", "storage", "devices", "liuhen", "tests"}


def test_the_protocol_shows_the_example_file_verbatim():
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / "protocol.md").read_text(), re.S)
    assert blocks == [EXAMPLE.read_text()]


def test_the_example_imports_nothing_of_ours():
    tree = ast.parse(EXAMPLE.read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported.isdisjoint(OURS), imported & OURS
    assert {"requests", "tusclient", "cryptography"} <= imported


async def test_the_example_signs_in_registers_uploads_and_verifies_its_receipt(server, tmp_path):
    device = await server.add_device()
    footage = tmp_path / "seizure.mp4"
    write_clip(footage, seconds=3, started_at=START, width=320, height=240)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        server.url,
        device.device_id,
        str(device.key_path),
        str(server.ctx.config.server_public_key_path),
        str(footage),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    printed = json.loads(out)
    signed = SignedReceipt.parse(
        base64.b64decode(printed["receipt"]), base64.b64decode(printed["signature"])
    )
    signed.verify(server.ctx.server_key.public_key())
    receipt = signed.receipt
    data = footage.read_bytes()
    assert (str(receipt.device_id), receipt.role, receipt.size) == (
        device.device_id,
        Role.ORIGINAL,
        len(data),
    )
    assert receipt.sha256.hex == hashlib.sha256(data).hexdigest()
    stored = await server.ctx.index.objects.get(receipt.evidence_id, Role.ORIGINAL)
    assert b"".join(server.ctx.store.read(stored.locator, 1 << 20)) == data
