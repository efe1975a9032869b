"""The index's second connection (runtime.sqlite_thread.SqliteReader; on PostgreSQL a
second, read-only connection), on both databases: the report's
sections read through it beside the report's main query; it sees what the first
connection committed and can write nothing."""

from datetime import UTC, datetime

import pytest

from evidence.errors import StorageFailure
from storage.compliance_records import OfficerRecord, ReportQuery

NOW = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


@pytest.fixture
async def index(tmp_path, open_index_at):
    opened = await open_index_at(tmp_path / "index.sqlite3")
    yield opened
    await opened.close()


async def test_the_reader_sees_what_was_committed_and_writes_nothing(index):
    reader = index.compliance.weak_links._db
    assert reader is not index._db, "the sections have a connection of their own"
    await index.compliance.officers.update(
        [OfficerRecord("130102001", "王强", "一中队")], "wang", NOW
    )
    assert (
        await reader.run(lambda conn: conn.execute("SELECT name FROM officers").fetchone()[0])
        == "王强"
    )
    with pytest.raises(StorageFailure, match=r"readonly|read-only"):  # SQLite's word, PostgreSQL's
        await reader.run(lambda conn: conn.execute("DELETE FROM officers"))
    assert [o.name for o in await index.compliance.officers.roster()] == ["王强"]


async def test_the_report_sections_answer_through_the_reader(index):
    query = ReportQuery(("seizure",), 480)
    assert await index.compliance.weak_links.as_needed(query) == []
    assert await index.compliance.queries.open_flags(query, 10) == ({}, [])
    assert await index.compliance.queries.cases_without_acts(None) == []
