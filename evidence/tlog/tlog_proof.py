"""C2SP tlog-proof (https://c2sp.org/tlog-proof): one text that proves a leaf is logged.

    c2sp.org/tlog-proof@v1
    [extra <base64>]            optional opaque data, never trusted (Liuhen writes none)
    index <leaf index>          decimal, no leading zero
    <base64 hash>               the inclusion proof, leaf's sibling first, zero or more
    <blank line>
    <signed checkpoint>         verbatim, with its signature and any cosignature lines

Stored as ``<name>.tlog-proof``. Parsing is strict and ``to_bytes`` exact. Checking it
against a leaf and a trusted log is ``trust.LogTrust.verify_proof``.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence.errors import MalformedProof
from evidence.ranges import INT64_MAX
from evidence.tlog.checkpoint import SignedCheckpoint
from evidence.tlog.codec import HASH_SIZE, b64decode, b64encode, parse_decimal

__all__ = ["TLOG_PROOF_HEADER", "TlogProof"]

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"
MAX_PROOF_HASHES = 63  # a tree of at most 2^63 leaves is at most 63 levels deep


@dataclass(frozen=True, slots=True)
class TlogProof:
    index: int
    hashes: tuple[bytes, ...]
    checkpoint: SignedCheckpoint
    extra: bytes | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.index <= INT64_MAX:
            raise MalformedProof(f"a leaf index is 0 to {INT64_MAX}")
        if len(self.hashes) > MAX_PROOF_HASHES or any(len(h) != HASH_SIZE for h in self.hashes):
            raise MalformedProof(f"a proof is at most {MAX_PROOF_HASHES} hashes of 32 bytes")
        if self.extra is not None and not self.extra:
            raise MalformedProof("empty extra data is written by leaving the line out")

    def to_bytes(self) -> bytes:
        lines = [TLOG_PROOF_HEADER]
        if self.extra is not None:
            lines.append(f"extra {b64encode(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(b64encode(h) for h in self.hashes)
        head = "".join(line + "\n" for line in lines).encode()
        return head + b"\n" + self.checkpoint.to_bytes()

    @classmethod
    def parse(cls, data: bytes) -> TlogProof:
        split = data.find(b"\n\n")
        if split < 0:
            raise MalformedProof("no blank line before the checkpoint")
        try:
            lines = data[:split].decode("ascii").split("\n")
        except UnicodeDecodeError:
            raise MalformedProof("a proof's lines are ASCII") from None
        if lines[0] != TLOG_PROOF_HEADER:
            raise MalformedProof(f"a proof starts with the line {TLOG_PROOF_HEADER}")
        extra = None
        if len(lines) > 1 and lines[1].startswith("extra "):
            extra = b64decode(lines[1][len("extra ") :], MalformedProof, "the extra data")
            del lines[1]
        if len(lines) < 2 or not lines[1].startswith("index "):
            raise MalformedProof("a proof names its leaf on the line 'index <n>'")
        index = parse_decimal(lines[1][len("index ") :], MalformedProof, "the leaf index")
        if len(lines) - 2 > MAX_PROOF_HASHES:
            raise MalformedProof(f"a proof has at most {MAX_PROOF_HASHES} hashes")
        hashes = tuple(
            b64decode(line, MalformedProof, f"proof hash {n}", size=HASH_SIZE)
            for n, line in enumerate(lines[2:], 1)
        )
        return cls(index, hashes, SignedCheckpoint.parse(data[split + 2 :]), extra)
