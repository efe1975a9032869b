"""What an operator must hear about, read from the journal's rows. Pure: no I/O.

    held      the server refused what the agent signed (or, in a journal from an older
              agent, a copy could not be made): kept on the dock and tried again
              (agent/retries.py)
    altered   the file on the dock changed after it was signed: kept, never sent as signed
    lost      an original left the dock before the server receipted it
    unmade    a derived copy was given up after agent.derivation_attempts tries; its
              original is receipted and safe to remove
    mismatch  before purging, the server answered another receipt than the one stored:
              nothing purged, and not tried again (agent/retention.py)

``liuhen agent status`` shows them first, a summary line per kind and then each file.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from agent.journal import FileRow
from agent.states import FileState
from evidence.errors import DerivationFailed, ReceiptMismatch
from evidence.identifiers import Role

__all__ = ["AlarmKind", "alarm_of", "summary"]


class AlarmKind(enum.StrEnum):
    HELD = "held"
    ALTERED = "altered"
    LOST = "lost"
    UNMADE = "unmade"
    MISMATCH = "mismatch"


def alarm_of(row: FileRow) -> AlarmKind | None:
    if row.state is FileState.HELD:
        return AlarmKind.HELD
    if row.state is FileState.REJECTED:
        return AlarmKind.ALTERED
    if row.state is FileState.VANISHED and row.role is Role.ORIGINAL:
        return AlarmKind.LOST
    if row.state is FileState.UNMADE:
        return AlarmKind.UNMADE
    if row.state is FileState.RECEIPTED and row.error_code == ReceiptMismatch.code:
        return AlarmKind.MISMATCH
    return None


def _count(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def summary(rows: Sequence[FileRow]) -> list[str]:
    """One line per kind of alarm raised, the most urgent first; none if all is well."""
    kinds = [alarm_of(row) for row in rows]
    unmade = sum(
        1
        for row, kind in zip(rows, kinds, strict=True)
        if kind is AlarmKind.HELD and row.error_code == DerivationFailed.code
    )
    refused = kinds.count(AlarmKind.HELD) - unmade
    altered, lost = kinds.count(AlarmKind.ALTERED), kinds.count(AlarmKind.LOST)
    mismatched, given_up = kinds.count(AlarmKind.MISMATCH), kinds.count(AlarmKind.UNMADE)
    lines = []
    if mismatched:
        lines.append(
            f"{_count(mismatched, 'file', 'files')} not purged: the server answered another "
            "receipt than the one stored — see below"
        )
    if altered:
        lines.append(
            f"{_count(altered, 'file', 'files')} altered on the dock after signing: kept, never sent as "
            "signed — see below"
        )
    if lost:
        lines.append(
            f"{_count(lost, 'file', 'files')} lost: gone from the dock before its receipt — "
            "see below"
        )
    if refused:
        them = "it" if refused == 1 else "them"
        lines.append(
            f"{_count(refused, 'file', 'files')} held: the server refused {them} — see below"
        )
    if unmade:
        lines.append(f"{_count(unmade, 'copy', 'copies')} held: could not be made — see below")
    if given_up:
        lines.append(
            f"{_count(given_up, 'copy', 'copies')} given up: could not be made; the original "
            "is receipted — see below"
        )
    return lines
