-- The station's book, beside the journal (<agent.data_dir>/station.sqlite3): what the agent
-- knows beyond files. Bays and the cameras docked in them, what was copied off each,
-- notes and alarms, the MQTT outbox and commands, room sessions. The journal stays the one
-- truth about footage; nothing here is needed to record or upload it.

-- Each time a camera docked in a bay, and its clock as measured then (devices/clock.py).
CREATE TABLE IF NOT EXISTS dockings (
    id            INTEGER PRIMARY KEY,
    bay           TEXT NOT NULL,
    camera        TEXT NOT NULL,           -- the camera's serial, or the bay's name if unknown
    docked_at     REAL NOT NULL,
    undocked_at   REAL,
    offset_ms     INTEGER,                 -- camera clock − station clock
    measured_at   REAL,
    method        TEXT
);
CREATE INDEX IF NOT EXISTS dockings_open ON dockings (bay) WHERE undocked_at IS NULL;

-- Every file copied (or being copied) off a camera into the staging area. A camera's file
-- is known by (camera, path on the camera, size, mtime): docked again, it is not copied
-- again; changed, it is a new file.
CREATE TABLE IF NOT EXISTS staged (
    id            INTEGER PRIMARY KEY,
    docking_id    INTEGER NOT NULL REFERENCES dockings (id),
    camera        TEXT NOT NULL,
    source        TEXT NOT NULL,           -- relative to the bay
    size          INTEGER NOT NULL,
    mtime_ns      INTEGER NOT NULL,
    target        TEXT NOT NULL UNIQUE,    -- the staged copy
    state         TEXT NOT NULL,           -- copying | staged
    md5           TEXT,                    -- of the staged bytes, for a camera's MD5 claim
    staged_at     REAL,
    UNIQUE (camera, source, size, mtime_ns)
);

-- What an operator should read: one per (kind, subject), the latest kept. Alarms are shown
-- first by 'liuhen agent status'.
CREATE TABLE IF NOT EXISTS notes (
    id            INTEGER PRIMARY KEY,
    at            REAL NOT NULL,
    kind          TEXT NOT NULL,
    subject       TEXT NOT NULL,           -- a file's path, a camera, a session
    alarm         INTEGER NOT NULL,
    message       TEXT NOT NULL,
    UNIQUE (kind, subject)
);

-- MQTT: each start of the agent is a boot, numbering its events from 1; the outbox holds
-- every message to send until the broker has acknowledged it (docs/mqtt.md).
CREATE TABLE IF NOT EXISTS boots (
    id            TEXT PRIMARY KEY,
    started_at    REAL NOT NULL,
    last_seq      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS outbox (
    id            INTEGER PRIMARY KEY,
    leaf          TEXT NOT NULL,           -- the topic under the station's prefix
    payload       BLOB NOT NULL,
    created_at    REAL NOT NULL,
    sent_at       REAL
);
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
CREATE TABLE IF NOT EXISTS commands (
    id            TEXT PRIMARY KEY,        -- the sender's command id: executed once
    name          TEXT NOT NULL,
    received_at   REAL NOT NULL,
    result        BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    name          TEXT PRIMARY KEY,        -- paused, bandwidth
    value         TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cursors (
    name          TEXT PRIMARY KEY,        -- journal_events: the last journal event told
    position      INTEGER NOT NULL
);

-- Interview and hearing rooms: sessions as their controllers published them, and the
-- segments bound to each.
CREATE TABLE IF NOT EXISTS room_sessions (
    session_id    TEXT PRIMARY KEY,
    room          TEXT NOT NULL,
    state         TEXT NOT NULL,           -- open | closed
    started_at    REAL NOT NULL,
    stopped_at    REAL,
    judged        INTEGER NOT NULL DEFAULT 0,  -- closed, and its footage looked at
    document      BLOB NOT NULL            -- the controller's latest message
);
CREATE TABLE IF NOT EXISTS session_segments (
    path          TEXT PRIMARY KEY,
    session_id    TEXT NOT NULL REFERENCES room_sessions (session_id),
    idx           INTEGER NOT NULL,
    UNIQUE (session_id, idx)
);
