"""docs/custody-log.md stays true: its leaf examples are leaves, its commands check the
golden proof with stock tools, and they fail on a changed record, proof or key."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evidence.strict_json import canonical_bytes
from evidence.tlog.leaves import parse_leaf
from evidence.tlog.note_keys import Ed25519NoteSigner
from tests.kernel.tlog_keys import ORIGIN, fixed_key

ROOT = Path(__file__).parent.parent.parent
DOC = (ROOT / "docs" / "custody-log.md").read_text()
GOLDEN = ROOT / "tests" / "golden"


def blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


def test_every_leaf_example_is_a_leaf():
    leaves = blocks("json")
    assert len(leaves) == 7
    kinds = {parse_leaf(canonical_bytes(json.loads(text))).TYPE for text in leaves}
    assert kinds == {
        f"liuhen.log.{k}"
        for k in ("ingest", "backfill", "access", "custody", "decision", "fixity", "hold")
    }


def test_the_golden_files_shown_are_the_golden_files():
    for name in ("checkpoint-v1.txt", "leaf-2-of-8.tlog-proof"):
        assert "\n```\n" + (GOLDEN / name).read_text() + "```\n" in DOC, name
    assert (GOLDEN / "log-test.vkey").read_text().strip() in DOC


def run_steps(folder):
    shell = next(b for b in blocks("sh") if "openssl pkeyutl" in b)
    script = next(b for b in blocks("python") if "check_inclusion.py" in b)
    (folder / "check_inclusion.py").write_text(script)
    signature = subprocess.run(
        ["bash", "-c", "set -eu\n" + shell], cwd=folder, capture_output=True, text=True
    )
    inclusion = subprocess.run(
        [sys.executable, "check_inclusion.py", "leaf.bin", "leaf.tlog-proof"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    return signature, inclusion


@pytest.fixture
def folder(tmp_path):
    shutil.copy(GOLDEN / "leaf-2-of-8.tlog-proof", tmp_path / "leaf.tlog-proof")
    shutil.copy(GOLDEN / "log-test.vkey", tmp_path / "log.vkey")
    (tmp_path / "leaf.bin").write_bytes(b"\x10")
    return tmp_path


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_the_commands_check_the_golden_proof(folder):
    signature, inclusion = run_steps(folder)
    assert signature.returncode == 0, signature.stderr
    lines = signature.stdout.split("\n")
    assert lines[0] == ORIGIN and "Signature Verified Successfully" in lines[1]
    assert lines[2] == (GOLDEN / "log-test.vkey").read_text().split("+")[1]
    assert inclusion.stdout == "PASS\n"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_the_commands_fail_on_a_changed_record_proof_or_key(folder):
    (folder / "leaf.bin").write_bytes(b"\x11")
    assert run_steps(folder)[1].stdout == "FAIL\n"
    (folder / "leaf.bin").write_bytes(b"\x10")
    proof = (folder / "leaf.tlog-proof").read_text()
    (folder / "leaf.tlog-proof").write_text(proof.replace("B1Bqhf2d", "B1Bqhf2e", 1))
    assert run_steps(folder)[1].stdout == "FAIL\n"
    (folder / "leaf.tlog-proof").write_text(proof)
    impostor = Ed25519NoteSigner(ORIGIN, fixed_key("impostor")).verifier.vkey()
    (folder / "log.vkey").write_text(impostor + "\n")
    assert run_steps(folder)[0].returncode != 0
