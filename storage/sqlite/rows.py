"""Conversions between SQLite rows and records."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from evidence.case_number import CaseNumber
from evidence.digest import Sha256
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.strict_json import parse_time
from storage.records import (
    DeviceKeyRecord,
    DeviceRecord,
    DeviceStatus,
    FlagRecord,
    ManifestRecord,
    StoredObject,
    UploadRecord,
    UploadState,
    VerificationRecord,
)


def when(moment: datetime | None) -> str | None:
    """Fixed-width UTC text, so SQL compares times as strings correctly: the year always
    has four digits (``strftime`` writes year 500 as ``500``, which no reader parses back).
    A time that cannot be moved to UTC (year 1 east of it, 9999 west) is refused: what
    reaches the index is range-checked first (evidence/ranges.py)."""
    if moment is None:
        return None
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{moment.isoformat()} cannot be written as UTC") from None
    return f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S.%fZ")


def moment(text: str | None) -> datetime | None:
    return None if text is None else parse_time(text)


def device(row: sqlite3.Row) -> DeviceRecord:
    return DeviceRecord(
        device_id=DeviceId(row["device_id"]),
        label=row["label"],
        status=DeviceStatus(row["status"]),
        registered_at=parse_time(row["registered_at"]),
        revoked_at=moment(row["revoked_at"]),
    )


def device_key(row: sqlite3.Row) -> DeviceKeyRecord:
    return DeviceKeyRecord(
        key_id=row["key_id"],
        device_id=DeviceId(row["device_id"]),
        public_key=bytes(row["public_key"]),
        added_at=parse_time(row["added_at"]),
    )


def manifest(row: sqlite3.Row) -> ManifestRecord:
    return ManifestRecord(
        evidence_id=EvidenceId(row["evidence_id"]),
        role=Role(row["role"]),
        device_id=DeviceId(row["device_id"]),
        key_id=row["key_id"],
        sequence=row["sequence"],
        previous_sha256=None if row["previous_sha256"] is None else Sha256(row["previous_sha256"]),
        manifest_sha256=Sha256(row["manifest_sha256"]),
        body=bytes(row["body"]),
        signature=bytes(row["signature"]),
        case_number=None if row["case_number"] is None else CaseNumber(row["case_number"]),
        registered_at=parse_time(row["registered_at"]),
    )


def upload(row: sqlite3.Row) -> UploadRecord:
    return UploadRecord(
        upload_id=row["upload_id"],
        evidence_id=EvidenceId(row["evidence_id"]),
        role=Role(row["role"]),
        device_id=DeviceId(row["device_id"]),
        length=row["length"],
        offset=row["upload_offset"],
        state=UploadState(row["state"]),
        metadata=row["metadata"],
        created_at=parse_time(row["created_at"]),
        expires_at=parse_time(row["expires_at"]),
        error_code=row["error_code"],
        error_message=row["error_message"],
    )


def stored_object(row: sqlite3.Row) -> StoredObject:
    return StoredObject(
        evidence_id=EvidenceId(row["evidence_id"]),
        role=Role(row["role"]),
        device_id=DeviceId(row["device_id"]),
        sequence=row["sequence"],
        manifest_sha256=Sha256(row["manifest_sha256"]),
        sha256=Sha256(row["sha256"]),
        size=row["size"],
        chunk_root=Sha256(row["chunk_root"]),
        store=row["store"],
        locator=row["locator"],
        case_number=None if row["case_number"] is None else CaseNumber(row["case_number"]),
        started_at=parse_time(row["started_at"]),
        ended_at=moment(row["ended_at"]),
        place=row["place"],
        officer_id=row["officer_id"],
        file_name=row["file_name"],
        received_at=parse_time(row["received_at"]),
        receipt_body=bytes(row["receipt_body"]),
        receipt_signature=bytes(row["receipt_signature"]),
        claimed_started_at=moment(row["claimed_started_at"]),
        claimed_ended_at=moment(row["claimed_ended_at"]),
    )


def verification(row: sqlite3.Row) -> VerificationRecord:
    return VerificationRecord(
        evidence_id=EvidenceId(row["evidence_id"]),
        role=Role(row["role"]),
        checked_at=parse_time(row["checked_at"]),
        ok=bool(row["ok"]),
        detail=row["detail"],
    )


def flag(row: sqlite3.Row) -> FlagRecord:
    return FlagRecord(
        flag_id=row["id"],
        kind=row["kind"],
        subject=row["subject"],
        device_id=None if row["device_id"] is None else DeviceId(row["device_id"]),
        evidence_id=None if row["evidence_id"] is None else EvidenceId(row["evidence_id"]),
        role=None if row["role"] is None else Role(row["role"]),
        detail=row["detail"],
        raised_at=parse_time(row["raised_at"]),
        resolved_at=moment(row["resolved_at"]),
        resolution=row["resolution"],
        resolved_by=row["resolved_by"],
    )
