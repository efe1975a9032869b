"""Flags about what an original's footage holds against what its device claims, raised at
finalize beside the late-upload flag, in the transaction that indexes the object: which
ones and their details are evidence/footage_findings.py (``unmeasured_footage``,
``claim_mismatch``), the rule an index migrated from before them follows too.

Review copies and transcripts are not evidence of time and raise neither.
"""

from __future__ import annotations

import logging

from evidence.footage_findings import UNMEASURED_FOOTAGE, footage_findings
from evidence.identifiers import Role
from evidence.manifest import Manifest
from ingest.context import ServerContext
from ingest.flags import FlagKind, new_flag
from storage.records import NewFlag

__all__ = ["footage_flags"]

log = logging.getLogger(__name__)


def footage_flags(ctx: ServerContext, manifest: Manifest) -> tuple[NewFlag, ...]:
    if manifest.role is not Role.ORIGINAL:
        return ()
    findings = footage_findings(
        manifest.footage(),
        manifest.media,
        manifest.file_name,
        ctx.compliance.claim_tolerance_seconds,
    )
    flags = []
    for kind, detail in findings:
        if kind == UNMEASURED_FOOTAGE:
            log.warning("%s: length not measured; it covers no time", manifest.evidence_id)
        else:
            disagree = detail["disagree"]
            log.warning("%s: claimed %s disagree with the footage", manifest.evidence_id, disagree)
        flags.append(
            new_flag(
                ctx,
                FlagKind(kind),
                str(manifest.evidence_id),
                detail,
                device_id=manifest.device_id,
                evidence_id=manifest.evidence_id,
                role=manifest.role,
            )
        )
    return tuple(flags)
