"""Request bodies and query strings of the compliance API, read into typed values.

Bodies are strict (``strict_json.Fields``): wrong types and unknown fields are refused
with ``bad_body`` naming the field; optional fields may be left out. Times in bodies
carry a UTC offset. In query strings, ``since`` and ``until`` are a date (midnight in
``compliance.utc_offset_hours``) or a time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, tzinfo
from typing import Any, TypeVar

from evidence.errors import BadRequest, InvalidIdentifier, MalformedBody
from evidence.identifiers import EvidenceId
from evidence.ranges import INT64_MAX, time_in_range
from evidence.strict_json import Fields
from ingest.compliance.acts import EDITABLE, MAX_PARTIES, ActDraft
from ingest.compliance.imports import parse_moment
from ingest.compliance.report import ReportFilters
from ingest.custody.flags import FlagKind
from storage.compliance_records import ExemptionReason

__all__ = [
    "act_form",
    "case_form",
    "decision_form",
    "edit_form",
    "exemption_form",
    "flag_filters",
    "number",
    "page",
    "path_id",
    "reason_form",
    "report_filters",
    "threshold",
    "when_given",
]

T = TypeVar("T")


def _maybe(data: Mapping[str, Any], key: str, read: Callable[[str], T], default: T) -> T:
    return read(key) if key in data else default


def case_form(body: dict[str, Any]) -> tuple[str, str, str | None]:
    fields = Fields(body, MalformedBody)
    case_number = fields.text("case_number", max_length=64)
    agency = fields.text("agency", max_length=128)
    subject = _maybe(body, "subject", lambda k: fields.optional_text(k, max_length=256), None)
    fields.done()
    return case_number, agency, subject


def _parties(fields: Fields, key: str) -> tuple[str, ...]:
    return tuple(fields.text_list(key, max_items=MAX_PARTIES))


def act_form(body: dict[str, Any]) -> ActDraft:
    fields = Fields(body, MalformedBody)
    draft = ActDraft(
        case_number=fields.text("case_number", max_length=64),
        act_type=fields.text("act_type", max_length=128),
        started_at=fields.time("started_at"),
        ended_at=fields.time("ended_at"),
        place=_maybe(body, "place", lambda k: fields.optional_text(k, max_length=256), None),
        officers=_maybe(body, "officers", lambda k: _parties(fields, k), ()),
        devices=_maybe(body, "devices", lambda k: _parties(fields, k), ()),
        reference=_maybe(
            body, "reference", lambda k: fields.optional_text(k, max_length=128), None
        ),
    )
    fields.done()
    return draft


_EDIT_READERS: dict[str, Callable[[Fields, str], Any]] = {
    "case_number": lambda f, k: f.text(k, max_length=64),
    "act_type": lambda f, k: f.text(k, max_length=128),
    "started_at": lambda f, k: f.time(k),
    "ended_at": lambda f, k: f.time(k),
    "place": lambda f, k: f.optional_text(k, max_length=256),
    "officers": _parties,
    "devices": _parties,
    "reference": lambda f, k: f.optional_text(k, max_length=128),
}


def edit_form(body: dict[str, Any]) -> tuple[int, dict[str, Any], str | None]:
    """``{"revision": n, "changes": {field: value, …}, "reason": text|null}``: the revision
    the edit was made against is required, so a replayed edit fails (stale_revision)."""
    fields = Fields(body, MalformedBody)
    revision = fields.integer("revision", minimum=1)
    section = fields.section("changes")
    raw: dict[str, Any] = body["changes"]
    changes = {key: _EDIT_READERS[key](section, key) for key in EDITABLE if key in raw}
    section.done()
    reason = _maybe(body, "reason", lambda k: fields.optional_text(k, max_length=512), None)
    fields.done()
    return revision, changes, reason


def exemption_form(body: dict[str, Any]) -> tuple[ExemptionReason, str, datetime, str | None]:
    fields = Fields(body, MalformedBody)
    reason = fields.convert("reason", fields.text("reason", max_length=64), _reason)
    approver = fields.text("approver", max_length=128)
    approved_at = fields.time("approved_at")
    note = _maybe(body, "note", lambda k: fields.optional_text(k, max_length=1024), None)
    fields.done()
    return reason, approver, approved_at, note


def _reason(text: str) -> ExemptionReason:
    try:
        return ExemptionReason.parse(text)
    except ValueError as exc:
        raise MalformedBody(str(exc)) from None


def reason_form(body: dict[str, Any]) -> str:
    """``{"reason": text}``: why an exemption is withdrawn, or a flag resolved."""
    fields = Fields(body, MalformedBody)
    reason = fields.text("reason", max_length=1024)
    fields.done()
    return reason


def decision_form(body: dict[str, Any]) -> tuple[EvidenceId, int, str | None]:
    fields = Fields(body, MalformedBody)
    evidence_id = fields.convert("evidence_id", fields.text("evidence_id"), EvidenceId)
    act_id = fields.integer("act_id", minimum=1)
    note = _maybe(body, "note", lambda k: fields.optional_text(k, max_length=512), None)
    fields.done()
    return evidence_id, act_id, note


def _decimal(text: str) -> bool:
    """ASCII digits only: str.isdigit() also takes '²' and '٣', which int() refuses or
    reads as digits of another script."""
    return text.isascii() and text.isdecimal()


def path_id(text: str, what: str) -> int:
    """An id in a path or query: 1 to 2^63-1, in ASCII digits."""
    if not _decimal(text) or len(text) > 19 or not 1 <= int(text) <= INT64_MAX:
        raise InvalidIdentifier(f"{what} is an integer from 1 to {INT64_MAX}; got {text!r}")
    return int(text)


def number(query: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not _decimal(text) or len(text) > 18 or int(text) > maximum:
        raise BadRequest(f"{name} must be an integer from 0 to {maximum}")
    return int(text)


def page(query: Mapping[str, str]) -> tuple[int, int]:
    """``?limit=`` (100 unless given, at most 1000) and ``?offset=`` of a listing."""
    return number(query, "limit", 100, 1000), number(query, "offset", 0, 10**9)


def when_given(text: str, zone: tzinfo, name: str = "time") -> datetime:
    """A date (its midnight in ``zone``) or a time (in ``zone`` when it has no offset)."""
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(), zone)
            if time_in_range(moment):
                return moment
        elif text == text.strip():  # parse_moment forgives surrounding spaces; this never did
            return parse_moment(text, zone)
    except ValueError:
        pass
    raise BadRequest(
        f"{name} must be a date (2026-03-01) or a time, from 1900 to 9000; got {text!r}"
    )


def _only(query: Mapping[str, str], known: set[str]) -> None:
    unknown = sorted(set(query) - known)
    if unknown:
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}")


def report_filters(query: Mapping[str, str], zone: tzinfo) -> ReportFilters:
    _only(
        query, {"agency", "act_type", "officer", "since", "until", "limit", "threshold", "format"}
    )
    since, until = query.get("since"), query.get("until")
    return ReportFilters(
        agency=query.get("agency") or None,
        act_type=query.get("act_type") or None,
        officer=query.get("officer") or None,
        since=None if since is None else when_given(since, zone, "since"),
        until=None if until is None else when_given(until, zone, "until"),
    )


def threshold(query: Mapping[str, str]) -> float | None:
    """``?threshold=``: the coverage rate (0 to 1) below which a ranked group is weak."""
    text = query.get("threshold")
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise BadRequest(f"threshold is a coverage rate from 0 to 1; got {text!r}")
    return value


def flag_filters(query: Mapping[str, str]) -> tuple[str | None, bool]:
    """``?kind=`` (one of the flag kinds; any when absent or empty) and ``?open=`` (``true``,
    the default: open flags; ``false``: resolved ones)."""
    _only(query, {"kind", "open", "limit", "offset"})
    kind = query.get("kind") or None
    if kind is not None and kind not in set(FlagKind):
        raise BadRequest(f"kind must be one of {', '.join(FlagKind)}; got {kind!r}")
    is_open = query.get("open", "true")
    if is_open not in ("true", "false"):
        raise BadRequest(f"open must be true or false; got {is_open!r}")
    return kind, is_open == "true"
