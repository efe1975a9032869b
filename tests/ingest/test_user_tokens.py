"""People's API tokens expire, can be rotated, and a disabled person is refused on every
endpoint that takes a person's token, at once (a real server on loopback)."""

import re
import sqlite3

import pytest

from evidence import wire
from evidence.errors import ConfigError
from ingest.access.people import disable_user, enable_user, list_users, rotate_user_token
from ingest.access.tokens import mint_token
from ingest.http.app import build_app
from ingest.http.server import running
from ingest.server_config import IngestConfig
from ingest.startup import open_server
from tests.conftest import Server

DAY = 24 * 3600
DEVICE_ROUTES = {
    wire.HEALTH,
    wire.AUTH_CHALLENGE,
    wire.AUTH_TOKEN,
    wire.MANIFESTS,
    wire.FINALIZE,
    wire.DERIVATION_FAILED,
    wire.FILES,
}
# What experts and witnesses fetch without an account (docs/custody-log.md#the-api): they
# say nothing about footage or people. test_public_routes_need_no_token pins the list.
PUBLIC_ROUTES = {
    ("GET", wire.LOG_CHECKPOINT),
    ("GET", wire.LOG_CONSISTENCY),
    ("GET", wire.LOG_KEY),
    ("GET", wire.KEYS),
}


# docs/console.md: what a browser fetches before anyone has signed in to the console.
CONSOLE_DOOR = {"/console/sign-in", "/console/static/{name}"}


def user_routes(server: Server) -> list[tuple[str, str]]:
    """Every route of the application that is not a device's, with its placeholders filled."""
    app = build_app(server.ctx.services)
    found = []
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if route.method in {"HEAD", "OPTIONS"} or path in DEVICE_ROUTES or "/files/" in path:
            continue
        if (route.method, path) in PUBLIC_ROUTES or path == wire.GRANT:
            continue  # a grant's URL is its own credential (test_retrieval.py)
        if (route.method, path) == ("POST", wire.SIGN_IN):  # signing in takes no token
            continue
        if path in CONSOLE_DOOR:  # the console's sign-in form and style sheet: no token yet
            continue
        found.append((route.method, re.sub(r"\{[^}]+\}", "1", path)))
    return found


async def test_every_person_endpoint_refuses_a_disabled_person_at_once(server):
    token = await server.add_user("root", "admin")
    routes = user_routes(server)
    assert len(routes) >= 25  # the custodian, flag, media and compliance routes
    assert (await server.send("GET", wire.RECORDINGS, token=token)).status == 200
    await disable_user(server.ctx.index.credentials, "root")
    for method, path in routes:
        reply = await server.send(method, path, token=token)
        assert (reply.status, reply.code) == (403, "user_disabled"), (method, path)
    await enable_user(server.ctx.index.credentials, "root")
    assert (await server.send("GET", wire.RECORDINGS, token=token)).status == 200


async def test_public_routes_need_no_token(server):
    for method, path in sorted(PUBLIC_ROUTES):
        query = "?old=0&new=0" if path == wire.LOG_CONSISTENCY else ""
        reply = await server.send(method, path + query)
        assert reply.status == 200, (path, reply.body)


async def test_every_person_endpoint_refuses_an_expired_token_saying_whom_to_ask(server):
    token = await server.add_user("wang", "custodian")
    assert (await server.send("GET", wire.FLAGS, token=token)).status == 200
    server.clock.advance(server.ctx.config.user_token_ttl.total_seconds() + 1)
    for method, path in user_routes(server):
        reply = await server.send(method, path, token=token)
        assert (reply.status, reply.code) == (401, "token_expired"), (method, path)
    message = reply.json()["error"]["message"]
    assert "ask an admin" in message and "liuhen users rotate wang" in message


async def test_a_token_works_until_just_before_its_expiry(server):
    token = await server.add_user()
    server.clock.advance(server.ctx.config.user_token_ttl.total_seconds() - 60)
    assert (await server.send("GET", wire.RECORDINGS, token=token)).status == 200


async def test_rotation_kills_the_old_token_at_once_and_the_new_one_expires(server):
    old = await server.add_user("wang", "custodian")
    issued = await rotate_user_token(
        server.ctx.index.credentials, "wang", server.ctx.config.user_token_ttl
    )
    reply = await server.send("GET", wire.RECORDINGS, token=old)
    assert (reply.status, reply.code) == (401, "unauthenticated")
    assert (await server.send("GET", wire.RECORDINGS, token=issued.token)).status == 200
    server.clock.advance(server.ctx.config.user_token_ttl.total_seconds() + 1)
    reply = await server.send("GET", wire.RECORDINGS, token=issued.token)
    assert (reply.status, reply.code) == (401, "token_expired")


async def test_the_listing_shows_each_tokens_expiry_and_who_is_disabled(server):
    await server.add_user("wang", "custodian")
    await server.add_user("zhao", "supervisor")
    await disable_user(server.ctx.index.credentials, "zhao")
    listed = {item.user.name: item for item in await list_users(server.ctx.index.credentials)}
    ttl = server.ctx.config.user_token_ttl
    for name in ("wang", "zhao"):
        expires = listed[name].token_expires_at
        assert expires is not None
        assert abs((expires - listed[name].user.created_at) - ttl).total_seconds() < 5
    assert listed["wang"].user.disabled_at is None and listed["zhao"].user.disabled_at is not None


async def test_unknown_users_cannot_be_rotated_disabled_or_enabled(server):
    from evidence.errors import UnknownUser

    with pytest.raises(UnknownUser, match="no user"):
        await rotate_user_token(
            server.ctx.index.credentials, "nobody", server.ctx.config.user_token_ttl
        )
    with pytest.raises(UnknownUser, match="no user"):
        await disable_user(server.ctx.index.credentials, "nobody")
    with pytest.raises(UnknownUser, match="no user"):
        await enable_user(server.ctx.index.credentials, "nobody")


async def test_the_server_keeps_only_hashes_of_peoples_tokens(server):
    first = await server.add_user("wang", "custodian")
    second = await rotate_user_token(
        server.ctx.index.credentials, "wang", server.ctx.config.user_token_ttl
    )
    database = sqlite3.connect(server.ctx.config.index_path)
    dump = "\n".join(database.iterdump())
    database.close()
    assert first not in dump and second.token not in dump


async def test_the_index_refuses_a_token_without_an_expiry(server):
    from evidence.errors import StorageFailure

    with pytest.raises(StorageFailure, match="every token has an expiry"):
        await server.ctx.index.credentials.store_token("ab" * 32, "user", "x", None)  # type: ignore[arg-type]


async def test_tokens_from_before_expiry_get_the_ttl_from_the_first_open(tmp_path, rule, server):
    """An index from an earlier version holds a person's token with no expiry: the next
    open gives it ``user_token_ttl_days`` from then, and it dies after that."""
    await server.add_user("li", "custodian")
    token, token_hash = mint_token()
    database = sqlite3.connect(server.ctx.config.index_path)
    with database:
        database.execute("DROP TRIGGER tokens_expire_i")  # as the earlier schema had none
        database.execute(
            "INSERT INTO tokens (token_hash, subject_kind, subject, expires_at) "
            "VALUES (?, 'user', 'li', NULL)",
            (token_hash,),
        )
    database.close()
    config = IngestConfig(data_dir=server.ctx.config.data_dir, port=0, user_token_ttl_days=30)
    ctx = await open_server(config, rule, server.clock)
    try:
        async with running(ctx, "127.0.0.1", 0) as url:
            later = Server(ctx, url, server.clock, tmp_path, server.http)
            assert (await later.send("GET", wire.RECORDINGS, token=token)).status == 200
            later.clock.advance(30 * DAY + 60)
            reply = await later.send("GET", wire.RECORDINGS, token=token)
            assert (reply.status, reply.code) == (401, "token_expired")
    finally:
        await ctx.close()


def test_the_ttl_is_at_least_a_day():
    assert IngestConfig().user_token_ttl.days == 90
    with pytest.raises(ConfigError, match="user_token_ttl_days"):
        _ = IngestConfig(user_token_ttl_days=0).user_token_ttl
