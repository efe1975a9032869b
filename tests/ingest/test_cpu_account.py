"""The CPU account the benchmarks read (``runtime/cpu_account.py``): with it on, an upload
through the real server shows its CPU under each section; with it off, nothing is counted."""

import hashlib

from runtime import cpu_account
from tests.ingest.helpers import SMALL_CHUNK, created, prepared, upload_all


async def test_an_upload_shows_its_cpu_by_section(server, monkeypatch):
    monkeypatch.setattr(cpu_account, "ENABLED", True)
    ready = await prepared(server, size=64 * SMALL_CHUNK)
    url = await created(server, ready)
    cpu_account.snapshot()  # from here on
    await upload_all(server, ready, url, piece=16 * SMALL_CHUNK)
    spent = cpu_account.snapshot()
    for section in ("write", "hash.chunks", "hash.whole", "fsync", "sqlite.index"):
        assert spent[section] > 0.0, section  # thread CPU clocks count nanoseconds
    assert spent["loop.user"] + spent["loop.system"] > 0.0
    covered = sum(value for name, value in spent.items() if name not in ("process", "other"))
    assert abs(covered + spent["other"] - spent["process"]) < 1e-9


def test_a_section_counts_its_threads_cpu_only_when_on(monkeypatch):
    monkeypatch.setattr(cpu_account, "ENABLED", False)
    cpu_account.snapshot()
    with cpu_account.Section("bench.test"):
        hashlib.sha256(bytes(32 * 1024 * 1024)).digest()
    assert "bench.test" not in cpu_account.snapshot()
    monkeypatch.setattr(cpu_account, "ENABLED", True)
    with cpu_account.Section("bench.test"):
        hashlib.sha256(bytes(32 * 1024 * 1024)).digest()
    assert cpu_account.snapshot()["bench.test"] > 0.0
