"""The fleet: stations' status, state and events, and room sessions, as MQTT tells them
(docs/mqtt.md). Advisory: HTTP is the source of truth, and the server works without it."""
