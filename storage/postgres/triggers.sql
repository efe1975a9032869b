-- What may never change, refused by PostgreSQL itself, as storage/sqlite/schema.sql and
-- log_tables.py refuse it on SQLite: even raw SQL cannot rewrite what was attested.
-- Row triggers do not see TRUNCATE, so a statement trigger refuses it on the same tables.

CREATE OR REPLACE FUNCTION liuhen_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END $$;

-- Append-only tables: (table, the refusal's words).
DO $$
DECLARE
    t text[];
BEGIN
    FOREACH t SLICE 1 IN ARRAY ARRAY[
        ['manifests', 'manifests are append-only'],
        ['objects', 'stored objects are append-only'],
        ['verifications', 'verifications are append-only'],
        ['segments', 'segments are append-only'],
        ['perceptual', 'fingerprints are append-only'],
        ['recording_spans', 'recording spans follow the append-only objects'],
        ['catalogues', 'catalogue versions are append-only'],
        ['cases', 'cases are append-only'],
        ['act_history', 'act history is append-only'],
        ['decisions', 'decisions are append-only'],
        ['exemptions', 'exemptions are append-only; withdraw one instead'],
        ['exemption_withdrawals', 'withdrawals are append-only'],
        ['received_packages', 'received evidence is append-only'],
        ['received_objects', 'received evidence is append-only'],
        ['holds', 'legal holds are append-only'],
        ['hold_lifts', 'legal holds are append-only'],
        ['log_leaves', 'the custody log is append-only'],
        ['log_nodes', 'the custody log is append-only'],
        ['log_checkpoints', 'the custody log is append-only'],
        ['log_origin', 'the custody log is append-only'],
        ['log_ingests', 'the custody log is append-only'],
        ['log_accesses', 'the custody log is append-only']
    ] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I '
                       'FOR EACH ROW EXECUTE FUNCTION liuhen_refuse(%L)',
                       t[1] || '_append_only', t[1], t[2]);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION liuhen_refuse(%L)',
                       t[1] || '_never_truncated', t[1], t[2]);
    END LOOP;
    FOREACH t SLICE 1 IN ARRAY ARRAY[
        ['flags', 'flags are never deleted'],
        ['acts', 'acts are never deleted; edit them']
    ] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I '
                       'FOR EACH ROW EXECUTE FUNCTION liuhen_refuse(%L)',
                       t[1] || '_never_deleted', t[1], t[2]);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION liuhen_refuse(%L)',
                       t[1] || '_never_truncated', t[1], t[2]);
    END LOOP;
END $$;

-- Every token expires.
CREATE TRIGGER tokens_expire BEFORE INSERT OR UPDATE ON tokens
FOR EACH ROW WHEN (NEW.expires_at IS NULL)
EXECUTE FUNCTION liuhen_refuse('every token has an expiry');

-- A flag is resolved once, with when, who and why, and is otherwise never changed.
CREATE TRIGGER flags_resolved_once BEFORE UPDATE ON flags
FOR EACH ROW WHEN (OLD.resolved_at IS NOT NULL OR NEW.resolved_at IS NULL
    OR NEW.resolved_by IS NULL OR NEW.resolution IS NULL
    OR (NEW.id, NEW.kind, NEW.device_id, NEW.evidence_id, NEW.role, NEW.subject, NEW.detail,
        NEW.raised_at)
       IS DISTINCT FROM (OLD.id, OLD.kind, OLD.device_id, OLD.evidence_id, OLD.role,
                         OLD.subject, OLD.detail, OLD.raised_at))
EXECUTE FUNCTION liuhen_refuse(
    'a flag is resolved once, with when, who and why, and is otherwise never changed');

-- An act edit raises its revision by one, moves updated_at forward and keeps its identity.
CREATE TRIGGER act_edit_is_a_revision BEFORE UPDATE ON acts
FOR EACH ROW WHEN (NEW.revision IS DISTINCT FROM OLD.revision + 1
    OR NEW.act_id IS DISTINCT FROM OLD.act_id
    OR NEW.created_by IS DISTINCT FROM OLD.created_by
    OR NEW.created_at IS DISTINCT FROM OLD.created_at
    OR NOT NEW.updated_at > OLD.updated_at)
EXECUTE FUNCTION liuhen_refuse(
    'an act edit raises its revision by one, moves updated_at forward and keeps its identity');

-- Every registration and edit of an act lands in its history, raw SQL included.
CREATE OR REPLACE FUNCTION liuhen_act_json(a acts) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT json_build_object('case_number', a.case_number, 'act_type', a.act_type,
                             'started_at', a.started_at, 'ended_at', a.ended_at,
                             'place', a.place, 'officers', a.officers::json,
                             'devices', a.devices::json, 'reference', a.reference)::text
$$;
CREATE OR REPLACE FUNCTION liuhen_act_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO act_history (act_id, revision, changed_by, changed_at, reason, old, new)
    VALUES (NEW.act_id, NEW.revision, NEW.updated_by, NEW.updated_at, NEW.edit_reason,
            CASE WHEN TG_OP = 'UPDATE' THEN liuhen_act_json(OLD) END, liuhen_act_json(NEW));
    RETURN NULL;
END $$;
CREATE TRIGGER act_history AFTER INSERT OR UPDATE ON acts
FOR EACH ROW EXECUTE FUNCTION liuhen_act_history();

-- Each original's span in integer milliseconds, in station time (schema.sql on SQLite says
-- why): derived as the original is indexed, from its signed times and its manifest's
-- clock.camera_offset_ms (0 when none was measured or the body is not JSON).
CREATE OR REPLACE FUNCTION liuhen_recording_span() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s bigint := liuhen_ms(NEW.started_at);
    e bigint := liuhen_ms(COALESCE(NEW.ended_at, NEW.started_at));
    d bigint := COALESCE((SELECT liuhen_clock_offset(m.body) FROM manifests m
                          WHERE m.evidence_id = NEW.evidence_id AND m.role = 'original'), 0);
BEGIN
    INSERT INTO recording_spans
        (evidence_id, case_number, start_ms, end_ms, raw_start_ms, raw_end_ms, clock_offset_ms)
    VALUES (NEW.evidence_id, NEW.case_number, s - d, e - d, s, e, d);
    RETURN NULL;
END $$;
CREATE TRIGGER recording_span_of_original AFTER INSERT ON objects
FOR EACH ROW WHEN (NEW.role = 'original') EXECUTE FUNCTION liuhen_recording_span();
