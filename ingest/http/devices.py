"""Device endpoints: sign in, register a manifest, finalize an upload, report a derived
copy given up."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aiohttp import web

from evidence.errors import MalformedBody, MalformedHeader
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.signing import PayloadType
from evidence.strict_json import format_time
from evidence.wire import (
    AUTH_CHALLENGE,
    AUTH_TOKEN,
    DERIVATION_FAILED,
    FINALIZE,
    MANIFESTS,
    SIGNATURE_HEADER,
)
from ingest.custody.recordings import receipt_json
from ingest.custody.unmade_copies import parse_report
from ingest.http.bodies import read_bounded, read_json, require_content_type
from ingest.http.credentials import signed_in_device
from ingest.http.services import services

__all__ = ["add_device_routes", "decode_signature"]


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


def decode_signature(header: str | None) -> bytes:
    if not header:
        raise MalformedHeader(f"{SIGNATURE_HEADER} is required", header=SIGNATURE_HEADER)
    try:
        return base64.b64decode(header, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedHeader(
            f"{SIGNATURE_HEADER} is not base64", header=SIGNATURE_HEADER
        ) from None


async def challenge(request: web.Request) -> web.Response:
    body = await read_json(request)
    device_id = body.get("device_id")
    if not isinstance(device_id, str):
        raise MalformedBody("device_id must be a string", field="device_id")
    challenge_body, signature = services(request).sign_in.challenge(DeviceId(device_id))
    return web.json_response({"challenge": _b64(challenge_body), "signature": _b64(signature)})


async def token(request: web.Request) -> web.Response:
    body = await read_json(request)
    issued, expires_at = await services(request).sign_in.sign_in(
        _unb64(body, "challenge"),
        _unb64(body, "challenge_signature"),
        _unb64(body, "device_signature"),
    )
    return web.json_response({"token": issued, "expires_at": format_time(expires_at)})


async def manifests(request: web.Request) -> web.Response:
    device = await signed_in_device(request)
    registrar = services(request).registrar
    signature = decode_signature(request.headers.get(SIGNATURE_HEADER))
    require_content_type(request, "a manifest", PayloadType.MANIFEST)
    body = await read_bounded(request, registrar.max_manifest_bytes, "manifest")
    record, new = await registrar.register(device, body, signature)
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
    device = await signed_in_device(request)
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    role = Role.parse(request.match_info["role"])
    stored = await services(request).finalizer.finalize(device, evidence_id, role)
    return web.json_response(receipt_json(stored))


async def derivation_failed(request: web.Request) -> web.Response:
    """The device gave up making a derived copy of its own stored original: a flag."""
    device = await signed_in_device(request)
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    role = Role.parse(request.match_info["role"])
    report = parse_report(await read_json(request))
    new = await services(request).unmade.report(device, evidence_id, role, report)
    body = {"evidence_id": str(evidence_id), "role": role.value, "recorded": True}
    return web.json_response(body, status=201 if new else 200)


def add_device_routes(app: web.Application) -> None:
    app.router.add_post(AUTH_CHALLENGE, challenge)
    app.router.add_post(AUTH_TOKEN, token)
    app.router.add_post(MANIFESTS, manifests)
    app.router.add_post(FINALIZE, finalize_object)
    app.router.add_post(DERIVATION_FAILED, derivation_failed)
