"""Every invariant over one site at once (liuhen/faults/invariants.py): what a scenario
test asserts and a chaos trial tallies when its run is over."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evidence.digest import CHUNK_SIZE
from evidence.identifiers import Role
from liuhen.faults import invariants as inv
from liuhen.faults.sampler import OffsetSampler
from liuhen.faults.site import Site

__all__ = ["Limits", "check_site", "sources_by_evidence"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Peak resident memory each process may reach (MiB)."""

    agent_rss_mib: int = 400
    server_rss_mib: int = 400


def sources_by_evidence(site: Site) -> dict[str, Path]:
    return {
        str(row.evidence_id): row.path
        for row in site.agent_books.files()
        if row.role is Role.ORIGINAL
    }


def check_site(
    site: Site,
    *,
    sampler: OffsetSampler | None = None,
    interruptions: int = 0,
    in_flight: int | None = None,
    sources: list[Path] | None = None,
    rehash: bool = True,
    limits: Limits | None = None,
) -> inv.Tally:
    """``interruptions``: how many times the scenario broke uploads in flight (a cut, a
    reset, a kill...), each allowed to cost one chunk per file uploading at that moment:
    ``in_flight``, by default as many as the agent uploads at once, or the files if fewer."""
    limits = limits or Limits()
    tally = inv.Tally()
    books = site.server_books
    files = site.sources() if sources is None else sources
    if in_flight is None:
        in_flight = min(int(site.agent_options["max_parallel"]), max(1, len(files)))
    inv.check_recordings(tally, files, books, rehash=rehash)
    inv.check_receipts(tally, site.agent_books, site.server_key, books)
    if sampler is not None:
        inv.check_offsets(tally, sampler.samples, sampler.lengths)
    inv.check_durable_offsets(tally, books, sources_by_evidence(site))
    inv.check_orphans(tally, books)
    sizes = [stored.size for stored in books.objects()]
    chunk = min(CHUNK_SIZE, max(sizes, default=CHUNK_SIZE))  # a small file's chunk is itself
    patched = site.proxy.http.body_bytes["PATCH"]
    inv.check_resends(tally, patched, sum(sizes), interruptions * in_flight, chunk)
    inv.check_rss(tally, "agent", site.agent.peak_rss(), limits.agent_rss_mib * 1024)
    inv.check_rss(tally, "server", site.server.peak_rss(), limits.server_rss_mib * 1024)
    return tally
