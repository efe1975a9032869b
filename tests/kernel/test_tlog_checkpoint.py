"""C2SP checkpoints and witness cosignatures: exact text, strict parsing, golden files."""

import hashlib
import time
from pathlib import Path

import pytest

from evidence.errors import MalformedCheckpoint, MalformedNote
from evidence.keys import Ed25519PublicKey
from evidence.tlog.checkpoint import Checkpoint, SignedCheckpoint, log_origin
from evidence.tlog.cosignature import CosignatureVerifier
from evidence.tlog.note import NoteSignature
from tests.kernel.tlog_keys import LOG_SIGNER, ORIGIN, WITNESS_KEY, WITNESS_NAME
from tests.kernel.tlog_tree import grown

GOLDEN = Path(__file__).parent.parent / "golden"
ROOT8 = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")


def test_a_checkpoint_is_three_lines_and_round_trips_exactly():
    tree = Checkpoint(ORIGIN, 8, ROOT8)
    assert tree.text() == (f"{ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n".encode())
    assert Checkpoint.from_text(tree.text()) == tree
    with_extension = Checkpoint(ORIGIN, 8, ROOT8, ("ext one", "ext two"))
    assert Checkpoint.from_text(with_extension.text()) == with_extension


def test_the_golden_checkpoint_is_what_the_test_key_signs():
    golden = (GOLDEN / "checkpoint-v1.txt").read_bytes()
    assert SignedCheckpoint.sign(Checkpoint(ORIGIN, 8, ROOT8), LOG_SIGNER).to_bytes() == golden
    assert SignedCheckpoint.parse(golden).checkpoint == Checkpoint(ORIGIN, 8, ROOT8)


def test_the_origin_names_the_host_and_the_genesis_key():
    key = LOG_SIGNER.private_key.public_key()
    genesis = hashlib.sha256(key.public_bytes_raw()).hexdigest()[:8]
    assert f"log.example.test/liuhen/{genesis}" == ORIGIN
    assert LOG_SIGNER.key_name == ORIGIN
    for host in ("", "Log.example", "log..example", "-log.example", "log example", "log+x"):
        with pytest.raises(MalformedCheckpoint):
            log_origin(host, key)


BAD_TEXTS = {
    "two lines": b"o\n8\n",
    "no final newline": b"o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
    "empty origin": b"\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
    "leading zero": b"o\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
    "plus sign": b"o\n+8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
    "minus sign": b"o\n-8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
    "space": b"o\n 8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
    "not a number": b"o\neight\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
    "wide digits": "o\n８\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n".encode(),
    "beyond 2^63-1": b"o\n9223372036854775808\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
    "short root": b"o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQ==\n",
    "stray bits in the root": b"o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n",
    "url-safe root": b"o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=\n",
    "hex root": b"o\n8\n" + ROOT8.hex().encode() + b"\n",
    "empty extension line": b"o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\nx\n",
    "not UTF-8": b"\xff\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
}


@pytest.mark.parametrize("text", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
def test_malformed_checkpoints_are_refused(text):
    with pytest.raises(MalformedCheckpoint) as caught:
        Checkpoint.from_text(text)
    assert caught.value.code == "bad_checkpoint"


def test_a_signed_checkpoint_with_a_malformed_body_is_refused():
    text = b"o\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
    with pytest.raises(MalformedCheckpoint):
        SignedCheckpoint.parse(text + b"\n" + LOG_SIGNER.sign(text).line().encode())
    with pytest.raises(MalformedNote):
        SignedCheckpoint.parse(Checkpoint(ORIGIN, 8, ROOT8).text())


def cosign(key, name, text, timestamp):
    """A witness's cosignature/v1 line, built from the spec's words, not our module."""
    raw = key.public_key().public_bytes_raw()
    key_id = hashlib.sha256(name.encode() + b"\n\x04" + raw).digest()[:4]
    message = b"cosignature/v1\ntime " + str(timestamp).encode() + b"\n" + text
    return NoteSignature(name, key_id, timestamp.to_bytes(8, "big") + key.sign(message))


def test_a_witness_cosignature_verifies_and_travels_with_the_checkpoint():
    signed = grown(5).checkpoint()
    now = int(time.time())
    line = cosign(WITNESS_KEY, WITNESS_NAME, signed.note.text, now)
    cosigned = SignedCheckpoint.parse(signed.with_signatures((line,)).to_bytes())
    witness = CosignatureVerifier(WITNESS_NAME, WITNESS_KEY.public_key())
    assert CosignatureVerifier.from_vkey(witness.vkey()) == witness
    verified = cosigned.note.verify([LOG_SIGNER.verifier, witness])
    assert [CosignatureVerifier.timestamp(s.signature) for s in verified[1:]] == [now]


def test_a_cosignature_over_another_time_or_text_or_by_a_plain_key_fails():
    signed = grown(5).checkpoint()
    witness = CosignatureVerifier(WITNESS_NAME, WITNESS_KEY.public_key())
    line = cosign(WITNESS_KEY, WITNESS_NAME, signed.note.text, 1_700_000_000)
    forged_time = (1_700_000_001).to_bytes(8, "big") + line.signature[8:]
    assert witness.verify(signed.note.text, line.signature)
    assert not witness.verify(signed.note.text, forged_time)
    assert not witness.verify(signed.note.text + b"x\n", line.signature)
    assert not witness.verify(signed.note.text, line.signature[8:])
    plain = LOG_SIGNER.verifier
    assert plain.key_id != CosignatureVerifier(plain.key_name, plain.public_key).key_id
    assert isinstance(witness.public_key, Ed25519PublicKey)
