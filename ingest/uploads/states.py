"""The server's upload state machine. Pure: no I/O.

    open ──every byte checked, stored and indexed──▶ finalized
      ├──a check failed at finalize──▶ rejected ──DELETE──▶ terminated
      │                                    └──not finished in time──▶ expired
      ├──DELETE──▶ terminated
      └──not finished in time──▶ expired

``finalized``, ``terminated`` and ``expired`` are ends. A rejected upload keeps why it
was rejected when it ends, so finalize repeats the rejection instead of saying the upload
is gone. What each request may do to an upload in each state is the tus rules'
(``uploads/rules.py``); this table says which changes of state exist at all, and
``uploads/transitions.py`` makes every change through it, compare-and-set in the index.
"""

from __future__ import annotations

from evidence.errors import Conflict
from storage.records import UploadState

__all__ = ["TERMINAL", "allowed", "check_transition"]

S = UploadState
_ALLOWED: dict[UploadState, frozenset[UploadState]] = {
    S.OPEN: frozenset({S.FINALIZED, S.REJECTED, S.TERMINATED, S.EXPIRED}),
    S.REJECTED: frozenset({S.TERMINATED, S.EXPIRED}),
    S.FINALIZED: frozenset(),
    S.TERMINATED: frozenset(),
    S.EXPIRED: frozenset(),
}

TERMINAL = frozenset({S.FINALIZED, S.TERMINATED, S.EXPIRED})


def allowed(current: UploadState, target: UploadState) -> bool:
    return target in _ALLOWED[current]


def check_transition(current: UploadState, target: UploadState) -> None:
    if not allowed(current, target):
        raise Conflict(f"an upload may not go from {current.value} to {target.value}")
