"""A room controller's session message (询问室, 听证室): published retained on
``<prefix>/rooms/<room id>/session`` at the start and at the stop of each session, each
time the whole session as it stands, so a station that connects late still learns the
session under way, or a whole one it missed (docs/mqtt.md).

``started_at`` and ``stopped_at`` are the controller's clock; ``records`` says what the
room records (``video``, ``audio``), so a station knows what footage to expect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evidence.errors import InvalidIdentifier, MalformedMessage
from evidence.mqtt_wire import room_id
from evidence.strict_json import Fields, canonical_bytes, format_time, loads_object

__all__ = ["RECORDS", "SESSION_STATES", "RoomSession"]

SESSION_STATES = ("open", "closed")
RECORDS = ("video", "audio")
_SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")  # as a manifest's session.id
MAX_PARTICIPANTS = 64


@dataclass(frozen=True, slots=True)
class RoomSession:
    session_id: str
    room: str
    state: str
    started_at: datetime
    stopped_at: datetime | None = None
    room_name: str | None = None
    case_number: str | None = None
    participants: tuple[str, ...] = ()
    records: tuple[str, ...] = ("video", "audio")

    def to_document(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "room": self.room,
            "room_name": self.room_name,
            "state": self.state,
            "started_at": format_time(self.started_at),
            "stopped_at": None if self.stopped_at is None else format_time(self.stopped_at),
            "case_number": self.case_number,
            "participants": list(self.participants),
            "records": list(self.records),
        }

    def to_bytes(self) -> bytes:
        return canonical_bytes(self.to_document())

    @classmethod
    def parse(cls, body: bytes) -> RoomSession:
        fields = Fields(loads_object(body, MalformedMessage, "session"), MalformedMessage)
        session_id = fields.text("session_id", max_length=128)
        if not _SESSION_ID.fullmatch(session_id):
            raise MalformedMessage("session_id is 1-128 of A-Z a-z 0-9 . _ : -", field="session_id")
        room = fields.convert("room", fields.text("room", max_length=64), _room)
        state = fields.text("state", max_length=16)
        started_at = fields.time("started_at")
        stopped_at = fields.optional_time("stopped_at")
        if state not in SESSION_STATES or (state == "closed") != (stopped_at is not None):
            raise MalformedMessage("state is open, or closed with stopped_at", field="state")
        if stopped_at is not None and stopped_at < started_at:
            raise MalformedMessage("stopped_at is before started_at", field="stopped_at")
        participants = fields.text_list("participants", max_items=MAX_PARTICIPANTS)
        records = fields.text_list("records", max_items=len(RECORDS))
        if not records or any(item not in RECORDS for item in records):
            raise MalformedMessage(f"records lists some of {RECORDS}", field="records")
        session = cls(
            session_id,
            room,
            state,
            started_at,
            stopped_at,
            room_name=fields.optional_text("room_name", max_length=128),
            case_number=fields.optional_text("case_number", max_length=64),
            participants=tuple(text[:128] for text in participants if text.strip()),
            records=tuple(records),
        )
        fields.done()
        return session


def _room(text: str) -> str:
    try:
        return room_id(text)
    except InvalidIdentifier as exc:  # in a message it is the message that is bad
        raise MalformedMessage(exc.message) from None
