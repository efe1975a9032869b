"""A PATCH's three threads are kept between PATCHes (``ingest/uploads/lanes.py``): no
thread is started or joined per PATCH, and a triple still busy is never handed on."""

from __future__ import annotations

import threading

from ingest.uploads import lanes
from tests.ingest.helpers import SMALL_CHUNK, created, prepared


def patch_threads() -> set[int]:
    return {t.ident or 0 for t in threading.enumerate() if t.name.startswith("patch-")}


async def test_patches_one_after_another_run_on_the_same_threads(server):
    ready = await prepared(server, size=6 * SMALL_CHUNK)
    url = await created(server, ready)
    first = await server.patch(url, 0, ready.data[:SMALL_CHUNK], ready.token)
    assert first.status == 204, first.body
    seen = patch_threads()
    for offset in range(SMALL_CHUNK, len(ready.data), SMALL_CHUNK):
        reply = await server.patch(
            url, offset, ready.data[offset : offset + SMALL_CHUNK], ready.token
        )
        assert reply.status == 204, reply.body
    assert patch_threads() == seen  # none started, none gone
    assert 3 <= len(seen) <= len(lanes.NAMES) * lanes.KEPT
    assert [path.read_bytes() for path in server.stored_blobs()] == [ready.data]


def test_a_triple_still_running_a_job_is_let_go_not_kept():
    busy = lanes.checkout()
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait(5)

    job = busy.submit(0, hold)
    started.wait(5)
    threading.Timer(0.1, release.set).start()
    lanes.checkin(busy)  # waits for the job, then shuts the triple down
    assert job.done()
    assert lanes.checkout() is not busy
