"""A recording's history for its page: each object's verifications, newest first, named
by the audit that ran them (its fixity log entry), and the custody-log entries about the
recording, each with its index for an inclusion proof. Pure: the entries come from
``ingest.transfer.selection.entries_about``, the same selection an export packs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from evidence.strict_json import format_time
from evidence.tlog.leaf_parts import utc_text
from storage.log_records import LoggedLeaf
from storage.records import VerificationRecord

__all__ = ["ACCESS", "log_rows", "verification_rows"]

ACCESS = "access"
_PREFIX = "liuhen.log."


def _kind(body: dict[str, Any]) -> str:
    return str(body.get("type", "")).removeprefix(_PREFIX)


def _actor(body: dict[str, Any]) -> str:
    actor = body.get("actor")
    if isinstance(actor, dict):
        return f"{actor.get('name', '')} ({actor.get('role', '')})"
    return str(body.get("audit") or body.get("device_id") or body.get("sent_by") or "")


def _what(body: dict[str, Any]) -> str:
    """The entry's gist: its action, decision, change or result, and why."""
    kind = _kind(body)
    if kind == "fixity":
        return "ok" if body.get("ok") else f"failed: {json.dumps(body.get('failure'))}"
    if kind == "ingest":
        return f"{body.get('role', '')} sha256 {body.get('sha256', '')}"
    said = [body.get(k) for k in ("action", "decision", "change", "purpose", "reason", "note")]
    return " · ".join(str(item) for item in said if item)


def _named(value: Any) -> set[str]:
    """Every recording a leaf (as JSON) names, anywhere in it."""
    if isinstance(value, dict):
        found = {str(value["evidence_id"])} if "evidence_id" in value else set()
        return found.union(*(_named(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_named(item) for item in value))
    return set()


def log_rows(
    entries: Iterable[LoggedLeaf], evidence_id: str, show_accesses: bool
) -> list[dict[str, Any]]:
    """One row per entry about this recording, newest first: an entry about its case that
    names only other recordings (another recording watched) is theirs, not this one's.
    Accesses only for those who may read the audit."""
    rows = []
    for entry in entries:
        body = json.loads(entry.body)
        kind = _kind(body)
        named = _named(body)
        if (kind == ACCESS and not show_accesses) or (named and evidence_id not in named):
            continue
        at = body.get("at") or body.get("received_at") or body.get("sent_at") or ""
        rows.append(
            {"index": entry.index, "kind": kind, "at": at, "by": _actor(body), "what": _what(body)}
        )
    return sorted(rows, key=lambda row: row["index"], reverse=True)


def _audits(entries: Iterable[LoggedLeaf]) -> dict[tuple[str, str, str], str]:
    """(evidence id, role, when) → the audit that verified it, from the fixity entries."""
    named = {}
    for entry in entries:
        body = json.loads(entry.body)
        if _kind(body) == "fixity" and isinstance(body.get("object"), dict):
            ref = body["object"]
            key = (str(ref.get("evidence_id")), str(ref.get("role")), str(body.get("at")))
            named[key] = str(body.get("audit", ""))
    return named


def verification_rows(
    records: Sequence[VerificationRecord], entries: Iterable[LoggedLeaf]
) -> list[dict[str, Any]]:
    """Each verification (newest first as given): when, by which audit, result, checks."""
    audits = _audits(entries)
    rows = []
    for record in records:
        at = utc_text(record.checked_at)
        checks = json.loads(record.detail)
        rows.append(
            {
                "role": record.role.value,
                "at": format_time(record.checked_at),
                "by": audits.get((str(record.evidence_id), record.role.value, at), ""),
                "ok": record.ok,
                "checks": [
                    f"{c.get('check')}: {'ok' if c.get('ok') else 'FAILED'}" for c in checks
                ],
            }
        )
    return rows
