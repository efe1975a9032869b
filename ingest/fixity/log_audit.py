"""The custody log checked against itself, its signed checkpoints and the index.

One pass over every entry, in order: each entry's leaf hash must be the stored node
(0, i) that proofs are made of, the entries must be numbered without a gap, and the root
recomputed from the entries must be the signed root of every checkpoint the server kept
(each one's signature checked with the log's public key from its key file, not the
index's copy). The tree the stored nodes make must be the tree the entries make, and no
smaller than the last checkpoint. So an entry edited or deleted after the trigger was
dropped, a node altered, a checkpoint rewritten or the log cut short is found, and where.

On the way, every ingest entry's object must still be in the index: one that is gone is
returned (``missing``) for the fixity audit to record as ``index_missing``; and objects
in the index that no entry logged are returned too (``unlogged``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from evidence import merkle
from evidence.errors import LiuhenError
from evidence.identifiers import EvidenceId, Role
from evidence.tlog.compact import CompactRange
from evidence.tlog.leaf_backfill import BackfillLeaf
from evidence.tlog.leaf_events import IngestLeaf
from evidence.tlog.leaves import parse_leaf
from evidence.tlog.nodes import NodeId
from evidence.tlog.trust import LogTrust
from storage.interfaces import CustodyLog
from storage.log_records import CheckpointRecord, LoggedLeaf

__all__ = ["LogAudit", "LogReport"]

log = logging.getLogger(__name__)

PAGE = 5000
_INGESTS = (b'"type":"liuhen.log.ingest"', b'"type":"liuhen.log.backfill"')


@dataclass
class LogReport:
    size: int = 0
    checkpoints: int = 0
    findings: list[str] = field(default_factory=list)
    missing: list[IngestLeaf] = field(default_factory=list)  # logged, gone from the index
    unlogged: list[tuple[EvidenceId, Role]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass
class _Walk:
    """The tree rebuilt entry by entry, held against each checkpoint as it reaches its size."""

    checkpoints: list[CheckpointRecord]
    report: LogReport
    tree: CompactRange = field(default_factory=CompactRange)

    def reached(self) -> None:
        while self.checkpoints and self.checkpoints[0].size == self.tree.size:
            checkpoint = self.checkpoints.pop(0)
            if checkpoint.root != self.tree.root():
                self.report.findings.append(
                    f"the entries up to {checkpoint.size} no longer make the root the server "
                    f"signed for them: an entry before {checkpoint.size} was changed or removed"
                )


@dataclass(frozen=True)
class LogAudit:
    log: CustodyLog
    trust: LogTrust | None  # the log's origin and public key; None before the log began

    async def run(self) -> LogReport:
        report = LogReport()
        checkpoints = await self.log.checkpoints()
        self._check_signatures(checkpoints, report)
        walk = _Walk(sorted(checkpoints, key=lambda c: c.size), report)
        walk.reached()
        start = 0
        while page := await self.log.leaves(start, PAGE):
            if not await self._page(page, walk, report):
                break
            start = page[-1].index + 1
        report.size = walk.tree.size
        await self._check_end(walk, checkpoints, report)
        report.unlogged = await self.log.unlogged_objects()
        for finding in report.findings:
            log.error("custody log: %s", finding)
        return report

    def _check_signatures(self, checkpoints: list[CheckpointRecord], report: LogReport) -> None:
        report.checkpoints = len(checkpoints)
        for record in checkpoints:
            if self.trust is None:
                report.findings.append("checkpoints are kept but the log's key is not")
                return
            try:
                signed = self.trust.open(record.note).checkpoint
            except LiuhenError as exc:
                report.findings.append(f"the checkpoint of {record.size}: {exc.message}")
                continue
            if (signed.size, signed.root) != (record.size, record.root):
                report.findings.append(
                    f"the checkpoint of {record.size} was rewritten in the index"
                )

    async def _page(self, page: list[LoggedLeaf], walk: _Walk, report: LogReport) -> bool:
        """Fold one page of entries into the walk; False once a gap ends the walk."""
        hashes = [merkle.leaf_hash(entry.body) for entry in page]
        try:
            nodes = await self.log.nodes([NodeId(0, entry.index) for entry in page])
        except LiuhenError as exc:
            report.findings.append(exc.message)
            nodes = {}
        for entry, leaf_hash in zip(page, hashes, strict=True):
            if entry.index != walk.tree.size:
                report.findings.append(f"entry {walk.tree.size} is missing from the log")
                return False
            if nodes and nodes.get(NodeId(0, entry.index)) != leaf_hash:
                report.findings.append(f"entry {entry.index} is not the entry that was logged")
            walk.tree = walk.tree.append(leaf_hash)[0]
            walk.reached()
        await self._check_ingests(page, report)
        return True

    async def _check_ingests(self, page: list[LoggedLeaf], report: LogReport) -> None:
        ingests: list[IngestLeaf] = []
        for entry in page:
            if not any(marker in entry.body for marker in _INGESTS):
                continue
            try:
                leaf = parse_leaf(entry.body)
            except LiuhenError:
                continue  # an edited entry: found by its hash above
            ingest = leaf.ingest if isinstance(leaf, BackfillLeaf) else leaf
            if isinstance(ingest, IngestLeaf):
                ingests.append(ingest)
        held = await self.log.indexed([(leaf.evidence_id, leaf.role) for leaf in ingests])
        report.missing += [
            leaf for leaf in ingests if (str(leaf.evidence_id), leaf.role.value) not in held
        ]

    async def _check_end(
        self, walk: _Walk, checkpoints: list[CheckpointRecord], report: LogReport
    ) -> None:
        largest = max((c.size for c in checkpoints), default=0)
        if walk.tree.size < largest:
            report.findings.append(
                f"the log holds {walk.tree.size} entries, fewer than the {largest} of its "
                "last checkpoint: entries were removed"
            )
        size = walk.tree.size
        if report.findings or size == 0:
            return
        try:
            nodes = await self.log.nodes(CompactRange.node_ids(size))
        except LiuhenError as exc:
            report.findings.append(exc.message)
            return
        if CompactRange.from_nodes(size, nodes.__getitem__).root() != walk.tree.root():
            report.findings.append("the stored nodes no longer make the tree of the entries")
