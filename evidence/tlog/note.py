"""C2SP signed-note (https://c2sp.org/signed-note): text, a blank line, signature lines.

    <text, one or more lines, each ending in a newline>
    <blank line>
    — <key name> <base64(4-byte key id || signature)>     (one or more; em dash U+2014)

The text is what is signed, byte for byte, including its last newline. Parsing refuses
whatever the spec does not allow: a note that is not UTF-8 or holds a control character
other than the newline, no blank line before the signatures, anything after the last
signature line's newline, a key name with a space or plus, base64 that is not canonical,
more than ``MAX_SIGNATURES`` lines. ``to_bytes`` gives back the exact bytes parsed.

``verify`` follows the spec: lines by unknown keys (name and key id both unmatched) are
ignored and kept, so a witness's cosignatures travel with the note; a line by a trusted key
must verify, or the note is refused; at least one must. Stricter than the spec, which is
silent on it, and than Go's note package, which keeps the first: two lines by one trusted
key are refused, so a note has one reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from evidence.errors import BadSignature, ConfigError, MalformedNote, UntrustedNote
from evidence.tlog.codec import b64decode, b64encode

__all__ = [
    "MAX_NOTE_BYTES",
    "MAX_SIGNATURES",
    "NoteSignature",
    "NoteVerifier",
    "SignedNote",
    "check_key_name",
]

MAX_SIGNATURES = 100  # the spec asks for at least 16
MAX_NOTE_BYTES = 1 << 20
KEY_ID_SIZE = 4
_DASH = "\u2014 "


def check_key_name(name: str) -> str:
    """A key name: non-empty, no Unicode space, no plus, no control character."""
    if not name or "+" in name or any(ch.isspace() or ch < " " for ch in name):
        raise MalformedNote(f"key name {name!r} is empty or holds a space, plus or control")
    return name


class NoteVerifier(Protocol):
    """A trusted key: its name, 4-byte key id, and a check of its signatures."""

    @property
    def key_name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def verify(self, text: bytes, signature: bytes) -> bool: ...


@dataclass(frozen=True, slots=True)
class NoteSignature:
    key_name: str
    key_id: bytes
    signature: bytes

    def __post_init__(self) -> None:
        check_key_name(self.key_name)
        if len(self.key_id) != KEY_ID_SIZE or not self.signature:
            raise MalformedNote("a signature is a 4-byte key id and at least one byte")

    def line(self) -> str:
        return f"{_DASH}{self.key_name} {b64encode(self.key_id + self.signature)}\n"

    @classmethod
    def parse_line(cls, line: str) -> NoteSignature:
        if not line.startswith(_DASH):
            raise MalformedNote(f"a signature line starts with an em dash and a space: {line!r}")
        name, space, encoded = line[len(_DASH) :].partition(" ")
        if not space:
            raise MalformedNote(f"a signature line is a key name, a space and base64: {line!r}")
        blob = b64decode(encoded, MalformedNote, f"the signature by {name!r}")
        if len(blob) <= KEY_ID_SIZE:
            raise MalformedNote(f"the signature by {name!r} is too short")
        return cls(check_key_name(name), blob[:KEY_ID_SIZE], blob[KEY_ID_SIZE:])


def _check_characters(text: str) -> None:
    bad = next((ch for ch in text if ch < " " and ch != "\n"), None)
    if bad is not None:
        raise MalformedNote(f"a note holds the control character {bad!r}")


@dataclass(frozen=True, slots=True)
class SignedNote:
    text: bytes
    signatures: tuple[NoteSignature, ...]

    def __post_init__(self) -> None:
        if not self.text.endswith(b"\n"):
            raise MalformedNote("a note's text ends with a newline")
        if not 0 < len(self.signatures) <= MAX_SIGNATURES:
            raise MalformedNote(f"a note has 1 to {MAX_SIGNATURES} signatures")
        _check_characters(_utf8(self.text))

    @classmethod
    def parse(cls, data: bytes) -> SignedNote:
        if len(data) > MAX_NOTE_BYTES:
            raise MalformedNote(f"a note is at most {MAX_NOTE_BYTES} bytes")
        _check_characters(_utf8(data))
        split = data.rfind(b"\n\n")  # the last blank line; the text may hold others
        if split < 0:
            raise MalformedNote("no blank line between the text and the signatures")
        block = data[split + 2 :].decode()
        if not block.endswith("\n"):
            raise MalformedNote("the last signature line must end with a newline")
        lines = block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise MalformedNote(f"a note has at most {MAX_SIGNATURES} signatures")
        signatures = tuple(NoteSignature.parse_line(line) for line in lines)
        return cls(data[: split + 1], signatures)

    def to_bytes(self) -> bytes:
        return self.text + b"\n" + "".join(s.line() for s in self.signatures).encode()

    def with_signatures(self, more: Iterable[NoteSignature]) -> SignedNote:
        """The same text with more signature lines (a witness's cosignature) after these."""
        return SignedNote(self.text, self.signatures + tuple(more))

    def verify(self, verifiers: Sequence[NoteVerifier]) -> tuple[NoteSignature, ...]:
        """The lines by trusted keys, all verified; raise if one fails or none is there."""
        known = _index(verifiers)
        verified: dict[tuple[str, bytes], NoteSignature] = {}
        for sig in self.signatures:
            key = (sig.key_name, sig.key_id)
            verifier = known.get(key)
            if verifier is None:
                continue
            if key in verified:
                raise MalformedNote(f"two signature lines by the key {sig.key_name!r}")
            if not verifier.verify(self.text, sig.signature):
                raise BadSignature(f"the signature by {sig.key_name!r} does not verify")
            verified[key] = sig
        if not verified:
            names = ", ".join(sorted({v.key_name for v in verifiers})) or "none"
            raise UntrustedNote(f"the note is not signed by a trusted key ({names})")
        return tuple(verified.values())


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedNote("a note is UTF-8 text") from None


def _index(verifiers: Sequence[NoteVerifier]) -> dict[tuple[str, bytes], NoteVerifier]:
    known: dict[tuple[str, bytes], NoteVerifier] = {}
    for verifier in verifiers:
        key = (verifier.key_name, verifier.key_id)
        if key in known:
            raise ConfigError(f"two trusted keys are both {verifier.key_name}+{key[1].hex()}")
        known[key] = verifier
    return known
