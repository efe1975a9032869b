"""Cases and their enforcement acts. Cases are append-only; an act may be edited, and the
schema's triggers copy its old and new values into ``act_history`` with every edit."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from evidence.case_number import CaseNumber
from evidence.errors import ActConflict, CaseConflict, StaleRevision, UnknownAct, UnknownCase
from storage.compliance_records import (
    ActChange,
    ActRecord,
    ActValues,
    CaseRecord,
    ImportResult,
    ImportRow,
)
from storage.sqlite import compliance_rows as rows
from storage.sqlite import dialect
from storage.sqlite.database import SqliteDatabase, transaction
from storage.sqlite.log_append import append_leaf
from storage.sqlite.rows import when

# In the order of rows.act_columns; the INSERT and the UPDATE both follow it.
_ACT_COLUMNS = (
    "case_number",
    "act_type",
    "started_at",
    "ended_at",
    "place",
    "officers",
    "devices",
    "reference",
)
_INSERT_ACT = (
    f"INSERT INTO acts ({', '.join(_ACT_COLUMNS)}, revision, created_by, created_at, "  # noqa: S608
    f"updated_by, updated_at) VALUES ({', '.join('?' * len(_ACT_COLUMNS))}, 1, ?, ?, ?, ?) "
    "RETURNING act_id"
)
_UPDATE_ACT = (
    f"UPDATE acts SET {', '.join(f'{column} = ?' for column in _ACT_COLUMNS)}, "  # noqa: S608
    "revision = revision + 1, updated_by = ?, updated_at = ?, edit_reason = ? WHERE act_id = ?"
)


def _require_case(conn: sqlite3.Connection, case_number: CaseNumber) -> None:
    held = conn.execute("SELECT 1 FROM cases WHERE case_number = ?", (str(case_number),))
    if held.fetchone() is None:
        raise UnknownCase(f"no case {case_number}; register it first")


def _add_case(conn: sqlite3.Connection, case: CaseRecord) -> tuple[CaseRecord, bool]:
    row = conn.execute(
        "SELECT * FROM cases WHERE case_number = ?", (str(case.case_number),)
    ).fetchone()
    if row is not None:
        held = rows.case(row)
        if not held.same_case(case):
            field = "agency" if held.agency != case.agency else "subject"
            raise CaseConflict(
                f"case {case.case_number} is registered to {held.agency!r} about "
                f"{held.subject!r}, not {case.agency!r} about {case.subject!r}",
                case_number=str(case.case_number),
                field=field,
            )
        return held, False
    conn.execute(
        "INSERT INTO cases (case_number, agency, subject, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (str(case.case_number), case.agency, case.subject, case.created_by, when(case.created_at)),
    )
    return case, True


def _same_act(conn: sqlite3.Connection, values: ActValues) -> sqlite3.Row | None:
    """The held act that ``values`` describe again: by reference, else by type and times."""
    if values.reference is not None:
        return conn.execute(  # type: ignore[no-any-return]
            "SELECT * FROM acts WHERE case_number = ? AND reference = ?",
            (str(values.case_number), values.reference),
        ).fetchone()
    return conn.execute(  # type: ignore[no-any-return]
        "SELECT * FROM acts WHERE case_number = ? AND act_type = ? AND started_at = ? "
        "AND ended_at = ? ORDER BY act_id LIMIT 1",
        (str(values.case_number), values.act_type, when(values.started_at), when(values.ended_at)),
    ).fetchone()


def _add_act(
    conn: sqlite3.Connection, values: ActValues, by: str, now: datetime
) -> tuple[ActRecord, bool]:
    _require_case(conn, values.case_number)
    held = _same_act(conn, values)
    if held is not None:
        record = rows.act(held)
        if record.values != values:
            raise ActConflict(
                f"act {record.act_id} of case {values.case_number} is held with other values; "
                "edit it instead",
                act_id=record.act_id,
                field="reference" if values.reference is not None else "act",
            )
        return record, False
    cursor = conn.execute(_INSERT_ACT, (*rows.act_columns(values), by, when(now), by, when(now)))
    return ActRecord(rows.new_id(cursor), values, 1, by, now, by, now), True


class SqliteCases:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def add_case(self, case: CaseRecord) -> tuple[CaseRecord, bool]:
        def add(conn: sqlite3.Connection) -> tuple[CaseRecord, bool]:
            with transaction(conn):
                return _add_case(conn, case)

        return await self._db.run(add)

    async def case(self, case_number: CaseNumber) -> CaseRecord | None:
        def get(conn: sqlite3.Connection) -> CaseRecord | None:
            row = conn.execute(
                "SELECT * FROM cases WHERE case_number = ?", (str(case_number),)
            ).fetchone()
            return None if row is None else rows.case(row)

        return await self._db.run(get)

    async def add_act(self, values: ActValues, by: str, now: datetime) -> tuple[ActRecord, bool]:
        def add(conn: sqlite3.Connection) -> tuple[ActRecord, bool]:
            with transaction(conn):
                return _add_act(conn, values, by, now)

        return await self._db.run(add)

    async def act(self, act_id: int) -> ActRecord | None:
        def get(conn: sqlite3.Connection) -> ActRecord | None:
            row = conn.execute("SELECT * FROM acts WHERE act_id = ?", (act_id,)).fetchone()
            return None if row is None else rows.act(row)

        return await self._db.run(get)

    async def acts(self, act_ids: Sequence[int]) -> list[ActRecord]:
        def acts(conn: sqlite3.Connection) -> list[ActRecord]:
            cursor = conn.execute(
                f"SELECT * FROM acts WHERE act_id IN ({dialect.of(conn).ints_in('?')}) "  # noqa: S608
                "ORDER BY act_id",
                (json.dumps(list(act_ids)),),
            )
            return [rows.act(row) for row in cursor]

        return await self._db.run(acts)

    async def acts_of(self, case_number: CaseNumber) -> list[ActRecord]:
        def acts_of(conn: sqlite3.Connection) -> list[ActRecord]:
            cursor = conn.execute(
                "SELECT * FROM acts WHERE case_number = ? ORDER BY started_at, act_id",
                (str(case_number),),
            )
            return [rows.act(row) for row in cursor]

        return await self._db.run(acts_of)

    async def edit_act(
        self,
        act_id: int,
        revision: int,
        values: ActValues,
        by: str,
        reason: str | None,
        now: datetime,
        *,
        leaf: bytes | None = None,
    ) -> ActRecord:
        def edit(conn: sqlite3.Connection) -> ActRecord:
            with transaction(conn):
                held = conn.execute("SELECT * FROM acts WHERE act_id = ?", (act_id,)).fetchone()
                if held is None:
                    raise UnknownAct(f"no act {act_id}")
                if held["revision"] != revision:
                    raise StaleRevision(
                        f"act {act_id} is at revision {held['revision']}, not {revision}",
                        revision=held["revision"],
                    )
                _require_case(conn, values.case_number)
                try:
                    conn.execute(
                        _UPDATE_ACT, (*rows.act_columns(values), by, when(now), reason, act_id)
                    )
                except sqlite3.IntegrityError as exc:
                    if "UNIQUE" not in str(exc):
                        raise
                    raise ActConflict(
                        f"case {values.case_number} already has an act with reference "
                        f"{values.reference!r}",
                        field="reference",
                    ) from exc
                if leaf is not None:
                    append_leaf(conn, leaf)
                return rows.act(
                    conn.execute("SELECT * FROM acts WHERE act_id = ?", (act_id,)).fetchone()
                )

        return await self._db.run(edit)

    async def history(self, act_id: int) -> list[ActChange]:
        def history(conn: sqlite3.Connection) -> list[ActChange]:
            cursor = conn.execute(
                "SELECT * FROM act_history WHERE act_id = ? ORDER BY revision", (act_id,)
            )
            return [rows.act_change(row) for row in cursor]

        return await self._db.run(history)

    async def import_rows(
        self, items: Sequence[ImportRow], by: str, now: datetime, *, commit: bool = True
    ) -> ImportResult:
        def import_rows(conn: sqlite3.Connection) -> ImportResult:
            try:
                with transaction(conn):
                    result = _import_rows(conn, items, by, now)
                    if not commit:
                        raise _DryRun(result)  # rolls the transaction back
            except _DryRun as dry:
                return dry.result
            return result

        return await self._db.run(import_rows)


class _DryRun(Exception):
    def __init__(self, result: ImportResult) -> None:
        super().__init__("dry run")
        self.result = result


def _import_rows(
    conn: sqlite3.Connection, items: Sequence[ImportRow], by: str, now: datetime
) -> ImportResult:
    cases = acts = unchanged = 0
    for item in items:
        try:
            cases += _add_case(conn, item.case)[1]
            if item.act is not None:
                new = _add_act(conn, item.act, by, now)[1]
                acts += new
                unchanged += not new
        except (CaseConflict, ActConflict) as exc:
            # The row goes in the details; the caller words the message.
            raise type(exc)(exc.message, row=item.row, **exc.details) from exc
    return ImportResult(cases, acts, unchanged)
