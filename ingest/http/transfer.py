"""Evidence packages over HTTP (docs/evidence-package.md, docs/protocol.md#evidence-packages).

    POST …/exports   {"case": …} or {"evidence_ids": […]}, with "purpose"   a package (tar)
    POST …/packages  a package's tar, as exported by another Liuhen         import it

Exporting is ``export`` and reaches only the cases the person may see; it is logged
before the first byte is written. Importing is ``keep``. Thin: parse, authorise, call
``Exporter`` or ``Importer``, stream the archive."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from evidence.errors import BadRequest
from evidence.identifiers import EvidenceId
from evidence.strict_json import format_time
from evidence.wire import EXPORTS, PACKAGES
from ingest.access.actors import actor_of
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.http.bodies import read_json, require_content_type, save_body
from ingest.http.guard import person_route
from ingest.http.services import services
from ingest.transfer.export import Export
from ingest.transfer.importer import Imported

__all__ = ["add_transfer_routes", "send_export"]

TAR = "application/x-tar"
_BUFFER = 1024 * 1024


def _request(body: dict[str, Any]) -> tuple[str | None, list[EvidenceId], str]:
    case, ids, purpose = body.get("case"), body.get("evidence_ids", []), body.get("purpose")
    well_formed = (
        not set(body) - {"case", "evidence_ids", "purpose"}
        and (case is None or isinstance(case, str))
        and isinstance(ids, list)
        and all(isinstance(i, str) for i in ids)
        and isinstance(purpose, str)
    )
    if not well_formed or (case is None) == (not ids):
        raise BadRequest('send {"case": …} or {"evidence_ids": […]}, and {"purpose": …}')
    return None if case is None else str(case), [EvidenceId(i) for i in ids], str(purpose)


async def post_export(request: web.Request, person: Person) -> web.StreamResponse:
    case, ids, purpose = _request(await read_json(request))
    found = services(request)
    if case is not None:
        await found.gate.case(person, case)
    for evidence_id in ids:
        await found.gate.recording(person, evidence_id)
    case, stored = await found.exporter.select(case, ids)
    export = await found.exporter.export(actor_of(person), stored, case, purpose)
    try:
        return await send_export(request, export)
    finally:
        await asyncio.to_thread(found.exporter.discard, export.folder, export.archive)


async def send_export(request: web.Request, export: Export) -> web.StreamResponse:
    name = f"liuhen-package-{export.log_index}.tar"
    response = web.StreamResponse(
        headers={
            "Content-Type": TAR,
            "Content-Length": str(export.archive.stat().st_size),
            "Content-Disposition": f'attachment; filename="{name}"',
            "Liuhen-Log-Index": str(export.log_index),
            "Cache-Control": "private, no-store",
        }
    )
    await response.prepare(request)
    with export.archive.open("rb") as handle:
        while block := await asyncio.to_thread(handle.read, _BUFFER):
            await response.write(block)
    await response.write_eof()
    return response


async def post_package(request: web.Request, person: Person) -> web.Response:
    require_content_type(request, "an evidence package", TAR)
    importer = services(request).importer
    archive = importer.scratch()
    try:
        await save_body(request, archive, importer.limit, "an evidence package")
        imported = await importer.receive(actor_of(person), archive)
    finally:
        await asyncio.to_thread(archive.unlink, True)
    return web.json_response(_imported(imported), status=201 if imported.new else 200)


def _imported(imported: Imported) -> dict[str, Any]:
    package = imported.package
    return {
        "package_sha256": package.package_sha256.hex,
        "agency": package.agency,
        "origin": package.origin,
        "checkpoint_size": package.checkpoint_size,
        "checkpoint_root": package.checkpoint_root.hex,
        "sent_by": package.sent_by,
        "sent_at": format_time(package.sent_at),
        "received_by": package.received_by,
        "log_index": package.log_index,
        "objects": [
            {"evidence_id": str(o.evidence_id), "role": o.role.value, "sha256": o.sha256.hex}
            for o in imported.objects
        ],
    }


def add_transfer_routes(app: web.Application) -> None:
    person_route(app, "POST", EXPORTS, post_export, Action.EXPORT)
    person_route(app, "POST", PACKAGES, post_package, Action.KEEP)
