"""Catching up an index kept by a version before issue 8 (``liuhen upgrade-check``).

Registrations were not one transaction then: a manifest could be kept without the room
segment, fingerprints or flags derived from it, and its retry answered 200 and wrote
nothing more. What registration derives from a manifest's own bytes (the segment, the
fingerprints, the ``metadata_incomplete`` and ``undecodable`` flags) is derived again
and written where nothing of its kind is held. Chain flags (``sequence_gap``,
``sequence_fork``) are not: they were read from the device's chain as it stood when the
manifest arrived, which later manifests have changed, so deriving them now would tell a
different story; the chain's holes and forks can be read from the manifests at any time.

Bodies were read with one read then, so a transcript or a CSV import sent in several
TCP writes could be kept cut short under a signed receipt; nothing recorded the length
declared. Only a person holding the sent file can tell: they are listed to be checked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from evidence.case_number import CaseNumberRule
from evidence.errors import LiuhenError
from evidence.identifiers import EvidenceId, Role
from evidence.manifest import Manifest
from evidence.ranges import INT64_MAX
from ingest.custody.media_notes import media_notes
from ingest.custody.registration import missing_metadata
from storage.interfaces import CatchUp, Manifests
from storage.records import Derived

__all__ = ["Filled", "fill_half_stores"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Filled:
    """What one manifest lacked: written (or, in a dry run, to write), or why not."""

    evidence_id: EvidenceId
    role: Role
    missing: Derived
    problem: str | None = None


def _notes(manifest: Manifest, now: datetime) -> Derived:
    """What registration derives from a manifest's own bytes (not from the chain)."""
    media = media_notes(manifest, now)
    segment = media.segment
    if segment is not None and segment.index > INT64_MAX:
        segment = None  # an index no column holds: refused on arrival now
    return Derived(
        segment=segment,
        prints=media.prints,
        flags=(*missing_metadata(manifest, now), *media.flags),
    )


async def fill_half_stores(
    uploads: Manifests,
    catch_up: CatchUp,
    case_rule: CaseNumberRule,
    now: datetime,
    before: datetime,
    *,
    write: bool,
) -> list[Filled]:
    """Each manifest registered before ``before`` that lacks something registration
    derives from it, and what: written when ``write``."""
    found = []
    for evidence_id, role in await catch_up.registered_before(before):
        record = await uploads.manifest(evidence_id, role)
        if record is None:
            continue
        try:
            manifest = Manifest.read_stored(record.body, case_rule)
            missing = await catch_up.fill(_notes(manifest, now), write=write)
        except LiuhenError as exc:
            found.append(Filled(evidence_id, role, Derived(), f"{exc.code}: {exc.message}"))
            continue
        if missing.segment is not None or missing.prints or missing.flags:
            log.warning("%s/%s lacked what its registration derives", evidence_id, role)
            found.append(Filled(evidence_id, role, missing))
    return found
