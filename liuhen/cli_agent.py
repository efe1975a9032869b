"""The ``liuhen agent`` commands but ``run``'s parser: ``status``, ``retry``, ``bandwidth``
and ``check``. Those that read or change the journal work on it directly (run them on the
docking station), beside a running agent or not: a running agent takes up a retry or a
bandwidth within a second, a stopped one when it starts."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from evidence.errors import BadRequest, NotFound
from ingest.compliance.forms import when_given
from liuhen.cli_numbers import a_count, an_id
from liuhen.settings import Settings

if TYPE_CHECKING:
    from agent.file_row import FileRow

__all__ = ["add_agent_commands", "agent_run", "agent_status"]

log = logging.getLogger("liuhen.agent")


async def agent_run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the agent; SIGTERM (or SIGINT) stops it cleanly: work in flight is abandoned
    where it is, the journal stays consistent, and the exit status is 0 (130 for SIGINT)."""
    from agent.runner import agent_service
    from agent.states import FileState

    config, zone = settings.agent, settings.compliance.zone
    async with agent_service(config, settings.case_numbers.rule(), zone) as service:
        loop, caught = asyncio.get_running_loop(), list[signal.Signals]()

        def stop(signum: signal.Signals) -> None:
            caught.append(signum)
            service.stop()

        handled = _on_signals(loop, stop)
        try:
            async with asyncio.timeout(args.timeout):
                await service.run(once=args.once)
        except TimeoutError:
            print(f"stopped after {args.timeout} s with files still in progress", file=sys.stderr)
            return 1
        finally:
            for signum in handled:
                loop.remove_signal_handler(signum)
        if caught:
            log.info("stopped by %s; the journal is consistent", caught[0].name)
            return 130 if caught[0] == signal.SIGINT else 0
        held = await service.journal.in_state(FileState.HELD)
    if held:
        print(f"{len(held)} file(s) held; see 'liuhen agent status'", file=sys.stderr)
        return 1
    return 0


def _on_signals(
    loop: asyncio.AbstractEventLoop, stop: Callable[[signal.Signals], None]
) -> list[signal.Signals]:
    """Stop on SIGTERM and SIGINT; only a main thread can hear signals (the tests run the
    command in another), so elsewhere none is handled."""
    handled = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, stop, signum)
        except (RuntimeError, ValueError):
            break
        handled.append(signum)
    return handled


def _states(wanted: list[str] | None) -> set[str] | None:
    from agent.states import FileState

    if not wanted:
        return None
    names = {name.strip() for text in wanted for name in text.split(",") if name.strip()}
    known = {state.value for state in FileState}
    unknown = sorted(names - known)
    if unknown:
        raise BadRequest(
            f"--state {', '.join(unknown)}: not a state; one of {', '.join(sorted(known))}"
        )
    return names


async def agent_status(settings: Settings, args: argparse.Namespace) -> int:
    from agent.controls import BANDWIDTH
    from agent.disk import is_low, measure
    from agent.journal import Journal
    from agent.summary import summarize
    from liuhen.agent_status import print_agent_status
    from liuhen.station_status import alarms_json, file_notes, load_notes, print_station_alarms

    config, zone, now = settings.agent, settings.compliance.zone, time.time()
    states = _states(args.state)
    since = None if args.since is None else when_given(args.since, zone, "--since").timestamp()
    journal = Journal(config.journal_path)
    await journal.open()
    try:
        rows = await journal.all_files()
        control = await journal.controls.get(BANDWIDTH)
    finally:
        await journal.close()
    spaces = measure((config.data_dir, *config.watch))
    low = [
        space for space in spaces if is_low(space, config.min_free_bytes, config.min_free_percent)
    ]
    shown = [row for row in rows if _chosen(row, states, since)]
    notes = await load_notes(config)
    if not args.json:
        print_station_alarms(notes, zone)
    print_agent_status(
        rows,
        as_json=args.json,
        zone=zone,
        now=now,
        summary=summarize(rows, now, spaces, low),
        bandwidth=_bandwidth_text(
            settings, None if control is None else (control.value, control.set_by)
        ),
        shown=shown,
        notes=file_notes(notes),
        station_alarms=alarms_json(notes, zone),
    )
    return 0


def _chosen(row: FileRow, states: set[str] | None, since: float | None) -> bool:
    return (states is None or row.state.value in states) and (
        since is None or row.first_seen_at >= since
    )


def _bandwidth_text(settings: Settings, override: tuple[str, str] | None) -> str:
    from datetime import datetime

    from agent.bandwidth import Timetable
    from agent.policy import describe_rate

    timetable = settings.agent.timetable if override is None else Timetable.parse(override[0])
    rate = timetable.rate_at(datetime.now(settings.compliance.zone))
    why = "agent.bandwidth" if override is None else f"set by {override[1]}"
    return f"{describe_rate(rate)} now (timetable {timetable.describe()!r}, {why})"


async def _agent_retry(settings: Settings, args: argparse.Namespace) -> int:
    from agent.journal import Journal

    if bool(args.all) == bool(args.file_ids):
        raise BadRequest("name the held files to retry by id (see 'liuhen agent status'), or --all")
    journal = Journal(settings.agent.journal_path)
    await journal.open()
    try:
        retried = await journal.retry_held(
            time.time(), "tried again: an operator asked", tuple(args.file_ids)
        )
    finally:
        await journal.close()
    missing = sorted(set(args.file_ids) - set(retried))
    if missing:
        raise NotFound(f"not held: file {', '.join(map(str, missing))} (see 'liuhen agent status')")
    print(f"{len(retried)} held file(s) will be tried again now")
    return 0


async def _agent_bandwidth(settings: Settings, args: argparse.Namespace) -> int:
    from agent.controls import BANDWIDTH
    from agent.journal import Journal
    from agent.policy import UploadPolicy

    if args.timetable is not None and args.configured:
        raise BadRequest("give a timetable or --configured, not both")
    journal = Journal(settings.agent.journal_path)
    await journal.open()
    try:
        policy = UploadPolicy(settings.agent.timetable, journal.controls, settings.compliance.zone)
        if args.timetable is not None:
            await policy.set_bandwidth(
                args.timetable, f"liuhen agent bandwidth ({getpass.getuser()})"
            )
        elif args.configured:
            await policy.clear_bandwidth()
        control = await journal.controls.get(BANDWIDTH)
    finally:
        await journal.close()
    override = None if control is None else (control.value, control.set_by)
    print(f"upload bandwidth: {_bandwidth_text(settings, override)}")
    return 0


async def _agent_check(settings: Settings, args: argparse.Namespace) -> int:
    import aiohttp

    from agent.check import check_agent

    config = settings.agent
    timeout = aiohttp.ClientTimeout(
        total=None, connect=10, sock_read=config.request_timeout_seconds
    )
    async with aiohttp.ClientSession(timeout=timeout) as session:
        findings = await check_agent(config, session, clock_tolerance=args.clock_tolerance)
    for finding in findings:
        mark = {True: "ok  ", False: "FAIL", None: "skip"}[finding.ok]
        print(f"{mark}  {finding.what}: {finding.detail}")
    return 0 if all(finding.ok for finding in findings) else 1


def add_agent_commands(agent: Any, status: argparse.ArgumentParser) -> None:
    """Add ``retry``, ``bandwidth`` and ``check`` to the ``liuhen agent`` commands, and
    the filters to ``status``."""
    status.add_argument(
        "--state", action="append", help="only files in these states (a list, or repeat it)"
    )
    status.add_argument("--since", help="only files found since this date or time")
    retry: argparse.ArgumentParser = agent.add_parser(
        "retry", help="try held files again now (the server refused them)"
    )
    retry.set_defaults(run=_agent_retry)
    retry.add_argument(
        "file_ids", type=an_id, nargs="*", metavar="file_id", help="as 'liuhen agent status' shows"
    )
    retry.add_argument("--all", action="store_true", help="every held file")
    bandwidth: argparse.ArgumentParser = agent.add_parser(
        "bandwidth", help="show or change the upload cap and its timetable, now"
    )
    bandwidth.set_defaults(run=_agent_bandwidth)
    bandwidth.add_argument("timetable", nargs="?", help='e.g. "08:00,2M 18:00,off"; off: no cap')
    bandwidth.add_argument(
        "--configured", action="store_true", help="back to agent.bandwidth from the configuration"
    )
    check: argparse.ArgumentParser = agent.add_parser(
        "check", help="bays, keys, server, server key, device registration, clock"
    )
    check.set_defaults(run=_agent_check)
    check.add_argument(
        "--clock-tolerance", type=a_count, default=30, help="seconds the clocks may differ"
    )
