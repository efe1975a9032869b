-- What SQLite computes with julianday() and json_extract(), as functions the queries
-- (storage/sqlite/dialect.py), the triggers and the indexes below share. IMMUTABLE: the
-- times are fixed-width UTC text with its Z (rows.when), whatever the session's zone.

CREATE OR REPLACE FUNCTION liuhen_ms(t text) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT round(extract(epoch FROM t::timestamptz) * 1000)::bigint
$$;
CREATE OR REPLACE FUNCTION liuhen_clock_offset(body bytea) RETURNS bigint LANGUAGE plpgsql
IMMUTABLE AS $$
BEGIN
    RETURN COALESCE(trunc((convert_from(body, 'UTF8')::jsonb
                          #>> '{clock,camera_offset_ms}')::numeric)::bigint, 0);
EXCEPTION WHEN OTHERS THEN
    RETURN 0;
END $$;
CREATE OR REPLACE FUNCTION liuhen_json_text(body bytea, path text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN convert_from(body, 'UTF8')::jsonb #>> path;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;  -- a body that is not JSON has no such member, as on SQLite
END $$;

-- Originals without a case number by length and by camera serial (the suggestions; the
-- officer and device ones are in schema.sql).
CREATE INDEX IF NOT EXISTS objects_without_case_by_length
    ON objects ((liuhen_ms(COALESCE(ended_at, started_at)) - liuhen_ms(started_at)))
    WHERE case_number IS NULL AND role = 'original';
CREATE INDEX IF NOT EXISTS manifests_without_case_by_serial
    ON manifests (liuhen_json_text(body, '{origin,device_serial}'))
    WHERE case_number IS NULL AND role = 'original';
