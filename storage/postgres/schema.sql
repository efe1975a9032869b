-- The PostgreSQL index's tables, at the current version: the same tables and columns as
-- storage/sqlite/schema.sql and log_tables.py (tests/storage/test_postgres_schema.py
-- compares them), which say what each one means. INTEGER is BIGINT here (SQLite's
-- integers are 64-bit), BLOB is BYTEA, an INTEGER PRIMARY KEY that SQLite numbers is an
-- identity column. What may never change is refused in triggers.sql and privileges.sql.

CREATE TABLE IF NOT EXISTS devices (
    device_id     TEXT PRIMARY KEY,
    label         TEXT,
    status        TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    registered_at TEXT NOT NULL,
    revoked_at    TEXT
);

CREATE TABLE IF NOT EXISTS device_keys (
    key_id     TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL REFERENCES devices (device_id),
    public_key BYTEA NOT NULL,
    added_at   TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    name        TEXT PRIMARY KEY,
    role        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    disabled_at TEXT
);

CREATE TABLE IF NOT EXISTS tokens (
    token_hash   TEXT PRIMARY KEY,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('device', 'user')),
    subject      TEXT NOT NULL,
    expires_at   TEXT
);
CREATE INDEX IF NOT EXISTS tokens_by_subject ON tokens (subject_kind, subject);
-- Every token expires. The column stays nullable only because tokens issued before they
-- expired have none until the server first opens the index (auth.bound_legacy_tokens).

-- People's passwords (argon2id, PHC form), their sessions (kept only as the SHA-256 of
-- the token, like API tokens) and the cases they may see (no row: all of them, as every
-- person could before access was limited). Credentials, not records: an ended session is
-- deleted, a replaced password overwritten.
CREATE TABLE IF NOT EXISTS user_passwords (
    name          TEXT PRIMARY KEY REFERENCES users (name),
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    must_change   BIGINT NOT NULL CHECK (must_change IN (0, 1)),
    set_at        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS user_sessions (
    token_hash   TEXT PRIMARY KEY,
    name         TEXT NOT NULL REFERENCES users (name),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS user_sessions_by_name ON user_sessions (name);
CREATE TABLE IF NOT EXISTS user_access (
    name       TEXT PRIMARY KEY REFERENCES users (name),
    all_cases  BIGINT NOT NULL CHECK (all_cases IN (0, 1)),
    cases      TEXT NOT NULL,  -- a JSON array of normalised case numbers
    agencies   TEXT NOT NULL,  -- a JSON array of agency names
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS used_nonces (
    nonce      TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS manifests (
    evidence_id     TEXT NOT NULL,
    role            TEXT NOT NULL,
    device_id       TEXT NOT NULL REFERENCES devices (device_id),
    key_id          TEXT NOT NULL REFERENCES device_keys (key_id),
    sequence        BIGINT NOT NULL,
    previous_sha256 TEXT,
    manifest_sha256 TEXT NOT NULL,
    body            BYTEA NOT NULL,
    signature       BYTEA NOT NULL,
    case_number     TEXT,
    registered_at   TEXT NOT NULL,
    PRIMARY KEY (evidence_id, role),
    UNIQUE (device_id, sequence)
);

CREATE TABLE IF NOT EXISTS uploads (
    upload_id     TEXT PRIMARY KEY,
    evidence_id   TEXT NOT NULL,
    role          TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    length        BIGINT NOT NULL,
    upload_offset BIGINT NOT NULL,
    state         TEXT NOT NULL,
    metadata      TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    error_code    TEXT,
    error_message TEXT,
    FOREIGN KEY (evidence_id, role) REFERENCES manifests (evidence_id, role)
);
-- At most one upload per object is taking bytes or done; a rejected one may be retried.
CREATE UNIQUE INDEX IF NOT EXISTS uploads_one_live
    ON uploads (evidence_id, role) WHERE state IN ('open', 'finalized');
-- A device's open uploads, counted against its quota at each creation.
CREATE INDEX IF NOT EXISTS uploads_open_by_device ON uploads (device_id) WHERE state = 'open';

CREATE TABLE IF NOT EXISTS objects (
    evidence_id       TEXT NOT NULL,
    role              TEXT NOT NULL,
    device_id         TEXT NOT NULL,
    sequence          BIGINT NOT NULL,
    manifest_sha256   TEXT NOT NULL,
    sha256            TEXT NOT NULL,
    size              BIGINT NOT NULL,
    chunk_root        TEXT NOT NULL,
    store             TEXT NOT NULL,
    locator           TEXT NOT NULL,
    case_number       TEXT,
    started_at        TEXT NOT NULL,
    ended_at          TEXT,
    place             TEXT,
    officer_id        TEXT,
    file_name         TEXT NOT NULL,
    received_at       TEXT NOT NULL,
    receipt_body      BYTEA NOT NULL,
    receipt_signature BYTEA NOT NULL,
    -- started_at is the signed capture start; ended_at is where the footage ends (started_at
    -- plus the probed length; NULL when it could not be measured: it covers nothing). What
    -- the device claims is kept beside them, never used as coverage: the container's
    -- creation_time tag and the sidecar's end (docs/compliance.md).
    claimed_started_at TEXT,
    claimed_ended_at   TEXT,
    PRIMARY KEY (evidence_id, role),
    FOREIGN KEY (evidence_id, role) REFERENCES manifests (evidence_id, role)
);
CREATE INDEX IF NOT EXISTS objects_by_case ON objects (case_number, started_at);
CREATE INDEX IF NOT EXISTS objects_by_capture ON objects (started_at);
CREATE INDEX IF NOT EXISTS objects_by_locator ON objects (locator);

CREATE TABLE IF NOT EXISTS verifications (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    evidence_id TEXT NOT NULL,
    role        TEXT NOT NULL,
    checked_at  TEXT NOT NULL,
    ok          BIGINT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verifications_by_object ON verifications (evidence_id, role, id);

-- Things a custodian must look at. Raised, then resolved once (when, by whom, why), and
-- kept: the only change a flag takes is its resolution, and a resolved flag takes none.
CREATE TABLE IF NOT EXISTS flags (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind        TEXT NOT NULL,
    device_id   TEXT,
    evidence_id TEXT,
    role        TEXT,
    subject     TEXT NOT NULL,  -- what the flag is about, unique per open kind: e.g. 'dock-1#7'
    detail      TEXT NOT NULL,  -- JSON
    raised_at   TEXT NOT NULL,
    resolved_at TEXT,
    resolution  TEXT,           -- why
    resolved_by TEXT            -- who: a person, or liuhen-ingest when the server resolved it
);
CREATE UNIQUE INDEX IF NOT EXISTS flags_one_open ON flags (kind, subject) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS flags_by_evidence ON flags (evidence_id);
CREATE INDEX IF NOT EXISTS flags_by_kind ON flags (kind, id);

-- Room-recorder sessions: each registered segment's place and time, for the timeline.
CREATE TABLE IF NOT EXISTS segments (
    evidence_id   TEXT PRIMARY KEY,
    session_id    TEXT NOT NULL,
    segment_index BIGINT NOT NULL,
    device_id     TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    registered_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS segments_by_session ON segments (session_id, segment_index);

-- Per-second perceptual fingerprints (PDQ) of originals and their review copies.
CREATE TABLE IF NOT EXISTS perceptual (
    evidence_id TEXT NOT NULL,
    role        TEXT NOT NULL,
    second      BIGINT NOT NULL,
    hash        BYTEA NOT NULL,
    quality     BIGINT NOT NULL,
    PRIMARY KEY (evidence_id, role, second)
);

-- Compliance (docs/compliance.md): the recording-duty catalogue, cases and enforcement
-- acts, people's decisions on suggested matches, and exemptions. Catalogue versions,
-- cases, act history, decisions, exemptions and their withdrawals are append-only; an
-- act may be edited, and every edit (even by raw SQL) lands in its history by trigger.
CREATE TABLE IF NOT EXISTS catalogues (
    version     BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    csv_text    TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS cases (
    case_number TEXT PRIMARY KEY,
    agency      TEXT NOT NULL,
    subject     TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS acts (
    act_id      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    case_number TEXT NOT NULL REFERENCES cases (case_number),
    act_type    TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT NOT NULL CHECK (ended_at >= started_at),
    place       TEXT,
    officers    TEXT NOT NULL,  -- JSON array of officer ids
    devices     TEXT NOT NULL,  -- JSON array of signing device ids or camera serials
    reference   TEXT,           -- the case system's own id for the act
    revision    BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    edit_reason TEXT
);
CREATE INDEX IF NOT EXISTS acts_by_case ON acts (case_number, started_at);
CREATE INDEX IF NOT EXISTS acts_by_start ON acts (started_at);
CREATE UNIQUE INDEX IF NOT EXISTS acts_one_per_reference
    ON acts (case_number, reference) WHERE reference IS NOT NULL;

CREATE TABLE IF NOT EXISTS act_history (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    act_id     BIGINT NOT NULL REFERENCES acts (act_id),
    revision   BIGINT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    reason     TEXT,
    old        TEXT,           -- JSON, NULL for the registration
    new        TEXT NOT NULL,  -- JSON
    UNIQUE (act_id, revision)
);

CREATE TABLE IF NOT EXISTS decisions (
    evidence_id TEXT NOT NULL,
    act_id      BIGINT NOT NULL REFERENCES acts (act_id),
    decision    TEXT NOT NULL CHECK (decision IN ('confirmed', 'rejected')),
    decided_by  TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    note        TEXT,
    PRIMARY KEY (evidence_id, act_id)
);
CREATE INDEX IF NOT EXISTS decisions_by_act ON decisions (act_id);

-- An exemption excuses the act as it stood when the exemption was entered (act_revision):
-- it stands only while the act is still at that revision, so an edit of the act (its
-- window, its type) needs a new exemption rather than carrying the old one over.
CREATE TABLE IF NOT EXISTS exemptions (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    act_id       BIGINT NOT NULL REFERENCES acts (act_id),
    reason       TEXT NOT NULL
        CHECK (reason IN ('state_secret', 'privacy', 'emergency', 'objectively_impossible')),
    approver     TEXT NOT NULL,
    approved_at  TEXT NOT NULL,
    note         TEXT,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    act_revision BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS exemptions_by_act ON exemptions (act_id);

-- The agency's officer roster: who an officer id (执法证号) is and which unit (中队, 所)
-- they belong to, as the agency imports it; the report names officers and ranks units
-- by it. Reference data, not evidence: a newer roster corrects a name or a unit.
CREATE TABLE IF NOT EXISTS officers (
    officer_id  TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    unit        TEXT,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS exemption_withdrawals (
    exemption_id BIGINT PRIMARY KEY REFERENCES exemptions (id),  -- at most once
    withdrawn_by TEXT NOT NULL,
    withdrawn_at TEXT NOT NULL,
    reason       TEXT NOT NULL
);

-- Each original's capture span as integer milliseconds since the epoch, by case: what
-- attaching recordings to acts and measuring coverage read. It is an index SQLite 3.40
-- cannot build itself (it does not read indexed expressions back), derived from the
-- append-only objects by trigger as each original is indexed, and caught up at open
-- for an index that predates the trigger. Keyed by evidence id (one original each), not
-- by objects.rowid, which VACUUM or a dump and restore may renumber. The span is the
-- footage's own (objects.started_at to objects.ended_at: the probed length, never the
-- device's claimed end); footage whose length could not be measured is a point.
-- start_ms and end_ms are in station time: the capture device's clock corrected by the
-- offset its dock measured (the signed manifest's clock.camera_offset_ms, camera minus
-- station; 0 when none was measured), which is what coverage reads. raw_start_ms and
-- raw_end_ms keep the span as the device's clock had it; objects keeps the signed times.
CREATE TABLE IF NOT EXISTS recording_spans (
    evidence_id     TEXT PRIMARY KEY,  -- the original's
    case_number     TEXT,
    start_ms        BIGINT NOT NULL,
    end_ms          BIGINT NOT NULL,
    raw_start_ms    BIGINT NOT NULL,
    raw_end_ms      BIGINT NOT NULL,
    clock_offset_ms BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS recording_spans_by_case
    ON recording_spans (case_number, start_ms, end_ms);
-- Originals without a case number whose clock was corrected, by offset: how far the
-- suggestions must look beyond an act's window for footage whose device clock was off.
CREATE INDEX IF NOT EXISTS recording_spans_corrected_without_case
    ON recording_spans (clock_offset_ms) WHERE case_number IS NULL AND clock_offset_ms <> 0;

-- The fleet as MQTT told it (docs/mqtt.md): advisory, and derived from what the broker
-- delivered; HTTP stays the source of truth and nothing here is evidence. A station's
-- row changes as its messages arrive; events are kept (pruned after
-- server.mqtt.keep_events_days), each once: by its id, and by its place in its boot.
CREATE TABLE IF NOT EXISTS fleet_stations (
    device_id        TEXT PRIMARY KEY,
    status           TEXT,     -- online, offline, lost: the last status reported
    boot             TEXT,
    software         TEXT,
    status_at        TEXT,     -- when the server heard that status
    state            TEXT,     -- the last state message, JSON
    state_at         TEXT,     -- when the server heard it
    last_seen_at     TEXT,     -- the station's last live message (not its will, not a retained copy)
    station_clock_ms BIGINT   -- the station's clock less the server's, at its last live state
);

CREATE TABLE IF NOT EXISTS fleet_boots (
    device_id      TEXT NOT NULL,
    boot           TEXT NOT NULL,
    first_heard_at TEXT NOT NULL,
    highest_seq    BIGINT NOT NULL,
    received       BIGINT NOT NULL,  -- distinct sequence numbers heard
    PRIMARY KEY (device_id, boot)
);

CREATE TABLE IF NOT EXISTS fleet_events (
    event_id    TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL,
    boot        TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    type        TEXT NOT NULL,
    at          TEXT NOT NULL,
    subject     TEXT,
    detail      TEXT NOT NULL,  -- JSON
    received_at TEXT NOT NULL,
    UNIQUE (device_id, boot, seq)
);
CREATE INDEX IF NOT EXISTS fleet_events_by_received ON fleet_events (received_at);

CREATE TABLE IF NOT EXISTS fleet_cameras (
    device_id   TEXT NOT NULL,
    camera      TEXT NOT NULL,
    offset_ms   BIGINT NOT NULL,  -- the camera's clock less the station's
    measured_at TEXT NOT NULL,
    method      TEXT NOT NULL,
    PRIMARY KEY (device_id, camera)
);

-- Interview and hearing rooms' sessions, from their controllers' retained messages and
-- the stations' session events. A session opens once and closes once; a closed one never
-- reopens. verdict is its coverage as last judged once closed (covered, partial, missing).
CREATE TABLE IF NOT EXISTS room_sessions (
    session_id   TEXT PRIMARY KEY,
    room         TEXT NOT NULL,
    room_name    TEXT,
    state        TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    started_at   TEXT NOT NULL,
    stopped_at   TEXT,
    case_number  TEXT,
    participants TEXT NOT NULL,  -- JSON array
    records      TEXT NOT NULL,  -- JSON array
    heard_from   TEXT NOT NULL,  -- 'controller', or the device id of the station that told
    heard_at     TEXT NOT NULL,
    verdict      TEXT
);
CREATE INDEX IF NOT EXISTS room_sessions_by_start ON room_sessions (started_at);
CREATE INDEX IF NOT EXISTS room_sessions_to_judge ON room_sessions (stopped_at)
    WHERE state = 'closed' AND (verdict IS NULL OR verdict <> 'covered');

-- Evidence received from another agency's Liuhen in an evidence package (issue 11, R13):
-- each package once, by its SHA-256, with its provenance and the log entry of its
-- receipt; each object as it came (its manifest and receipt, signed by the sender's
-- device and server). Append-only: what was received stays as it was received.
CREATE TABLE IF NOT EXISTS received_packages (
    package_sha256  TEXT PRIMARY KEY,
    agency          TEXT NOT NULL,
    origin          TEXT NOT NULL,
    checkpoint_size BIGINT NOT NULL,
    checkpoint_root TEXT NOT NULL,
    sent_by         TEXT NOT NULL,
    sent_at         TEXT NOT NULL,
    received_by     TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    leaf_idx        BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS received_objects (
    package_sha256     TEXT NOT NULL REFERENCES received_packages (package_sha256),
    sha256             TEXT NOT NULL,
    evidence_id        TEXT NOT NULL,
    role               TEXT NOT NULL,
    device_id          TEXT NOT NULL,
    size               BIGINT NOT NULL,
    store              TEXT NOT NULL,
    locator            TEXT NOT NULL,
    case_number        TEXT,
    manifest_body      BYTEA NOT NULL,
    manifest_signature BYTEA NOT NULL,
    receipt_body       BYTEA NOT NULL,
    receipt_signature  BYTEA NOT NULL,
    PRIMARY KEY (package_sha256, sha256)
);
CREATE INDEX IF NOT EXISTS received_objects_by_case ON received_objects (case_number);

-- Each act's attached recordings folded as the report reads them, kept by the triggers of
-- act_spans.py (storage/sqlite/act_spans.py says what feeds them). Derived, like an
-- index: rows are replaced by an upsert; the report folds afresh any act whose row is
-- missing or of another revision.
CREATE TABLE IF NOT EXISTS act_spans (
    act_id   BIGINT PRIMARY KEY,  -- acts.act_id
    revision BIGINT NOT NULL,     -- the act's revision it was folded for
    spans    TEXT NOT NULL        -- "s1,e1,s2,e2,…" in ms from the act's start
);

-- Legal holds (docs/retention.md#legal-holds; storage/sqlite/holds.py): a hold on a case
-- or on one recording, each set and each lift with who, when, why and its custody log
-- entry; lifted at most once. Append-only (triggers.sql, privileges.sql).
CREATE TABLE IF NOT EXISTS holds (
    hold_id     BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    case_number TEXT,
    evidence_id TEXT,
    reason      TEXT NOT NULL,
    set_by      TEXT NOT NULL,
    set_role    TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    leaf_idx    BIGINT NOT NULL,
    CHECK ((case_number IS NULL) <> (evidence_id IS NULL))
);
CREATE INDEX IF NOT EXISTS holds_by_case ON holds (case_number) WHERE case_number IS NOT NULL;
CREATE INDEX IF NOT EXISTS holds_by_recording ON holds (evidence_id)
    WHERE evidence_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS hold_lifts (
    hold_id     BIGINT PRIMARY KEY REFERENCES holds (hold_id),  -- at most once
    reason      TEXT NOT NULL,
    lifted_by   TEXT NOT NULL,
    lifted_role TEXT NOT NULL,
    lifted_at   TEXT NOT NULL,
    leaf_idx    BIGINT NOT NULL
);

-- Store locks still to apply (docs/retention.md#on-s3): kept before the bucket is asked,
-- cleared once it has taken them; bookkeeping, not evidence, so rows go (privileges.sql).
CREATE TABLE IF NOT EXISTS locks_to_apply (
    kind   TEXT NOT NULL CHECK (kind IN ('recording', 'case')),
    target TEXT NOT NULL,
    since  TEXT NOT NULL,
    PRIMARY KEY (kind, target)
);

-- The custody log (storage/sqlite/log_tables.py).
CREATE TABLE IF NOT EXISTS log_leaves (
    idx       BIGINT PRIMARY KEY CHECK (idx >= 0),
    leaf_hash BYTEA NOT NULL,
    kind      TEXT NOT NULL,
    body      BYTEA NOT NULL
);
CREATE INDEX IF NOT EXISTS log_leaves_by_hash ON log_leaves (leaf_hash);
CREATE TABLE IF NOT EXISTS log_nodes (
    level BIGINT NOT NULL,
    idx   BIGINT NOT NULL,
    hash  BYTEA NOT NULL,
    PRIMARY KEY (level, idx)
);
CREATE TABLE IF NOT EXISTS log_checkpoints (
    size      BIGINT PRIMARY KEY,
    root      BYTEA NOT NULL,
    note      BYTEA NOT NULL,
    signed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS log_origin (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    origin     TEXT NOT NULL,
    vkey       TEXT NOT NULL,
    started_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS log_ingests (
    evidence_id TEXT NOT NULL,
    role        TEXT NOT NULL,
    leaf_idx    BIGINT NOT NULL,
    PRIMARY KEY (evidence_id, role)
);
CREATE TABLE IF NOT EXISTS log_accesses (
    leaf_idx    BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    case_number TEXT,
    evidence_id TEXT,
    role        TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_accesses_by_time ON log_accesses (at, leaf_idx);
CREATE INDEX IF NOT EXISTS log_accesses_by_case ON log_accesses (case_number, at);
CREATE INDEX IF NOT EXISTS log_accesses_by_actor ON log_accesses (actor, at);
CREATE INDEX IF NOT EXISTS log_accesses_by_object ON log_accesses (evidence_id, role);

-- Which version of the index's schema this database holds (SQLite: PRAGMA user_version).
CREATE TABLE IF NOT EXISTS index_version (
    id      BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
