"""The server's subscription to the fleet (docs/mqtt.md): one broker connection at a time,
made again after every loss with capped jittered backoff, for ever. The only module of the
server that imports aiomqtt; its errors become ``BrokerUnavailable`` here.

The server reads as a reader user (``liuhen mqtt acl --reader``) in a **persistent
session** (``clean_session`` off, ``server.mqtt.client_id``): events the stations send
while the server is away or restarting wait for it at the broker. It subscribes with QoS 1
to every station's ``status``, ``state`` and ``events`` and every room's ``session``; the
retained ones arrive at once. A message is acknowledged as it is handed to the inbox, so
one the server crashes on is not delivered again: the fleet view is advisory, and HTTP is
the source of truth for footage. With no broker the server serves as ever and says so in
its log once, then quietly at each retry.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiomqtt

from evidence.errors import BrokerUnavailable, ConfigError
from evidence.mqtt_wire import EVENTS, STATE, STATUS
from ingest.fleet.inbox import FleetInbox
from ingest.server_config import FleetMqttConfig

__all__ = ["FleetLink", "read_password"]

log = logging.getLogger(__name__)


def read_password(path: Path | None) -> str | None:
    """The broker password, alone in its file; read once, at start."""
    if path is None:
        return None
    try:
        return path.read_text("utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"server.mqtt.password_file {path}: {exc.strerror}") from None


class FleetLink:
    def __init__(self, config: FleetMqttConfig, password: str | None, inbox: FleetInbox) -> None:
        self.config = config
        self.inbox = inbox
        self.connected = asyncio.Event()
        self._password = password
        self._delay = config.reconnect_base_seconds
        self._failures = 0

    @property
    def topics(self) -> list[str]:
        prefix = self.config.prefix
        stations = [f"{prefix}/stations/+/{leaf}" for leaf in (STATUS, STATE, EVENTS)]
        return [*stations, f"{prefix}/rooms/+/session"]

    def _client(self) -> aiomqtt.Client:
        config = self.config
        tls = None
        if config.tls_ca_file is not None:
            tls = ssl.create_default_context(cafile=str(config.tls_ca_file))
        return aiomqtt.Client(
            config.host,
            config.port,
            username=config.username,
            password=self._password,
            identifier=config.client_id,
            clean_session=False,
            keepalive=config.keepalive_seconds,
            timeout=10,
            tls_context=tls,
        )

    @asynccontextmanager
    async def _subscribed(self) -> AsyncIterator[aiomqtt.Client]:
        """A connection with the fleet's topics subscribed; aiomqtt's and the socket's
        errors become BrokerUnavailable."""
        where = f"{self.config.host}:{self.config.port}"
        try:
            async with self._client() as client:
                for topic in self.topics:
                    await client.subscribe(topic, qos=1)
                yield client
        except (aiomqtt.MqttError, OSError) as exc:
            raise BrokerUnavailable(f"MQTT broker {where}: {exc}") from exc

    async def once(self) -> None:
        """One connection's life: until the broker goes (BrokerUnavailable)."""
        async with self._subscribed() as client:
            log.info("fleet: subscribed at %s:%d", self.config.host, self.config.port)
            self._delay, self._failures = self.config.reconnect_base_seconds, 0
            self.connected.set()
            async for message in client.messages:
                await self._hand_on(message)
        raise BrokerUnavailable("the broker ended the connection")

    async def _hand_on(self, message: aiomqtt.Message) -> None:
        raw = message.payload
        payload = bytes(raw) if isinstance(raw, bytes | bytearray) else b""
        try:
            await self.inbox.take(message.topic.value, payload, message.retain)
        except Exception:  # one message the index could not take must not drop the rest
            log.exception("fleet: a message on %s could not be kept", message.topic.value)

    async def run_forever(self) -> None:
        while True:
            try:
                await self.once()
            except BrokerUnavailable as exc:
                self._failed(exc)
            finally:
                self.connected.clear()
            await asyncio.sleep(self._delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter
            self._delay = min(self._delay * 2, self.config.reconnect_cap_seconds)

    def _failed(self, exc: BrokerUnavailable) -> None:
        self._failures += 1
        level = logging.WARNING if self._failures == 1 else logging.INFO
        log.log(
            level,
            "fleet: %s; the fleet view waits, everything else works on; again in %.1f s",
            exc.message,
            self._delay,
        )
