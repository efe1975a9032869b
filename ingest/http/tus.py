"""tus 1.0 at /files/: thin handlers over the upload session (``uploads/session.py``)."""

from __future__ import annotations

import logging

from aiohttp import web

from evidence.errors import LiuhenError
from evidence.tus_wire import BUSY_HEADER
from evidence.wire import FILES
from ingest.http.bodies import body_chunks
from ingest.http.credentials import signed_in_device
from ingest.http.services import services
from ingest.uploads.rules import discovery_headers, parse_creation, upload_headers

__all__ = ["add_tus_routes"]

log = logging.getLogger(__name__)


async def options(request: web.Request) -> web.Response:
    size_limit = services(request).uploads.limits.size_limit
    return web.Response(status=204, headers=discovery_headers(size_limit))


async def create(request: web.Request) -> web.Response:
    device = await signed_in_device(request)
    uploads, finalizer = services(request).uploads, services(request).finalizer
    creation = parse_creation(request.headers, uploads.limits.size_limit)
    upload, new = await uploads.create(device, creation)
    if new and creation.has_body:
        try:
            body = body_chunks(request)
            upload = await uploads.append(
                device, upload.upload_id, request.headers, body, creation=True
            )
        except LiuhenError as exc:
            # creation-with-upload: the upload exists; Upload-Offset says what was kept.
            log.info("creation body for %s not kept: %s", upload.upload_id, exc.message)
    await finalizer.finalize_if_complete(upload)
    headers = upload_headers(upload)
    headers["Location"] = str(
        request.url.join(request.app.router["tus_upload"].url_for(upload_id=upload.upload_id))
    )
    if not creation.has_body:
        del headers["Upload-Offset"]
    return web.Response(status=201, headers=headers)


async def head(request: web.Request) -> web.Response:
    device = await signed_in_device(request)
    uploads = services(request).uploads
    upload = await uploads.head(device, request.match_info["upload_id"])
    headers = upload_headers(upload)
    if await uploads.busy(upload.upload_id):
        headers[BUSY_HEADER] = "1"
    return web.Response(status=200, headers=headers)


async def patch(request: web.Request) -> web.Response:
    device = await signed_in_device(request)
    uploads, finalizer = services(request).uploads, services(request).finalizer
    upload_id, body = request.match_info["upload_id"], body_chunks(request)
    upload = await uploads.append(device, upload_id, request.headers, body)
    await finalizer.finalize_if_complete(upload)
    headers = upload_headers(upload)
    del headers["Upload-Length"]
    headers.pop("Upload-Metadata", None)
    return web.Response(status=204, headers=headers)


async def delete(request: web.Request) -> web.Response:
    device = await signed_in_device(request)
    await services(request).uploads.terminate(device, request.match_info["upload_id"])
    return web.Response(status=204)


def add_tus_routes(app: web.Application) -> None:
    app.router.add_route("OPTIONS", FILES, options)
    app.router.add_route("POST", FILES, create)
    resource = app.router.add_resource(FILES + "{upload_id}", name="tus_upload")
    resource.add_route("HEAD", head)
    resource.add_route("PATCH", patch)
    resource.add_route("DELETE", delete)
    resource.add_route("OPTIONS", options)
