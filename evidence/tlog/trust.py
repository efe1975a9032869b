"""What a verifier trusts about one log, and the checks it makes with it.

A ``LogTrust`` names the log's origin, the log's key(s) (more than one while a key is
rotated) and, optionally, witnesses and how many of them must have cosigned. With it:

- ``open`` parses a signed checkpoint and accepts it only if it is for this origin
  (``origin_mismatch``), carries a valid signature by a log key (``untrusted_note``,
  ``bad_signature``), every line by a trusted key verifies, and enough witnesses cosigned;
- ``check_extends`` accepts a newer checkpoint only if it extends one already trusted:
  a smaller one is a rollback (``checkpoint_rollback``), the same size with another root a
  fork (``checkpoint_fork``), a larger one needs a consistency proof
  (``consistency_mismatch``);
- ``verify_proof`` checks a C2SP tlog-proof for a leaf, as the spec's four steps say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evidence.errors import (
    CheckpointFork,
    CheckpointRollback,
    ConfigError,
    ConsistencyMismatch,
    OriginMismatch,
    UntrustedNote,
)
from evidence.tlog.checkpoint import Checkpoint, SignedCheckpoint
from evidence.tlog.nodes import EMPTY_ROOT
from evidence.tlog.note import NoteVerifier
from evidence.tlog.tlog_proof import TlogProof
from evidence.tlog.verify import verify_consistency, verify_inclusion

__all__ = ["LogTrust"]


@dataclass(frozen=True, slots=True)
class LogTrust:
    origin: str
    log_keys: tuple[NoteVerifier, ...]
    witnesses: tuple[NoteVerifier, ...] = ()
    witness_quorum: int = 0

    def __post_init__(self) -> None:
        if not self.log_keys:
            raise ConfigError("a log is trusted through at least one of its keys")
        if not 0 <= self.witness_quorum <= len(self.witnesses):
            raise ConfigError(f"a quorum of {self.witness_quorum} needs as many witnesses")

    def open(self, data: bytes) -> SignedCheckpoint:
        """Parse and check a signed checkpoint of this log."""
        signed = SignedCheckpoint.parse(data)
        if signed.checkpoint.origin != self.origin:
            raise OriginMismatch(
                f"the checkpoint is for {signed.checkpoint.origin!r}, not {self.origin!r}"
            )
        verified = signed.note.verify((*self.log_keys, *self.witnesses))
        ids = {(s.key_name, s.key_id) for s in verified}
        if not any((k.key_name, k.key_id) in ids for k in self.log_keys):
            raise UntrustedNote(f"the checkpoint is not signed by a key of {self.origin}")
        cosigned = sum((w.key_name, w.key_id) in ids for w in self.witnesses)
        if cosigned < self.witness_quorum:
            raise UntrustedNote(
                f"{cosigned} trusted witnesses cosigned; {self.witness_quorum} must",
                cosigned=cosigned,
                quorum=self.witness_quorum,
            )
        return signed

    @staticmethod
    def check_extends(
        trusted: Checkpoint | None, new: Checkpoint, proof: Sequence[bytes] = ()
    ) -> None:
        """Raise unless ``new`` extends ``trusted`` (both already opened: signatures and
        origin checked); ``proof`` is the consistency proof from the trusted size."""
        if trusted is None:
            return
        if trusted.origin != new.origin:
            raise OriginMismatch(f"{new.origin!r} is another log than {trusted.origin!r}")
        if new.size < trusted.size:
            raise CheckpointRollback(
                f"the log shrank from {trusted.size} to {new.size} entries",
                trusted_size=trusted.size,
                size=new.size,
            )
        if new.size == trusted.size and new.root != trusted.root:
            raise CheckpointFork(
                f"two different roots for the same {new.size} entries", size=new.size
            )
        if trusted.size == 0:
            if trusted.root != EMPTY_ROOT or proof:
                raise ConsistencyMismatch("an empty tree has the root SHA-256('') and no proof")
            return
        verify_consistency(trusted.size, new.size, proof, trusted.root, new.root)

    def verify_proof(self, data: bytes, leaf_hash: bytes) -> TlogProof:
        """Check a C2SP tlog-proof for the leaf with this RFC 6962 leaf hash."""
        proof = TlogProof.parse(data)
        self.open(proof.checkpoint.to_bytes())
        tree = proof.checkpoint.checkpoint
        verify_inclusion(leaf_hash, proof.index, tree.size, proof.hashes, tree.root)
        return proof
