"""MQTT fixtures: a real mosquitto with passwords and an access list, the agent's MQTT
settings for it, and a listener that keeps what it hears."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiomqtt
import pytest

from agent.config import AgentConfig, MqttConfig, RoomConfig
from evidence.mqtt_wire import DEFAULT_PREFIX, mosquitto_acl
from tests.mosquitto import Mosquitto

STATION = "dock-agent-01"  # tests/agent/conftest.py's device id
ROOM = "room-1"


@pytest.fixture
def broker(tmp_path: Path):
    acl = mosquitto_acl(
        DEFAULT_PREFIX,
        stations=[STATION, "dock-other"],
        rooms=[ROOM],
        readers=["fleet"],
        operators=["ops"],
    )
    mosquitto = Mosquitto(
        tmp_path / "mosquitto", [STATION, "dock-other", ROOM, "fleet", "ops"], acl
    )
    mosquitto.start()
    try:
        yield mosquitto
    finally:
        mosquitto.stop()


@pytest.fixture
def mqtt_config(agent_config: AgentConfig, broker: Mosquitto, tmp_path: Path) -> AgentConfig:
    """The test agent, telling the broker, with a room it serves; no review copies."""
    room = tmp_path / "rooms" / ROOM
    room.mkdir(parents=True)
    return dataclasses.replace(
        agent_config,
        make_proxies=False,
        rooms=(RoomConfig(ROOM, room, "询问室1"),),
        room_grace_seconds=2.0,
        mqtt=MqttConfig(
            enabled=True,
            port=broker.port,
            password_file=broker.password_file(STATION),
            keepalive_seconds=5,
            state_seconds=0.3,
            reconnect_base_seconds=0.1,
            reconnect_cap_seconds=0.4,
        ),
    )


def client(broker: Mosquitto, user: str, **options) -> aiomqtt.Client:
    return aiomqtt.Client(
        "127.0.0.1",
        broker.port,
        username=user,
        password=broker.passwords[user],
        timeout=5,
        **options,
    )


class Heard:
    """Every message a listener received, in order."""

    def __init__(self) -> None:
        self.messages: list[aiomqtt.Message] = []

    def on(self, topic: str) -> list[bytes]:
        return [bytes(m.payload) for m in self.messages if m.topic.value == topic]

    async def wait(self, ready: Callable[[], bool], within: float = 15.0) -> None:
        deadline = time.monotonic() + within
        while not ready():
            if time.monotonic() > deadline:
                heard = [(m.topic.value, bytes(m.payload)[:120]) for m in self.messages]
                raise AssertionError(f"timed out; heard {heard}")
            await asyncio.sleep(0.02)


@asynccontextmanager
async def listening(
    broker: Mosquitto, *topics: str, user: str = "fleet", session: str | None = None
) -> AsyncIterator[Heard]:
    """A reader subscribed (QoS 1) to ``topics``; ``session`` names a persistent session
    that the broker keeps, with what arrives for it, while the reader is away."""
    heard = Heard()
    persistent = {"identifier": session, "clean_session": False} if session else {}
    async with client(broker, user, **persistent) as reader:
        for topic in topics:
            await reader.subscribe(topic, qos=1)

        async def keep() -> None:
            async for message in reader.messages:
                heard.messages.append(message)

        task = asyncio.create_task(keep())
        try:
            yield heard
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
