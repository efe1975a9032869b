"""Identifiers as frozen, self-validating values: an invalid one cannot exist."""

from __future__ import annotations

import enum
import re
import unicodedata
import uuid
from dataclasses import dataclass

from evidence.errors import InvalidIdentifier, UnsafeFileName

__all__ = ["DeviceId", "EvidenceId", "Role", "safe_file_name"]

_DEVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MAX_FILE_NAME_BYTES = 255


@dataclass(frozen=True, slots=True)
class DeviceId:
    """A registered recording device or docking station, e.g. ``dock-sjz-01``."""

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not _DEVICE_ID.fullmatch(self.value):
            raise InvalidIdentifier(
                "a device id is 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or "
                f"digit; got {self.value!r}"
            )

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class EvidenceId:
    """One recording, chosen by the agent when it first sees the file: a lowercase UUID."""

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not _UUID.fullmatch(self.value):
            raise InvalidIdentifier(f"an evidence id is a lowercase UUID; got {self.value!r}")

    @classmethod
    def new(cls) -> EvidenceId:
        return cls(str(uuid.uuid4()))

    def __str__(self) -> str:
        return self.value


class Role(enum.StrEnum):
    """What an object is to its recording. Only an original is primary evidence."""

    ORIGINAL = "original"
    PROXY = "proxy"
    TRANSCRIPT = "transcript"

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(text)
        except ValueError:
            choices = ", ".join(role.value for role in cls)
            raise InvalidIdentifier(f"role must be one of {choices}; got {text!r}") from None


def safe_file_name(name: str) -> str:
    """Return ``name`` if it is a plain file name, else raise ``UnsafeFileName``.

    File names come from devices and travel in metadata. We never build a path from
    one, but we refuse them anyway so nothing downstream (exports, a custodian saving
    a file) can be tricked into writing outside its folder.
    """
    if not isinstance(name, str) or not name:
        raise UnsafeFileName("a file name must be a non-empty string")
    if name in {".", ".."} or "/" in name or "\\" in name:
        raise UnsafeFileName(f"file name {name!r} is a path, not a name")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} for ch in name):
        raise UnsafeFileName(f"file name {name!r} contains control characters")
    if len(name.encode("utf-8")) > _MAX_FILE_NAME_BYTES:
        raise UnsafeFileName(f"file name is longer than {_MAX_FILE_NAME_BYTES} bytes")
    if re.match(r"^[A-Za-z]:", name):
        raise UnsafeFileName(f"file name {name!r} names a drive")
    return name
