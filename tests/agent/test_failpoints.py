"""The failpoint switch itself: what LIUHEN_FAILPOINTS may say, what it refuses, that a
kill is SIGKILL at exactly the hit asked for, and that every named point is placed in the
agent. That each point really kills the running agent, and what a restart then finds, is
in tests/faults/test_agent_failpoints.py."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from agent import failpoints
from evidence.errors import ConfigError
from liuhen.settings import load_settings

AGENT = Path(failpoints.__file__).parent


@pytest.fixture(autouse=True)
def _disarmed():
    yield
    failpoints.disarm()


@pytest.mark.parametrize(
    ("text", "armed"),
    [
        ("", {}),
        ("  ", {}),
        ("agent.mid_patch", {"agent.mid_patch": ("kill", 1)}),
        ("agent.mid_patch=kill@3", {"agent.mid_patch": ("kill", 3)}),
        (
            "agent.while_hashing, agent.after_204_before_journal=kill@2",
            {"agent.while_hashing": ("kill", 1), "agent.after_204_before_journal": ("kill", 2)},
        ),
        ("server.after_fsync_before_commit,agent.mid_patch", {"agent.mid_patch": ("kill", 1)}),
    ],
)
def test_what_the_variable_may_say(text, armed):
    points = failpoints.parse(text)
    assert {name: (point.action, point.at) for name, point in points.items()} == armed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("agent.mid_pach", "no failpoint 'agent.mid_pach'"),
        ("agnet.mid_patch", "no failpoint 'agnet.mid_patch'"),
        ("agent.mid_patch=explode", "no action 'explode'"),
        ("agent.mid_patch=kill@0", "must be 1 or more"),
        ("agent.mid_patch=kill@soon", "must be 1 or more"),
    ],
)
def test_a_mistyped_failpoint_stops_the_start(text, message):
    with pytest.raises(ConfigError, match=message) as raised:
        failpoints.arm_from_environment({failpoints.ENVIRONMENT: text})
    assert raised.value.code == "bad_config"
    assert not failpoints.armed("agent.mid_patch")


def test_unarmed_points_do_nothing():
    failpoints.arm("agent.while_hashing")
    for _ in range(3):
        failpoints.hit(failpoints.MID_PATCH)
    assert failpoints.armed(failpoints.WHILE_HASHING)
    assert not failpoints.armed(failpoints.MID_PATCH)


def test_the_kill_is_sigkill_at_the_hit_asked_for():
    script = (
        "from agent import failpoints\n"
        "failpoints.arm('agent.mid_patch=kill@3')\n"
        "for n in range(1, 6):\n"
        "    failpoints.hit('agent.mid_patch')\n"
        "    print(n, flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split() == ["1", "2"]
    assert "failpoint agent.mid_patch (hit 3): killing the agent" in done.stderr


def test_every_named_point_is_placed_in_the_agent_and_every_placed_one_named():
    constants = {
        name
        for name, value in vars(failpoints).items()
        if isinstance(value, str) and value in failpoints.NAMES
    }
    placed: set[str] = set()
    for source in AGENT.rglob("*.py"):
        if source.name != "failpoints.py":
            placed |= set(
                re.findall(r"failpoints\.(?:hit|armed)\(failpoints\.(\w+)\)", source.read_text())
            )
    assert placed == constants
    assert len(constants) == len(failpoints.NAMES)


def test_the_variable_is_not_taken_for_an_option():
    """LIUHEN_<SECTION>__<OPTION> overrides the configuration; the failpoint switch shares
    the prefix and is not an option, so loading the settings beside it must not fail."""
    settings = load_settings(None, environ={failpoints.ENVIRONMENT: "agent.mid_patch"})
    assert settings.agent.device_id == "dock-01"
