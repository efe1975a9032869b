"""Where each file is on its way from the dock folder to a receipt. Pure: no I/O.

    discovered ──stable──▶ ready ──hashed──▶ fingerprinted ──signed──▶ signed
        ▲                    │                    │                      │ registered
        └──────changed───────┴────────────────────┘                      ▼
                                                   uploading ◀──────── registered
                                                       │ all bytes acknowledged
                                                       ▼
                                                   uploaded ──receipt verified──▶ receipted

    signed … uploaded ──permanent error──▶ rejected     (kept; an operator looks)
    ready … uploading ──file gone─────────▶ vanished    (an alarm: footage lost on the dock)
    registered … uploaded ──server lost the manifest──▶ signed   (register again)

Only ``receipted`` lets the file be removed from the dock, and nothing here removes it.
"""

from __future__ import annotations

import enum

from evidence.errors import JournalError

__all__ = ["ACTIVE", "NEEDS_FILE", "TERMINAL", "FileState", "check_transition"]


class FileState(enum.StrEnum):
    DISCOVERED = "discovered"
    READY = "ready"
    FINGERPRINTED = "fingerprinted"
    SIGNED = "signed"
    REGISTERED = "registered"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    RECEIPTED = "receipted"
    REJECTED = "rejected"
    VANISHED = "vanished"


S = FileState
_ALLOWED: dict[FileState, frozenset[FileState]] = {
    S.DISCOVERED: frozenset({S.READY}),
    S.READY: frozenset({S.FINGERPRINTED, S.DISCOVERED, S.VANISHED}),
    S.FINGERPRINTED: frozenset({S.SIGNED, S.DISCOVERED, S.VANISHED}),
    S.SIGNED: frozenset({S.REGISTERED, S.REJECTED, S.VANISHED}),
    S.REGISTERED: frozenset({S.UPLOADING, S.SIGNED, S.REJECTED, S.VANISHED}),
    S.UPLOADING: frozenset({S.UPLOADED, S.SIGNED, S.REJECTED, S.VANISHED}),
    S.UPLOADED: frozenset({S.RECEIPTED, S.UPLOADING, S.SIGNED, S.REJECTED}),
    S.RECEIPTED: frozenset(),
    S.REJECTED: frozenset(),
    S.VANISHED: frozenset(),
}

TERMINAL = frozenset({S.RECEIPTED, S.REJECTED, S.VANISHED})
ACTIVE = frozenset(FileState) - TERMINAL - {S.DISCOVERED}
# States whose next step reads the file on the dock.
NEEDS_FILE = frozenset({S.READY, S.FINGERPRINTED, S.SIGNED, S.REGISTERED, S.UPLOADING})


def check_transition(current: FileState, target: FileState) -> None:
    if target not in _ALLOWED[current]:
        raise JournalError(f"a file may not go from {current.value} to {target.value}")
