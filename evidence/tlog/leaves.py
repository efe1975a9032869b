"""The log's leaves: typed records, one canonical JSON spelling each, hashed as RFC 6962.

Each leaf is a JSON object with ``type`` and ``version`` first in meaning (keys are sorted
in the bytes), written as ``strict_json.canonical_bytes`` writes manifests. Its leaf hash
is ``SHA-256(0x00 || exact bytes)``. ``parse_leaf`` refuses unknown types and versions,
unknown or missing fields, and any bytes that are not the canonical spelling of what they
say (whitespace, key order, escapes, a time not in UTC), so one record has one leaf hash.

    liuhen.log.ingest     a recording's object was verified and stored (the receipt)
    liuhen.log.backfill   an object stored before the log existed, logged when it began
    liuhen.log.access     a person viewed, streamed, downloaded or exported, and why
    liuhen.log.custody    custody changed: received from another agency, with provenance
    liuhen.log.decision   a compliance decision: who, when, why, about what
    liuhen.log.fixity     an audit re-read an object: ok, or the step (and chunk) that failed
    liuhen.log.hold       a legal hold set on a case or recording, or lifted: who, when, why

A new kind of event is a new type (or a new version of one) added to ``_READERS``; the
records of docs/custody-log.md#leaves stay readable as they were written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol

from evidence import merkle
from evidence.errors import MalformedLogLeaf
from evidence.strict_json import Fields, canonical_bytes, loads_object
from evidence.tlog.leaf_backfill import BackfillLeaf
from evidence.tlog.leaf_decisions import CustodyLeaf, DecisionLeaf
from evidence.tlog.leaf_events import AccessLeaf, FixityLeaf, IngestLeaf
from evidence.tlog.leaf_holds import HoldLeaf

__all__ = ["MAX_LEAF_BYTES", "LogLeaf", "leaf_bytes", "leaf_hash", "parse_leaf"]

MAX_LEAF_BYTES = 256 * 1024


class LogLeaf(Protocol):
    TYPE: ClassVar[str]
    VERSION: ClassVar[int]

    def to_json(self) -> dict[str, Any]: ...


_READERS: dict[tuple[str, int], Callable[[Fields], LogLeaf]] = {
    (kind.TYPE, kind.VERSION): kind.read
    for kind in (
        IngestLeaf,
        BackfillLeaf,
        AccessLeaf,
        CustodyLeaf,
        DecisionLeaf,
        FixityLeaf,
        HoldLeaf,
    )
}


def leaf_bytes(leaf: LogLeaf) -> bytes:
    """The exact bytes that are logged."""
    data = canonical_bytes({"type": leaf.TYPE, "version": leaf.VERSION, **leaf.to_json()})
    if len(data) > MAX_LEAF_BYTES:
        raise MalformedLogLeaf(f"a log leaf is at most {MAX_LEAF_BYTES} bytes")
    return data


def leaf_hash(leaf: LogLeaf) -> bytes:
    return merkle.leaf_hash(leaf_bytes(leaf))


def parse_leaf(data: bytes) -> LogLeaf:
    """Read a leaf's exact bytes; raise ``MalformedLogLeaf`` unless they are canonical."""
    if len(data) > MAX_LEAF_BYTES:
        raise MalformedLogLeaf(f"a log leaf is at most {MAX_LEAF_BYTES} bytes")
    fields = Fields(loads_object(data, MalformedLogLeaf, "log leaf"), MalformedLogLeaf)
    kind = fields.text("type", max_length=64)
    version = fields.integer("version", minimum=1, maximum=1000)
    reader = _READERS.get((kind, version))
    if reader is None:
        raise MalformedLogLeaf(f"no log leaf of type {kind!r} version {version}", field="type")
    leaf = reader(fields)
    fields.done()
    if leaf_bytes(leaf) != data:
        raise MalformedLogLeaf("a log leaf must be in canonical form (sorted keys, no spaces, UTC)")
    return leaf
