"""Device endpoints: sign in, register a manifest, finalize an upload."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aiohttp import web

from evidence.errors import MalformedBody
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.signing import PayloadType
from evidence.strict_json import format_time
from evidence.wire import AUTH_CHALLENGE, AUTH_TOKEN, FINALIZE, MANIFESTS, SIGNATURE_HEADER
from ingest.access.device_sign_in import authenticate_device, issue_challenge, issue_device_token
from ingest.context import CONTEXT
from ingest.custody.recordings import receipt_json
from ingest.custody.registration import decode_signature, register_manifest
from ingest.http.middleware import read_bounded, read_json, require_content_type
from ingest.uploads.finalize import finalize

__all__ = ["add_device_routes"]


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _unb64(body: dict[str, Any], key: str) -> bytes:
    value = body.get(key)
    if not isinstance(value, str):
        raise MalformedBody(f"{key} must be a base64 string", field=key)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedBody(f"{key} is not base64", field=key) from None


async def challenge(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    body = await read_json(request)
    device_id = body.get("device_id")
    if not isinstance(device_id, str):
        raise MalformedBody("device_id must be a string", field="device_id")
    challenge_body, signature = issue_challenge(ctx, DeviceId(device_id))
    return web.json_response({"challenge": _b64(challenge_body), "signature": _b64(signature)})


async def token(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    body = await read_json(request)
    issued, expires_at = await issue_device_token(
        ctx,
        _unb64(body, "challenge"),
        _unb64(body, "challenge_signature"),
        _unb64(body, "device_signature"),
    )
    return web.json_response({"token": issued, "expires_at": format_time(expires_at)})


async def manifests(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    device = await authenticate_device(ctx, request)
    signature = decode_signature(request.headers.get(SIGNATURE_HEADER))
    require_content_type(request, "a manifest", PayloadType.MANIFEST)
    body = await read_bounded(request, ctx.config.max_manifest_bytes, "manifest")
    record, new = await register_manifest(ctx, device, body, signature)
    return web.json_response(
        {
            "evidence_id": str(record.evidence_id),
            "role": record.role.value,
            "sequence": record.sequence,
            "manifest_sha256": record.manifest_sha256.hex,
            "registered_at": format_time(record.registered_at),
        },
        status=201 if new else 200,
    )


async def finalize_object(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    device = await authenticate_device(ctx, request)
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    role = Role.parse(request.match_info["role"])
    return web.json_response(receipt_json(await finalize(ctx, device, evidence_id, role)))


def add_device_routes(app: web.Application) -> None:
    app.router.add_post(AUTH_CHALLENGE, challenge)
    app.router.add_post(AUTH_TOKEN, token)
    app.router.add_post(MANIFESTS, manifests)
    app.router.add_post(FINALIZE, finalize_object)
