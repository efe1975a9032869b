"""Watch every open upload's committed offset while a scenario runs: HEAD, as a tus client
would, straight at the server (not through the proxy, whose faults are for the agent, and
whose byte counts must be the agent's alone), a few times a second.

The uploads to ask about come from the server's index (liuhen/faults/books.py); a HEAD
that fails (the server is down, the upload just finished) is simply not a sample. The
samples feed ``check_offsets``: an offset must never go down, nor past its length.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

import aiohttp

from agent.server_api import ServerApi
from agent.tus_client import TusClient
from evidence.errors import LiuhenError
from evidence.identifiers import DeviceId
from evidence.wire import FILES
from liuhen.faults.books import ServerBooks
from runtime.key_files import load_private_key

__all__ = ["OffsetSampler"]


class OffsetSampler:
    def __init__(
        self,
        books: ServerBooks,
        server_url: Callable[[], str],
        device_id: str,
        key_path: Path,
        interval: float = 0.1,
    ) -> None:
        self._books = books
        self._server_url = server_url  # asked each round: the server may have moved
        self._device = DeviceId(device_id)
        self._key = load_private_key(key_path)
        self._interval = interval
        self.samples: dict[str, list[int]] = {}
        self.lengths: dict[str, int] = {}
        self.heads = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> OffsetSampler:
        self._task = asyncio.create_task(self._run(), name="offset-sampler")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            apis: dict[str, TusClient] = {}
            while True:
                url = self._server_url()
                if url:
                    if url not in apis:  # a new server process: sign in afresh
                        apis[url] = TusClient(ServerApi(session, url, self._device, self._key))
                    await self._sample(apis[url], url)
                await asyncio.sleep(self._interval)

    async def _sample(self, tus: TusClient, base_url: str) -> None:
        try:
            uploads = await asyncio.to_thread(self._books.uploads)
        except Exception:  # the index is busy, or being recovered: next round
            return
        for upload in uploads:
            if upload.state != "open":
                continue
            try:
                offset = await tus.offset(f"{base_url}{FILES}{upload.upload_id}", upload.length)
            except LiuhenError:
                continue
            self.samples.setdefault(upload.upload_id, []).append(offset)
            self.lengths[upload.upload_id] = upload.length
            self.heads += 1
