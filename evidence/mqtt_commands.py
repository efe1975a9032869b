"""Commands to a station over MQTT and its answers (docs/mqtt.md).

A command is published (QoS 1) on ``…/cmd/<name>`` with a payload naming it by an id the
sender chose. The station executes each id once, for ever: the same id again (a QoS 1
redelivery, a sender retrying) is answered with the first result, marked ``duplicate``,
and not executed again. The answer goes to ``…/cmd/<id>/result``.

    rescan     look at every watched folder and bay now              {}
    pause      finish the steps under way, start nothing new         {}
    resume     start again                                            {}
    bandwidth  cap uploads at bytes per second, all day; null: back   {"bytes_per_second": n}
               to the configured timetable (agent.bandwidth)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evidence.errors import MalformedMessage
from evidence.mqtt_wire import COMMANDS
from evidence.ranges import INT64_MAX
from evidence.strict_json import Fields, canonical_bytes, format_time, loads_object

__all__ = ["Command", "CommandResult"]

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True, slots=True)
class Command:
    command_id: str
    name: str
    args: dict[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        return canonical_bytes({"id": self.command_id, "args": self.args})

    @staticmethod
    def id_of(body: bytes) -> str | None:
        """The command id of a payload that may be wrong otherwise: where to answer it."""
        try:
            found = loads_object(body, MalformedMessage, "command").get("id")
        except MalformedMessage:
            return None
        return found if isinstance(found, str) and _ID.fullmatch(found) else None

    @classmethod
    def parse(cls, name: str, body: bytes) -> Command:
        """``name`` from the topic, the rest from the payload; refused with bad_message."""
        if name not in COMMANDS:
            raise MalformedMessage(f"no command {name!r}; one of {COMMANDS}", field="command")
        fields = Fields(loads_object(body, MalformedMessage, "command"), MalformedMessage)
        command_id = fields.text("id", max_length=64)
        if not _ID.fullmatch(command_id):
            raise MalformedMessage("field id is 1-64 of A-Z a-z 0-9 . _ -", field="id")
        args = fields.section("args")
        if name == "bandwidth":
            rate = args.optional_integer("bytes_per_second", minimum=1, maximum=INT64_MAX)
            parsed = cls(command_id, name, {"bytes_per_second": rate})
        else:
            parsed = cls(command_id, name)
        args.done()
        fields.done()
        return parsed


@dataclass(frozen=True, slots=True)
class CommandResult:
    command_id: str
    command: str
    device_id: str
    ok: bool
    executed_at: datetime
    code: str | None = None  # an error code when not ok (docs/protocol.md)
    message: str | None = None
    duplicate: bool = False  # this id was executed before; this is that result again

    def to_document(self) -> dict[str, Any]:
        return {
            "id": self.command_id,
            "command": self.command,
            "device_id": self.device_id,
            "ok": self.ok,
            "executed_at": format_time(self.executed_at),
            "code": self.code,
            "message": self.message,
            "duplicate": self.duplicate,
        }

    def to_bytes(self) -> bytes:
        return canonical_bytes(self.to_document())

    @classmethod
    def parse(cls, body: bytes) -> CommandResult:
        fields = Fields(loads_object(body, MalformedMessage, "result"), MalformedMessage)
        result = cls(
            command_id=fields.text("id", max_length=64),
            command=fields.text("command", max_length=64),
            device_id=fields.text("device_id", max_length=64),
            ok=fields.boolean("ok"),
            executed_at=fields.time("executed_at"),
            code=fields.optional_text("code", max_length=64),
            message=fields.optional_text("message"),
            duplicate=fields.boolean("duplicate"),
        )
        fields.done()
        return result
