"""The index every backend must make agree with the reference rules: one fixture,
parametrised by backend, so a test that takes ``backend_index`` runs on each of them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.interfaces import Index
from storage.sqlite import open_sqlite_index

# A backend's name and how to open a fresh, empty index of it under a test's directory.
BACKENDS = ("sqlite",)


async def open_backend(name: str, where: Path) -> Index:
    if name == "sqlite":
        return await open_sqlite_index(where / "index.sqlite3")
    raise LookupError(f"no index backend {name!r} in the tests")


@pytest.fixture(params=BACKENDS)
async def backend_index(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Index]:
    index = await open_backend(request.param, tmp_path)
    yield index
    await index.close()
