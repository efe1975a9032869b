"""Who looked at what, when and why: the access entries of the custody log, read back from
the log's own bytes (the index only finds them), newest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evidence.strict_json import format_time
from evidence.tlog.leaf_events import AccessLeaf
from evidence.tlog.leaves import parse_leaf
from storage.interfaces import AccessLog
from storage.log_records import AccessQuery

__all__ = ["AccessAudit", "access_json"]


def access_json(index: int, leaf: AccessLeaf) -> dict[str, Any]:
    return {
        "log_index": index,
        "at": format_time(leaf.at),
        "actor": leaf.actor.to_json(),
        "action": leaf.action.value,
        "purpose": leaf.purpose,
        "case": leaf.case,
        "objects": [ref.to_json() for ref in leaf.objects],
    }


@dataclass(frozen=True)
class AccessAudit:
    log: AccessLog

    async def find(self, query: AccessQuery) -> list[dict[str, Any]]:
        found = []
        for entry in await self.log.accesses(query):
            leaf = parse_leaf(entry.body)
            if isinstance(leaf, AccessLeaf):
                found.append(access_json(entry.index, leaf))
        return found
