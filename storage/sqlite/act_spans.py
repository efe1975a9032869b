"""Each act's attached recordings, folded once as the report reads them (``act_spans``).

The report measures every act with duty full against its recordings. Folding each act's
spans out of ``recording_spans`` at every report (an index walk per act and two numbers
formatted per recording: 0.2 s of the report's 0.4 s of SQL at 100,000 acts) repeats work
whose inputs rarely change, so triggers keep the fold, one row per act, refolded when one
of its inputs changes:

- a recording lands (``recording_spans``): the acts of its case whose window it overlaps,
  and any act it was confirmed for (a span refilled by an upgrade step);
- a person confirms a recording for an act (``decisions``);
- an act is registered or edited (``acts``): its window, case or revision.

Nothing else feeds the fold (all but ``acts`` are append-only), so a row is what ``fold``
gives now. Exemptions, the catalogue and the tolerance are not in it: the report reads and
applies them each time. The row names the act's revision it was folded for; the report
folds afresh any act whose row is missing or of another revision (``spans_of``), so a
missed refold costs time, never an answer. The schema's catch-up folds every act without
a row: all of them in a new or upgraded index (migrations' ``_act_spans_are_kept``).

The fold is the one overlap rule (``coverage_queries``), written out as a trigger here
so that the triggers and the report cannot drift apart. A derived table, like an index:
rows are replaced by an upsert, and an upgrade step that rebuilds ``recording_spans``
should drop this table too (the catch-up refills it).
"""

from __future__ import annotations

from storage.sqlite.dialect import SQLITE, Dialect
from storage.sqlite.span_rule import _by_case, _confirmed, _overlaps

__all__ = ["CONFIRMED_FOR_LANDED", "SCHEMA", "fold", "landed", "refold", "spans_of"]


def fold(act: str, d: Dialect = SQLITE) -> str:
    """The spans of the act ``act`` (an alias with act_id, case_number, a0 and b0, its
    window in milliseconds) as ReportRows.spans holds them: those attached by its case
    number, then those confirmed for it ("" when none). Each attached recording is
    "start,end" in milliseconds from the act's start, joined in C by the database."""
    pair = d.joined(f"(s.start_ms - {act}.a0) || ',' || (s.end_ms - {act}.a0)")
    by_case = f"(SELECT {pair} FROM {_by_case(act)})"  # noqa: S608 (constants)
    confirmed = f"(SELECT {pair} FROM {_confirmed(act)})"  # noqa: S608
    return f"COALESCE({by_case} || ',' || {confirmed}, {by_case}, {confirmed}, '')"


def spans_of(act: str, d: Dialect = SQLITE) -> str:
    """The act's kept fold, or its fold made now when none is kept for its revision."""
    return (
        f"COALESCE((SELECT f.spans FROM act_spans f WHERE f.act_id = {act}.act_id "  # noqa: S608
        f"AND f.revision = {act}.revision), {fold(act, d)})"
    )


def refold(where: str, d: Dialect = SQLITE) -> str:
    """Fold again the acts that ``where`` selects (a condition on ``acts``' own columns)."""
    return (
        "INSERT INTO act_spans (act_id, revision, spans) "  # noqa: S608 (constants)
        f"SELECT a.act_id, a.revision, {fold('a', d)} FROM (SELECT act_id, case_number, "
        f"revision, {d.ms('started_at')} AS a0, {d.ms('ended_at')} AS b0 FROM acts "
        f"WHERE {where}) a WHERE true "  # WHERE: SQLite's upsert after a SELECT needs one
        "ON CONFLICT (act_id) DO UPDATE SET revision = excluded.revision, spans = excluded.spans"
    )


def landed(d: Dialect = SQLITE) -> str:
    """The acts (a condition on ``acts``' columns) whose window the new span ``NEW`` overlaps."""
    return _overlaps(d.ms("started_at"), d.ms("ended_at"), span="NEW")


# The acts a recording confirmed for them names: those a span refilled by an upgrade refolds.
CONFIRMED_FOR_LANDED = (
    "act_id IN (SELECT d.act_id FROM decisions d WHERE d.evidence_id = NEW.evidence_id "
    "AND d.decision = 'confirmed')"
)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS act_spans (
    act_id   INTEGER PRIMARY KEY,  -- acts.act_id
    revision INTEGER NOT NULL,     -- the act's revision it was folded for
    spans    TEXT NOT NULL         -- "s1,e1,s2,e2,…" in ms from the act's start
);
CREATE TRIGGER IF NOT EXISTS act_spans_of_registered_act AFTER INSERT ON acts
BEGIN {refold("act_id = NEW.act_id")}; END;
CREATE TRIGGER IF NOT EXISTS act_spans_of_edited_act AFTER UPDATE ON acts
BEGIN {refold("act_id = NEW.act_id")}; END;
CREATE TRIGGER IF NOT EXISTS act_spans_of_confirmed_recording AFTER INSERT ON decisions
WHEN NEW.decision = 'confirmed'
BEGIN {refold("act_id = NEW.act_id")}; END;
CREATE TRIGGER IF NOT EXISTS act_spans_of_landed_recording AFTER INSERT ON recording_spans
BEGIN
    {refold(f"case_number = NEW.case_number AND {landed()}")};
    {refold(CONFIRMED_FOR_LANDED)};
END;
{refold("(SELECT COUNT(*) FROM act_spans) < (SELECT COUNT(*) FROM acts) AND NOT EXISTS (SELECT 1 FROM act_spans f WHERE f.act_id = acts.act_id)")};
"""  # noqa: E501, S608 (built from constants)
