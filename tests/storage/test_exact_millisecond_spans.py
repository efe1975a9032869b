"""Spans round each time half a millisecond up, exactly (evidence.footage_span.epoch_ms).
An index whose spans were rounded by julianday's double (which reads .5005 s as
500.4999… ms) is rebuilt once at open (migrations ``_spans_to_the_exact_millisecond``)."""

import sqlite3
from datetime import UTC, datetime, timedelta

from evidence.footage_span import epoch_ms
from storage.sqlite import migrations, open_sqlite_index
from storage.sqlite.migrations import STEPS
from tests.compliance.index_rows import insert_original

START = datetime(2030, 1, 1, 0, 0, 0, 500_500, tzinfo=UTC)  # 500.5 ms: 501 ms
END = START + timedelta(seconds=2)  # 2 500.5 ms: 2 501 ms
OLD_MS = "CAST(round((julianday({0}) - 2440587.5) * 86400000.0) AS INTEGER)"
OLD_TRIGGER = (
    "CREATE TRIGGER recording_span_of_original AFTER INSERT ON objects "
    "WHEN NEW.role = 'original' BEGIN INSERT INTO recording_spans (evidence_id, case_number, "
    "start_ms, end_ms, raw_start_ms, raw_end_ms, clock_offset_ms) SELECT NEW.evidence_id, "
    f"NEW.case_number, {OLD_MS.format('NEW.started_at')}, {OLD_MS.format('NEW.ended_at')}, "
    f"{OLD_MS.format('NEW.started_at')}, {OLD_MS.format('NEW.ended_at')}, 0; END;"
)


def spans(raw):
    return raw.execute("SELECT start_ms, end_ms FROM recording_spans ORDER BY 1").fetchall()


async def test_spans_rounded_by_a_double_are_rebuilt_to_the_exact_millisecond(tmp_path):
    path = tmp_path / "index.sqlite3"
    await (await open_sqlite_index(path)).close()
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        raw.executescript(f"DROP TRIGGER recording_span_of_original; {OLD_TRIGGER}")
        version = STEPS.index(migrations._spans_to_the_exact_millisecond)
        raw.execute(f"PRAGMA user_version = {version}")
        insert_original(raw, case_number=None, start=START, end=END)
        exact = (epoch_ms(START), epoch_ms(END))
        assert spans(raw) == [(exact[0] - 1, exact[1] - 1)], "the double rounded them down"
        await (await open_sqlite_index(path)).close()
        assert spans(raw) == [exact]
        insert_original(raw, case_number=None, start=START, end=END)
        assert spans(raw) == [exact, exact], "and the trigger made again rounds as the rule"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(STEPS)
    finally:
        raw.close()
