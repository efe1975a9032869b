"""Fixity audits: every stored object re-read and held against its signatures
(``custody.verification.Verifier``), the custody log against itself and the index
(``log_audit.LogAudit``), on a schedule and on demand.

The schedule spreads the work: every ``custody.fixity_round_seconds`` a round checks its
share of the store, the objects checked longest ago first (never-checked ones before
all), sized so that everything is re-read within ``custody.fixity_days``; once a day a
round also audits the log. ``liuhen audit fixity`` runs a round now, or everything
(``--all``), or one case (``--case``), reporting progress as it goes.

Each object checked writes one fixity entry to the custody log, pass or fail: about
``365 / fixity_days`` entries per object a year (12 at the default), the same order as
its other entries, so the log grows with the store, not with time alone. A failure also
raises a ``verification_failed`` flag; a log that disagrees with its checkpoints raises
``log_tampered``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from evidence.errors import LiuhenError, StorageFailure
from evidence.tlog.leaf_parts import ObjectRef
from ingest.clock import Clock
from ingest.custody.flags import FlagKind
from ingest.custody.verification import Verifier, audit_name
from ingest.fixity.log_audit import LogAudit, LogReport
from storage.interfaces import Flags, Objects
from storage.records import StoredObject

__all__ = ["AuditSummary", "FixityAudit", "FixitySchedule", "Progress"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int, StoredObject, dict[str, Any]], None]
_PAGE = 500


@dataclass(frozen=True, slots=True)
class FixitySchedule:
    days: int
    round_seconds: float

    def share(self, total: int) -> int:
        """How many objects a round checks so that ``total`` take ``days``."""
        rounds = max(1.0, self.days * 86_400 / self.round_seconds)
        return min(total, math.ceil(total / rounds))


@dataclass
class AuditSummary:
    audit: str
    checked: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    log: LogReport | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and (self.log is None or self.log.ok)


@dataclass
class FixityAudit:
    objects: Objects
    flags: Flags
    verifier: Verifier
    log_audit: LogAudit
    clock: Clock
    schedule: FixitySchedule
    _last_log_audit: datetime | None = field(default=None, init=False)

    async def round(self, progress: Progress | None = None) -> AuditSummary:
        """This round's share, oldest-checked first; the log too, once a day."""
        summary = AuditSummary(audit_name("scheduled", self.clock()))
        now = self.clock()
        if self._last_log_audit is None or now - self._last_log_audit >= timedelta(days=1):
            await self.audit_log(summary, check_unlogged=True)
            self._last_log_audit = now
        due = await self.objects.due_for_check(self.schedule.share(await self.objects.count()))
        await self._check_all(due, len(due), summary, progress)
        return summary

    async def everything(self, progress: Progress | None = None) -> AuditSummary:
        summary = AuditSummary(audit_name("all", self.clock()))
        await self.audit_log(summary, check_unlogged=False)  # every object is checked below
        total, after = await self.objects.count(), None
        while page := await self.objects.page(after, _PAGE):
            await self._check_all(page, total, summary, progress)
            after = (page[-1].evidence_id, page[-1].role)
        return summary

    async def case(self, case_number: str, progress: Progress | None = None) -> AuditSummary:
        summary = AuditSummary(audit_name("case", self.clock()))
        found: list[StoredObject] = []
        while originals := await self.objects.originals(case_number, _PAGE, len(found)):
            for original in originals:
                found += await self.objects.of_recording(original.evidence_id)
            if len(originals) < _PAGE:
                break
        await self._check_all(found, len(found), summary, progress)
        return summary

    async def audit_log(self, summary: AuditSummary, *, check_unlogged: bool) -> None:
        """The log against its checkpoints and the index, before this audit adds entries to
        it; what it finds is recorded (objects the log never saw are checked now, with
        ``check_unlogged``)."""
        report = await self.log_audit.run()
        summary.log = report
        for leaf in report.missing:
            ref = ObjectRef(leaf.evidence_id, leaf.role)
            await self.verifier.record_missing(ref, str(leaf.device_id), summary.audit)
            summary.failed.append({**ref.to_json(), "step": "index_missing"})
        for evidence_id, role in report.unlogged if check_unlogged else ():
            for stored in await self.objects.of_recording(evidence_id):
                if stored.role is role:
                    await self._check_one(stored, summary)
        if report.findings:
            detail = json.dumps({"findings": report.findings[:20], "audit": summary.audit})
            await self.flags.raise_flag(
                FlagKind.LOG_TAMPERED.value, "custody log", detail, self.clock()
            )

    async def _check_all(
        self,
        objects: list[StoredObject],
        total: int,
        summary: AuditSummary,
        progress: Progress | None,
    ) -> None:
        for stored in objects:
            result = await self._check_one(stored, summary)
            if progress is not None:
                progress(summary.checked, total, stored, result)

    async def _check_one(self, stored: StoredObject, summary: AuditSummary) -> dict[str, Any]:
        ref = ObjectRef(stored.evidence_id, stored.role).to_json()
        try:
            result = await self.verifier.check(stored, summary.audit)
        except StorageFailure as exc:  # its result, flag and entry could not be kept
            log.error("fixity of %s/%s not recorded: %s", stored.evidence_id, stored.role, exc)
            failure = {"step": "not_recorded", "chunk": None, "detail": exc.message}
            summary.failed.append({**ref, **failure})
            return {"ok": False, "failure": failure}
        summary.checked += 1
        if not result["ok"]:
            summary.failed.append({**ref, **result["failure"]})
        return result

    async def run_forever(self) -> None:
        """The server's audit loop: a round every ``round_seconds`` (none at start)."""
        while True:
            await asyncio.sleep(self.schedule.round_seconds)
            try:
                summary = await self.round()
            except LiuhenError as exc:
                log.error("fixity round failed: [%s] %s", exc.code, exc.message)
                continue
            log.info(
                "fixity round %s: %d checked, %d failed",
                summary.audit,
                summary.checked,
                len(summary.failed),
            )
