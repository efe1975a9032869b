"""The public keys an expert needs to check Liuhen's signatures without trusting the
server's word: the server's (receipts, challenges), the custody log's (checkpoints, as a
C2SP vkey) and every device's (manifests), with their ids. Served by the API; the evidence
package carries the same."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from evidence.keys import Ed25519PublicKey, key_id, public_key_from_raw, public_key_pem
from evidence.strict_json import format_time
from ingest.custody_log.identity import LogIdentity
from storage.interfaces import Devices

__all__ = ["KeyDirectory"]


def _key(public: Ed25519PublicKey) -> dict[str, Any]:
    return {"key_id": key_id(public), "public_key_pem": public_key_pem(public).decode("ascii")}


@dataclass(frozen=True)
class KeyDirectory:
    devices: Devices
    server_key: Ed25519PublicKey
    log: LogIdentity

    async def keys(self) -> dict[str, Any]:
        devices = []
        for device in await self.devices.list_all():
            keys = [
                {
                    **_key(public_key_from_raw(record.public_key)),
                    "public_key_raw": base64.b64encode(record.public_key).decode("ascii"),
                    "added_at": format_time(record.added_at),
                }
                for record in await self.devices.keys_of(device.device_id)
            ]
            devices.append(
                {"device_id": str(device.device_id), "status": device.status.value, "keys": keys}
            )
        return {
            "server": _key(self.server_key),
            "log": {
                "origin": self.log.origin,
                "vkey": self.log.vkey,
                **_key(self.log.verifier.public_key),
            },
            "devices": devices,
        }
