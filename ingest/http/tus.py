"""tus 1.0 at /files/: thin handlers over ``ingest.uploads.session``."""

from __future__ import annotations

import logging

from aiohttp import web

from evidence.errors import LiuhenError
from evidence.wire import FILES
from ingest.access.device_sign_in import authenticate_device
from ingest.context import CONTEXT
from ingest.uploads.finalize import finalize_if_complete
from ingest.uploads.rules import check_readable, discovery_headers, parse_creation, upload_headers
from ingest.uploads.session import append, create_upload, owned_upload, terminate

__all__ = ["add_tus_routes"]

log = logging.getLogger(__name__)


async def options(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    return web.Response(status=204, headers=discovery_headers(ctx.config.upload_size_limit))


async def create(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    device = await authenticate_device(ctx, request)
    creation = parse_creation(request.headers, ctx.config.upload_size_limit)
    upload, new = await create_upload(ctx, device, creation)
    if new and creation.has_body:
        try:
            upload = await append(
                ctx, device, upload.upload_id, request.headers, request.content, creation=True
            )
        except LiuhenError as exc:
            # creation-with-upload: the upload exists; Upload-Offset says what was kept.
            log.info("creation body for %s not kept: %s", upload.upload_id, exc.message)
    await finalize_if_complete(ctx, upload)
    headers = upload_headers(upload)
    headers["Location"] = str(
        request.url.join(request.app.router["tus_upload"].url_for(upload_id=upload.upload_id))
    )
    if not creation.has_body:
        del headers["Upload-Offset"]
    return web.Response(status=201, headers=headers)


async def head(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    device = await authenticate_device(ctx, request)
    upload = await owned_upload(ctx, device, request.match_info["upload_id"])
    check_readable(upload, ctx.clock())
    return web.Response(status=200, headers=upload_headers(upload))


async def patch(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    device = await authenticate_device(ctx, request)
    upload = await append(
        ctx, device, request.match_info["upload_id"], request.headers, request.content
    )
    await finalize_if_complete(ctx, upload)
    headers = upload_headers(upload)
    del headers["Upload-Length"]
    headers.pop("Upload-Metadata", None)
    return web.Response(status=204, headers=headers)


async def delete(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    device = await authenticate_device(ctx, request)
    await terminate(ctx, device, request.match_info["upload_id"])
    return web.Response(status=204)


def add_tus_routes(app: web.Application) -> None:
    app.router.add_route("OPTIONS", FILES, options)
    app.router.add_route("POST", FILES, create)
    resource = app.router.add_resource(FILES + "{upload_id}", name="tus_upload")
    resource.add_route("HEAD", head)
    resource.add_route("PATCH", patch)
    resource.add_route("DELETE", delete)
    resource.add_route("OPTIONS", options)
