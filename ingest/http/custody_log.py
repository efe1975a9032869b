"""The custody log over HTTP (docs/custody-log.md#the-api): checkpoints, proofs, entries,
the log's vkey and the public keys. Checkpoints, consistency proofs and public keys are
public (they say nothing about footage or people; witnesses and experts fetch them
without an account); an inclusion proof is anyone's who reads records; the entries say
who looked at what and why, so they are the auditors' (``read_audit``) and span every
case. Thin: parse, call ``LogProofs`` or the ``KeyDirectory``, answer in the C2SP text
forms."""

from __future__ import annotations

from aiohttp import web

from evidence.errors import BadRequest
from evidence.tlog.codec import b64encode
from evidence.wire import KEYS, LOG_CHECKPOINT, LOG_CONSISTENCY, LOG_KEY, LOG_LEAF, LOG_PROOF
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.compliance.forms import number
from ingest.http.guard import person_route
from ingest.http.services import services

__all__ = ["add_log_routes"]

TEXT = "text/plain"
_MAX_SIZE = 2**63 - 1


def _text(body: bytes, **headers: str) -> web.Response:
    return web.Response(body=body, content_type=TEXT, charset="utf-8", headers=headers)


def _size(request: web.Request, name: str) -> int | None:
    if name not in request.query:
        return None
    return number(request.query, name, 0, _MAX_SIZE)


async def get_checkpoint(request: web.Request) -> web.Response:
    record = await services(request).proofs.checkpoint(_size(request, "size"))
    return _text(record.note)


async def post_checkpoint(request: web.Request, person: Person) -> web.Response:
    return _text((await services(request).checkpoints.sign_now()).note)


async def _entry(request: web.Request) -> int:
    proofs = services(request).proofs
    index, leaf_hash = request.query.get("index"), request.query.get("leaf_hash")
    if (index is None) == (leaf_hash is None):
        raise BadRequest("give ?index=N or ?leaf_hash=<64 hex digits>, one of them")
    if index is not None:
        return number(request.query, "index", 0, _MAX_SIZE)
    try:
        raw = bytes.fromhex(leaf_hash or "")
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise BadRequest("leaf_hash is 64 hex digits: SHA-256(0x00 || leaf bytes)")
    return await proofs.entry_for(raw)


async def get_proof(request: web.Request, person: Person) -> web.Response:
    index = await _entry(request)
    proof = await services(request).proofs.inclusion(index, _size(request, "size"))
    return _text(proof.to_bytes(), **{"Liuhen-Log-Index": str(index)})


async def get_consistency(request: web.Request) -> web.Response:
    old = _size(request, "old")
    if old is None:
        raise BadRequest("give ?old=<size of the checkpoint you hold>")
    hashes = await services(request).proofs.consistency(old, _size(request, "new"))
    return _text("".join(b64encode(h) + "\n" for h in hashes).encode())


async def get_leaf(request: web.Request, person: Person) -> web.Response:
    services(request).gate.every_case(person, "the custody log")
    index = number({"index": request.match_info["index"]}, "index", 0, _MAX_SIZE)
    entry = await services(request).proofs.leaf(index)
    return web.Response(body=entry.body, content_type="application/json")


async def get_log_key(request: web.Request) -> web.Response:
    return _text((services(request).keys.log.vkey + "\n").encode())


async def get_keys(request: web.Request) -> web.Response:
    return web.json_response(await services(request).keys.keys())


def add_log_routes(app: web.Application) -> None:
    app.router.add_get(LOG_CHECKPOINT, get_checkpoint)
    person_route(app, "POST", LOG_CHECKPOINT, post_checkpoint, Action.READ_RECORDS)
    person_route(app, "GET", LOG_PROOF, get_proof, Action.READ_RECORDS)
    app.router.add_get(LOG_CONSISTENCY, get_consistency)
    person_route(app, "GET", LOG_LEAF, get_leaf, Action.READ_AUDIT)
    app.router.add_get(LOG_KEY, get_log_key)
    app.router.add_get(KEYS, get_keys)
