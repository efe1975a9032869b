"""A ``liuhen`` command run as a child process, as the harness needs it: its output in a
log file (read while it runs, kept after), killed with SIGKILL when asked, and its peak
resident memory known however it ended.

The peak is the kernel's high-water mark of the process's own memory (``VmHWM`` in
``/proc/<pid>/status``), read at every poll while it runs and just before a kill. Not
``ru_maxrss`` from ``wait4``: Linux carries the parent's peak across fork and exec into the
child's, so a child of a large test runner would report the runner's size.

A child left running when its ``Process`` is closed is killed: a harness that fails must
not leave agents and servers behind.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["Process", "liuhen_command"]


def liuhen_command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "liuhen.cli", "--config", str(config), *args]


class Process:
    def __init__(
        self, name: str, argv: Sequence[str], log: Path, env: Mapping[str, str] | None = None
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log = log
        self.env = dict(env or {})
        self.returncode: int | None = None
        self.peak_rss_kib = 0  # the largest of every run so far
        self.runs = 0
        self._popen: subprocess.Popen[bytes] | None = None
        self._log_start = 0

    @property
    def pid(self) -> int | None:
        return None if self._popen is None else self._popen.pid

    def start(self, extra_env: Mapping[str, str] | None = None) -> None:
        if self.running:
            raise RuntimeError(f"{self.name} is already running")
        env = {**os.environ, **self.env, **(extra_env or {})}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_start = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as out:
            out.write(f"==== {self.name} run {self.runs + 1}: {' '.join(self.argv)}\n".encode())
            out.flush()
            self._popen = subprocess.Popen(  # noqa: S603 - our own command line
                self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env
            )
        self.returncode = None
        self.runs += 1

    @property
    def running(self) -> bool:
        return self._popen is not None and self.poll() is None

    def poll(self) -> int | None:
        """Reap the child if it has ended; its return code (negative: the signal)."""
        if self._popen is None or self.returncode is not None:
            return self.returncode
        self._sample_peak()
        pid, status = os.waitpid(self._popen.pid, os.WNOHANG)
        if pid == 0:
            return None
        self.returncode = os.waitstatus_to_exitcode(status)
        self._popen.returncode = self.returncode  # reaped here: Popen must not wait again
        return self.returncode

    def _sample_peak(self) -> None:
        if self._popen is None:
            return
        try:
            status = Path(f"/proc/{self._popen.pid}/status").read_text()
        except OSError:
            return  # already gone
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                self.peak_rss_kib = max(self.peak_rss_kib, int(line.split()[1]))

    async def wait(self, within: float) -> int:
        deadline = time.monotonic() + within
        while (code := self.poll()) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} still running after {within} s\n{self.tail()}")
            await asyncio.sleep(0.05)
        return code

    async def kill(self, signum: int = signal.SIGKILL) -> int | None:
        """Send ``signum`` and, for SIGKILL, reap; the return code (None if not running)."""
        if not self.running or self._popen is None:
            return self.returncode
        self._sample_peak()
        os.kill(self._popen.pid, signum)
        if signum == signal.SIGKILL:
            return await self.wait(30)
        return None

    def peak_rss(self) -> int:
        """Peak resident memory in KiB, of every run so far (this one until now)."""
        if self.running:
            self._sample_peak()
        return self.peak_rss_kib

    def output(self) -> str:
        """What this run has written so far."""
        if not self.log.exists():
            return ""
        with open(self.log, "rb") as handle:
            handle.seek(self._log_start)
            return handle.read().decode("utf-8", "replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    async def wait_for_output(self, text: str, within: float) -> str:
        """The first line of this run's output that holds ``text``."""
        deadline = time.monotonic() + within
        while True:
            for line in self.output().splitlines():
                if text in line:
                    return line
            if self.poll() is not None:
                raise RuntimeError(f"{self.name} ended ({self.returncode}):\n{self.tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} never said {text!r}:\n{self.tail()}")
            await asyncio.sleep(0.05)

    def close(self) -> None:
        if self.running and self._popen is not None:
            os.kill(self._popen.pid, signal.SIGKILL)
            os.waitpid(self._popen.pid, 0)
            self.returncode = self._popen.returncode = -signal.SIGKILL
