"""An import's table, sent to the server as the person signed in: the file alone (CSV or
.xlsx), or a form with its column mapping (``ingest/http/tables.py`` reads both), with
the CSV's encoding, the workbook's sheet and a dry run as query parameters.

``import_table`` shows what was mapped to what before anything is committed: it sends
the table as a dry run first (the server reads it whole, and for acts does the import in
a transaction it rolls back), prints how it was read, and only then sends it for real."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import aiohttp

from evidence.errors import BadRequest
from evidence.wire import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from liuhen.api_client import ApiClient

__all__ = ["import_table", "send_table", "table_arguments"]


def table_arguments(parser: argparse.ArgumentParser) -> None:
    """The file of an import and how to read it."""
    parser.add_argument("file", type=Path, help="CSV (UTF-8 or GBK) or .xlsx")
    parser.add_argument("--mapping", type=Path, help="a column mapping (TOML) for this table")
    parser.add_argument("--encoding", help="the CSV's encoding (detected when left out)")
    parser.add_argument("--sheet", help="the workbook's sheet (the first when left out)")
    parser.add_argument("--dry-run", action="store_true", help="show what would change")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadRequest(f"cannot read {path}: {exc.strerror}") from exc


def _media_type(path: Path) -> str:
    return XLSX_CONTENT_TYPE if path.suffix.lower() in (".xlsx", ".xlsm") else CSV_CONTENT_TYPE


async def send_table(
    client: ApiClient, method: str, path: str, args: argparse.Namespace, *, dry_run: bool
) -> Any:
    """Send ``args.file`` (and ``args.mapping``) to ``path``; return the server's answer."""
    query = {"encoding": args.encoding, "sheet": args.sheet, "dry_run": "true" if dry_run else None}
    table = _read(args.file)
    if args.mapping is None:
        headers = {"Content-Type": _media_type(args.file)}
        raw = await client.send(method, path, data=table, headers=headers, query=query)
    else:
        form = aiohttp.FormData()
        form.add_field("file", table, filename=args.file.name, content_type=_media_type(args.file))
        form.add_field("mapping", _read(args.mapping), content_type="application/toml")
        raw = await client.send(method, path, data=form, query=query)
    return json.loads(raw)


async def import_table(
    client: ApiClient, method: str, path: str, args: argparse.Namespace
) -> tuple[dict[str, Any], list[str]]:
    """The answer and how the table was read: the dry run's, when ``--dry-run`` asked for
    no more or there is nothing to commit; else the import's, merged into the dry run's."""
    preview: dict[str, Any] = await send_table(client, method, path, args, dry_run=True)
    lines: list[str] = preview["mapping"]["lines"]
    if args.dry_run:
        return preview, lines
    if preview.get("unchanged"):  # the catalogue in force already: nothing to commit
        return {**preview, "dry_run": False}, lines
    done = await send_table(client, method, path, args, dry_run=False)
    return {**preview, **done, "dry_run": False}, lines
