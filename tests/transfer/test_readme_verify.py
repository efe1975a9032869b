"""README-VERIFY.md's commands, run as written on an exported package with bash,
coreutils, OpenSSL and Python: each check passes on the package as exported, and the
chunk loop names the damaged chunk once a byte is flipped."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from evidence.package import README_VERIFY
from tests.transfer.test_package_tamper import flip_a_byte

BLOCKS = re.findall(r"```sh\n(.*?)```", README_VERIFY.read_text(), re.S)


def run(folder: Path, script: str) -> str:
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def block(words: str) -> str:
    [found] = [b for b in BLOCKS if words in b]
    return found


def setup(folder: Path, item: dict, entry: int) -> str:
    values = f"S={item['sha256']}; D={item['device_id']}; N={entry}\n"
    return block("S=<sha256>").replace("S=<sha256>; D=<device_id>; N=<entry>\n", values)


@pytest.fixture
def package(exported):
    document = json.loads((exported.folder / "package.json").read_text())
    return exported.folder, document


def test_every_command_of_the_readme_checks_out(package):
    folder, document = package
    for item in document["objects"]:
        for entry in document["entries"]:
            head = setup(folder, item, entry)
            assert item["sha256"] in run(folder, head + block('sha256sum "$F"'))
            assert "damaged" not in run(folder, head + block("for want in"))
            manifest = json.loads((folder / "manifests" / f"{item['sha256']}.json").read_bytes())
            assert run(folder, head + block("def root(x)")).strip() == manifest["chunks"]["root"]
            said = run(folder, head + block("DSSEv1"))
            assert said.count("Signature Verified Successfully") == 2
            receipt = json.loads((folder / "receipts" / f"{item['sha256']}.json").read_bytes())
            assert receipt["manifest_sha256"] in said
            assert "same key" in run(folder, head + block("raw.key"))
            assert "Signature Verified Successfully" in run(folder, head + block("sig.bin"))
            said = run(folder, head + block("removeprefix"))
            assert said.splitlines()[0] == "PASS" and "same checkpoint" in said


def test_the_chunk_loop_names_the_damaged_chunk(package, exported, server):
    folder, document = package
    flip_a_byte(folder, exported, server)
    original = next(o for o in document["objects"] if o["role"] == "original")
    said = run(folder, setup(folder, original, 0) + block("for want in"))
    assert said.strip() == "chunk 1 damaged / 第 1 块已损坏"
