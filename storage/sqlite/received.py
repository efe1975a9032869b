"""Evidence received from other agencies in the SQLite index (``received_packages``,
``received_objects`` in schema.sql; append-only by trigger). A package is kept once, with
its objects and its custody log entry, in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace

from evidence.digest import Sha256
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.strict_json import parse_time
from storage.received_records import ReceivedObject, ReceivedPackage
from storage.sqlite import dialect
from storage.sqlite.database import SqliteDatabase, transaction
from storage.sqlite.log_append import append_leaf
from storage.sqlite.rows import when

__all__ = ["SqliteReceived"]

_PACKAGE_COLUMNS = (
    "package_sha256, agency, origin, checkpoint_size, checkpoint_root, sent_by, sent_at, "
    "received_by, received_at, leaf_idx"
)


def _package(row: sqlite3.Row) -> ReceivedPackage:
    return ReceivedPackage(
        Sha256(row["package_sha256"]),
        row["agency"],
        row["origin"],
        row["checkpoint_size"],
        Sha256(row["checkpoint_root"]),
        row["sent_by"],
        parse_time(row["sent_at"]),
        row["received_by"],
        parse_time(row["received_at"]),
        row["leaf_idx"],
    )


def _object(row: sqlite3.Row) -> ReceivedObject:
    return ReceivedObject(
        Sha256(row["sha256"]),
        EvidenceId(row["evidence_id"]),
        Role.parse(row["role"]),
        DeviceId(row["device_id"]),
        row["size"],
        row["store"],
        row["locator"],
        row["case_number"],
        bytes(row["manifest_body"]),
        bytes(row["manifest_signature"]),
        bytes(row["receipt_body"]),
        bytes(row["receipt_signature"]),
    )


def _find(conn: sqlite3.Connection, package_sha256: Sha256) -> ReceivedPackage | None:
    row = conn.execute(
        f"SELECT {_PACKAGE_COLUMNS} FROM received_packages WHERE package_sha256 = ?",  # noqa: S608
        (package_sha256.hex,),
    ).fetchone()
    return None if row is None else _package(row)


def _insert(
    conn: sqlite3.Connection, package: ReceivedPackage, items: Sequence[ReceivedObject]
) -> None:
    p = package
    conn.execute(
        f"INSERT INTO received_packages ({_PACKAGE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",  # noqa: S608
        (
            p.package_sha256.hex, p.agency, p.origin, p.checkpoint_size, p.checkpoint_root.hex,
            p.sent_by, when(p.sent_at), p.received_by, when(p.received_at), p.log_index,
        ),
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO received_objects (package_sha256, sha256, evidence_id, role, device_id, "
        "size, store, locator, case_number, manifest_body, manifest_signature, receipt_body, "
        "receipt_signature) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                p.package_sha256.hex, o.sha256.hex, str(o.evidence_id), o.role.value,
                str(o.device_id), o.size, o.store, o.locator, o.case_number, o.manifest_body,
                o.manifest_signature, o.receipt_body, o.receipt_signature,
            )
            for o in items
        ],
    )  # fmt: skip


class SqliteReceived:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def package(self, package_sha256: Sha256) -> ReceivedPackage | None:
        return await self._db.run(lambda conn: _find(conn, package_sha256))

    async def objects(self, package_sha256: Sha256) -> list[ReceivedObject]:
        def objects(conn: sqlite3.Connection) -> list[ReceivedObject]:
            rows = conn.execute(
                "SELECT * FROM received_objects WHERE package_sha256 = ? "  # noqa: S608
                f"ORDER BY {dialect.of(conn).insertion_order}",
                (package_sha256.hex,),
            )
            return [_object(row) for row in rows]

        return await self._db.run(objects)

    async def receive(
        self, package: ReceivedPackage, items: Sequence[ReceivedObject], *, leaf: bytes
    ) -> tuple[ReceivedPackage, bool]:
        def receive(conn: sqlite3.Connection) -> tuple[ReceivedPackage, bool]:
            with transaction(conn):
                held = _find(conn, package.package_sha256)
                if held is not None:
                    return held, False
                index = append_leaf(conn, leaf)
                kept = replace(package, log_index=index)
                _insert(conn, kept, items)
                return kept, True

        return await self._db.run(receive)
