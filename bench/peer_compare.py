"""The same tus client (tus-js-client, from bench/peer/) uploads the same file to our
server and to the peer, `@tus/server` with its file store, alternating, in one run;
prints throughput, server CPU seconds per GiB and peak RSS for both.

    .venv/bin/python bench/peer_compare.py --size-mib 1024 --rounds 5

Run by `bench/peer/run`, which installs the pinned npm packages first. Our server is the
real application (`bench/raw_put_server.py`), with every check in place: a registered,
signed manifest per round, each 8 MiB PATCH hashed twice, checked against the signed chunk
list and fsynced before its 204, the upload verified and stored as it completes; each
round ends by asking for the receipt and checking its SHA-256. The peer hashes nothing and
never fsyncs. Server CPU is user+system time from /proc/<pid>/stat before and after each
upload. With --cpu-account our server also reports where its CPU went
(``BENCH_CPU_ACCOUNT``, ``runtime/cpu_account.py``). Results: printed, and JSON in
bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from upload_throughput import LIUHEN, ROOT, free_port, make_file, peak_rss_mib

from evidence.case_number import CaseNumberRule
from evidence.device_auth import answer_challenge
from evidence.digest import CHUNK_SIZE, Fingerprint, fingerprint_file
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.keys import Ed25519PrivateKey, key_id, public_key_pem
from evidence.manifest import (
    Capture,
    Manifest,
    Origin,
    SignedManifest,
    TimeSource,
    content_of,
)
from evidence.signing import PayloadType
from evidence.wire import AUTH_CHALLENGE, AUTH_TOKEN, FINALIZE, MANIFESTS

PEER_DIR = ROOT / "bench" / "peer"
TICK = os.sysconf("SC_CLK_TCK")
GIB = 2**30


def cpu_seconds(pid: int) -> float:
    """User + system seconds of a process, its ended threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def start(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def upload(job: dict[str, Any]) -> float:
    """One upload by the node client; its seconds, from its start to its success."""
    done = subprocess.run(
        ["node", str(PEER_DIR / "client.mjs"), json.dumps(job)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(json.loads(done.stdout)["seconds"])


class Ours:
    """Our server, one device signed in, and a manifest registered per upload."""

    def __init__(
        self, work: Path, source: Path, facts: Fingerprint, account: bool, tree: Path = ROOT
    ) -> None:
        self.port = free_port()
        work = work / f"ours-{self.port}"
        work.mkdir()
        self.data_dir = work / "data"
        env = dict(os.environ, BENCH_CPU_ACCOUNT="1" if account else "0")
        env["PYTHONPATH"] = str(tree)  # another tree's code, to compare in one run
        script = str(tree / "bench" / "raw_put_server.py")
        self.process = start(
            [sys.executable, script, "--data-dir", str(self.data_dir), "--port", str(self.port)],
            env,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.source, self.facts = source, facts
        self.key = Ed25519PrivateKey.generate()
        self.device = DeviceId("dock-peer-bench")
        self.previous: SignedManifest | None = None
        self._register_device(work)
        self.token = asyncio.run(self._sign_in())

    def _register_device(self, work: Path) -> None:
        public = work / "device.pub.pem"
        public.write_bytes(public_key_pem(self.key.public_key()))
        config = work / "server.toml"
        config.write_text(f'[server]\ndata_dir = "{self.data_dir}"\n')
        register = ["device", "register", str(self.device), "--public-key", str(public)]
        subprocess.run(
            [*LIUHEN, "--config", str(config), *register],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    async def _sign_in(self) -> str:
        async with aiohttp.ClientSession() as session:
            ask = {"device_id": str(self.device)}
            async with session.post(self.url + AUTH_CHALLENGE, json=ask) as reply:
                issued = await reply.json()
            challenge = base64.b64decode(issued["challenge"])
            answer = {
                "challenge": issued["challenge"],
                "challenge_signature": issued["signature"],
                "device_signature": base64.b64encode(
                    answer_challenge(challenge, self.key)
                ).decode(),
            }
            async with session.post(self.url + AUTH_TOKEN, json=answer) as reply:
                return str((await reply.json())["token"])

    def _manifest(self) -> SignedManifest:
        previous, now = self.previous, datetime.now(UTC)
        manifest = Manifest(
            evidence_id=EvidenceId.new(),
            role=Role.ORIGINAL,
            case_number=CaseNumberRule().parse("冀石执罚〔2026〕第0012号"),
            capture=Capture(
                started_at=now - timedelta(minutes=11),  # just before: not a late upload
                ended_at=now - timedelta(minutes=1),
                time_source=TimeSource.SIDECAR,
                place="bench",
                captured_by=None,
                proves=None,
            ),
            origin=Origin("bench", None, "liuhen-bench/peer"),
            device_id=self.device,
            key_id=key_id(self.key.public_key()),
            file_name="footage.bin",
            **content_of(self.facts),
            media_type="application/octet-stream",
            sequence=1 if previous is None else previous.manifest.sequence + 1,
            previous=None if previous is None else previous.sha256,
            created_at=now,
        )
        return SignedManifest.create(manifest, self.key)

    def _send(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", **headers}
        request = urllib.request.Request(self.url + path, body, headers, method=method)  # noqa: S310
        with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310 - our http URL
            return json.loads(reply.read())

    def job(self) -> dict[str, Any]:
        """Register the next manifest; the client's job for its upload."""
        signed = self.previous = self._manifest()
        self._send(
            "POST",
            MANIFESTS,
            signed.body,
            {
                "Content-Type": PayloadType.MANIFEST,
                "Liuhen-Signature": base64.b64encode(signed.signature).decode(),
            },
        )
        return {
            "endpoint": self.url + "/files/",
            "headers": {"Authorization": f"Bearer {self.token}"},
            "metadata": {
                "evidence_id": str(signed.manifest.evidence_id),
                "role": "original",
                "filename": "footage.bin",
            },
        }

    def check_stored(self) -> None:
        """The receipt of the last upload names the file's SHA-256."""
        assert self.previous is not None
        path = FINALIZE.format(evidence_id=self.previous.manifest.evidence_id, role="original")
        stored = self._send("POST", path, b"", {})
        if stored["sha256"] != self.facts.sha256.hex:
            raise RuntimeError(f"stored {stored['sha256']}, not {self.facts.sha256}")

    def account(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "/bench/cpu", timeout=10) as reply:  # noqa: S310
            return dict(json.loads(reply.read()))


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(pid: int, job: dict[str, Any]) -> tuple[float, float, float]:
    """One upload's seconds, the server's CPU seconds and the client's (the node client is
    a child that has ended by then, so its CPU is in RUSAGE_CHILDREN)."""
    before, client_before = cpu_seconds(pid), children_cpu_seconds()
    seconds = upload(job)
    return seconds, cpu_seconds(pid) - before, children_cpu_seconds() - client_before


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    source = work / "footage.bin"
    size = args.size_mib * 2**20
    make_file(source, size)
    facts = fingerprint_file(source, CHUNK_SIZE)
    ours = Ours(work, source, facts, args.cpu_account)
    other = None
    if args.compare is not None:
        other = Ours(work, source, facts, args.cpu_account, args.compare)
    peer_port = free_port()
    peer_store = work / "peer"
    peer = start(["node", str(PEER_DIR / "server.mjs"), str(peer_port), str(peer_store)])
    common = {"path": str(source), "chunkSize": args.patch_mib * 2**20}
    rounds: list[dict[str, float]] = []
    accounts: list[dict[str, Any]] = []
    other_accounts: list[dict[str, Any]] = []
    try:
        for n in range(args.rounds):
            peer_job = {"endpoint": f"http://127.0.0.1:{peer_port}/files", "headers": {}}
            peer_job["metadata"] = {"filename": "footage.bin"}
            peer_s, peer_cpu, peer_client = timed(peer.pid, {**common, **peer_job})
            for stored in peer_store.iterdir():
                stored.unlink()
            if args.cpu_account:
                ours.account()  # drains what the registration and the last round left
            ours_s, ours_cpu, ours_client = timed(ours.process.pid, {**common, **ours.job()})
            if args.cpu_account:
                accounts.append(ours.account())
            ours.check_stored()
            rounds.append(
                {"ours_s": ours_s, "ours_cpu_s": ours_cpu, "ours_client_cpu_s": ours_client}
            )
            rounds[-1].update(peer_s=peer_s, peer_cpu_s=peer_cpu, peer_client_cpu_s=peer_client)
            if other is not None:
                if args.cpu_account:
                    other.account()
                other_s, other_cpu, other_client = timed(
                    other.process.pid, {**common, **other.job()}
                )
                if args.cpu_account:
                    other_accounts.append(other.account())
                other.check_stored()
                rounds[-1].update(
                    other_s=other_s, other_cpu_s=other_cpu, other_client_cpu_s=other_client
                )
                print(f"round {n}: other tree {other_s:.2f} s ({other_cpu:.2f} s CPU)")
            print(
                f"round {n}: ours {ours_s:.2f} s ({ours_cpu:.2f} s CPU), "
                f"peer {peer_s:.2f} s ({peer_cpu:.2f} s CPU)",
                flush=True,
            )
        rss = {"ours": peak_rss_mib(ours.process.pid), "peer": peak_rss_mib(peer.pid)}
        if other is not None:
            rss["other"] = peak_rss_mib(other.process.pid)
    finally:
        for process in (ours.process, peer, *([] if other is None else [other.process])):
            process.terminate()
            process.wait()
    return summary(args, rounds, rss, accounts, other_accounts)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def summary(
    args: argparse.Namespace,
    rounds: list[dict[str, float]],
    rss: dict[str, float],
    accounts: list[dict[str, Any]],
    other_accounts: list[dict[str, Any]],
) -> dict[str, Any]:
    gib = args.size_mib / 1024
    mib = args.size_mib
    column = {key: [r[key] for r in rounds] for key in rounds[0]}
    ratios = [r["peer_s"] / r["ours_s"] for r in rounds]
    result: dict[str, Any] = {
        "size_mib": mib,
        "rounds": rounds,
        "ours_mib_s": spread([mib / s for s in column["ours_s"]]),
        "peer_mib_s": spread([mib / s for s in column["peer_s"]]),
        "throughput_ours_over_peer": spread(ratios),
        "ours_cpu_s_per_gib": spread([c / gib for c in column["ours_cpu_s"]]),
        "peer_cpu_s_per_gib": spread([c / gib for c in column["peer_cpu_s"]]),
        # The client's CPU beside each server's: on two cores, client and server together
        # bound the wall time from below at (client + server CPU) / 2.
        "client_cpu_s_per_gib_to_ours": spread([c / gib for c in column["ours_client_cpu_s"]]),
        "client_cpu_s_per_gib_to_peer": spread([c / gib for c in column["peer_client_cpu_s"]]),
        "peak_rss_mib": rss,
        "load_average_end": os.getloadavg(),
    }
    if "other_s" in column:
        result["other_mib_s"] = spread([mib / s for s in column["other_s"]])
        result["other_cpu_s_per_gib"] = spread([c / gib for c in column["other_cpu_s"]])
        result["throughput_ours_over_other"] = spread([r["other_s"] / r["ours_s"] for r in rounds])
    for key, kept in (("ours", accounts), ("other", other_accounts)):
        if kept:
            result[f"{key}_cpu_account_s_per_gib"] = account_table(kept, gib)
    return result


def account_table(accounts: list[dict[str, Any]], gib: float) -> dict[str, str]:
    names = sorted({name for account in accounts for name in account["sections"]})
    return {name: spread([a["sections"].get(name, 0.0) / gib for a in accounts]) for name in names}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cpu-account", action="store_true")
    parser.add_argument(
        "--patch-mib",
        type=int,
        default=CHUNK_SIZE // 2**20,
        help="bytes per PATCH (tus-js-client's chunkSize); the manifest's chunks stay "
        "8 MiB, so a larger PATCH carries several and is committed at each boundary",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        help="another source tree (e.g. a `git archive` of an older commit): its server "
        "runs too, third in each round",
    )
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory(
        prefix="liuhen-peer-", dir=os.environ.get("BENCH_DIR")
    ) as scratch:
        result = run(args, Path(scratch))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"peer-{args.size_mib}mib-{args.patch_mib}mib-patches.json").write_text(
        json.dumps(result, indent=2)
    )
    print(json.dumps({k: v for k, v in result.items() if k != "rounds"}, indent=2))


if __name__ == "__main__":
    main()
