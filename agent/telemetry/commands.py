"""Commands from the fleet (evidence/mqtt_commands.py), each executed once, for ever.

The station subscribes to its ``cmd/+`` topics with QoS 1 in a persistent MQTT session,
so a command sent while it is offline waits at the broker and arrives when it connects.
A command is applied, then its id recorded with its result and the settings it changed,
in one transaction: the same id again (a QoS 1 redelivery, a sender retrying) gets the
first result back, marked ``duplicate``, and changes nothing. Every command sets a value
(or rescans), so one applied twice, when the station died between applying and
recording, is as if applied once; the link acknowledges it to the broker only after.
``pause`` outlives a restart here; the bandwidth cap is the upload policy's to keep
(agent/policy.py keeps it in the journal). Results go out through the outbox.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from agent import failpoints
from agent.policy import UploadPolicy
from agent.station_db import StationDb
from agent.telemetry.outbox import Outbox
from evidence.errors import MalformedMessage
from evidence.mqtt_commands import Command, CommandResult
from runtime.sqlite_thread import transaction

__all__ = ["Bandwidth", "Commands", "Controls", "PolicyBandwidth", "Settings"]

log = logging.getLogger(__name__)


class Controls(Protocol):
    """What commands steer: the agent service."""

    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def rescan_now(self) -> None: ...


class Bandwidth(Protocol):
    """A cap on uploads in bytes per second; None: back to the configured timetable."""

    async def set_bandwidth(self, bytes_per_second: int | None) -> None: ...


class PolicyBandwidth:
    """The upload policy (agent/policy.py) behind the Bandwidth interface: a cap is put
    in force all day in place of ``agent.bandwidth`` and kept in the journal, as
    ``liuhen agent bandwidth`` does; None puts the configured timetable back."""

    def __init__(self, policy: UploadPolicy) -> None:
        self.policy = policy

    async def set_bandwidth(self, bytes_per_second: int | None) -> None:
        if bytes_per_second is None:
            await self.policy.clear_bandwidth()
        else:
            await self.policy.set_bandwidth(str(bytes_per_second), "an MQTT command")


class Settings:
    """What the operator set over MQTT, as last recorded."""

    def __init__(self) -> None:
        self.paused = False
        self.bandwidth: int | None = None  # the last cap sent; the policy says what holds


class Commands:
    def __init__(
        self,
        db: StationDb,
        device_id: str,
        controls: Controls,
        bandwidth: Bandwidth,
        outbox: Outbox,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self.device_id = device_id
        self.controls = controls
        self.bandwidth = bandwidth
        self.outbox = outbox
        self.clock = clock
        self.settings = Settings()

    async def restore(self) -> None:
        """Apply what was set before the agent last stopped."""

        def read(conn: sqlite3.Connection) -> dict[str, Any]:
            return {
                row["name"]: json.loads(row["value"])
                for row in conn.execute("SELECT * FROM settings")
            }

        saved = await self._db.run(read)
        self.settings.bandwidth = saved.get("bandwidth")
        self._pause(bool(saved.get("paused", False)))

    def _pause(self, paused: bool) -> None:
        self.settings.paused = paused
        if paused:
            self.controls.pause()
        else:
            self.controls.resume()

    async def handle(self, name: str, payload: bytes) -> None:
        try:
            command = Command.parse(name, payload)
        except MalformedMessage as exc:
            await self._refused(name, payload, exc)
            return
        result = await self._execute_once(command)
        await self.outbox.put(f"cmd/{command.command_id}/result", result.to_bytes())

    async def _refused(self, name: str, payload: bytes, exc: MalformedMessage) -> None:
        """Answer a bad command when it names an id to answer on; else only log it."""
        command_id = Command.id_of(payload)
        if command_id is None:
            log.warning("MQTT command %s refused, no id to answer: %s", name, exc.message)
            return
        log.warning("MQTT command %s %s refused: %s", name, command_id, exc.message)
        result = CommandResult(
            command_id, name, self.device_id, False, self._now(), exc.code, exc.message
        )
        await self.outbox.put(f"cmd/{command_id}/result", result.to_bytes())

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def _changes(self, command: Command) -> tuple[bool, int | None, str]:
        paused, bandwidth = self.settings.paused, self.settings.bandwidth
        match command.name:
            case "pause":
                return True, bandwidth, "paused: the steps under way finish, nothing new starts"
            case "resume":
                return False, bandwidth, "resumed"
            case "bandwidth":
                cap = command.args["bytes_per_second"]
                said = "back to agent.bandwidth" if cap is None else f"{cap} bytes per second"
                return paused, cap, f"upload cap {said}"
        return paused, bandwidth, "rescanning every folder and bay now"

    async def _execute_once(self, command: Command) -> CommandResult:
        earlier = await self._db.run(lambda conn: _result_of(conn, command.command_id))
        if earlier is not None:
            log.info(
                "MQTT command %s %s again: answered, not executed", command.name, command.command_id
            )
            return CommandResult(**{**_fields(earlier), "duplicate": True})
        paused, bandwidth, message = self._changes(command)
        result = CommandResult(
            command.command_id, command.name, self.device_id, True, self._now(), message=message
        )
        # Applied before it is recorded: every command sets a value (or rescans), so one
        # applied again after a crash here changes nothing, and one recorded is applied.
        await self._apply(command, paused, bandwidth)

        def record(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                failpoints.hit(failpoints.BEFORE_COMMAND_RECORDED)
                conn.execute(
                    "INSERT INTO commands (id, name, received_at, result) VALUES (?, ?, ?, ?)",
                    (command.command_id, command.name, self.clock(), result.to_bytes()),
                )
                for name, value in (("paused", paused), ("bandwidth", bandwidth)):
                    conn.execute(
                        "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) "
                        "DO UPDATE SET value = excluded.value",
                        (name, json.dumps(value)),
                    )

        await self._db.run(record)
        failpoints.hit(failpoints.AFTER_COMMAND_RECORDED)
        log.info("MQTT command %s %s: %s", command.name, command.command_id, message)
        return result

    async def _apply(self, command: Command, paused: bool, bandwidth: int | None) -> None:
        self._pause(paused)
        if command.name == "bandwidth":
            self.settings.bandwidth = bandwidth
            await self.bandwidth.set_bandwidth(bandwidth)
        if command.name == "rescan":
            self.controls.rescan_now()


def _result_of(conn: sqlite3.Connection, command_id: str) -> CommandResult | None:
    """The first result of ``command_id``, if it was executed before."""
    row = conn.execute("SELECT result FROM commands WHERE id = ?", (command_id,)).fetchone()
    return None if row is None else CommandResult.parse(bytes(row["result"]))


def _fields(result: CommandResult) -> dict[str, Any]:
    return {name: getattr(result, name) for name in CommandResult.__slots__}
