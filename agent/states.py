"""Where each file is on its way from the dock folder to a receipt. Pure: no I/O.

    discovered ──stable──▶ ready ──hashed──▶ fingerprinted ──signed──▶ signed
        ▲                    │                    │                      │ registered
        └──────changed───────┴────────────────────┘                      ▼
                                                   uploading ◀──────── registered
                                                       │ all bytes acknowledged
                                                       ▼
                                                   uploaded ──receipt verified──▶ receipted

    ready ──hashed: the same bytes as another original on its way or receipted──▶ duplicate
    ready … uploaded ──refused──▶ held ──retry──▶ signed   (the same signed bytes, a new upload)
                                       ──retry──▶ ready    (nothing signed yet: a copy to make)
    (held copies come from older journals: a copy that fails is retried with backoff)
    uploading, held ──the file changed after signing──▶ rejected  (kept; an alarm, for good)
    ready … uploading, held ──file gone──▶ vanished            (an alarm: footage lost on the dock)
    ready (a copy to make) ──failed agent.derivation_attempts times──▶ unmade
    registered … uploaded ──server lost the manifest──▶ signed   (register again)

``held`` is not an end: the server refused what the agent signed, so the agent keeps the
file, raises an alarm and tries again on a slow schedule, at once when it restarts, when
the server changes, or when an operator asks. ``unmade``
ends a review copy that could not be made after ``agent.derivation_attempts`` tries (with
backoff): it is an alarm, the server is told, and it does not keep its original from being
safe to remove. ``duplicate`` ends a file whose bytes (SHA-256 and size) are those of an
original the journal already holds, on its way or receipted (the same footage docked
again, or copied under another name): it is neither signed nor uploaded again, and is safe
to remove once that original is receipted, never sooner (agent/journal_identity.py). Only
a receipt lets a file be removed from the dock (its own, or its original's for a
duplicate); nothing here removes it (the retention policy, agent/retention.py, may, long
after).
"""

from __future__ import annotations

import enum

from evidence.errors import JournalError

__all__ = [
    "ACTIVE",
    "NEEDS_FILE",
    "TERMINAL",
    "FileState",
    "allowed",
    "check_transition",
    "terminal_sql",
]


class FileState(enum.StrEnum):
    DISCOVERED = "discovered"
    READY = "ready"
    FINGERPRINTED = "fingerprinted"
    SIGNED = "signed"
    REGISTERED = "registered"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    HELD = "held"
    RECEIPTED = "receipted"
    REJECTED = "rejected"
    VANISHED = "vanished"
    UNMADE = "unmade"
    DUPLICATE = "duplicate"


S = FileState
_ALLOWED: dict[FileState, frozenset[FileState]] = {
    S.DISCOVERED: frozenset({S.READY}),
    S.READY: frozenset({S.FINGERPRINTED, S.DISCOVERED, S.HELD, S.VANISHED, S.UNMADE, S.DUPLICATE}),
    S.FINGERPRINTED: frozenset({S.SIGNED, S.DISCOVERED, S.HELD, S.VANISHED}),
    S.SIGNED: frozenset({S.REGISTERED, S.HELD, S.VANISHED}),
    S.REGISTERED: frozenset({S.UPLOADING, S.SIGNED, S.HELD, S.VANISHED}),
    S.UPLOADING: frozenset({S.UPLOADED, S.SIGNED, S.HELD, S.REJECTED, S.VANISHED}),
    S.UPLOADED: frozenset({S.RECEIPTED, S.UPLOADING, S.SIGNED, S.HELD}),
    S.HELD: frozenset({S.SIGNED, S.READY, S.REJECTED, S.VANISHED}),
    S.RECEIPTED: frozenset(),
    S.REJECTED: frozenset(),
    S.VANISHED: frozenset(),
    S.UNMADE: frozenset(),
    S.DUPLICATE: frozenset(),
}

TERMINAL = frozenset({S.RECEIPTED, S.REJECTED, S.VANISHED, S.UNMADE, S.DUPLICATE})
ACTIVE = frozenset(FileState) - TERMINAL - {S.DISCOVERED}
# States whose next step reads the file on the dock (a held file is checked against what
# was signed before it is sent again).
NEEDS_FILE = frozenset({S.READY, S.FINGERPRINTED, S.SIGNED, S.REGISTERED, S.UPLOADING, S.HELD})


def allowed(current: FileState, target: FileState) -> bool:
    return target in _ALLOWED[current]


def check_transition(current: FileState, target: FileState) -> None:
    if not allowed(current, target):
        raise JournalError(f"a file may not go from {current.value} to {target.value}")


def terminal_sql() -> str:
    """The end states as an SQL list, for queries and partial indexes."""
    return ", ".join(f"'{state.value}'" for state in sorted(TERMINAL))
