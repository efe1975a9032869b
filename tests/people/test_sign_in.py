"""Signing in with a name and a password, against a real server on loopback: sessions
that end, idle timeouts on the test clock, rate limits on failures, argon2id hashes, an
admin's first password changed before anything else, and identity taken from the
session only."""

import json
import sqlite3
import time

import pytest

from evidence import wire
from tests.conftest import Server

PASSWORD = "correct horse battery"


def body(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


async def sign_in(server: Server, name: str, password: str, address_header: dict | None = None):
    return await server.send(
        "POST",
        wire.SIGN_IN,
        body=body({"name": name, "password": password}),
        headers=address_header,
    )


async def test_a_person_signs_in_is_known_by_the_session_and_signs_out(server):
    await server.add_person("wang", "custodian")
    reply = await sign_in(server, "wang", PASSWORD)
    assert reply.status == 201
    session = reply.json()
    assert (session["name"], session["role"], session["credential"]) == (
        "wang",
        "custodian",
        "session",
    )
    assert session["must_change_password"] is False and session["idle_minutes"] == 30
    token = session["token"]
    me = (await server.send("GET", wire.SIGN_IN, token=token)).json()
    assert (me["name"], me["role"], me["access"]["all_cases"]) == ("wang", "custodian", True)
    assert (await server.send("GET", wire.RECORDINGS, token=token)).status == 200
    assert (await server.send("DELETE", wire.SIGN_IN, token=token)).status == 204
    reply = await server.send("GET", wire.RECORDINGS, token=token)
    assert (reply.status, reply.code) == (401, "unauthenticated")


async def test_an_unknown_name_and_a_wrong_password_get_the_same_answer_after_the_same_work(
    server,
):
    await server.add_person("wang")
    await server.ctx.index.credentials.add_user("li", "custodian", server.clock())  # no password

    async def timed(name: str) -> tuple[float, tuple[int, str | None, str]]:
        started = time.perf_counter()
        reply = await sign_in(server, name, "not the password")
        elapsed = time.perf_counter() - started
        return elapsed, (reply.status, reply.code, reply.json()["error"]["message"])

    answers = {name: [await timed(name) for _ in range(3)] for name in ("wang", "li", "nobody")}
    shown = {answer for runs in answers.values() for _, answer in runs}
    assert shown == {(401, "sign_in_failed", "wrong name or password")}
    slowest_known = min(elapsed for elapsed, _ in answers["wang"])
    for name in ("li", "nobody"):  # each checked a decoy hash of the same cost
        assert min(elapsed for elapsed, _ in answers[name]) > slowest_known / 3


async def test_failed_sign_ins_are_limited_per_name_then_let_through_after_the_window(server):
    await server.add_person("wang")
    limit = server.ctx.config.sign_in_failures_per_name
    for _ in range(limit):
        assert (await sign_in(server, "wang", "guess")).code == "sign_in_failed"
    reply = await sign_in(server, "wang", PASSWORD)  # even the right one, for now
    assert (reply.status, reply.code) == (429, "too_many_attempts")
    details = reply.json()["error"]["details"]
    assert details["limit"] == "name" and 0 < details["retry_after_seconds"] <= 15 * 60
    assert "try again in" in reply.json()["error"]["message"]
    server.clock.advance(server.ctx.config.sign_in_window.total_seconds())
    assert (await sign_in(server, "wang", PASSWORD)).status == 201


async def test_failed_sign_ins_are_limited_per_address_across_names(server):
    await server.add_person("wang")
    limit = server.ctx.config.sign_in_failures_per_address
    for n in range(limit):
        assert (await sign_in(server, f"guess-{n}", "guess")).code == "sign_in_failed"
    reply = await sign_in(server, "wang", PASSWORD)
    assert (reply.status, reply.code) == (429, "too_many_attempts")
    assert reply.json()["error"]["details"]["limit"] == "address"


async def test_a_session_ends_when_idle_and_at_its_end_however_busy(server):
    await server.add_person("wang")
    config = server.ctx.config
    token = await server.sign_in("wang")
    idle = config.session_idle.total_seconds()
    server.clock.advance(idle - 90)
    assert (await server.send("GET", wire.FLAGS, token=token)).status == 200  # used: idle anew
    server.clock.advance(idle - 90)
    assert (await server.send("GET", wire.FLAGS, token=token)).status == 200
    server.clock.advance(idle + 1)
    reply = await server.send("GET", wire.FLAGS, token=token)
    assert (reply.status, reply.code) == (401, "session_expired")
    assert "unused for too long" in reply.json()["error"]["message"]

    busy = await server.sign_in("wang")
    for _ in range(int(config.session_ttl.total_seconds() / (idle - 90)) + 2):
        server.clock.advance(idle - 90)
        reply = await server.send("GET", wire.FLAGS, token=busy)
        if reply.status != 200:
            break
    assert (reply.status, reply.code) == (401, "session_expired")
    assert "ended" in reply.json()["error"]["message"]


async def test_passwords_are_argon2id_with_the_documented_cost_and_nothing_is_kept_in_clear(
    server,
):
    await server.add_person("wang")
    token = await server.sign_in("wang")
    database = sqlite3.connect(server.ctx.config.index_path)
    [stored] = database.execute("SELECT password_hash FROM user_passwords").fetchone()
    dump = "\n".join(database.iterdump())
    database.close()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    salt, digest = stored.split("$")[4:]
    assert len(salt) == 22 and len(digest) == 43  # 16 and 32 bytes, base64 without padding
    assert PASSWORD not in dump and token not in dump


async def test_a_changed_cost_rehashes_the_password_at_the_next_sign_in(server):
    from dataclasses import replace

    await server.add_person("wang")
    config = replace(server.ctx.config, password_memory_kib=19456, password_iterations=2)
    await server.reconfigure(config=config)
    await server.sign_in("wang")
    database = sqlite3.connect(server.ctx.config.index_path)
    [stored] = database.execute("SELECT password_hash FROM user_passwords").fetchone()
    database.close()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=4$")
    await server.sign_in("wang")  # the new hash checks


async def test_an_admins_first_password_is_changed_before_anything_else(server):
    await server.add_person("root", "admin")
    admin = await server.sign_in("root")
    added = await server.send(
        "POST",
        wire.USERS,
        token=admin,
        body=body({"name": "wang", "role": "custodian", "password": "first one 12345"}),
    )
    assert added.status == 201 and added.json()["must_change_password"] is True
    first = await server.sign_in("wang", "first one 12345")
    reply = await server.send("GET", wire.RECORDINGS, token=first)
    assert (reply.status, reply.code) == (403, "password_change_required")
    assert (await server.send("GET", wire.SIGN_IN, token=first)).json()["must_change_password"]
    change = {"current_password": "first one 12345", "new_password": "first one 12345"}
    reply = await server.send("PUT", wire.SIGN_IN_PASSWORD, token=first, body=body(change))
    assert (reply.status, reply.code) == (401, "sign_in_failed")  # the same one again
    change["new_password"] = "wang"
    reply = await server.send("PUT", wire.SIGN_IN_PASSWORD, token=first, body=body(change))
    assert (reply.status, reply.code) == (400, "weak_password")
    change["new_password"] = "mine and only mine"
    reply = await server.send("PUT", wire.SIGN_IN_PASSWORD, token=first, body=body(change))
    assert reply.status == 204
    reply = await server.send("GET", wire.SIGN_IN, token=first)
    assert (reply.status, reply.code) == (401, "unauthenticated")  # every session ended
    assert (await sign_in(server, "wang", "first one 12345")).code == "sign_in_failed"
    mine = await server.sign_in("wang", "mine and only mine")
    assert (await server.send("GET", wire.RECORDINGS, token=mine)).status == 200


async def test_disabling_a_person_ends_their_sessions_and_refuses_their_sign_in(server):
    await server.add_person("root", "admin")
    await server.add_person("wang")
    admin, token = await server.sign_in("root"), await server.sign_in("wang")
    path = wire.USER_DISABLE.format(name="wang")
    assert (await server.send("POST", path, token=admin)).json()["disabled_at"] is not None
    reply = await server.send("GET", wire.RECORDINGS, token=token)
    assert (reply.status, reply.code) == (401, "unauthenticated")
    reply = await sign_in(server, "wang", PASSWORD)
    assert (reply.status, reply.code) == (403, "user_disabled")
    assert (await sign_in(server, "wang", "wrong password")).code == "sign_in_failed"
    await server.send("POST", wire.USER_ENABLE.format(name="wang"), token=admin)
    assert (await sign_in(server, "wang", PASSWORD)).status == 201


async def test_device_tokens_and_peoples_tokens_never_pass_for_each_other(server):
    device = await server.add_device()
    device_token = await server.token_for(device)
    await server.add_person("wang", "admin")
    session = await server.sign_in("wang")
    api_token = await server.add_user("li", "admin")
    for path in (wire.RECORDINGS, wire.SIGN_IN, wire.USERS):
        reply = await server.send("GET", path, token=device_token)
        assert (reply.status, reply.code) == (401, "unauthenticated"), path
    for token in (session, api_token):
        reply = await server.send("POST", wire.MANIFESTS, token=token, body=b"{}")
        assert (reply.status, reply.code) == (401, "unauthenticated")


@pytest.mark.parametrize("extra", [{"by": "nosuchperson"}, {"resolved_by": "zhao"}])
async def test_a_body_naming_who_acts_is_refused_and_the_session_is_who_acted(server, extra):
    import sqlite3 as raw

    await server.add_person("zhao", "supervisor")
    token = await server.sign_in("zhao")
    database = raw.connect(server.ctx.config.index_path)
    database.execute(
        "INSERT INTO flags (kind, subject, detail, raised_at) "
        "VALUES ('verification_failed', 'e-1', '{}', '2026-03-12T00:00:00.000000Z')"
    )
    database.commit()
    database.close()
    path = wire.FLAG_RESOLVE.format(flag_id=1)
    reply = await server.send("POST", path, token=token, body=body({"reason": "r", **extra}))
    assert (reply.status, reply.code) == (400, "bad_body")
    assert reply.json()["error"]["details"]["fields"] == list(extra)
    reply = await server.send("POST", path, token=token, body=body({"reason": "checked"}))
    assert reply.status == 200 and reply.json()["resolved_by"] == "zhao"


async def test_weak_and_odd_passwords_are_refused_when_set(server):
    await server.add_person("root", "admin")
    admin = await server.sign_in("root")
    for password, code in (("short", "weak_password"), ("x" * 257, "weak_password")):
        reply = await server.send(
            "POST",
            wire.USERS,
            token=admin,
            body=body({"name": "wang", "role": "custodian", "password": password}),
        )
        assert (reply.status, reply.code) == (400, code)
    reply = await server.send(
        "POST",
        wire.USERS,
        token=admin,
        body=body({"name": "wang", "role": "janitor", "password": "long enough 123"}),
    )
    assert (reply.status, reply.code) == (400, "bad_request")
    assert "reviewer" in reply.json()["error"]["message"]
