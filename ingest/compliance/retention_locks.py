"""A recording's retention and holds, applied to its objects where the store locks them
(S3 Object Lock; docs/retention.md#on-s3): each object's COMPLIANCE date moved to the
end of its class (a far date for permanent) when that is later, and its legal hold ON
while a hold stands on the recording or a case it is attached to, OFF when none does.

Applied when what decides it changes: a recording stored (one that carries a case number
is case evidence at once), a recording confirmed for an act, a hold set or lifted. The
index is the record; the bucket follows it. The local store has no locks of its own:
there it is a no-op (its removal refuses by the report instead, ``local_blobs.py``).

A content-addressed object shared by two recordings takes each one's date (the later
stays) and the legal hold of the one applied last: a shared object is rare (the same
bytes twice), and its date never moves earlier.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from evidence.errors import LiuhenError
from evidence.identifiers import EvidenceId, Role
from ingest.compliance.retention import Keeping, RetentionReport
from storage.hold_records import HoldRecord
from storage.interfaces import BlobStore, LockingStore, ObjectLocks
from storage.records import StoredObject

__all__ = ["LockKeeper"]

log = logging.getLogger(__name__)

PAGE = 500


def _apply(locks: ObjectLocks, line: Keeping) -> int:
    """Bring one recording's objects in line; how many calls changed something."""
    changed = 0
    held = bool(line.facts.holds)
    for role, store, locator in line.facts.objects:
        if store != "s3":
            continue
        for key in locks.keys_of(line.facts.evidence_id, Role.parse(role), locator):
            changed += locks.extend(key, line.retain_until)
            changed += locks.hold(key, held)
    return changed


class LockKeeper:
    def __init__(self, report: RetentionReport, store: BlobStore) -> None:
        self.report = report
        self.locks = store.object_locks() if isinstance(store, LockingStore) else None

    async def apply(
        self, evidence_ids: Sequence[EvidenceId] | None = None, case_number: str | None = None
    ) -> int:
        """Apply to these recordings, or those of a case; how many changes were made."""
        if self.locks is None:
            return 0
        changed, offset = 0, 0
        while True:
            lines = await self.report.lines(evidence_ids, PAGE, offset, case_number)
            for line in lines:
                changed += await asyncio.to_thread(_apply, self.locks, line)
            if len(lines) < PAGE:
                return changed
            offset += PAGE

    async def on_stored(self, stored: StoredObject) -> None:
        """A recording stored: one that carries a case number is permanent at once."""
        await self.on_attached(stored.evidence_id)

    async def on_attached(self, evidence_id: EvidenceId) -> None:
        """Stored, or confirmed for an act. What happened is kept whatever happens here;
        a failure is logged, and the lock follows on the recording's next change."""
        try:
            await self.apply([evidence_id])
        except LiuhenError as exc:
            log.warning("%s: its lock not yet extended: %s", evidence_id, exc.message)

    async def on_hold(self, hold: HoldRecord) -> None:
        ids = None if hold.evidence_id is None else [hold.evidence_id]
        changed = await self.apply(ids, hold.case_number)
        log.info("hold %d applied to the store: %d changes", hold.hold_id, changed)
