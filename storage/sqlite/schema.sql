-- The SQLite index. Manifests, stored objects and verifications are append-only:
-- triggers refuse UPDATE and DELETE, so even a bug here cannot rewrite what was attested.
PRAGMA foreign_keys = ON;

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
    public_key BLOB NOT NULL,
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

CREATE TABLE IF NOT EXISTS used_nonces (
    nonce      TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS manifests (
    evidence_id     TEXT NOT NULL,
    role            TEXT NOT NULL,
    device_id       TEXT NOT NULL REFERENCES devices (device_id),
    key_id          TEXT NOT NULL REFERENCES device_keys (key_id),
    sequence        INTEGER NOT NULL,
    previous_sha256 TEXT,
    manifest_sha256 TEXT NOT NULL,
    body            BLOB NOT NULL,
    signature       BLOB NOT NULL,
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
    length        INTEGER NOT NULL,
    upload_offset INTEGER NOT NULL,
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

CREATE TABLE IF NOT EXISTS objects (
    evidence_id       TEXT NOT NULL,
    role              TEXT NOT NULL,
    device_id         TEXT NOT NULL,
    sequence          INTEGER NOT NULL,
    manifest_sha256   TEXT NOT NULL,
    sha256            TEXT NOT NULL,
    size              INTEGER NOT NULL,
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
    receipt_body      BLOB NOT NULL,
    receipt_signature BLOB NOT NULL,
    PRIMARY KEY (evidence_id, role),
    FOREIGN KEY (evidence_id, role) REFERENCES manifests (evidence_id, role)
);
CREATE INDEX IF NOT EXISTS objects_by_case ON objects (case_number, started_at);
CREATE INDEX IF NOT EXISTS objects_by_capture ON objects (started_at);

CREATE TABLE IF NOT EXISTS verifications (
    id          INTEGER PRIMARY KEY,
    evidence_id TEXT NOT NULL,
    role        TEXT NOT NULL,
    checked_at  TEXT NOT NULL,
    ok          INTEGER NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verifications_by_object ON verifications (evidence_id, role, id);

CREATE TRIGGER IF NOT EXISTS manifests_append_only_u BEFORE UPDATE ON manifests
BEGIN SELECT RAISE(ABORT, 'manifests are append-only'); END;
CREATE TRIGGER IF NOT EXISTS manifests_append_only_d BEFORE DELETE ON manifests
BEGIN SELECT RAISE(ABORT, 'manifests are append-only'); END;
CREATE TRIGGER IF NOT EXISTS objects_append_only_u BEFORE UPDATE ON objects
BEGIN SELECT RAISE(ABORT, 'stored objects are append-only'); END;
CREATE TRIGGER IF NOT EXISTS objects_append_only_d BEFORE DELETE ON objects
BEGIN SELECT RAISE(ABORT, 'stored objects are append-only'); END;
CREATE TRIGGER IF NOT EXISTS verifications_append_only_u BEFORE UPDATE ON verifications
BEGIN SELECT RAISE(ABORT, 'verifications are append-only'); END;
CREATE TRIGGER IF NOT EXISTS verifications_append_only_d BEFORE DELETE ON verifications
BEGIN SELECT RAISE(ABORT, 'verifications are append-only'); END;

-- Things a custodian must look at. Raised and resolved, never deleted.
CREATE TABLE IF NOT EXISTS flags (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    device_id   TEXT,
    evidence_id TEXT,
    role        TEXT,
    subject     TEXT NOT NULL,  -- what the flag is about, unique per open kind: e.g. 'dock-1#7'
    detail      TEXT NOT NULL,  -- JSON
    raised_at   TEXT NOT NULL,
    resolved_at TEXT,
    resolution  TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS flags_one_open ON flags (kind, subject) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS flags_by_evidence ON flags (evidence_id);
CREATE TRIGGER IF NOT EXISTS flags_never_deleted BEFORE DELETE ON flags
BEGIN SELECT RAISE(ABORT, 'flags are never deleted'); END;

-- Room-recorder sessions: each registered segment's place and time, for the timeline.
CREATE TABLE IF NOT EXISTS segments (
    evidence_id   TEXT PRIMARY KEY,
    session_id    TEXT NOT NULL,
    segment_index INTEGER NOT NULL,
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
    second      INTEGER NOT NULL,
    hash        BLOB NOT NULL,
    quality     INTEGER NOT NULL,
    PRIMARY KEY (evidence_id, role, second)
);

CREATE TRIGGER IF NOT EXISTS segments_append_only_u BEFORE UPDATE ON segments
BEGIN SELECT RAISE(ABORT, 'segments are append-only'); END;
CREATE TRIGGER IF NOT EXISTS segments_append_only_d BEFORE DELETE ON segments
BEGIN SELECT RAISE(ABORT, 'segments are append-only'); END;
CREATE TRIGGER IF NOT EXISTS perceptual_append_only_u BEFORE UPDATE ON perceptual
BEGIN SELECT RAISE(ABORT, 'fingerprints are append-only'); END;
CREATE TRIGGER IF NOT EXISTS perceptual_append_only_d BEFORE DELETE ON perceptual
BEGIN SELECT RAISE(ABORT, 'fingerprints are append-only'); END;
