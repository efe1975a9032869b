"""The PostgreSQL index's schema against SQLite's, and what it refuses by itself."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import psycopg
import pytest

from evidence.digest import Sha256
from evidence.errors import StorageFailure
from evidence.identifiers import DeviceId, EvidenceId, Role
from storage.postgres import open_postgres_index
from storage.records import ManifestRecord
from storage.sqlite import open_sqlite_index
from tests.postgres import TestPostgres

NOW = datetime(2026, 3, 12, tzinfo=UTC)


def _sqlite_columns(path) -> dict[str, list[str]]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: [row[1] for row in conn.execute(f"PRAGMA table_info({t})")] for t in tables}
    finally:
        conn.close()


def _postgres_columns(dsn: str) -> dict[str, list[str]]:
    with psycopg.connect(dsn) as conn:
        found: dict[str, list[str]] = {}
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        ):
            found.setdefault(table, []).append(column)
        return found


async def test_both_schemas_have_the_same_tables_and_columns(tmp_path, postgres: TestPostgres):
    sqlite_index = await open_sqlite_index(tmp_path / "index.sqlite3")
    await sqlite_index.close()
    options = postgres.new_database(empty=True)
    pg_index = await open_postgres_index(tmp_path / "unused", **options)
    await pg_index.close()
    on_sqlite = _sqlite_columns(tmp_path / "index.sqlite3")
    on_postgres = _postgres_columns(options["dsn"])
    # SQLite keeps its version in PRAGMA user_version; PostgreSQL in a table of its own.
    assert on_postgres.pop("index_version") == ["id", "version"]
    assert sorted(on_postgres) == sorted(on_sqlite)
    for table, columns in on_sqlite.items():
        assert sorted(on_postgres[table]) == sorted(columns), table


def _manifest() -> ManifestRecord:
    return ManifestRecord(
        evidence_id=EvidenceId.new(),
        role=Role.ORIGINAL,
        device_id=DeviceId("dock-1"),
        key_id="k" * 64,
        sequence=1,
        previous_sha256=None,
        manifest_sha256=Sha256.of(b"m"),
        body=b"m",
        signature=bytes(64),
        case_number=None,
        registered_at=NOW,
    )


APPEND_ONLY = ["manifests", "log_leaves", "log_accesses", "decisions", "recording_spans"]


@pytest.mark.parametrize("table", APPEND_ONLY)
async def test_the_server_role_may_not_update_delete_or_truncate_what_is_append_only(
    tmp_path, postgres: TestPostgres, table: str
):
    """The privileges refuse first, as the server's own role: not even the trigger is
    reached. The owner (whose privileges foreign keys use) meets the triggers instead."""
    options = postgres.new_database(empty=True)
    index = await open_postgres_index(tmp_path / "unused", **options)
    await index.close()
    statements = [f"UPDATE {table} SET {_column(table)} = NULL", f"DELETE FROM {table}"]  # noqa: S608
    with psycopg.connect(options["dsn"], autocommit=True) as server:
        for statement in [*statements, f"TRUNCATE {table}"]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
                server.execute(statement)
    with (
        psycopg.connect(options["owner_dsn"], autocommit=True) as owner,
        pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"),
    ):
        owner.execute(f"TRUNCATE {table} CASCADE")


def _column(table: str) -> str:
    return {"log_leaves": "kind", "log_accesses": "actor", "recording_spans": "case_number"}.get(
        table, "note" if table == "decisions" else "case_number"
    )


async def test_append_only_rows_are_refused_by_trigger_even_to_the_superuser(
    tmp_path, postgres: TestPostgres
):
    options = postgres.new_database(empty=True)
    index = await open_postgres_index(tmp_path / "unused", **options)
    try:
        await index.devices.add(DeviceId("dock-1"), None, "k" * 64, bytes(32), NOW)
        await index.uploads.register_manifest(_manifest())
    finally:
        await index.close()
    superuser = options["dsn"].replace("user=liuhen", "user=postgres")
    with psycopg.connect(superuser, autocommit=True) as conn:
        for statement in (
            "UPDATE manifests SET case_number = 'X'",
            "DELETE FROM manifests",
            "TRUNCATE manifests CASCADE",
        ):
            with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"):
                conn.execute(statement)
        assert conn.execute("SELECT COUNT(*) FROM manifests").fetchone() == (1,)


async def test_a_database_another_schema_version_made_is_refused_at_open(
    tmp_path, postgres: TestPostgres
):
    options = postgres.new_database(empty=True)
    index = await open_postgres_index(tmp_path / "unused", **options)
    await index.close()
    with psycopg.connect(options["owner_dsn"], autocommit=True) as owner:
        owner.execute("UPDATE index_version SET version = version + 1")
    with pytest.raises(StorageFailure, match=r"at schema version 2; this server knows 1"):
        await open_postgres_index(tmp_path / "unused", **options)
