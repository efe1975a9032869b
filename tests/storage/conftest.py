"""The index every backend must make agree with the reference rules: ``backend_index`` is
a fresh index on each backend in turn (``open_index_at``, tests/index_backends.py), so a
test that takes it runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.interfaces import Index
from tests.index_backends import IndexAt


@pytest.fixture
async def backend_index(open_index_at: IndexAt, tmp_path: Path) -> AsyncIterator[Index]:
    index = await open_index_at(tmp_path / "index.sqlite3")
    yield index
    await index.close()
