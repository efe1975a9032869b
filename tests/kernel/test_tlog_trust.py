"""A verifier's checks: a checkpoint of the right log, signed by its key (and witnesses);
no fork, no rollback; and a C2SP tlog-proof for a leaf, end to end."""

import time
from pathlib import Path

import pytest

from evidence import merkle
from evidence.errors import (
    BadSignature,
    CheckpointFork,
    CheckpointRollback,
    ConfigError,
    ConsistencyMismatch,
    InclusionMismatch,
    LiuhenError,
    MalformedProof,
    OriginMismatch,
    UntrustedNote,
)
from evidence.tlog.checkpoint import Checkpoint
from evidence.tlog.cosignature import CosignatureVerifier
from evidence.tlog.nodes import EMPTY_ROOT
from evidence.tlog.note_keys import Ed25519NoteSigner, Ed25519NoteVerifier
from evidence.tlog.tlog_proof import TlogProof
from evidence.tlog.trust import LogTrust
from tests.kernel.test_tlog_checkpoint import cosign
from tests.kernel.tlog_keys import LOG_SIGNER, ORIGIN, WITNESS_KEY, WITNESS_NAME, fixed_key
from tests.kernel.tlog_tree import MemoryLog, grown

GOLDEN = Path(__file__).parent.parent / "golden"
TRUST = LogTrust(
    ORIGIN, (Ed25519NoteVerifier.from_vkey((GOLDEN / "log-test.vkey").read_text().strip()),)
)
WITNESS = CosignatureVerifier(WITNESS_NAME, WITNESS_KEY.public_key())
IMPOSTOR = Ed25519NoteSigner(ORIGIN, fixed_key("impostor"))


def test_the_golden_checkpoint_opens_with_the_published_vkey():
    opened = TRUST.open((GOLDEN / "checkpoint-v1.txt").read_bytes())
    assert (opened.checkpoint.origin, opened.checkpoint.size) == (ORIGIN, 8)


def test_a_checkpoint_of_another_log_is_refused():
    other = grown(3).checkpoint(origin="other.example.test/liuhen/00000000")
    with pytest.raises(OriginMismatch):
        TRUST.open(other.to_bytes())


def test_a_checkpoint_signed_by_another_key_under_our_name_is_refused():
    with pytest.raises(UntrustedNote):
        TRUST.open(grown(3).checkpoint(signer=IMPOSTOR).to_bytes())


def test_a_checkpoint_whose_signature_was_altered_is_refused():
    signed = grown(3).checkpoint()
    line = signed.note.signatures[0]
    altered = type(line)(line.key_name, line.key_id, bytes(64))
    with pytest.raises(BadSignature):
        TRUST.open(
            type(signed)(
                signed.checkpoint, type(signed.note)(signed.note.text, (altered,))
            ).to_bytes()
        )


def test_witness_quorum_counts_only_valid_cosignatures_of_trusted_witnesses():
    needs_one = LogTrust(ORIGIN, (LOG_SIGNER.verifier,), (WITNESS,), witness_quorum=1)
    signed = grown(4).checkpoint()
    with pytest.raises(UntrustedNote, match="witnesses"):
        needs_one.open(signed.to_bytes())
    stranger = cosign(fixed_key("stranger"), "stranger.example/w", signed.note.text, 1)
    with pytest.raises(UntrustedNote):
        needs_one.open(signed.with_signatures((stranger,)).to_bytes())
    line = cosign(WITNESS_KEY, WITNESS_NAME, signed.note.text, int(time.time()))
    cosigned = signed.with_signatures((stranger, line)).to_bytes()
    assert needs_one.open(cosigned).note.signatures[-1] == line
    assert TRUST.open(cosigned).checkpoint == signed.checkpoint
    wrong = cosign(WITNESS_KEY, WITNESS_NAME, b"another text\n", 5)
    with pytest.raises(BadSignature):
        needs_one.open(signed.with_signatures((wrong,)).to_bytes())


def test_a_policy_needs_a_log_key_and_enough_witnesses():
    with pytest.raises(ConfigError):
        LogTrust(ORIGIN, ())
    with pytest.raises(ConfigError):
        LogTrust(ORIGIN, (LOG_SIGNER.verifier,), (WITNESS,), witness_quorum=2)


def test_a_checkpoint_that_extends_the_trusted_one_is_accepted():
    log = grown(20)
    old = Checkpoint(ORIGIN, 7, log.range.__class__.from_nodes(7, log.nodes.__getitem__).root())
    new = log.checkpoint().checkpoint
    LogTrust.check_extends(None, new)
    LogTrust.check_extends(new, new)
    LogTrust.check_extends(old, new, log.consistency(7, 20))
    LogTrust.check_extends(Checkpoint(ORIGIN, 0, EMPTY_ROOT), new)


def test_a_fork_and_a_rollback_are_refused_with_their_own_codes():
    honest, forked = grown(9), grown(8)
    forked.append(b"a different ninth entry")
    trusted = honest.checkpoint().checkpoint
    with pytest.raises(CheckpointFork) as fork:
        LogTrust.check_extends(trusted, forked.checkpoint().checkpoint)
    smaller = grown(8).checkpoint().checkpoint
    with pytest.raises(CheckpointRollback) as rollback:
        LogTrust.check_extends(trusted, smaller, [])
    assert (fork.value.code, rollback.value.code) == ("checkpoint_fork", "checkpoint_rollback")


def test_a_larger_tree_that_rewrote_history_fails_its_consistency_proof():
    honest, rewritten = grown(9), grown(4)
    rewritten.append(b"an entry edited after it was logged")
    for n in range(5, 12):
        rewritten.append(b"entry %d" % n)
    trusted = honest.checkpoint().checkpoint
    with pytest.raises(ConsistencyMismatch):
        LogTrust.check_extends(
            trusted, rewritten.checkpoint().checkpoint, rewritten.consistency(9, 12)
        )
    with pytest.raises(ConsistencyMismatch):
        LogTrust.check_extends(Checkpoint(ORIGIN, 0, bytes(32)), trusted)
    with pytest.raises(OriginMismatch):
        LogTrust.check_extends(Checkpoint("x", 1, bytes(32)), trusted)


def test_the_golden_proof_is_exactly_what_the_log_hands_out():
    log = MemoryLog()
    for leaf in (b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43"):
        log.append(leaf)
    for leaf in (bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70))):
        log.append(leaf)
    proof = log.proof(2, log.checkpoint())
    golden = (GOLDEN / "leaf-2-of-8.tlog-proof").read_bytes()
    assert proof.to_bytes() == golden and TlogProof.parse(golden) == proof
    assert TRUST.verify_proof(golden, merkle.leaf_hash(b"\x10")) == proof


def test_every_leaf_of_a_log_has_a_proof_that_verifies():
    log = grown(13)
    checkpoint = log.checkpoint()
    for index, leaf in enumerate(log.leaves):
        data = log.proof(index, checkpoint).to_bytes()
        assert TRUST.verify_proof(data, merkle.leaf_hash(leaf)).index == index
        with pytest.raises(InclusionMismatch):
            TRUST.verify_proof(data, merkle.leaf_hash(leaf + b"!"))


def test_every_changed_bit_and_every_truncation_of_a_proof_is_refused():
    log = grown(11)
    data = log.proof(6, log.checkpoint()).to_bytes()
    leaf_hash = merkle.leaf_hash(log.leaves[6])
    for n in range(len(data)):
        for bit in range(8):
            changed = bytearray(data)
            changed[n] ^= 1 << bit
            with pytest.raises(LiuhenError):
                TRUST.verify_proof(bytes(changed), leaf_hash)
    for end in range(len(data)):
        with pytest.raises(LiuhenError):
            TRUST.verify_proof(data[:end], leaf_hash)


def test_extra_data_is_carried_but_never_trusted():
    log = grown(3)
    proof = log.proof(1, log.checkpoint())
    with_extra = TlogProof(proof.index, proof.hashes, proof.checkpoint, b"any bytes")
    data = with_extra.to_bytes()
    assert data.split(b"\n")[1] == b"extra YW55IGJ5dGVz" and TlogProof.parse(data) == with_extra
    other = data.replace(b"YW55IGJ5dGVz", b"b3RoZXI=")
    assert TRUST.verify_proof(other, merkle.leaf_hash(log.leaves[1])).extra == b"other"


def lines(*head):
    checkpoint = grown(2).checkpoint().to_bytes()
    return "".join(line + "\n" for line in head).encode() + b"\n" + checkpoint


HASH = "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0="
BAD_PROOFS = {
    "no header": lines("index 0", HASH),
    "another version": lines("c2sp.org/tlog-proof@v2", "index 0", HASH),
    "empty extra": lines("c2sp.org/tlog-proof@v1", "extra ", "index 0", HASH),
    "extra after index": lines("c2sp.org/tlog-proof@v1", "index 0", "extra YQ==", HASH),
    "no index": lines("c2sp.org/tlog-proof@v1", HASH),
    "leading zero": lines("c2sp.org/tlog-proof@v1", "index 00", HASH),
    "negative index": lines("c2sp.org/tlog-proof@v1", "index -1", HASH),
    "two spaces": lines("c2sp.org/tlog-proof@v1", "index  0", HASH),
    "short hash": lines("c2sp.org/tlog-proof@v1", "index 0", HASH[:-4]),
    "hex hash": lines("c2sp.org/tlog-proof@v1", "index 0", "00" * 32),
    "64 hashes": lines("c2sp.org/tlog-proof@v1", "index 0", *[HASH] * 64),
    "no blank line": lines("c2sp.org/tlog-proof@v1", "index 0").replace(b"\n\n", b"\n", 1),
    "not ASCII": lines("c2sp.org/tlog-proof@v1", "index ０"),
}


@pytest.mark.parametrize("data", BAD_PROOFS.values(), ids=BAD_PROOFS.keys())
def test_malformed_proofs_are_refused(data):
    with pytest.raises(MalformedProof) as caught:
        TlogProof.parse(data)
    assert caught.value.code == "bad_proof"
