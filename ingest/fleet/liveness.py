"""Whether a station is alive, from what it reported and when it last spoke. Pure.

    unheard   nothing heard from it over MQTT (a registered device that never connected,
              or one that does not speak MQTT)
    online    it says it is online, and spoke within ``server.mqtt.silent_after_seconds``
    silent    it says it is online, but has said nothing for longer than that
    lost      the broker lost it without a goodbye: its will (kill -9, power, network)
    offline   it stopped cleanly and said so

Quiet time counts from its last live message (not its will, not a retained copy), or from
when its status was first heard if it never spoke live. A station lost or silent for
longer than ``server.mqtt.silent_flag_seconds`` raises ``station_silent``; one heard
online again resolves it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

__all__ = ["Condition", "Liveness", "liveness"]


class Condition(enum.StrEnum):
    ONLINE = "online"
    SILENT = "silent"
    LOST = "lost"
    OFFLINE = "offline"
    UNHEARD = "unheard"


@dataclass(frozen=True, slots=True)
class Liveness:
    condition: Condition
    quiet_seconds: float | None  # since it last spoke; None if never heard

    def silent_longer_than(self, seconds: float) -> bool:
        """Lost or silent, and quiet for longer than ``seconds``: the station_silent flag."""
        quiet = self.quiet_seconds
        stuck = self.condition in (Condition.LOST, Condition.SILENT)
        return stuck and quiet is not None and quiet > seconds


def liveness(
    status: str | None,
    last_seen_at: datetime | None,
    status_at: datetime | None,
    now: datetime,
    silent_after_seconds: float,
) -> Liveness:
    since = last_seen_at or status_at
    quiet = None if since is None else max(0.0, (now - since).total_seconds())
    if quiet is None:
        return Liveness(Condition.UNHEARD, None)
    if status == "lost":
        return Liveness(Condition.LOST, quiet)
    if status == "offline":
        return Liveness(Condition.OFFLINE, quiet)
    if last_seen_at is None or quiet > silent_after_seconds:
        return Liveness(Condition.SILENT, quiet)
    return Liveness(Condition.ONLINE, quiet)
