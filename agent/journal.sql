-- The agent's journal: every file's state, what was computed for it, and every change.
-- An original is a file found on the dock; its derived copies (review copy, transcript)
-- are rows of their own with the same evidence id, a role, and the original as parent.
CREATE TABLE IF NOT EXISTS files (
    id                INTEGER PRIMARY KEY,
    path              TEXT NOT NULL,
    state             TEXT NOT NULL,
    evidence_id       TEXT NOT NULL,
    role              TEXT NOT NULL DEFAULT 'original',
    parent_id         INTEGER REFERENCES files (id),
    first_seen_at     REAL NOT NULL,
    -- latest observation of the file on disk, and since when it has looked like that
    size              INTEGER NOT NULL,
    mtime_ns          INTEGER NOT NULL,
    inode             INTEGER NOT NULL,
    unchanged_since   REAL NOT NULL,
    closed            INTEGER NOT NULL DEFAULT 0,
    -- fingerprint, manifest, upload, receipt
    sha256            TEXT,
    chunk_size        INTEGER,
    chunks            TEXT,
    root              TEXT,
    media             TEXT,     -- what probing found (manifest "media" section, JSON)
    perceptual        TEXT,     -- a review copy's per-second fingerprints (JSON)
    sequence          INTEGER,
    manifest          BLOB,
    signature         BLOB,
    upload_url        TEXT,
    receipt           BLOB,
    receipt_signature BLOB,
    safe_to_remove    INTEGER NOT NULL DEFAULT 0,
    -- retries: attempts since the last move, the last error; how often the server
    -- refused the file (or its copy could not be made), and when that first happened
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   REAL NOT NULL DEFAULT 0,
    error_code        TEXT,
    error_message     TEXT,
    refusals          INTEGER NOT NULL DEFAULT 0,
    held_since        REAL,
    -- what the operator reads: the server's committed offset as last heard, the work in
    -- hand (JSON: work, done, total, rate, at), when the last error was
    upload_offset     INTEGER NOT NULL DEFAULT 0,
    progress          TEXT,
    error_at          REAL,
    -- upload order: footage the agent knows to be urgent (agent/priority.py) goes first
    urgent            INTEGER NOT NULL DEFAULT 0,
    -- retention: when the receipt was verified, when the local copy was purged
    receipted_at      REAL,
    purged_at         REAL,
    -- a copy given up (unmade): NULL until the server was told, then sent or unsupported
    reported          TEXT,
    -- the same bytes as another original (agent/journal_identity.py): that original's id
    duplicate_of      INTEGER REFERENCES files (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS files_one_object ON files (evidence_id, role);
-- One file on its way per path; finished rows stay as history.
CREATE UNIQUE INDEX IF NOT EXISTS files_one_active_per_path
    ON files (path) WHERE state NOT IN ('duplicate', 'receipted', 'rejected', 'unmade', 'vanished');
CREATE INDEX IF NOT EXISTS files_by_sha256 ON files (sha256) WHERE role = 'original';
CREATE INDEX IF NOT EXISTS files_by_state ON files (state, next_attempt_at);

-- The device's manifest chain: the last sequence number and manifest hash handed out.
CREATE TABLE IF NOT EXISTS chain (
    device_id            TEXT PRIMARY KEY,
    last_sequence        INTEGER NOT NULL,
    last_manifest_sha256 TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS events (
    id         INTEGER PRIMARY KEY,
    file_id    INTEGER NOT NULL REFERENCES files (id),
    at         REAL NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    note       TEXT
);
CREATE INDEX IF NOT EXISTS events_by_file ON events (file_id, id);

-- Settings an operator changes while the agent runs (liuhen agent bandwidth): the
-- running agent reads them every second; each overrides the configuration file.
CREATE TABLE IF NOT EXISTS controls (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL,
    set_at REAL NOT NULL,
    set_by TEXT NOT NULL
);

-- Every local copy the retention policy removed, and the receipt that allowed it.
CREATE TABLE IF NOT EXISTS purges (
    id             INTEGER PRIMARY KEY,
    file_id        INTEGER NOT NULL REFERENCES files (id),
    path           TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    receipt_sha256 TEXT NOT NULL,
    purged_at      REAL NOT NULL
);
