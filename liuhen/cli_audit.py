"""``liuhen audit``: who looked at footage, when and why (``audit access``: an auditor's
question, through the API as the person signed in), and a fixity audit now (``audit
fixity``: an operator's task on the server host, which re-reads the store itself and
opens the server's books, as the bootstrap commands do)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from evidence.wire import AUDIT_ACCESS
from ingest.books import server_public_key
from ingest.custody_log.identity import held_log_trust
from ingest.custody_wiring import fixity_audit
from ingest.fixity.audit import AuditSummary
from liuhen.cli_command import command, group
from liuhen.cli_login import signed_in
from liuhen.cli_numbers import a_count
from liuhen.server_host import server_books
from liuhen.settings import Settings
from storage.records import StoredObject

__all__ = ["add_audit_commands"]


def _print_accesses(found: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"accesses": found}, ensure_ascii=False, indent=2))
        return
    if not found:
        print("no accesses")
    for access in found:
        reached = ", ".join(f"{o['evidence_id']}/{o['role']}" for o in access["objects"])
        actor = access["actor"]
        print(
            f"#{access['log_index']}\t{access['at']}\t{actor['name']} ({actor['role']})\t"
            f"{access['action']}\t{access['case'] or '-'}\t{reached or '-'}\t{access['purpose']}"
        )


async def _access(settings: Settings, args: argparse.Namespace) -> int:
    query = {
        "case_number": args.case,
        "user": args.user,
        "since": args.since,  # a date or time, read in the agency's zone by the server
        "evidence_id": args.evidence_id,
        "limit": args.limit,
    }
    async with signed_in(settings) as client:
        found = (await client.json("GET", AUDIT_ACCESS, query=query))["accesses"]
    _print_accesses(found, args.json)
    return 0


def _progress(done: int, total: int, stored: StoredObject, result: dict[str, Any]) -> None:
    failure = result["failure"]
    verdict = "ok" if failure is None else f"FAILED {failure['step']}: {failure['detail']}"
    name = f"{stored.evidence_id}/{stored.role}"
    print(f"[{done}/{total}] {name} {stored.size} bytes {verdict}", file=sys.stderr, flush=True)


def _print_summary(summary: AuditSummary, as_json: bool) -> None:
    report = summary.log
    if as_json:
        log = None if report is None else {"size": report.size, "findings": report.findings}
        body = {"audit": summary.audit, "checked": summary.checked, "failed": summary.failed}
        print(json.dumps({**body, "log": log}, ensure_ascii=False, indent=2))
        return
    print(f"audit {summary.audit}: {summary.checked} checked, {len(summary.failed)} failed")
    for failed in summary.failed:
        print(f"  FAILED {failed['evidence_id']}/{failed['role']}: {failed['step']}")
    if report is not None:
        verdict = "consistent" if report.ok else "ALTERED"
        print(f"custody log: {report.size} entries, {report.checkpoints} checkpoints, {verdict}")
        for finding in report.findings:
            print(f"  {finding}")


async def _fixity(settings: Settings, args: argparse.Namespace) -> int:
    async with server_books(settings) as parts:
        trust = await held_log_trust(parts.index.log, parts.config)
        audit = fixity_audit(parts, server_public_key(parts.config), trust)
        progress = None if args.quiet else _progress
        if args.all:
            summary = await audit.everything(progress)
        elif args.case is not None:
            summary = await audit.case(str(parts.case_rule.parse(args.case)), progress)
        else:
            summary = await audit.round(progress)
    _print_summary(summary, args.json)
    return 0 if summary.ok else 1


def add_audit_commands(groups: Any) -> None:
    audit = group(groups, "audit", "the custody log: who looked at what, and fixity audits")
    access = command(audit, "access", _access, "who looked at footage, when and why")
    access.add_argument("--case", help="accesses to this case's recordings (its number)")
    access.add_argument("--user", help="accesses by this person")
    access.add_argument("--since", help="from this date or time (the agency's zone)")
    access.add_argument("--evidence-id", help="accesses to this recording")
    access.add_argument("--limit", type=a_count, default=100, help="at most 1000")
    access.add_argument("--json", action="store_true")
    fixity = command(
        audit, "fixity", _fixity, "re-read stored footage against its signatures (exit 1: damage)"
    )
    which = fixity.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every object, and the custody log")
    which.add_argument("--case", help="the recordings of this case (its number)")
    fixity.add_argument("--quiet", action="store_true", help="no progress lines")
    fixity.add_argument("--json", action="store_true")
