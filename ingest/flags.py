"""Kinds of flag the server raises for a custodian, each with what to do about it."""

from __future__ import annotations

import enum
import json
from typing import Any

from evidence.identifiers import DeviceId, EvidenceId, Role
from ingest.context import ServerContext

__all__ = ["FlagKind", "advice_for", "raise_flag"]


class FlagKind(enum.StrEnum):
    SEQUENCE_GAP = "sequence_gap"
    SEQUENCE_FORK = "sequence_fork"
    METADATA_INCOMPLETE = "metadata_incomplete"
    VERIFICATION_FAILED = "verification_failed"
    UNDECODABLE = "undecodable"
    LATE_UPLOAD = "late_upload"

    @property
    def advice(self) -> str:
        return _ADVICE[self]


_ADVICE = {
    FlagKind.SEQUENCE_GAP: (
        "A manifest between two the device sent never arrived. Check the device's journal "
        "(liuhen agent status) for the missing sequence number; if the footage is lost, "
        "record why."
    ),
    FlagKind.SEQUENCE_FORK: (
        "Two manifests claim the same place in the device's chain: the device's journal was "
        "reset or its key is used elsewhere. Revoke the device and investigate."
    ),
    FlagKind.METADATA_INCOMPLETE: (
        "R4 fields are missing (case number, place, capturer or what it proves). Attach the "
        "recording to its case and complete the record."
    ),
    FlagKind.UNDECODABLE: (
        "The original cannot be played (empty, cut short, corrupt or not media). It is kept "
        "as evidence with its hash; no review copy exists. Record what happened to the device "
        "and recover what footage you can from it."
    ),
    FlagKind.VERIFICATION_FAILED: (
        "A stored object no longer matches its manifest. Do not use this copy as evidence; "
        "restore it from a replica and find out how it changed."
    ),
    FlagKind.LATE_UPLOAD: (
        "The recording reached the server more than compliance.late_upload_hours after its "
        "capture ended; the rules ask for upload at once. Find out where it was (a dock "
        "offline, a camera not docked, footage held back) and record the reason."
    ),
}


def advice_for(kind: str) -> str | None:
    try:
        return FlagKind(kind).advice
    except ValueError:
        return None


async def raise_flag(
    ctx: ServerContext,
    kind: FlagKind,
    subject: str,
    detail: dict[str, Any],
    *,
    device_id: DeviceId | None = None,
    evidence_id: EvidenceId | None = None,
    role: Role | None = None,
) -> bool:
    return await ctx.index.flags.raise_flag(
        kind.value,
        subject,
        json.dumps(detail, ensure_ascii=False, sort_keys=True),
        ctx.clock(),
        device_id=device_id,
        evidence_id=evidence_id,
        role=role,
    )
