"""The chaos run's parts (the run itself is bench/chaos.py, not CI): a plan is the same for
the same seed and trial, within its bounds; and one trial, with a kill of each process, a
reset and a failpoint, runs to the end and checks every invariant, the crashed server's
books included."""

from __future__ import annotations

from agent import failpoints
from ingest import failpoints as server_points
from liuhen.faults.checks import Limits
from liuhen.faults.invariants import Invariant
from liuhen.faults.plan import SAFE_KINDS, Fault, Plan, draw_plan
from liuhen.faults.trial import run_trial
from tests.faults.conftest import MIB, assert_holds


def test_a_plan_is_drawn_from_its_seed_and_trial_alone():
    def draw(seed: int, trial: int) -> Plan:
        return draw_plan(seed, trial, smallest=MIB, largest=64 * MIB, files=3, faults=4)

    plans = [draw(7, trial) for trial in range(1, 60)]
    assert plans == [draw(7, trial) for trial in range(1, 60)]
    assert plans != [draw(8, trial) for trial in range(1, 60)]
    for plan in plans:
        assert 1 <= len(plan.sizes) <= 3 and all(MIB <= s <= 64 * MIB for s in plan.sizes)
        assert len(plan.faults) <= 4 and {f.kind for f in plan.faults} <= set(SAFE_KINDS)
        assert [f.at for f in plan.faults] == sorted(f.at for f in plan.faults)
        for point in plan.agent_failpoints:
            assert failpoints.parse(point)  # each one the agent would arm
        for point in plan.server_failpoints:
            assert server_points.parse(point)  # and the server
    assert {fault.kind for plan in plans for fault in plan.faults} == set(SAFE_KINDS)
    assert {p.split("=")[0] for plan in plans for p in plan.server_failpoints} == set(
        server_points.NAMES
    )


async def test_one_trial_with_both_processes_killed_runs_to_the_end(tmp_path):
    plan = Plan(
        sizes=(12 * MIB, 3 * MIB),
        faults=(
            Fault("reset", at=0.0, delay=0.0, value=5 * MIB),
            Fault("kill_agent", at=0.3, delay=0.0),
            Fault("kill_server", at=0.6, delay=0.0),
        ),
        agent_failpoints=(f"{failpoints.MID_PATCH}=kill@3",),
        video=False,
    )
    outcome = await run_trial(tmp_path, 1, plan, Limits())
    assert_holds(outcome.tally)
    assert outcome.tally.checked[Invariant.FINISHED] == 1
    assert outcome.tally.checked[Invariant.NO_ORPHANS] >= 1  # at the server's crash, too
    assert [what.split(" at ")[0] for what in outcome.happened] == [
        "reset(5242880 B)",
        "failpoint agent.mid_patch (hit 3)",
        "kill_agent",
        "kill_server",
    ]
    assert outcome.interruptions == 4


async def test_a_trial_whose_server_dies_at_a_failpoint_reclaims_what_it_left(tmp_path):
    """Killed between a partial file's allocation and its index row: the crashed books
    hold an orphan, the restart must reclaim it, and the trial finishes."""
    plan = Plan(
        sizes=(3 * MIB,),
        faults=(),
        agent_failpoints=(),
        video=False,
        server_failpoints=(f"{server_points.AFTER_ALLOCATION}=kill@1",),
    )
    outcome = await run_trial(tmp_path, 1, plan, Limits())
    assert_holds(outcome.tally)
    assert outcome.happened == ["failpoint server.after_allocation_before_index_row (hit 1)"]
    assert outcome.tally.checked[Invariant.NO_ORPHANS] == 1  # the orphan left, reclaimed
