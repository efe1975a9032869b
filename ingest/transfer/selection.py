"""What an export takes: the stored objects of a case, or of named recordings (each with
its review copy and transcript), and the log entries about them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from evidence.errors import BadRequest, NotFound
from evidence.identifiers import EvidenceId
from storage.interfaces import LogTree, ObjectLookup
from storage.log_records import LoggedLeaf
from storage.records import StoredObject

__all__ = ["MAX_OBJECTS", "entries_about", "objects_of"]

MAX_OBJECTS = 10_000
_PAGE = 1000


async def objects_of(
    objects: ObjectLookup, case: str | None, evidence_ids: Sequence[EvidenceId]
) -> list[StoredObject]:
    """Every stored object of the case's originals, or of these recordings."""
    ids = list(dict.fromkeys(evidence_ids))
    if case is not None:
        offset = 0
        while page := await objects.originals(case, _PAGE, offset):
            ids += [o.evidence_id for o in page if o.evidence_id not in ids]
            offset += len(page)
    found: list[StoredObject] = []
    for evidence_id in ids:
        held = await objects.of_recording(evidence_id)
        if not held:
            raise NotFound(f"no stored recording {evidence_id}")
        found += held
        if len(found) > MAX_OBJECTS:
            raise BadRequest(f"a package holds at most {MAX_OBJECTS} objects: export less")
    if not found:
        raise NotFound(f"case {case} has no stored recordings")
    return found


def _mentions(value: Any, ids: set[str], cases: set[str]) -> bool:
    """Whether a leaf (as JSON) names one of these recordings or cases anywhere."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and (
                (key == "evidence_id" and item in ids) or (key == "case" and item in cases)
            ):
                return True
            if _mentions(item, ids, cases):
                return True
    elif isinstance(value, list):
        return any(_mentions(item, ids, cases) for item in value)
    return False


async def entries_about(
    log: LogTree, size: int, stored: Iterable[StoredObject], case: str | None
) -> list[LoggedLeaf]:
    """Every entry of the first ``size`` that names these recordings or their cases: their
    ingests, accesses, fixity results, decisions. Reads the log once, a page at a time."""
    ids = {str(o.evidence_id) for o in stored}
    cases = {str(o.case_number) for o in stored if o.case_number is not None}
    cases |= set() if case is None else {case}
    about: list[LoggedLeaf] = []
    for start in range(0, size, _PAGE):
        for entry in await log.leaves(start, min(_PAGE, size - start)):
            if _mentions(json.loads(entry.body), ids, cases):
                about.append(entry)
    return about
