"""tus 1.0 at /files/: thin handlers over ``ingest.uploads``."""

from __future__ import annotations

import logging

from aiohttp import web

from evidence.errors import LiuhenError, StorageFailure
from evidence.wire import FILES
from ingest.auth import authenticate_device
from ingest.context import CONTEXT, ServerContext
from ingest.finalize import finalize_upload
from ingest.tus_rules import check_readable, discovery_headers, parse_creation, upload_headers
from ingest.uploads import append, create_upload, owned_upload, terminate
from storage.records import UploadRecord, UploadState

__all__ = ["add_tus_routes"]

log = logging.getLogger(__name__)


async def _finalize_if_complete(ctx: ServerContext, upload: UploadRecord) -> None:
    """The last byte is in: verify and store now, so no client has to ask. A failure is
    kept on the upload and reported by the finalize endpoint."""
    if upload.state is not UploadState.OPEN or upload.offset != upload.length:
        return
    manifest = await ctx.index.uploads.manifest(upload.evidence_id, upload.role)
    if manifest is None:  # uploads are only created for registered manifests
        raise StorageFailure(f"upload {upload.upload_id} has no manifest")
    try:
        await finalize_upload(ctx, upload, manifest)
    except LiuhenError as exc:
        log.warning("upload %s complete but not stored: %s", upload.upload_id, exc.message)


async def options(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    return web.Response(status=204, headers=discovery_headers(ctx.config.max_upload_bytes))


async def create(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    device = await authenticate_device(ctx, request)
    creation = parse_creation(request.headers, ctx.config.max_upload_bytes)
    upload, new = await create_upload(ctx, device, creation)
    if new and creation.has_body:
        try:
            upload = await append(
                ctx, device, upload.upload_id, request.headers, request.content, creation=True
            )
        except LiuhenError as exc:
            # creation-with-upload: the upload exists; Upload-Offset says what was kept.
            log.info("creation body for %s not kept: %s", upload.upload_id, exc.message)
    await _finalize_if_complete(ctx, upload)
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
    await _finalize_if_complete(ctx, upload)
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
