"""When a step fails, what the agent does next, and when it tries again. Pure: no I/O.

    what failed                                        what the agent does
    ─────────────────────────────────────────────────  ─────────────────────────────────────
    the network, the server (5xx, 423), sign-in, a     back off: a delay drawn at random
    revoked device, a receipt that does not verify     from 0 to retry_base_seconds · 2^n,
                                                       at most retry_cap_seconds ("full
                                                       jitter"), n the failures in a row
    an upload attempt that moved bytes (the server's   the count starts again: n = 0
    committed offset advanced), then failed
    a review copy that could not be made               back off likewise; after
                                                       derivation_attempts failures, give
                                                       the copy up (``unmade``): the
                                                       original stays receipted
    the server refused what the agent signed (4xx:     hold: an alarm, and again after
    bad manifest or case number, too large, refused    held_retry_seconds, doubled each time
    bytes at finalize, conflict, wrong device, wrong   up to held_retry_cap_seconds; at once
    media type)                                        on restart, on a server change, or
                                                       when an operator asks
    the file on the dock is not what was signed        reject: an alarm, for good

Both schedules retry for ever. A flaky link that cuts every attempt short after some
progress never pushes the waits up: only failures that got nowhere do. A held file goes
out again as the very bytes that were signed: never re-signed, since a second manifest
under its sequence number would fork the device's chain. Before that its file is checked
against the signed fingerprint, and its upload starts afresh, since the server may have
refused the bytes of the last one: the last one is ended first (tus termination), or a
creation would hand it back.
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

__all__ = [
    "Outcome",
    "abandons",
    "backoff_delay",
    "failures_before",
    "held_delay",
    "outcome",
    "retry_state",
]

# Past this many doublings every delay is at its cap (and 2**n stays a float).
_MAX_DOUBLINGS = 32

# Answers that say "not this", not "not now": retrying at once changes nothing.
_REFUSALS: tuple[type[LiuhenError], ...] = (
    BadRequest,
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


def _doubled(count: int, first: float, cap: float) -> float:
    """``first`` doubled ``count`` times, at most ``cap``."""
    return min(cap, first * 2.0 ** min(max(count, 0), _MAX_DOUBLINGS))


def backoff_delay(failures: int, base: float, cap: float, jitter: float) -> float:
    """Seconds to wait after a failure that may pass by itself, ``failures`` such failures
    in a row before it: full jitter, ``jitter`` (0-1) times the capped doubling, so many
    files (and many docks) do not come back at the same moment."""
    return _doubled(failures, base, cap) * jitter


def failures_before(attempts: int, progressed: bool) -> int:
    """How many failures in a row came before this one: ``attempts`` as the journal counts
    them, or none when this attempt moved the work on (bytes the server committed)."""
    return 0 if progressed else max(attempts, 0)


def abandons(error: LiuhenError, failures: int, limit: int) -> bool:
    """Give a derived copy up after its ``failures``-th failure to be made (from 1)?"""
    return isinstance(error, DerivationFailed) and failures >= limit


def held_delay(refusals: int, first: float, cap: float, jitter: float) -> float:
    """Seconds to wait after the ``refusals``-th refusal (from 1): the doubling, times 0.5-1
    for ``jitter`` in 0-1 (a held file is never tried again sooner than half of it)."""
    return _doubled(refusals - 1, first, cap) * (0.5 + jitter / 2)


def retry_state(signed: bool) -> FileState:
    """Where a held file starts again: its registration, with the same signed bytes; or,
    with nothing signed yet (a copy that could not be made), the step that makes it."""
    return FileState.SIGNED if signed else FileState.READY
