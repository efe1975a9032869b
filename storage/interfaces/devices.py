"""Registered devices and their keys."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from evidence.identifiers import DeviceId
from storage.records import DeviceKeyRecord, DeviceRecord

__all__ = ["Devices"]


class Devices(Protocol):
    async def add(
        self, device_id: DeviceId, label: str | None, key_id: str, public_key: bytes, now: datetime
    ) -> DeviceRecord: ...

    async def get(self, device_id: DeviceId) -> DeviceRecord | None: ...

    async def list_all(self) -> list[DeviceRecord]: ...

    async def revoke(self, device_id: DeviceId, now: datetime) -> DeviceRecord: ...

    async def key(self, key_id: str) -> DeviceKeyRecord | None: ...

    async def keys_of(self, device_id: DeviceId) -> list[DeviceKeyRecord]: ...
