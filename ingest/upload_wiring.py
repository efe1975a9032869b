"""The upload room, built once from the books (``parts.Parts``): the tus sessions, finalize
and the sweeper (with its orphan sweep), which share the upload area, the locks and the
open uploads. ``wiring.build_services`` gathers it with the others."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from evidence.keys import Ed25519PrivateKey
from ingest.locks import KeyedLocks
from ingest.parts import Parts
from ingest.uploads.finalize import Finalizer, FinalizeRules
from ingest.uploads.open_uploads import OpenUploads
from ingest.uploads.orphans import OrphanSweep
from ingest.uploads.quotas import UploadLimits
from ingest.uploads.session import UploadSessions
from ingest.uploads.sweeper import Sweeper
from ingest.uploads.transitions import Transitions
from storage.backends import open_upload_area
from storage.interfaces import SignedDocuments
from storage.records import StoredObject

__all__ = ["UploadRoom", "upload_room"]


@dataclass(frozen=True)
class UploadRoom:
    """The upload services, which share the upload area, the locks and the open uploads."""

    sessions: UploadSessions
    finalizer: Finalizer
    sweeper: Sweeper


def _limits(parts: Parts) -> UploadLimits:
    config = parts.config
    return UploadLimits(
        config.upload_size_limit,
        config.max_open_uploads_per_device,
        config.max_reserved_bytes_per_device,
        timedelta(seconds=config.upload_expiry_seconds),
    )


def _finalize_rules(parts: Parts) -> FinalizeRules:
    compliance = parts.compliance
    return FinalizeRules(
        compliance.late_upload_hours,
        compliance.claim_tolerance_seconds,
        compliance.clock_drift_flag_seconds,
    )


def upload_room(
    parts: Parts,
    key: Ed25519PrivateKey,
    locks: KeyedLocks,
    after_stored: Callable[[StoredObject], Awaitable[None]] | None = None,
) -> UploadRoom:
    config, index, clock, store = parts.config, parts.index, parts.clock, parts.books.store
    area = open_upload_area(config.upload_area, config.uploads_dir, store)
    documents = store if isinstance(store, SignedDocuments) else None
    open_uploads = OpenUploads(index.uploads, area, parts.case_rule)
    transitions = Transitions(index.uploads, index.objects, area, open_uploads)
    limits = _limits(parts)
    rules = _finalize_rules(parts)
    return UploadRoom(
        UploadSessions(index.uploads, area, locks, open_uploads, transitions, clock, limits),
        Finalizer(
            index.uploads,
            store,
            documents,
            area,
            locks,
            open_uploads,
            transitions,
            key,
            clock,
            rules,
            after_stored,
        ),
        Sweeper(
            index.uploads,
            locks,
            transitions,
            clock,
            config.sweep_interval_seconds,
            OrphanSweep(index.uploads, area, locks, config.orphan_grace_seconds),
        ),
    )
