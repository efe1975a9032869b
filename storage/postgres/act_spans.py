"""The triggers that keep each act's fold (``act_spans``) on PostgreSQL: the same folds as
SQLite's triggers (storage/sqlite/act_spans.py), written from the same Python so that the
two backends and the report's queries cannot drift apart; only the wrapping differs
(PostgreSQL's row triggers call a plpgsql function). The table is in schema.sql. An index
is created at the current version with no acts, so there is no catch-up to run."""

from __future__ import annotations

from storage.sqlite.act_spans import CONFIRMED_FOR_LANDED, landed, refold
from storage.sqlite.dialect import POSTGRES

__all__ = ["TRIGGERS"]

_ACT = refold("act_id = NEW.act_id", POSTGRES)

TRIGGERS = f"""
CREATE OR REPLACE FUNCTION liuhen_act_spans_of_act() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_ACT};
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION liuhen_act_spans_of_landed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {refold(f"case_number = NEW.case_number AND {landed(POSTGRES)}", POSTGRES)};
    {refold(CONFIRMED_FOR_LANDED, POSTGRES)};
    RETURN NULL;
END $$;
CREATE TRIGGER act_spans_of_registered_or_edited_act AFTER INSERT OR UPDATE ON acts
FOR EACH ROW EXECUTE FUNCTION liuhen_act_spans_of_act();
CREATE TRIGGER act_spans_of_confirmed_recording AFTER INSERT ON decisions
FOR EACH ROW WHEN (NEW.decision = 'confirmed') EXECUTE FUNCTION liuhen_act_spans_of_act();
CREATE TRIGGER act_spans_of_landed_recording AFTER INSERT ON recording_spans
FOR EACH ROW EXECUTE FUNCTION liuhen_act_spans_of_landed();
"""
