"""A simulated room controller (询问室, 听证室 控制主机): it opens and closes a room's
sessions and publishes each, whole and retained, on the room's MQTT topic
(evidence/room_session.py), as the agent of the room's station expects. For the tests and
the demo; a real controller speaks the same topic and payload (docs/mqtt.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import TracebackType

import aiomqtt

from evidence.mqtt_wire import DEFAULT_PREFIX, room_topic
from evidence.room_session import RoomSession

__all__ = ["RoomController"]


@dataclass
class RoomController:
    room: str
    host: str
    port: int
    password: str
    username: str | None = None  # the room id by default, as the access list names it
    room_name: str | None = None
    prefix: str = DEFAULT_PREFIX
    _client: aiomqtt.Client | None = None

    async def __aenter__(self) -> RoomController:
        self._client = aiomqtt.Client(
            self.host, self.port, username=self.username or self.room, password=self.password
        )
        await self._client.__aenter__()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.__aexit__(kind, error, trace)
            self._client = None

    async def publish(self, session: RoomSession) -> RoomSession:
        if self._client is None:
            raise RuntimeError("use the controller in 'async with'")
        topic = room_topic(self.prefix, self.room)
        await self._client.publish(topic, session.to_bytes(), qos=1, retain=True)
        return session

    async def open(
        self,
        session_id: str,
        *,
        case_number: str | None = None,
        participants: Sequence[str] = (),
        records: Sequence[str] = ("video", "audio"),
        at: datetime | None = None,
    ) -> RoomSession:
        session = RoomSession(
            session_id,
            self.room,
            "open",
            at or datetime.now(UTC),
            room_name=self.room_name,
            case_number=case_number,
            participants=tuple(participants),
            records=tuple(records),
        )
        return await self.publish(session)

    async def close(self, session: RoomSession, at: datetime | None = None) -> RoomSession:
        return await self.publish(
            replace(session, state="closed", stopped_at=at or datetime.now(UTC))
        )
