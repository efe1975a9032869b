"""Helpers of the custody tests: stored recordings, the log's trust as an expert builds
it from what the server publishes, and the log's key read off the server's disk (to forge
what a compromised server might sign)."""

from __future__ import annotations

from evidence.keys import Ed25519PrivateKey
from evidence.tlog.note_keys import Ed25519NoteSigner, Ed25519NoteVerifier
from evidence.tlog.trust import LogTrust
from evidence.wire import LOG_KEY
from runtime.key_files import load_private_key
from tests.conftest import Server
from tests.ingest.helpers import Prepared, created, prepared, upload_all


async def stored_recording(server: Server, **options: object) -> Prepared:
    ready = await prepared(server, **options)
    await upload_all(server, ready, await created(server, ready))
    return ready


async def published_trust(server: Server) -> LogTrust:
    """What an expert trusts: the vkey the server publishes, parsed and checked."""
    reply = await server.send("GET", LOG_KEY)
    assert reply.status == 200, reply.body
    verifier = Ed25519NoteVerifier.from_vkey(reply.body.decode().strip())
    return LogTrust(verifier.key_name, (verifier,))


def log_signer(server: Server) -> Ed25519NoteSigner:
    key: Ed25519PrivateKey = load_private_key(server.ctx.config.log_key_path)
    return Ed25519NoteSigner(server.ctx.log.origin, key)
