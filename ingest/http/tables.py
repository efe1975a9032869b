"""A table uploaded for an import: the body alone (``text/csv`` or the .xlsx type), or a
``multipart/form-data`` form with the table in a part named ``file`` and a column
mapping (TOML) in a part named ``mapping``. ``?encoding=`` names a CSV's encoding (a
``charset`` on its Content-Type does too), ``?sheet=`` a workbook's sheet and
``?dry_run=true`` asks what the import would do without doing it. The whole request is
bounded by ``compliance.max_import_bytes``."""

from __future__ import annotations

import aiohttp
from aiohttp import BodyPartReader, web

from evidence.errors import BadRequest, TooLarge, UnsupportedMediaType
from evidence.wire import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from ingest.compliance.tables import TableUpload
from ingest.http.bodies import read_bounded

__all__ = ["dry_run", "read_table_upload"]

_TABLES = (CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, "multipart/form-data")
_MAX_MAPPING = 64 * 1024


def dry_run(request: web.Request) -> bool:
    value = request.query.get("dry_run", "false")
    if value not in ("true", "false"):
        raise BadRequest(f"dry_run must be true or false; got {value!r}")
    return value == "true"


async def _part(part: BodyPartReader, limit: int, what: str) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk():
        data += chunk
        if len(data) > limit:
            raise TooLarge(f"{what} is over the limit of {limit} bytes")
    return bytes(data)


async def _form(request: web.Request, limit: int) -> tuple[bytes, str | None]:
    declared = request.content_length
    if declared is not None and declared > limit:
        raise TooLarge(f"the form is {declared} bytes; the limit is {limit}")
    try:
        return await _parts(request, limit)
    except (ValueError, AssertionError, RuntimeError, aiohttp.ClientPayloadError) as exc:
        # aiohttp's multipart reader says "not a form" in several ways; one code for all
        raise BadRequest(
            f"the body is not a multipart form ({exc or type(exc).__name__})"
        ) from None


async def _parts(request: web.Request, limit: int) -> tuple[bytes, str | None]:
    table: bytes | None = None
    mapping: str | None = None
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise BadRequest("a form part may not itself be a multipart form")
        if part.name == "file":
            table = await _part(part, limit, "the table")
        elif part.name == "mapping":
            raw = await _part(part, _MAX_MAPPING, "the mapping")
            try:
                mapping = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest("the mapping is not UTF-8 text") from None
        else:
            raise BadRequest(f"unknown form part {part.name!r}; send file and mapping")
    if table is None:
        raise BadRequest("the form has no part named file")
    return table, mapping


async def read_table_upload(request: web.Request, limit: int) -> TableUpload:
    media_type = request.content_type
    if media_type not in _TABLES:
        raise UnsupportedMediaType(
            f"send the table as Content-Type: {' or '.join(_TABLES)}", accepted=list(_TABLES)
        )
    if media_type == "multipart/form-data":
        body, mapping = await _form(request, limit)
    else:
        body, mapping = await read_bounded(request, limit, "the table"), None
    return TableUpload(
        body,
        mapping,
        encoding=request.query.get("encoding") or request.charset or None,
        sheet=request.query.get("sheet") or None,
    )
