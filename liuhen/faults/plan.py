"""A chaos trial's plan, drawn at random from a seed: which files, which faults, when. Pure:
the same seed and trial number always give the same plan, so a trial that found something
can be run again alone (``bench/chaos.py --seed S --only N``).

A fault fires once the agent has sent ``at`` of the trial's bytes (as PATCH bodies through
the proxy), then ``delay`` seconds later: ``at`` 0 with a delay lands before the upload
starts (settling, hashing, signing, registering, creating), higher ones during it.

    kill_agent      SIGKILL the agent; it is started again at once
    kill_server     SIGKILL the server; the crashed books are checked, then it starts again
    cut / reset     the connection that carries the next ``value`` bytes is closed / reset
    partition       open connections stall and new ones are refused for ``value`` seconds
    flap            ``value`` breaks in a row (resets, refusals), about a second apart
    slow            the link to the server drops to ``value`` bytes a second from then on
    freeze          half-open: open connections freeze for good (the agent gives up a body
                    that stops moving or an answer that does not come, the server a body
                    that brings no byte)

Besides, each agent start may be armed with a failpoint (agent/failpoints.py) at a random
hit: the first starts take ``agent_failpoints`` in order, later ones none; and the
server's first starts likewise take ``server_failpoints`` (ingest/failpoints.py), drawn
after everything else, so a seed's files, faults and agent failpoints are as they were.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from agent import failpoints
from ingest import failpoints as server_points

__all__ = ["KINDS", "SAFE_KINDS", "Fault", "Plan", "draw_plan"]

KINDS = ("kill_agent", "kill_server", "cut", "reset", "partition", "flap", "slow", "freeze")
SAFE_KINDS = KINDS  # every kind, since the server survives a half-open link (issue 10)
INTERRUPTING = frozenset({"kill_agent", "kill_server", "cut", "reset", "partition", "freeze"})
_AGENT_POINTS = tuple(sorted(failpoints.NAMES - {failpoints.WHILE_REVIEW_COPY}))
_SERVER_POINTS = tuple(sorted(server_points.NAMES))


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    at: float  # share of the trial's bytes sent before it fires (0-1)
    delay: float  # seconds after that
    value: float = 0.0

    @property
    def interruptions(self) -> int:
        """Uploads in flight it may break (each allowed one chunk re-sent)."""
        if self.kind == "flap":
            return int(self.value)
        return 1 if self.kind in INTERRUPTING else 0

    def __str__(self) -> str:
        value = {
            "cut": f"({int(self.value)} B)",
            "reset": f"({int(self.value)} B)",
            "partition": f"({self.value:g} s)",
            "flap": f"(×{int(self.value)})",
            "slow": f"({self.value / 1e6:g} MB/s)",
        }.get(self.kind, "")
        return f"{self.kind}{value} at {self.at:.0%}+{self.delay:.1f}s"


@dataclass(frozen=True, slots=True)
class Plan:
    sizes: tuple[int, ...]
    faults: tuple[Fault, ...]
    agent_failpoints: tuple[str, ...]
    video: bool  # one real clip too, so review copies are made (and their failpoint armed)
    server_failpoints: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.sizes)

    def describe(self) -> str:
        mib = ", ".join(f"{size / 2**20:.1f}" for size in self.sizes)
        points = ", ".join(self.agent_failpoints) or "none"
        faults = ", ".join(map(str, self.faults)) or "none"
        video = " + a clip" if self.video else ""
        server = ", ".join(self.server_failpoints) or "none"
        return (
            f"files [{mib}] MiB{video}; faults {faults}; agent failpoints {points}; "
            f"server failpoints {server}"
        )


def _size(rng: random.Random, smallest: int, largest: int) -> int:
    """Log-uniform: as many small files as large ones."""
    return int(math.exp(rng.uniform(math.log(smallest), math.log(largest))))


def _fault(rng: random.Random, kind: str) -> Fault:
    at = 0.0 if rng.random() < 0.25 else rng.uniform(0.02, 0.95)
    delay = rng.uniform(0.0, 2.0) if at == 0.0 else rng.uniform(0.0, 0.3)
    value = {
        "cut": lambda: float(rng.randrange(0, 8 * 2**20)),
        "reset": lambda: float(rng.randrange(0, 8 * 2**20)),
        "partition": lambda: round(rng.uniform(0.5, 5.0), 1),
        "flap": lambda: float(rng.randint(2, 5)),
        "slow": lambda: float(rng.choice((200_000, 1_000_000, 4_000_000))),
    }.get(kind, lambda: 0.0)()
    return Fault(kind, at, delay, value)


def draw_plan(
    seed: int,
    trial: int,
    *,
    smallest: int,
    largest: int,
    files: int,
    faults: int,
    kinds: tuple[str, ...] = SAFE_KINDS,
    video: bool = False,
) -> Plan:
    rng = random.Random(f"{seed}:{trial}")  # noqa: S311 - a reproducible plan, not a secret
    sizes = tuple(_size(rng, smallest, largest) for _ in range(rng.randint(1, files)))
    drawn = sorted(
        (_fault(rng, rng.choice(kinds)) for _ in range(rng.randint(0, faults))),
        key=lambda fault: (fault.at, fault.delay),
    )
    points = list(_AGENT_POINTS) + ([failpoints.WHILE_REVIEW_COPY] if video else [])
    armed = tuple(
        f"{rng.choice(points)}=kill@{rng.randint(1, 4)}" for _ in range(rng.randint(0, 2))
    )
    server = tuple(
        f"{rng.choice(_SERVER_POINTS)}=kill@{rng.randint(1, 3)}" for _ in range(rng.randint(0, 1))
    )
    return Plan(sizes, tuple(drawn), armed, video, server)
