"""MQTT telemetry: advisory, never on the path that records or uploads (docs/mqtt.md)."""
