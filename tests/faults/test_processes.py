"""A child process as the harness runs it: its peak memory is its own, its output is kept,
and a kill is SIGKILL, reaped."""

from __future__ import annotations

import signal
import sys

from liuhen.faults.processes import Process

MIB = 1024 * 1024


async def test_the_peak_memory_is_the_childs_own_not_its_large_parents(tmp_path):
    """Linux carries a parent's peak into its child's ru_maxrss across fork and exec: a
    small agent started by a large test runner would seem as large as the runner."""
    ballast = b"\x01" * (300 * MIB)  # the parent is large when it forks
    grows = "block = b'\\x02' * (40 * 2**20); print('grown', flush=True)"
    child = Process(
        "child",
        [sys.executable, "-c", grows + "; import time; time.sleep(1)"],
        tmp_path / "child.log",
    )
    child.start()
    await child.wait_for_output("grown", 30)
    assert await child.wait(30) == 0
    assert len(ballast) == 300 * MIB
    assert 40 * 1024 <= child.peak_rss() < 200 * 1024  # its 40 MiB and Python, in KiB


async def test_a_kill_is_sigkill_and_the_output_is_kept(tmp_path):
    child = Process(
        "sleeper",
        [sys.executable, "-c", "print('started', flush=True); import time; time.sleep(60)"],
        tmp_path / "sleeper.log",
    )
    child.start()
    assert "started" in await child.wait_for_output("started", 30)
    assert await child.kill() == -signal.SIGKILL
    assert not child.running and child.peak_rss() > 0
    child.start()  # a second run appends to the same log; output() is this run's alone
    await child.wait_for_output("started", 30)
    assert child.output().count("started") == 1
    assert (tmp_path / "sleeper.log").read_text().count("started") == 2
    child.close()
    assert not child.running
