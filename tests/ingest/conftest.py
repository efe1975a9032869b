"""Fixtures of the server tests that need no server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.ingest.offline import Offline, open_offline


@pytest.fixture
async def offline(tmp_path: Path) -> AsyncIterator[Offline]:
    """The server's services over real books in ``tmp_path``, without HTTP."""
    world = await open_offline(tmp_path)
    try:
        yield world
    finally:
        await world.server.close()
