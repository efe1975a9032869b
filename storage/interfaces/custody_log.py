"""The custody log's store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from evidence.identifiers import EvidenceId, Role
from evidence.tlog.nodes import NodeId
from storage.log_records import AccessQuery, CheckpointRecord, LoggedLeaf, LogOrigin

__all__ = [
    "AccessLog",
    "CustodyLog",
    "LogAppend",
    "LogCheckpoints",
    "LogIngests",
    "LogOriginStore",
    "LogTree",
]


class LogAppend(Protocol):
    """Appending an entry that is an event of its own (an access)."""

    async def append(self, leaf: bytes) -> LoggedLeaf: ...


class LogTree(Protocol):
    """The log's entries and the hashes of its complete subtrees."""

    async def size(self) -> int: ...

    async def leaf(self, index: int) -> LoggedLeaf | None: ...

    async def find(self, leaf_hash: bytes) -> int | None:
        """The first entry with this RFC 6962 leaf hash."""
        ...

    async def leaves(self, start: int, limit: int) -> list[LoggedLeaf]:
        """Entries from ``start`` on, in order, at most ``limit`` (a page)."""
        ...

    async def nodes(self, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        """The stored hashes of these nodes; StorageFailure if any is missing."""
        ...

    async def tree(self) -> tuple[int, dict[NodeId, bytes]]:
        """The size now and the nodes of its root (``CompactRange.node_ids``), together."""
        ...


class LogIngests(Protocol):
    """Which objects' ingests the log holds."""

    async def ingest_leaf(self, evidence_id: EvidenceId, role: Role) -> LoggedLeaf | None:
        """The entry that logged this object's ingest (or its backfill)."""
        ...

    async def ingest_index(
        self, refs: Sequence[tuple[EvidenceId, Role]]
    ) -> dict[tuple[str, str], int]: ...

    async def unlogged_objects(self) -> list[tuple[EvidenceId, Role]]:
        """Objects the index holds whose ingest no entry logged."""
        ...

    async def indexed(self, refs: Sequence[tuple[EvidenceId, Role]]) -> set[tuple[str, str]]:
        """Which of these objects the index holds, as (evidence id, role) text."""
        ...


class LogOriginStore(Protocol):
    """Which log this is: its origin."""

    async def origin(self, proposed: LogOrigin) -> LogOrigin:
        """The origin the log was started with; ``proposed`` becomes it if there is none."""
        ...

    async def stored_origin(self) -> LogOrigin | None: ...


class LogCheckpoints(Protocol):
    """The checkpoints the server signed."""

    async def add_checkpoint(self, record: CheckpointRecord) -> CheckpointRecord:
        """Keep a signed checkpoint (one of that size already kept is returned; another
        root for the same size is refused)."""
        ...

    async def latest_checkpoint(self) -> CheckpointRecord | None: ...

    async def checkpoint(self, size: int) -> CheckpointRecord | None: ...

    async def checkpoints(self) -> list[CheckpointRecord]: ...


class AccessLog(Protocol):
    """The access entries, searched."""

    async def accesses(self, query: AccessQuery) -> list[LoggedLeaf]:
        """Access entries matching ``query``, newest first."""
        ...


class CustodyLog(
    LogAppend, LogTree, LogIngests, LogOriginStore, LogCheckpoints, AccessLog, Protocol
):
    """The custody log: leaves (exact bytes, numbered from 0), the hash of every complete
    subtree, the checkpoints the server signed, and which log this is. Append-only. An
    event appends its leaf in its own transaction (the ``leaf`` arguments above);
    ``append`` is for an event that is only its log entry (an access)."""
