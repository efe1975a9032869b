"""C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): a log's signed tree head.

    <origin>                    which log: Liuhen's is <host>/liuhen/<8 hex> (``log_origin``)
    <tree size>                 decimal, no leading zero
    <root hash>                 base64 of the RFC 6962 root of the first <tree size> leaves
    [<extension line>...]       optional, non-empty; Liuhen writes none

signed as a note (``note``) by the log's key, whose name is the origin. Parsing is strict
and ``text()`` is exact, so a parsed checkpoint's text is the signed text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.errors import MalformedCheckpoint
from evidence.keys import Ed25519PublicKey, key_id
from evidence.ranges import INT64_MAX
from evidence.tlog.codec import HASH_SIZE, b64decode, b64encode, parse_decimal
from evidence.tlog.note import NoteSignature, SignedNote
from evidence.tlog.note_keys import Ed25519NoteSigner

__all__ = ["Checkpoint", "SignedCheckpoint", "log_origin"]

_HOST = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")


def log_origin(host: str, genesis_key: Ed25519PublicKey) -> str:
    """Liuhen's origin: ``<host>/liuhen/<log id>``. ``host`` is the agency server's DNS name
    (or a lowercase agency code); the log id is the first 8 hex digits of the SHA-256 of the
    public key the log was started with, so a server rebuilt with a new key is a new log,
    never a rollback of the old one. docs/custody-log.md says why."""
    if not _HOST.fullmatch(host) or len(host) > 200:
        raise MalformedCheckpoint(f"a log host is a lowercase DNS name; got {host!r}")
    return f"{host}/liuhen/{key_id(genesis_key)[:8]}"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for line in (self.origin, *self.extensions):
            if not line or any(ch < " " for ch in line):
                raise MalformedCheckpoint(f"checkpoint line {line!r} is empty or has a control")
        if not 0 <= self.size <= INT64_MAX:
            raise MalformedCheckpoint(f"a tree size is 0 to {INT64_MAX}")
        if len(self.root) != HASH_SIZE:
            raise MalformedCheckpoint("a root hash is 32 bytes")

    def text(self) -> bytes:
        lines = [self.origin, str(self.size), b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines).encode()

    @classmethod
    def from_text(cls, text: bytes) -> Checkpoint:
        try:
            body = text.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedCheckpoint("a checkpoint is UTF-8 text") from None
        if not body.endswith("\n"):
            raise MalformedCheckpoint("a checkpoint's text ends with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedCheckpoint("a checkpoint has an origin, a size and a root")
        size = parse_decimal(lines[1], MalformedCheckpoint, "the tree size")
        root = b64decode(lines[2], MalformedCheckpoint, "the root hash", size=HASH_SIZE)
        return cls(lines[0], size, root, tuple(lines[3:]))


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint and the note that carries it: the note's text is the checkpoint's."""

    checkpoint: Checkpoint
    note: SignedNote

    def __post_init__(self) -> None:
        if self.note.text != self.checkpoint.text():
            raise MalformedCheckpoint("the note does not carry this checkpoint")

    @classmethod
    def parse(cls, data: bytes) -> SignedCheckpoint:
        note = SignedNote.parse(data)
        return cls(Checkpoint.from_text(note.text), note)

    @classmethod
    def sign(cls, checkpoint: Checkpoint, signer: Ed25519NoteSigner) -> SignedCheckpoint:
        text = checkpoint.text()
        return cls(checkpoint, SignedNote(text, (signer.sign(text),)))

    def with_signatures(self, more: tuple[NoteSignature, ...]) -> SignedCheckpoint:
        """The same checkpoint with more lines after these (e.g. a witness's cosignature)."""
        return SignedCheckpoint(self.checkpoint, self.note.with_signatures(more))

    def to_bytes(self) -> bytes:
        return self.note.to_bytes()
