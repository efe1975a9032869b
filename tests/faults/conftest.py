"""A site for fault scenarios: the real server and the real agent, each ``liuhen`` run as
its own process (so kill -9 and peak memory are honest), the fault proxy between them,
and every invariant checked when a scenario is over (liuhen/faults/)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from liuhen.faults.checks import check_site
from liuhen.faults.invariants import Invariant, Tally
from liuhen.faults.sampler import OffsetSampler
from liuhen.faults.site import Site

MIB = 1024 * 1024


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async with Site(tmp_path) as running:
        await running.start_server()
        yield running


def sampler_for(site: Site) -> OffsetSampler:
    config = site.agent_config
    return OffsetSampler(
        site.server_books, lambda: site.server_url, config.device_id, config.key_path, 0.05
    )


async def finish(site: Site, within: float = 60) -> None:
    """Run the agent (``--once``) until every file is finished; it must end cleanly."""
    site.start_agent()
    code = await site.agent.wait(within)
    assert code == 0, site.agent.tail()


class Violated(AssertionError):
    """The one invariant a known defect breaks is broken (an xfail's exact cause)."""


def _described(violations: list[tuple[Invariant, str]]) -> str:
    return "\n".join(f"{invariant}: {detail}" for invariant, detail in violations)


def assert_holds(tally: Tally) -> None:
    assert tally.ok, _described(tally.violations)
    for line in tally.lines():
        print(line)


def check(site: Site, *, known: Invariant | None = None, **options) -> Tally:
    """Every invariant must hold. With ``known``, that one may be broken by a defect not
    fixed yet: then ``Violated`` is raised, once all the others were seen to hold."""
    tally = check_site(site, **options)
    others = [violation for violation in tally.violations if violation[0] is not known]
    assert not others, _described(others)
    if not tally.ok:
        raise Violated(_described(tally.violations))
    assert_holds(tally)
    return tally
