"""``liuhen upgrade-check``: after upgrading a server from before issue 8, what its books
may hold that the old version damaged, on the server host (ingest/custody/catch_up.py says why):

- registrations that stopped half-way, lacking a room segment, fingerprints or a flag
  registration derives: listed, and written with ``--fill``;
- transcripts and CSV imports received before ``--before`` (now, by default: run it right
  after the upgrade): the old server could keep a body cut short under a signed receipt.
  Each is listed with what to compare it with.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from evidence.strict_json import format_time
from ingest.compliance.forms import when_given
from ingest.custody.catch_up import Filled, fill_half_stores
from liuhen.server_host import server_books
from liuhen.settings import Settings
from storage.records import ActBatch, StoredObject

__all__ = ["add_upgrade_commands"]

_TRANSCRIPTS = (
    "Transcripts stored before {before}: the old server could keep one cut short (sent in "
    "several pieces). Compare each sha256 with `sha256sum` of the file that was sent; if "
    "they differ, record it (a recording holds one transcript) and keep the sent file."
)
_IMPORTS = (
    "Act imports before {before}: the old server could take part of a CSV file. Import the "
    "same file again (liuhen acts import FILE, signed in): acts held count as unchanged, the "
    "missing ones are added, and an act_conflict names a row that was kept cut short."
)


def _filled_json(filled: Filled) -> dict[str, Any]:
    missing = filled.missing
    return {
        "evidence_id": str(filled.evidence_id),
        "role": filled.role.value,
        "segment": missing.segment is not None,
        "prints": [p.role.value for p in missing.prints],
        "flags": [flag.kind for flag in missing.flags],
        "problem": filled.problem,
    }


def _transcript_json(stored: StoredObject) -> dict[str, Any]:
    return {
        "evidence_id": str(stored.evidence_id),
        "received_at": format_time(stored.received_at),
        "size": stored.size,
        "sha256": stored.sha256.hex,
    }


def _batch_json(batch: ActBatch) -> dict[str, Any]:
    return {
        "created_by": batch.created_by,
        "created_at": format_time(batch.created_at),
        "acts": batch.acts,
        "case_numbers": list(batch.case_numbers),
    }


def _print(report: dict[str, Any], filled: bool) -> None:
    half = report["half_stored"]
    verb = "filled in" if filled else "missing (run with --fill to write them)"
    print(f"{len(half)} registration(s) lacked what registration derives: {verb}")
    for item in half:
        what = ", ".join(
            ["segment"] * item["segment"]
            + [f"prints ({r})" for r in item["prints"]]
            + item["flags"]
        )
        print(f"  {item['evidence_id']}/{item['role']}: {item['problem'] or what}")
    print(f"\n{len(report['transcripts'])} transcript(s). " + report["transcripts_advice"])
    for t in report["transcripts"]:
        print(f"  {t['evidence_id']}  {t['received_at']}  {t['size']} bytes  sha256 {t['sha256']}")
    print(f"\n{len(report['act_imports'])} act import(s). " + report["act_imports_advice"])
    for b in report["act_imports"]:
        cases = ", ".join(b["case_numbers"])
        print(f"  {b['created_at']}  by {b['created_by']}: {b['acts']} act(s) of {cases}")


async def _upgrade_check(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        zone = parts.compliance.zone
        before = (
            datetime.now(UTC) if args.before is None else when_given(args.before, zone, "--before")
        )
        index = parts.index
        half = await fill_half_stores(
            index.uploads, index.catch_up, parts.case_rule, parts.clock(), before, write=args.fill
        )
        transcripts = await index.catch_up.transcripts_before(before)
        batches = await index.catch_up.act_batches_before(before)
    stamp = format_time(before)
    report = {
        "before": stamp,
        "half_stored": [_filled_json(item) for item in half],
        "transcripts": [_transcript_json(t) for t in transcripts],
        "transcripts_advice": _TRANSCRIPTS.format(before=stamp),
        "act_imports": [_batch_json(b) for b in batches if b.acts > 1],
        "act_imports_advice": _IMPORTS.format(before=stamp),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print(report, args.fill)
    return 0


def add_upgrade_commands(groups: Any) -> None:
    check = groups.add_parser(
        "upgrade-check",
        help="after upgrading from before issue 8: what the old server may have damaged",
    )
    check.set_defaults(run=_upgrade_check)
    check.add_argument(
        "--before", help="when the server was upgraded (a date or a time; default: now)"
    )
    check.add_argument(
        "--fill",
        action="store_true",
        help="write the segments, fingerprints and flags half-stored registrations lack",
    )
    check.add_argument("--json", action="store_true")
