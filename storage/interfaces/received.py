"""Evidence received from another agency."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from evidence.digest import Sha256
from storage.received_records import ReceivedObject, ReceivedPackage

__all__ = ["Received"]


class Received(Protocol):
    """Evidence received from other agencies in evidence packages (R13)."""

    async def package(self, package_sha256: Sha256) -> ReceivedPackage | None: ...

    async def objects(self, package_sha256: Sha256) -> list[ReceivedObject]: ...

    async def receive(
        self, package: ReceivedPackage, items: Sequence[ReceivedObject], *, leaf: bytes
    ) -> tuple[ReceivedPackage, bool]:
        """Keep a package and its objects and log its custody ``leaf``, in one transaction;
        return it (with its entry's number) and whether it is new. A package already
        received (the same SHA-256) is returned as it was, and nothing is written."""
        ...
