"""The station's MQTT connection: one at a time, made again after every loss, with capped
jittered backoff, for ever. Nothing else in the agent waits for it.

Connected, the station: publishes its retained ``status`` ``online`` (its last will,
retained ``lost``, is what the broker publishes if the connection dies without a goodbye:
a kill -9, a power cut, a cable pulled); subscribes with QoS 1 to its ``cmd/+`` topics and
to the rooms it serves, in a persistent session (``clean_session`` off, a fixed client
id) so what is sent while it is away waits for it, and acknowledges each message only
once it has handled it, so one the station died on is delivered again; sends the outbox in order; publishes
its retained ``state`` every ``agent.mqtt.state_seconds``. Stopping cleanly, it publishes
``offline`` before it disconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import aiomqtt

from agent.config import MqttConfig
from agent.telemetry.outbox import Outbox
from agent.telemetry.state import StateProvider
from evidence.mqtt_wire import STATE, STATUS, room_topic, station_topic
from evidence.telemetry import StationStatus

__all__ = ["Link"]

log = logging.getLogger(__name__)

Handler = Callable[[str, bytes], Awaitable[None]]


async def _race(*work: Coroutine[Any, Any, None]) -> None:
    """Run until the first ends; cancel the rest; raise what the first raised."""
    tasks = [asyncio.create_task(coroutine) for coroutine in work]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        task.result()


class Link:
    def __init__(
        self,
        config: MqttConfig,
        device_id: str,
        software: str,
        outbox: Outbox,
        state: StateProvider,
        commands: Handler,
        rooms: dict[str, Handler] | None = None,
    ) -> None:
        self.config = config
        self.device_id = device_id
        self.software = software
        self.outbox = outbox
        self.state = state
        self.commands = commands
        self.rooms = rooms or {}
        self.connected = asyncio.Event()
        self._delay = config.reconnect_base_seconds

    def _topic(self, leaf: str) -> str:
        return station_topic(self.config.prefix, self.device_id, leaf)

    def _status(self, status: str) -> bytes:
        return StationStatus(status, self.device_id, self.outbox.boot, self.software).to_bytes()

    def _client(self) -> aiomqtt.Client:
        config = self.config
        password = None
        if config.password_file is not None:
            password = config.password_file.read_text("utf-8").strip()
        tls = None
        if config.tls_ca_file is not None:
            tls = ssl.create_default_context(cafile=str(config.tls_ca_file))
        client = aiomqtt.Client(
            config.host,
            config.port,
            username=config.username or self.device_id,
            password=password,
            identifier=f"liuhen-station-{self.device_id}",
            clean_session=False,
            keepalive=config.keepalive_seconds,
            timeout=10,
            tls_context=tls,
            will=aiomqtt.Will(self._topic(STATUS), self._status("lost"), qos=1, retain=True),
        )
        # aiomqtt has no manual acknowledgement of its own; paho's is switched on before
        # connecting (what waited in the session comes right after CONNACK), so each
        # message is acknowledged once handled (_receive), not as it arrives.
        client._client.manual_ack_set(True)
        return client

    async def once(self) -> None:
        """One connection's life, then a pause before the next."""
        try:
            async with self._client() as client:
                try:
                    await self._connected(client)
                except asyncio.CancelledError:
                    await self._goodbye(client)
                    raise
        except (aiomqtt.MqttError, OSError) as exc:
            log.info(
                "MQTT %s:%d: %s; again in %.0f s",
                self.config.host,
                self.config.port,
                exc,
                self._delay,
            )
        finally:
            self.connected.clear()
        await asyncio.sleep(self._delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter
        self._delay = min(self._delay * 2, self.config.reconnect_cap_seconds)

    async def _connected(self, client: aiomqtt.Client) -> None:
        await client.publish(self._topic(STATUS), self._status("online"), qos=1, retain=True)
        await client.subscribe(self._topic("cmd/+"), qos=1)
        for room in self.rooms:
            await client.subscribe(room_topic(self.config.prefix, room), qos=1)
        log.info("MQTT connected to %s:%d", self.config.host, self.config.port)
        self._delay = self.config.reconnect_base_seconds
        self.connected.set()
        await _race(self._send(client), self._publish_state(client), self._receive(client))

    async def _goodbye(self, client: aiomqtt.Client) -> None:
        with contextlib.suppress(aiomqtt.MqttError, asyncio.CancelledError):
            await client.publish(
                self._topic(STATUS), self._status("offline"), qos=1, retain=True, timeout=2
            )

    async def _send(self, client: aiomqtt.Client) -> None:
        while True:
            self.outbox.added.clear()
            for message in await self.outbox.pending():
                await client.publish(self._topic(message.leaf), message.payload, qos=1)
                await self.outbox.sent(message.row_id)
            if not await self._anything_pending():
                await self.outbox.added.wait()

    async def _anything_pending(self) -> bool:
        return bool(await self.outbox.pending(1))

    async def _publish_state(self, client: aiomqtt.Client) -> None:
        while True:
            state = await self.state.snapshot(self.outbox.boot)
            await client.publish(self._topic(STATE), state.to_bytes(), qos=0, retain=True)
            await asyncio.sleep(self.config.state_seconds)

    async def _receive(self, client: aiomqtt.Client) -> None:
        commands = self._topic("cmd/")
        rooms = {
            room_topic(self.config.prefix, room): handler for room, handler in self.rooms.items()
        }
        async for message in client.messages:
            raw = message.payload
            topic, payload = (
                message.topic.value,
                bytes(raw) if isinstance(raw, bytes | bytearray) else b"",
            )
            try:
                if topic.startswith(commands):
                    await self.commands(topic.removeprefix(commands), payload)
                elif topic in rooms:
                    await rooms[topic](topic, payload)
            except Exception:  # one bad message must not drop the connection
                log.exception("MQTT message on %s could not be handled", topic)
            # Only now, handled and recorded: a station killed before this point gets the
            # message again from its persistent session, and a command id runs once.
            client._client.ack(message.mid, message.qos)
