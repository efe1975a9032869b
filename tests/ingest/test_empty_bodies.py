"""Requests with no body, one after another. aiohttp gives every bodiless request the same
shared empty stream, and iterating its chunks ends only the first time in a process: the
second empty body used to spin the server's event loop at full CPU for ever, so it and
every request after it went unanswered (found by the fuzz test). The server runs on its
own thread here, so a spinning loop fails the test instead of hanging it."""

from collections.abc import Iterator
from datetime import timedelta

import pytest

from evidence.case_number import CaseNumberRule
from evidence.wire import CASES_IMPORT, HEALTH, RECORDING_TRANSCRIPT
from ingest.access.people import add_user
from ingest.server_config import IngestConfig
from tests.ingest.fuzz_server import ThreadedServer


@pytest.fixture
def threaded(tmp_path) -> Iterator[tuple[ThreadedServer, str]]:
    server = ThreadedServer(IngestConfig(data_dir=tmp_path / "server", port=0), CaseNumberRule())
    server.start()
    try:
        assert server.ctx is not None
        issued = server.call(
            add_user(server.ctx.index.credentials, "admin", "admin", timedelta(days=1))
        )
        yield server, issued.token
    finally:
        server.stop()


def test_empty_bodies_one_after_another_are_each_answered(threaded):
    server, token = threaded
    auth = {"Authorization": f"Bearer {token}"}
    for _ in range(3):
        answer = server.request("POST", CASES_IMPORT, {**auth, "Content-Type": "text/csv"}, None)
        assert answer is not None and answer.status == 400, answer
    path = RECORDING_TRANSCRIPT.format(evidence_id="0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a")
    answer = server.request("POST", path, {**auth, "Content-Type": "text/plain"}, None)
    assert answer is not None and answer.status == 404, answer
    assert server.request("GET", HEALTH, {}, None) is not None
