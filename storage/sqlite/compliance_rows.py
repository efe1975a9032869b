"""Conversions between SQLite rows and compliance records."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from evidence.case_number import CaseNumber
from evidence.errors import StorageFailure
from evidence.identifiers import DeviceId, EvidenceId
from evidence.strict_json import parse_time
from storage.compliance_records import (
    ActChange,
    ActRecord,
    ActValues,
    CaseRecord,
    CatalogueVersion,
    Decision,
    DecisionRecord,
    ExemptionReason,
    ExemptionRecord,
    Footage,
    Matched,
    Withdrawal,
)
from storage.sqlite.rows import moment, when


def new_id(cursor: sqlite3.Cursor) -> int:
    """The id an INSERT … RETURNING just made (both databases return it; PostgreSQL has
    no lastrowid). Read at once: the statement is done only when its row is read."""
    row = cursor.fetchone()
    if row is None:
        raise StorageFailure("the index gave no id for a new row")
    return int(row[0])


def texts(values: tuple[str, ...]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def act_columns(values: ActValues) -> tuple[Any, ...]:
    """case_number, act_type, started_at, ended_at, place, officers, devices, reference."""
    return (
        str(values.case_number),
        values.act_type,
        when(values.started_at),
        when(values.ended_at),
        values.place,
        texts(values.officers),
        texts(values.devices),
        values.reference,
    )


def catalogue(row: sqlite3.Row) -> CatalogueVersion:
    return CatalogueVersion(
        version=row["version"],
        csv_text=row["csv_text"],
        imported_by=row["imported_by"],
        imported_at=parse_time(row["imported_at"]),
    )


def case(row: sqlite3.Row) -> CaseRecord:
    return CaseRecord(
        case_number=CaseNumber(row["case_number"]),
        agency=row["agency"],
        subject=row["subject"],
        created_by=row["created_by"],
        created_at=parse_time(row["created_at"]),
    )


def act(row: sqlite3.Row) -> ActRecord:
    return ActRecord(
        act_id=row["act_id"],
        values=ActValues(
            case_number=CaseNumber(row["case_number"]),
            act_type=row["act_type"],
            started_at=parse_time(row["started_at"]),
            ended_at=parse_time(row["ended_at"]),
            place=row["place"],
            officers=tuple(json.loads(row["officers"])),
            devices=tuple(json.loads(row["devices"])),
            reference=row["reference"],
        ),
        revision=row["revision"],
        created_by=row["created_by"],
        created_at=parse_time(row["created_at"]),
        updated_by=row["updated_by"],
        updated_at=parse_time(row["updated_at"]),
    )


def act_change(row: sqlite3.Row) -> ActChange:
    return ActChange(
        act_id=row["act_id"],
        revision=row["revision"],
        changed_by=row["changed_by"],
        changed_at=parse_time(row["changed_at"]),
        reason=row["reason"],
        old=None if row["old"] is None else json.loads(row["old"]),
        new=json.loads(row["new"]),
    )


def decision(row: sqlite3.Row) -> DecisionRecord:
    return DecisionRecord(
        evidence_id=EvidenceId(row["evidence_id"]),
        act_id=row["act_id"],
        decision=Decision(row["decision"]),
        decided_by=row["decided_by"],
        decided_at=parse_time(row["decided_at"]),
        note=row["note"],
    )


def exemption(row: sqlite3.Row) -> ExemptionRecord:
    withdrawal = None
    if row["withdrawn_at"] is not None:
        withdrawal = Withdrawal(
            withdrawn_by=row["withdrawn_by"],
            withdrawn_at=parse_time(row["withdrawn_at"]),
            reason=row["withdrawal_reason"],
        )
    return ExemptionRecord(
        exemption_id=row["id"],
        act_id=row["act_id"],
        reason=ExemptionReason(row["reason"]),
        approver=row["approver"],
        approved_at=parse_time(row["approved_at"]),
        note=row["note"],
        recorded_by=row["recorded_by"],
        recorded_at=parse_time(row["recorded_at"]),
        act_revision=row["act_revision"],
        withdrawal=withdrawal,
        lapsed=row["act_revision"] != row["current_revision"],
    )


def footage(row: sqlite3.Row) -> Footage:
    return Footage(
        act_id=row["act_id"],
        matched=Matched(row["matched"]),
        evidence_id=EvidenceId(row["evidence_id"]),
        device_id=DeviceId(row["device_id"]),
        device_serial=row["device_serial"],
        officer_id=row["officer_id"],
        case_number=None if row["case_number"] is None else CaseNumber(row["case_number"]),
        started_at=parse_time(row["started_at"]),
        ended_at=moment(row["ended_at"]),
        received_at=parse_time(row["received_at"]),
        clock_offset_ms=row["clock_offset_ms"] or 0,
    )
