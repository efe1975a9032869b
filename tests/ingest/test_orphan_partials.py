"""The orphan sweep on a running server (``ingest/uploads/orphans.py``): a partial file no
index row names is removed once past its grace, and the disk it held returned; an open
upload's partial file, one this process is still creating, and one younger than the
grace are kept. The crash that leaves an orphan, and the restart that reclaims it, are
``tests/faults/test_server_failpoints.py``."""

from __future__ import annotations

import dataclasses
import os
import secrets
import time

from evidence.tus_wire import TUS_VERSION
from tests.ingest.helpers import created, prepared


def stray(area, length: int = 1024 * 1024, age: float = 3600) -> str:
    """A partial file as a crash between allocation and the index row leaves it."""
    upload_id = secrets.token_hex(16)
    with open(area.path(upload_id), "wb") as partial:  # allocated at full length, as create does
        os.posix_fallocate(partial.fileno(), 0, length)
    then = time.time() - age
    os.utime(area.path(upload_id), (then, then))
    return upload_id


async def test_the_sweep_removes_an_unnamed_partial_file_and_keeps_the_rest(server, caplog):
    ready = await prepared(server)
    url = await created(server, ready)
    open_id, token = url.rsplit("/", 1)[1], ready.token
    area, orphans = server.ctx.area, server.ctx.services.sweeper.orphans
    orphan, young, creating = stray(area), stray(area, age=0), stray(area)
    area.reserving.add(creating)
    try:
        swept = await dataclasses.replace(orphans, grace_seconds=60).sweep()
    finally:
        area.reserving.discard(creating)
    assert swept.files == 1 and swept.bytes >= 1024 * 1024
    assert not area.path(orphan).exists()
    assert all(area.path(kept).exists() for kept in (open_id, young, creating))
    assert f"orphan partial file of upload {orphan} removed (no index row" in caplog.text
    head = await server.send("HEAD", url, token=token, headers={"Tus-Resumable": TUS_VERSION})
    assert head.status == 200  # the open upload is untouched
