"""Local retention: when the agent may remove footage from the dock. Pure: no I/O.

Off by default: nothing in Liuhen removes footage unless ``agent.purge_after_days`` is
set. Then a local copy is purged no sooner than that many days after its receipt was
verified, and only when all of these hold (agent/purge.py checks the last three just
before it deletes anything):

1. it is an original, ``receipted``, and safe to remove (every copy of it finished), or a
   receipted derived object of such an original lying on the dock (its transcript; the
   agent's own review copy went from its own folder at its receipt);
2. no alarm stands on it;
3. the stored receipt verifies under the pinned server key and names the signed manifest;
4. the server, asked again (finalize is idempotent), answers with the very same receipt,
   byte for byte; unreachable, or answering otherwise, nothing is purged (a different
   answer is an alarm, and the file is not tried again);
5. the file on the dock is still the one signed (same size and SHA-256): anything else at
   that path is somebody else's file, and is never touched.

Every purge is journaled: what (path and SHA-256), when, and the SHA-256 of the receipt
that allowed it.
"""

from __future__ import annotations

from agent.file_row import FileRow
from agent.states import FileState
from evidence.identifiers import Role

__all__ = ["DAY", "purge_after", "purges_with"]

DAY = 86400.0


def purge_after(after_days: float | None, now: float) -> float | None:
    """Originals receipted at or before this moment may be purged now; None: never."""
    if after_days is None:
        return None
    return now - after_days * DAY


def purges_with(original: FileRow, copy: FileRow) -> bool:
    """Does ``copy`` go with ``original`` when it is purged? Its receipted transcript (on
    the dock beside it); not its review copy, which the agent made in its own folder and
    removed at its receipt."""
    return (
        copy.parent_id == original.id
        and copy.role is Role.TRANSCRIPT
        and copy.state is FileState.RECEIPTED
        and copy.purged_at is None
    )
