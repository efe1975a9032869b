"""When a step fails, what the agent does next, and when it tries again. Pure: no I/O.

    what failed                                        what the agent does
    ─────────────────────────────────────────────────  ─────────────────────────────────────
    the network, the server (5xx, 423), sign-in, a     back off: retry_base_seconds, doubled
    revoked device, a receipt that does not verify     each time up to retry_cap_seconds
    the server refused what the agent signed (4xx:     hold: an alarm, and again after
    bad manifest or case number, too large, refused    held_retry_seconds, doubled each time
    bytes at finalize, conflict, wrong device, wrong   up to held_retry_cap_seconds; at once
    media type), or a copy could not be made           on restart, on a server change, or
                                                       when an operator asks
    the file on the dock is not what was signed        reject: an alarm, for good

Both schedules retry for ever. A held file goes out again as the very bytes that were
signed: never re-signed, since a second manifest under its sequence number would fork the
device's chain. Before that its file is checked against the signed fingerprint, and its
upload starts afresh, since the server may have refused the bytes of the last one: the
last one is ended first (tus termination), or a creation would hand it back.
"""

from __future__ import annotations

import enum

from agent.states import FileState
from evidence.errors import (
    BadRequest,
    DerivationFailed,
    IntegrityError,
    LiuhenError,
    ManifestConflict,
    PreconditionFailed,
    ReceiptMismatch,
    SequenceReused,
    SourceChanged,
    TooLarge,
    UnsupportedMediaType,
    UploadRejected,
    WrongDevice,
)

__all__ = ["Outcome", "backoff_delay", "held_delay", "outcome", "retry_state"]

# Past this many doublings every delay is at its cap (and 2**n stays a float).
_MAX_DOUBLINGS = 32

# Answers that say "not this", not "not now": retrying at once changes nothing.
_REFUSALS: tuple[type[LiuhenError], ...] = (
    BadRequest,
    DerivationFailed,
    IntegrityError,
    ManifestConflict,
    PreconditionFailed,
    SequenceReused,
    TooLarge,
    UnsupportedMediaType,
    UploadRejected,
    WrongDevice,
)


class Outcome(enum.Enum):
    BACK_OFF = "back off"
    HOLD = "hold"
    REJECT = "reject"


def outcome(error: LiuhenError) -> Outcome:
    if isinstance(error, SourceChanged):
        return Outcome.REJECT
    if isinstance(error, ReceiptMismatch):
        return Outcome.BACK_OFF  # an IntegrityError, but the footage is fine: ask again
    if isinstance(error, _REFUSALS):
        return Outcome.HOLD
    return Outcome.BACK_OFF


def _doubling(count: int, first: float, cap: float, jitter: float) -> float:
    """``first`` doubled ``count`` times, at most ``cap``, times 0.5-1 for ``jitter`` in
    0-1 (so many files do not come back at the same moment)."""
    delay = min(cap, first * 2.0 ** min(max(count, 0), _MAX_DOUBLINGS))
    return delay * (0.5 + jitter / 2)


def backoff_delay(attempts: int, base: float, cap: float, jitter: float) -> float:
    """Seconds to wait after the ``attempts``-th failure in a row that may pass by itself."""
    return _doubling(attempts, base, cap, jitter)


def held_delay(refusals: int, first: float, cap: float, jitter: float) -> float:
    """Seconds to wait after the ``refusals``-th refusal (from 1)."""
    return _doubling(refusals - 1, first, cap, jitter)


def retry_state(signed: bool) -> FileState:
    """Where a held file starts again: its registration, with the same signed bytes; or,
    with nothing signed yet (a copy that could not be made), the step that makes it."""
    return FileState.SIGNED if signed else FileState.READY
