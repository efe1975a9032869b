"""``liuhen ingest serve``: run the ingest server (it creates its key on first start)."""

from __future__ import annotations

import argparse
from typing import Any

from ingest import failpoints
from ingest.http.server import serve
from ingest.startup import open_server
from liuhen.cli_command import command, group
from liuhen.settings import Settings

__all__ = ["add_server_commands"]


async def _ingest_serve(settings: Settings, args: argparse.Namespace) -> int:
    failpoints.arm_from_environment()  # before anything: a mistyped name stops the start
    server = await open_server(
        settings.server,
        settings.case_numbers.rule(),
        compliance=settings.compliance,
        custody=settings.custody,
    )
    try:
        await serve(server)
    finally:
        await server.close()
    return 0


def add_server_commands(groups: Any) -> None:
    ingest = group(groups, "ingest", "the ingest server")
    command(ingest, "serve", _ingest_serve, "run the ingest server")
