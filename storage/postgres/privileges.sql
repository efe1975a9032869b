-- A second lock beside the triggers: the server connects as a role that cannot change
-- what is append-only even before a trigger sees the statement. The database's owner
-- (who creates this schema: server.postgres.owner_dsn) keeps its privileges, which the
-- foreign keys' checks use, and is stopped by the triggers alone; the server's login role
-- is a member of liuhen_server, which may read and add everything, change only what
-- changes (sessions, tokens, uploads, the fleet's view…), resolve flags and edit acts,
-- and delete only credentials, the fleet's pruned events and store locks once applied. docs/storage-backends.md.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
DO $$
DECLARE
    name text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'liuhen_server') THEN
        RETURN;  -- a server that owns its index: the triggers alone guard it
    END IF;
    GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO liuhen_server;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO liuhen_server;
    FOREACH name IN ARRAY ARRAY[
        'devices', 'device_keys', 'users', 'tokens', 'user_passwords', 'user_sessions',
        'user_access', 'used_nonces', 'uploads', 'officers', 'fleet_stations', 'fleet_boots',
        'fleet_events', 'fleet_cameras', 'room_sessions', 'locks_to_apply'
    ] LOOP
        EXECUTE format('GRANT UPDATE, DELETE ON %I TO liuhen_server', name);
    END LOOP;
    GRANT UPDATE ON flags, acts TO liuhen_server;
    GRANT UPDATE ON act_spans TO liuhen_server;  -- derived: each fold replaces the last
END $$;
