"""Named failpoints: places where the agent kills itself on purpose, so tests and the chaos
run can crash it at the worst moments and check that nothing is lost (docs/reliability.md).

    LIUHEN_FAILPOINTS=agent.mid_patch                        kill at the first hit
    LIUHEN_FAILPOINTS=agent.after_204_before_journal=kill@3  kill at the third hit
    LIUHEN_FAILPOINTS=agent.while_hashing,agent.mid_patch     several, comma-separated

A kill is SIGKILL sent by the process to itself: no ``finally``, no ``atexit``, no flush,
as the OOM killer or a crash would leave it (the kernel's page cache survives, as it would
not survive a power cut). One line is logged first, so a test can tell which point fired.

Switched off (the variable unset or empty), ``hit`` is one lookup in an empty dict. Only
``arm_from_environment``, called once as the agent starts, switches them on, and it
refuses a name or action it does not know: a mistyped failpoint that never fired would let
a crash test pass without crashing anything. ``hit`` may be called from worker threads
(hashing, transcoding).

The server will have its own points (``server.…``) beside its code; each process arms only
the names of its own side and ignores the other side's, so one variable may carry both.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from evidence.errors import ConfigError

__all__ = [
    "AFTER_204",
    "AFTER_COMMAND_RECORDED",
    "AFTER_CREATE",
    "AFTER_FINALIZE",
    "BEFORE_COMMAND_RECORDED",
    "ENVIRONMENT",
    "MID_PATCH",
    "NAMES",
    "WHILE_HASHING",
    "WHILE_REVIEW_COPY",
    "arm",
    "arm_from_environment",
    "armed",
    "disarm",
    "hit",
    "parse",
]

log = logging.getLogger(__name__)

ENVIRONMENT = "LIUHEN_FAILPOINTS"
# The other side's points, passed over in the same variable.
_OTHER_SIDES = ("server.",)

# After the server created the upload, before its URL is in the journal.
AFTER_CREATE = "agent.after_create_before_url_saved"
# Half-way through a PATCH body (after its first MiB).
MID_PATCH = "agent.mid_patch"
# After a PATCH came back 204, before the agent acts on it (the next chunk, or the
# journal's move to ``uploaded`` after the last one). The agent keeps no offset of its
# own: the server's committed offset is the truth, asked again with HEAD on resume.
AFTER_204 = "agent.after_204_before_journal"
# After finalize answered with a receipt that verifies, before the journal stores it.
AFTER_FINALIZE = "agent.after_finalize_before_receipt_saved"
# In the middle of reading a file for its fingerprint (after each MiB).
WHILE_HASHING = "agent.while_hashing"
# In the middle of a review copy's transcode (at each video frame).
WHILE_REVIEW_COPY = "agent.while_making_review_copy"
# An MQTT command received, inside the transaction that records its id, before the insert.
BEFORE_COMMAND_RECORDED = "agent.before_command_recorded"
# An MQTT command's id recorded, before it is answered (and acknowledged to the broker).
AFTER_COMMAND_RECORDED = "agent.after_command_recorded"

NAMES = frozenset(
    {
        AFTER_CREATE,
        MID_PATCH,
        AFTER_204,
        AFTER_FINALIZE,
        WHILE_HASHING,
        WHILE_REVIEW_COPY,
        BEFORE_COMMAND_RECORDED,
        AFTER_COMMAND_RECORDED,
    }
)
_ACTIONS = frozenset({"kill"})


@dataclass(slots=True)
class _Point:
    action: str
    at: int  # fire at this hit (from 1)
    hits: int = 0


_armed: dict[str, _Point] = {}
_lock = threading.Lock()


def hit(name: str) -> None:
    """Pass the failpoint ``name``: nothing unless it is armed and this is its hit."""
    point = _armed.get(name)
    if point is None:
        return
    with _lock:
        point.hits += 1
        fire = point.hits == point.at
    if fire:
        _kill(name, point.hits)


def armed(name: str) -> bool:
    return name in _armed


def _kill(name: str, hits: int) -> None:
    log.warning("failpoint %s (hit %d): killing the agent (SIGKILL)", name, hits)
    os.kill(os.getpid(), signal.SIGKILL)


def parse(text: str, names: frozenset[str] = NAMES) -> dict[str, _Point]:
    """``name[=action[@hit]]`` items, comma-separated; items of another side are skipped."""
    points: dict[str, _Point] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, spec = item.partition("=")
        name = name.strip()
        if name.startswith(_OTHER_SIDES):
            continue
        if name not in names:
            raise ConfigError(f"{ENVIRONMENT}: no failpoint {name!r}; known: {sorted(names)}")
        action, _, count = (spec.strip() or "kill").partition("@")
        if action not in _ACTIONS:
            raise ConfigError(f"{ENVIRONMENT}: {name}: no action {action!r}; known: kill")
        try:
            at = int(count) if count else 1
        except ValueError:
            at = 0
        if at < 1:
            raise ConfigError(f"{ENVIRONMENT}: {name}: the hit after @ must be 1 or more")
        points[name] = _Point(action, at)
    return points


def arm(text: str) -> list[str]:
    """Arm the failpoints ``text`` names (replacing any armed before); return their names."""
    points = parse(text)
    with _lock:
        _armed.clear()
        _armed.update(points)
    for name, point in points.items():
        log.warning("failpoint %s armed: %s at hit %d", name, point.action, point.at)
    return sorted(points)


def arm_from_environment(environ: Mapping[str, str] = os.environ) -> list[str]:
    return arm(environ.get(ENVIRONMENT, ""))


def disarm() -> None:
    with _lock:
        _armed.clear()
