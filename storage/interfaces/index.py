"""The index: one object holding every capability; each service is given only the ones
it uses."""

from __future__ import annotations

from typing import Protocol

from storage.interfaces.catch_up import CatchUp
from storage.interfaces.compliance import Compliance
from storage.interfaces.custody_log import CustodyLog
from storage.interfaces.devices import Devices
from storage.interfaces.flags import Flags
from storage.interfaces.fleet import Fleet, Rooms
from storage.interfaces.holds import Holds
from storage.interfaces.media import Media
from storage.interfaces.objects import Objects
from storage.interfaces.people import Accounts, Credentials
from storage.interfaces.received import Received
from storage.interfaces.uploads import Uploads

__all__ = ["Index"]


class Index(Protocol):
    devices: Devices
    credentials: Credentials
    accounts: Accounts
    uploads: Uploads
    objects: Objects
    flags: Flags
    media: Media
    compliance: Compliance
    catch_up: CatchUp
    log: CustodyLog
    fleet: Fleet
    rooms: Rooms
    received: Received
    holds: Holds

    async def close(self) -> None: ...
