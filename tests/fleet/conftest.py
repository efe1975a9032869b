"""Fleet fixtures: the real mosquitto of the agent's MQTT tests (password file and access
list), the real agent's settings for it, and the real server subscribed to it as the
reader ``fleet``, with short thresholds so each test takes seconds."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ingest.server_config import FleetMqttConfig, IngestConfig
from tests.agent.conftest import agent_config  # noqa: F401 - a fixture, used by name
from tests.agent.mqtt.conftest import broker, mqtt_config  # noqa: F401 - fixtures
from tests.mosquitto import Mosquitto

FLEET_CLIENT = "liuhen-fleet-test"


def fleet_settings(mosquitto: Mosquitto, **changes: object) -> FleetMqttConfig:
    settings = FleetMqttConfig(
        enabled=True,
        port=mosquitto.port,
        username="fleet",
        password_file=mosquitto.password_file("fleet"),
        client_id=FLEET_CLIENT,
        keepalive_seconds=5,
        reconnect_base_seconds=0.1,
        reconnect_cap_seconds=0.5,
        silent_after_seconds=5.0,
        silent_flag_seconds=1.0,
        session_grace_seconds=0.5,
        watch_seconds=0.2,
    )
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


@pytest.fixture
def server_config(tmp_path: Path, broker: Mosquitto) -> IngestConfig:  # noqa: F811
    return IngestConfig(
        data_dir=tmp_path / "server",
        port=0,
        max_upload_bytes=256 * 1024 * 1024,
        mqtt=fleet_settings(broker),
    )
