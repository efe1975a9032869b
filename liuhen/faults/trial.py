"""Run one chaos trial on a fresh site (liuhen/faults/plan.py says what to break, when),
then check every invariant; the crashed server's books are checked at each kill, too.

The agent runs ``--once``: it exits 0 when every file is finished. Until then the trial
fires the plan's faults as the upload reaches them, starts the agent again whenever it
dies (by a failpoint or a kill), and the server whenever it dies. A trial that has not
finished by its deadline is a violation of its own (``finished``): an upload stalled.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devices.footage import write_clip
from liuhen.faults.checks import Limits, check_site, sources_by_evidence
from liuhen.faults.invariants import (
    Invariant,
    Tally,
    check_durable_offsets,
    check_orphans,
    check_reclaimed,
)
from liuhen.faults.plan import Fault, Plan
from liuhen.faults.proxy import Link
from liuhen.faults.sampler import OffsetSampler
from liuhen.faults.site import Site

__all__ = ["CHAOS_AGENT", "CHAOS_SERVER", "Outcome", "run_trial"]

# Quick retries and timeouts, so a trial recovers in seconds from what it breaks: a PATCH
# given up on a slow link while its body still drains is waited for, not sent again, and
# a half-open link is given up by the agent (a body that stops moving, an answer that does
# not come) and by the server (a body that brings no byte) within seconds.
CHAOS_AGENT = {"request_timeout_seconds": 10.0, "retry_cap_seconds": 0.5, "max_parallel": 2}
CHAOS_SERVER = {"body_read_timeout_seconds": 5.0}


@dataclass
class Outcome:
    number: int
    plan: Plan
    tally: Tally = field(default_factory=Tally)
    seconds: float = 0.0
    interruptions: int = 0
    happened: list[str] = field(default_factory=list)
    peak_mib: tuple[int, int] = (0, 0)  # agent, server


class _Trial:
    def __init__(self, site: Site, plan: Plan, outcome: Outcome) -> None:
        self.site = site
        self.plan = plan
        self.outcome = outcome
        self._armed = list(plan.agent_failpoints)
        self._server_armed = list(plan.server_failpoints)
        self._background: set[asyncio.Task[None]] = set()
        self._due: list[tuple[float, Fault]] = []
        self._pending = list(plan.faults)

    def note(self, what: str, interruptions: int = 0) -> None:
        self.outcome.happened.append(what)
        self.outcome.interruptions += interruptions

    async def run(self, deadline: float) -> None:
        await self._start_server()
        await asyncio.to_thread(self._dock)
        self._start_agent()
        try:
            await self._drive(deadline)
        finally:
            for task in self._background:
                task.cancel()
            await asyncio.gather(*self._background, return_exceptions=True)
            self.site.proxy.to_server = Link()

    def _dock(self) -> None:
        for n, size in enumerate(self.plan.sizes):
            self.site.put(f"BWC-{n:04d}.bin", size, bay=n % 2)
        if self.plan.video:
            started = datetime.now(UTC).replace(microsecond=0)
            write_clip(self.site.bays[0] / "BWC-clip.mp4", seconds=3, started_at=started)

    def _start_agent(self) -> None:
        point = self._armed.pop(0) if self._armed else ""
        self.site.start_agent(point, make_proxies=self.plan.video)

    async def _drive(self, deadline: float) -> None:
        while True:
            self._schedule()
            await self._fire_due()
            code = self.site.agent.poll()
            if code == 0:
                self.outcome.tally.check(Invariant.FINISHED, True, "")
                return
            if code is not None:
                self._agent_died(code)
            if self.site.server.poll() is not None:
                self._server_died()
                await self._restart_server()
            if time.monotonic() > deadline:
                self.outcome.tally.check(
                    Invariant.FINISHED, False, f"not finished in time:\n{self.site.agent.tail(8)}"
                )
                await self.site.kill_agent()
                return
            await asyncio.sleep(0.02)

    def _schedule(self) -> None:
        sent = self.site.proxy.http.body_bytes["PATCH"] / max(1, self.plan.total)
        while self._pending and sent >= self._pending[0].at:
            fault = self._pending.pop(0)
            self._due.append((time.monotonic() + fault.delay, fault))

    async def _fire_due(self) -> None:
        now = time.monotonic()
        for item in [item for item in self._due if item[0] <= now]:
            self._due.remove(item)
            await self._fire(item[1])

    def _agent_died(self, code: int) -> None:
        output = self.site.agent.output()
        fired = [line for line in output.splitlines() if "killing the agent" in line]
        if fired:
            self.note(fired[-1].split(": ", 1)[-1].split(":")[0], 1)
        else:
            self.note(f"the agent exited with {code}", 1)
        self._start_agent()

    def _server_died(self) -> None:
        output = self.site.server.output()
        fired = [line for line in output.splitlines() if "killing the server" in line]
        if fired:
            self.note(fired[-1].split(": ", 1)[-1].split(":")[0], 1)
        else:
            self.note(f"the server exited with {self.site.server.returncode}", 1)

    async def _start_server(self) -> None:
        point = self._server_armed.pop(0) if self._server_armed else ""
        await self.site.start_server(point)

    async def _restart_server(self) -> None:
        """Check the books as the crash left them, start the server again, and check it
        reclaimed the partial files the crash left."""
        books = self.site.server_books
        check_durable_offsets(self.outcome.tally, books, sources_by_evidence(self.site))
        left = check_orphans(self.outcome.tally, books, crashed=True)
        await asyncio.sleep(0.5)
        await self._start_server()
        check_reclaimed(self.outcome.tally, left)

    async def _fire(self, fault: Fault) -> None:
        proxy = self.site.proxy
        self.note(str(fault), fault.interruptions)
        if fault.kind == "kill_agent" and self.site.agent.running:
            await self.site.kill_agent()
            self._start_agent()
        elif fault.kind == "kill_server" and self.site.server.running:
            await self.site.kill_server()
            await self._restart_server()
        elif fault.kind in ("cut", "reset"):
            proxy.cut(after=int(fault.value), reset=fault.kind == "reset")
        elif fault.kind == "partition":
            self._spawn(proxy.partition(fault.value))
        elif fault.kind == "flap":
            self._spawn(self._flap(int(fault.value)))
        elif fault.kind == "slow":
            proxy.to_server = Link(rate=fault.value)
        elif fault.kind == "freeze":
            proxy.freeze()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _flap(self, times: int) -> None:
        for n in range(times):
            if n % 2:
                await self.site.proxy.refuse(0.3)
            else:
                self.site.proxy.cut_all(reset=True)
            await asyncio.sleep(1.0)


def _deadline(plan: Plan) -> float:
    """Generous: a minute, plus the bytes at 1 MB/s (or the slow link's rate), plus the
    partitions."""
    slowest = min([1_000_000.0] + [f.value for f in plan.faults if f.kind == "slow"])
    waits = sum(f.value for f in plan.faults if f.kind == "partition")
    return 60 + plan.total / slowest + waits + (60 if plan.video else 0)


async def run_trial(root: Path, number: int, plan: Plan, limits: Limits) -> Outcome:
    outcome = Outcome(number, plan)
    started = time.monotonic()
    async with Site(root, agent=CHAOS_AGENT, server=CHAOS_SERVER) as site:
        config = site.agent_config
        sampler = OffsetSampler(
            site.server_books, lambda: site.server_url, config.device_id, config.key_path
        )
        async with sampler:
            await _Trial(site, plan, outcome).run(started + _deadline(plan))
        outcome.seconds = time.monotonic() - started
        await site.kill_server()
        outcome.peak_mib = (site.agent.peak_rss() // 1024, site.server.peak_rss() // 1024)
        outcome.tally.merge(
            check_site(
                site,
                sampler=sampler,
                interruptions=outcome.interruptions,
                limits=limits,
                rehash=plan.total < 4 * 2**30,
            )
        )
    return outcome
