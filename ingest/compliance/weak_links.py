"""Where to act (R10: "find weak links"): the report's rankings, trend, exemptions, late
uploads and as-needed acts, shaped from the tally and the index's counts. Pure.

- **Rankings** order agencies, units (from the officer roster), officers and act types
  by their failing acts (missing + partial, more first), then by the seconds of their
  windows not on footage, then by key. A group whose coverage rate is below the
  threshold (``compliance.weak_coverage_rate``, 0.9 unless configured or asked) is
  marked ``weak``.
- **Trend**: the coverage rate month by month (the agency's months), with the change
  from the month before in percentage points (``change``; null for the first month or a
  month without a rate on either side).
- **Exemptions** standing on the selected acts by reason and by approver; **late
  uploads** (late_upload flags, open or resolved) by capturing officer and by docking
  station (the signing device); **as-needed** acts apart from the counts: how many, how
  many with footage, by act type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from evidence.catalogue import Catalogue
from ingest.compliance.tally import Counts, Tally
from storage.compliance_records import OfficerRecord

__all__ = ["as_needed_json", "exemptions_json", "late_uploads_json", "rankings", "trend"]


def _ranked(
    groups: Mapping[str, Counts], threshold: float, names: Mapping[str, str | None]
) -> list[dict[str, Any]]:
    def order(key: str) -> tuple[int, float, str]:
        counts = groups[key]
        return (-(counts.missing + counts.partial), -counts.uncovered, key)

    rows = []
    for key in sorted(groups, key=order):
        counts = groups[key]
        rate = counts.rate
        rows.append(
            {
                "key": key,
                "name": names.get(key),
                "acts": counts.acts,
                "covered": counts.covered,
                "failing": counts.missing + counts.partial,
                "missing": counts.missing,
                "partial": counts.partial,
                "exempted": counts.exempted,
                "edited": counts.edited,
                "uncovered_seconds": round(counts.uncovered / 1000, 3),
                "coverage_rate": None if rate is None else round(rate, 4),
                "weak": rate is not None and rate < threshold,
            }
        )
    return rows


def rankings(
    counted: Tally,
    catalogue: Catalogue,
    officers: Mapping[str, OfficerRecord],
    threshold: float,
) -> dict[str, list[dict[str, Any]]]:
    type_names: dict[str, str | None] = {e.act_type.code: e.name for e in catalogue.entries}
    officer_names: dict[str, str | None] = {k: o.name for k, o in officers.items()}
    return {
        "agencies": _ranked(counted.by_agency, threshold, {}),
        "units": _ranked(counted.by_unit, threshold, {}),
        "officers": _ranked(counted.by_officer, threshold, officer_names),
        "act_types": _ranked(counted.by_act_type, threshold, type_names),
    }


def trend(counted: Tally) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    before: float | None = None
    for period in sorted(counted.by_period):
        counts = counted.by_period[period]
        rate = counts.rate
        change = None if rate is None or before is None else round((rate - before) * 100, 2)
        rows.append(
            {
                "period": period,
                "acts": counts.acts,
                "covered": counts.covered,
                "failing": counts.missing + counts.partial,
                "coverage_rate": None if rate is None else round(rate, 4),
                "change_points": change,
            }
        )
        before = rate if rate is not None else before
    return rows


def _listed(counter: Counter[str], key: str, names: Mapping[str, str] = {}) -> list[dict[str, Any]]:
    rows = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [{key: k, **({"name": names.get(k)} if names else {}), "count": n} for k, n in rows]


def exemptions_json(rows: list[tuple[str, str, int]]) -> dict[str, Any]:
    by_reason: Counter[str] = Counter()
    by_approver: Counter[str] = Counter()
    for reason, approver, count in rows:
        by_reason[reason] += count
        by_approver[approver] += count
    return {
        "count": sum(by_reason.values()),
        "by_reason": _listed(by_reason, "reason"),
        "by_approver": _listed(by_approver, "approver"),
    }


def late_uploads_json(
    rows: list[tuple[str | None, str, bool, int]], officers: Mapping[str, OfficerRecord]
) -> dict[str, Any]:
    by_officer: Counter[str] = Counter()
    by_station: Counter[str] = Counter()
    still_open = 0
    for officer, device, is_open, count in rows:
        by_officer[officer or "?"] += count
        by_station[device] += count
        still_open += count if is_open else 0
    names = {k: o.name for k, o in officers.items()} or {"?": "?"}
    return {
        "count": sum(by_station.values()),
        "open": still_open,
        "by_officer": _listed(by_officer, "officer", names),
        "by_station": _listed(by_station, "device_id"),
    }


def as_needed_json(rows: list[tuple[str, int, int]], catalogue: Catalogue) -> dict[str, Any]:
    names = {entry.act_type.code: entry.name for entry in catalogue.entries}
    return {
        "acts": sum(acts for _, acts, _ in rows),
        "with_footage": sum(footage for _, _, footage in rows),
        "by_act_type": [
            {"act_type": code, "name": names.get(code), "acts": acts, "with_footage": footage}
            for code, acts, footage in rows
        ],
    }
