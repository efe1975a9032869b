"""The custody services, built once from the books (``parts.Parts``): re-verification and
the fixity audit, supervised retrieval and the access log, and the custody log's
checkpoints. ``wiring.build_services`` gathers them with the others; a command on the
server host builds the one it needs (``liuhen audit``, ``recordings verify``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from evidence.keys import Ed25519PublicKey
from evidence.tlog.trust import LogTrust
from ingest.compliance.desk import ComplianceDesk
from ingest.compliance.retention import RetentionReport
from ingest.compliance.retention_locks import LockKeeper
from ingest.custody.holds import HoldDesk
from ingest.custody.verification import Verifier
from ingest.custody_log.checkpoints import Cadence, Checkpointer
from ingest.custody_log.identity import LogIdentity
from ingest.custody_log.proofs import LogProofs
from ingest.custody_log.published_keys import KeyDirectory
from ingest.fixity.audit import FixityAudit, FixitySchedule
from ingest.fixity.log_audit import LogAudit
from ingest.parts import Parts
from ingest.retrieval.access_audit import AccessAudit
from ingest.retrieval.grants import Grants
from ingest.retrieval.retrieval import Retrieval, Target
from ingest.transfer.export import Exporter
from ingest.transfer.importer import Importer

__all__ = [
    "Keepers",
    "access_audit",
    "checkpointer",
    "exporter",
    "fixity_audit",
    "importer",
    "keepers",
    "retrieval",
    "verifier",
]


def verifier(parts: Parts, server_key: Callable[[], Ed25519PublicKey]) -> Verifier:
    index = parts.index
    return Verifier(
        index.objects,
        index.uploads,
        index.devices,
        index.log,
        parts.books.store,
        server_key,
        parts.case_rule,
        parts.clock,
    )


def fixity_audit(
    parts: Parts, server_key: Callable[[], Ed25519PublicKey], trust: LogTrust | None
) -> FixityAudit:
    """``trust``: the log's origin and public key (None before the log began)."""
    custody, index = parts.custody, parts.index
    return FixityAudit(
        index.objects,
        index.flags,
        verifier(parts, server_key),
        LogAudit(index.log, trust),
        parts.clock,
        FixitySchedule(custody.fixity_days, custody.fixity_round_seconds),
    )


def access_audit(parts: Parts) -> AccessAudit:
    return AccessAudit(parts.index.log)


def retrieval(parts: Parts) -> Retrieval:
    lifetime = timedelta(minutes=parts.custody.grant_minutes)
    grants: Grants[Target] = Grants(parts.clock, lifetime)
    index = parts.index
    return Retrieval(index.objects, parts.books.store, index.log, grants, parts.clock)


def checkpointer(parts: Parts, identity: LogIdentity) -> Checkpointer:
    custody = parts.custody
    cadence = Cadence(custody.checkpoint_interval_seconds, custody.checkpoint_entries)
    return Checkpointer(parts.index.log, identity, parts.clock, cadence)


def exporter(parts: Parts, proofs: LogProofs, keys: KeyDirectory) -> Exporter:
    index = parts.index
    return Exporter(
        index.objects,
        parts.books.store,
        parts.config.data_dir / "packages",
        index.uploads,
        index.devices,
        index.log,
        proofs,
        keys,
        parts.clock,
        parts.case_rule,
        parts.custody.log_host,
    )


def importer(parts: Parts) -> Importer:
    store, received = parts.books.store, parts.index.received
    config = parts.config
    work = config.data_dir / "packages"
    return Importer(received, store, parts.clock, work, config.max_upload_bytes)


@dataclass(frozen=True)
class Keepers:
    """Legal holds, the retention report, and the store's own locks (S3) that follow the
    index (docs/retention.md)."""

    holds: HoldDesk
    report: RetentionReport
    locks: LockKeeper


def keepers(parts: Parts, desk: ComplianceDesk) -> Keepers:
    index, clock = parts.index, parts.clock
    report = RetentionReport(desk, index.holds, parts.config.retention.rules(), clock)
    locks = LockKeeper(report, parts.books.store)
    cases, objects = index.compliance.cases, index.objects
    holds = HoldDesk(index.holds, cases, objects, parts.case_rule, clock, locks.on_hold)
    return Keepers(holds, report, locks)
