"""The chaos run (issue 10, item 6; not in CI): trial after trial, a fresh ingest server and
agent as separate processes with the fault proxy between them, random kills (SIGKILL at
random moments, and the agent's failpoints) and network faults on both, files of random
sizes; every invariant checked after each trial and at each server crash. Prints the
tally per trial and in total, and writes a Markdown report for docs/reliability.md.

    bench/chaos --trials 20 --seed 7
    bench/chaos --trials 200 --seed 7 --max-size 2G --report chaos.md
    bench/chaos --seed 7 --only 13 --keep     # one trial again, and keep its folder

Each trial is drawn from the seed and its number alone (liuhen/faults/plan.py), so
``--only`` replays it. Trial folders are removed unless a trial breaks an invariant (or
``--keep``): then its logs, books and footage stay for a look.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from liuhen.faults.checks import Limits
from liuhen.faults.invariants import Invariant, Tally
from liuhen.faults.plan import KINDS, SAFE_KINDS, draw_plan
from liuhen.faults.trial import CHAOS_AGENT, Outcome, run_trial

UNITS = {"K": 2**10, "M": 2**20, "G": 2**30}


def size(text: str) -> int:
    unit = UNITS.get(text[-1:].upper(), 1)
    return int(float(text[:-1] if unit > 1 else text) * unit)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--seed", type=int, help="default: a random one, printed")
    parser.add_argument("--only", type=int, help="run this trial number alone")
    parser.add_argument("--min-size", type=size, default=size("1M"))
    parser.add_argument("--max-size", type=size, default=size("64M"), help="up to 2G and more")
    parser.add_argument("--files", type=int, default=3, help="at most this many per trial")
    parser.add_argument("--faults", type=int, default=4, help="at most this many per trial")
    parser.add_argument("--kinds", default=",".join(SAFE_KINDS), help=f"of {', '.join(KINDS)}")
    parser.add_argument("--video", type=float, default=0.2, help="share of trials with a clip")
    parser.add_argument("--agent-rss", type=int, default=400, help="MiB")
    parser.add_argument("--server-rss", type=int, default=400, help="MiB")
    parser.add_argument("--workdir", type=Path, help="default: a temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep every trial's folder")
    parser.add_argument("--report", type=Path, help="write the Markdown report here")
    return parser.parse_args()


def print_outcome(outcome: Outcome, trials: int) -> None:
    verdict = "ok" if outcome.tally.ok else f"VIOLATED {sorted(outcome.tally.broken())}"
    print(
        f"trial {outcome.number}/{trials}: {outcome.plan.describe()}\n"
        f"  happened: {'; '.join(outcome.happened) or 'nothing'}\n"
        f"  {outcome.seconds:.1f} s, {outcome.interruptions} interruption(s), peak memory "
        f"agent {outcome.peak_mib[0]} MiB, server {outcome.peak_mib[1]} MiB: {verdict}",
        flush=True,
    )
    for invariant, detail in outcome.tally.violations:
        print(f"    {invariant}: {detail}", flush=True)


def report(
    args: argparse.Namespace, seed: int, head: str, outcomes: list[Outcome], total: Tally
) -> str:
    failed = [outcome for outcome in outcomes if not outcome.tally.ok]
    command = shlex.join(["bench/chaos", *sys.argv[1:]])
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores), Liuhen at `{head}`:",
        "",
        f"    {command}" + ("" if args.seed is not None else f" --seed {seed}"),
        "",
        f"{len(outcomes)} trials, seed {seed}; files {args.min_size / 2**20:g} MiB to "
        f"{args.max_size / 2**20:g} MiB, at most {args.files} a trial; at most {args.faults} "
        f"faults a trial, of {args.kinds}; agent {CHAOS_AGENT}. "
        f"{sum(o.interruptions for o in outcomes)} interruptions in all; "
        f"{sum(o.seconds for o in outcomes) / 60:.1f} minutes. Peak memory: agent "
        f"{max(o.peak_mib[0] for o in outcomes)} MiB, server {max(o.peak_mib[1] for o in outcomes)} MiB.",
        "",
        "| invariant | checked | violated |",
        "| --- | ---: | ---: |",
        *(
            f"| `{invariant}` | {total.checked[invariant]} | "
            f"{sum(1 for v in total.violations if v[0] is invariant)} |"
            for invariant in Invariant
        ),
        "",
        f"Trials with a violation: {len(failed)} of {len(outcomes)}.",
    ]
    for outcome in failed:
        lines += ["", f"- trial {outcome.number}: {outcome.plan.describe()}"]
        lines.append(f"  happened: {'; '.join(outcome.happened) or 'nothing'}")
        lines += [
            f"  - `{inv}`: {detail.splitlines()[0]}" for inv, detail in outcome.tally.violations
        ]
    return "\n".join(lines) + "\n"


def git_head() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent,
    )
    return done.stdout.strip() or "unknown"


async def run(args: argparse.Namespace, seed: int, workdir: Path) -> tuple[list[Outcome], Tally]:
    kinds = tuple(kind.strip() for kind in args.kinds.split(",") if kind.strip())
    limits = Limits(args.agent_rss, args.server_rss)
    numbers = [args.only] if args.only else range(1, args.trials + 1)
    outcomes, total = [], Tally()
    for number in numbers:
        plan = draw_plan(
            seed,
            number,
            smallest=args.min_size,
            largest=args.max_size,
            files=args.files,
            faults=args.faults,
            kinds=kinds,
            video=random.Random(f"{seed}:{number}:video").random() < args.video,
        )
        root = workdir / f"trial-{number:04d}"
        outcome = await run_trial(root, number, plan, limits)
        print_outcome(outcome, len(numbers) if args.only else args.trials)
        outcomes.append(outcome)
        total.merge(outcome.tally)
        if outcome.tally.ok and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        elif not outcome.tally.ok:
            print(f"  kept: {root}", flush=True)
    return outcomes, total


def main() -> int:
    args = arguments()
    unknown = set(args.kinds.split(",")) - set(KINDS)
    if unknown:
        sys.exit(f"unknown fault kinds: {', '.join(sorted(unknown))}")
    logging.basicConfig(level=logging.ERROR)  # the processes' own logs are in each trial
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    head = git_head()  # now: the tree may move while the run goes on
    print(f"chaos: seed {seed}, Liuhen at {head}", flush=True)
    started = time.monotonic()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="liuhen-chaos-"))
    outcomes, total = asyncio.run(run(args, seed, workdir))
    print(f"\nin total, {len(outcomes)} trials in {(time.monotonic() - started) / 60:.1f} min:")
    for line in total.lines():
        print(f"  {line}")
    if args.report is not None:
        args.report.write_text(report(args, seed, head, outcomes, total))
        print(f"report: {args.report}")
    return 0 if total.ok else 1


if __name__ == "__main__":
    sys.exit(main())
