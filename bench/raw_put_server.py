"""The ingest server with two extra routes for the benchmarks: a plain streamed PUT that
writes the body to disk (then fsyncs), the baseline `curl -T` is measured against; and
`GET /bench/cpu`, where the server's CPU went since the last call (``runtime/cpu_account``).

Benchmark only: the routes are unauthenticated and is never part of the real server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
from pathlib import Path

from aiohttp import web

from evidence.case_number import CaseNumberRule
from ingest.http.app import build_app
from ingest.http.server import app_runner
from ingest.server_config import IngestConfig
from ingest.startup import open_server
from runtime import cpu_account

RAW_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def raw_put_handler(folder: Path):
    async def raw_put(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if not RAW_NAME.fullmatch(name):
            raise web.HTTPBadRequest()
        received = 0
        with open(folder / name, "wb") as out:  # noqa: ASYNC230 - a plain endpoint writes as it comes
            async for data in request.content.iter_chunked(1024 * 1024):
                out.write(data)
                received += len(data)
            out.flush()
            os.fsync(out.fileno())
        return web.json_response({"received": received}, status=201)

    return raw_put


async def cpu_account_handler(request: web.Request) -> web.Response:
    """CPU seconds by section since the last call (BENCH_CPU_ACCOUNT=1)."""
    return web.json_response({"enabled": cpu_account.ENABLED, "sections": cpu_account.snapshot()})


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    config = IngestConfig(data_dir=args.data_dir, port=args.port, max_upload_bytes=1 << 40)
    ctx = await open_server(config, CaseNumberRule())
    app = build_app(ctx.services)
    raw_dir = args.data_dir / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    app.router.add_put("/bench/raw/{name}", raw_put_handler(raw_dir))
    app.router.add_get("/bench/cpu", cpu_account_handler)
    runner = app_runner(app)  # the real server's settings
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port).start()
    print("ready", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await ctx.close()


if __name__ == "__main__":
    asyncio.run(main())
