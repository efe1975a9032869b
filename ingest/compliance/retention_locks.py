"""A recording's retention and holds, applied to its objects where the store locks them
(S3 Object Lock; docs/retention.md#on-s3): each object's COMPLIANCE date moved to the
end of its class (a far date for permanent) when that is later, and its legal hold ON
while a hold stands on the recording or a case it is attached to, OFF when none does.

Applied when what decides it changes: a recording stored (one that carries a case number
is case evidence at once), a recording confirmed for an act, a hold set or lifted. The
index is the record; the bucket follows it. The local store has no locks of its own:
there it is a no-op (its removal refuses by the report instead, ``local_blobs.py``).

A content-addressed object shared by two recordings (the same bytes twice) is judged by
every recording that refers to it: locked until the latest date any of them needs, its
legal hold ON while a hold stands on any of them.

The bucket converges: before the bucket is asked, the index keeps that the recording's
(or the case's) locks are to apply (``locks_to_apply``), and clears it once the bucket
took them. What S3 could not take (it was away) ``catch_up`` applies again, at the
server's start and in its periodic sweep. Every call is idempotent: an object already
as it should be is left.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from evidence.errors import LiuhenError, StorageUnavailable, StoreLockPending
from evidence.identifiers import EvidenceId, Role
from ingest.clock import Clock
from ingest.compliance.retention import Keeping, RetentionReport
from storage.hold_records import HoldRecord, LockTarget, ObjectKeeping
from storage.interfaces import BlobStore, Holds, LockingStore, ObjectLocks
from storage.records import StoredObject

__all__ = ["LockKeeper"]

log = logging.getLogger(__name__)

PAGE = 500


def _apply(locks: ObjectLocks, line: Keeping, objects: dict[str, ObjectKeeping]) -> int:
    """Bring one recording's objects in line; how many calls changed something. Its bytes
    follow every recording that refers to them; its documents are its own."""
    changed = 0
    for role, store, locator in line.facts.objects:
        if store != "s3":
            continue
        for key in locks.keys_of(line.facts.evidence_id, Role.parse(role), locator):
            shared = objects.get(key) if key == locator else None
            until = line.retain_until if shared is None else shared.retain_until
            held = bool(line.facts.holds if shared is None else shared.holds)
            changed += locks.extend(key, until)
            changed += locks.hold(key, held)
    return changed


class LockKeeper:
    def __init__(
        self, report: RetentionReport, store: BlobStore, holds: Holds, clock: Clock
    ) -> None:
        self.report, self.holds, self.clock = report, holds, clock
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
            objects = await self.report.objects("s3", lines)
            for line in lines:
                changed += await asyncio.to_thread(_apply, self.locks, line, objects)
            if len(lines) < PAGE:
                return changed
            offset += PAGE

    async def _tracked(self, target: LockTarget) -> int:
        """Keep that ``target``'s locks are to apply, apply them, and clear that once the
        bucket took them; a failure leaves it kept, for ``catch_up``."""
        if self.locks is None:
            return 0
        await self.holds.want_locks(target, self.clock())
        ids = None if target.evidence_id is None else [target.evidence_id]
        changed = await self.apply(ids, target.case_number)
        await self.holds.locks_applied(target)
        return changed

    async def catch_up(self) -> int:
        """Apply what the bucket has not taken yet (S3 was away); how many changes. Stops
        at the first failure, logged: the next sweep tries again."""
        changed = 0
        try:
            for target in await self.holds.locks_to_apply(PAGE):
                ids = None if target.evidence_id is None else [target.evidence_id]
                changed += await self.apply(ids, target.case_number)
                await self.holds.locks_applied(target)
        except LiuhenError as exc:
            log.warning("store locks not yet applied, next sweep tries again: %s", exc.message)
        return changed

    async def on_stored(self, stored: StoredObject) -> None:
        """A recording stored: one that carries a case number is permanent at once."""
        await self.on_attached(stored.evidence_id)

    async def on_attached(self, evidence_id: EvidenceId) -> None:
        """Stored, or confirmed for an act. What happened is kept whatever happens here;
        a failure is logged, and the lock follows when the bucket is back (``catch_up``)."""
        try:
            await self._tracked(LockTarget(None, evidence_id))
        except LiuhenError as exc:
            log.warning("%s: its lock follows when the store is back: %s", evidence_id, exc.message)

    async def on_hold(self, hold: HoldRecord) -> None:
        """A hold set or lifted, kept and logged: now the bucket. Where S3 is away, say
        so with ``store_lock_pending`` (the hold stands as kept; the bucket follows)."""
        target = LockTarget(hold.case_number, hold.evidence_id)
        try:
            changed = await self._tracked(target)
        except StorageUnavailable as exc:
            done = "set" if hold.standing else "lifted"
            raise StoreLockPending(
                f"legal hold {hold.hold_id} is {done} and logged, but S3 could not be reached: "
                "the bucket's lock follows when S3 is back (the server's sweep applies it); "
                f"do not {'set' if hold.standing else 'lift'} it again",
                hold_id=hold.hold_id,
            ) from exc
        log.info("hold %d applied to the store: %d changes", hold.hold_id, changed)
