"""A derived copy the device gave up making (docs/protocol.md, "A derived copy that could
not be made"): the device says so once, and the server raises a ``derivation_failed`` flag
on the recording, so a custodian sees why a receipted original has no review copy.

Only the device that signed the original may report on it, and only once the original is
stored (its receipt exists). The report is idempotent per (evidence id, role): said again,
replayed, or sent after a custodian resolved the flag, it raises nothing new. It never
touches the stored original or its receipt.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from evidence.errors import MalformedBody, NotFound, WrongDevice
from evidence.identifiers import EvidenceId, Role
from ingest.clock import Clock
from ingest.custody.flags import FlagKind
from ingest.free_text import check_text
from storage.interfaces import Flags, ObjectLookup
from storage.records import DeviceRecord

__all__ = ["UnmadeCopies", "UnmadeReport", "parse_report"]

log = logging.getLogger(__name__)

_FIELDS = {"reason", "code", "attempts", "profile"}


@dataclass(frozen=True, slots=True)
class UnmadeReport:
    reason: str
    code: str
    attempts: int
    profile: str | None

    def detail(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "code": self.code,
            "attempts": self.attempts,
            "profile": self.profile,
        }


def parse_report(body: dict[str, Any]) -> UnmadeReport:
    """The report's body, strictly: every field, nothing else."""
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        raise MalformedBody(f"unknown field {unknown[0]!r}", field=unknown[0])
    reason = check_text("reason", body.get("reason"), 1000)
    code = check_text("code", body.get("code"), 64)
    if reason is None or code is None:
        raise MalformedBody(
            "reason and code are required", field="reason" if reason is None else "code"
        )
    attempts = body.get("attempts")
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 1000:
        raise MalformedBody("attempts must be a whole number from 1 to 1000", field="attempts")
    profile = check_text("profile", body.get("profile"), 100)
    return UnmadeReport(reason, code, attempts, profile)


@dataclass(frozen=True)
class UnmadeCopies:
    objects: ObjectLookup
    flags: Flags
    clock: Clock

    async def report(
        self, device: DeviceRecord, evidence_id: EvidenceId, role: Role, report: UnmadeReport
    ) -> bool:
        """Raise the recording's ``derivation_failed`` flag for ``role``; False when it
        was raised before (the same report again)."""
        if role is Role.ORIGINAL:
            raise MalformedBody("the original is not a derived copy", field="role")
        original = await self.objects.get(evidence_id, Role.ORIGINAL)
        if original is None:
            raise NotFound(f"no stored original {evidence_id}")
        if original.device_id != device.device_id:
            raise WrongDevice(f"{evidence_id} belongs to device {original.device_id}")
        subject = f"{evidence_id}/{role.value}"
        kind = FlagKind.DERIVATION_FAILED.value
        earlier = await self.flags.flags(kind, limit=None)
        if any(flag.subject == subject for flag in earlier):
            return False
        raised = await self.flags.raise_flag(
            kind,
            subject,
            _json(report.detail()),
            self.clock(),
            device_id=device.device_id,
            evidence_id=evidence_id,
            role=role,
        )
        if raised:
            log.warning(
                "the %s of %s was given up by %s after %d attempts: %s",
                role.value,
                evidence_id,
                device.device_id,
                report.attempts,
                report.reason,
            )
        return raised


def _json(detail: dict[str, Any]) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True)
