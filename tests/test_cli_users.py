"""``liuhen users``: an admin, signed in, adds people, lists them, issues API tokens,
disables and enables them and limits their cases, through the API; only ``add-admin``
works on the server host."""

import json
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from evidence.wire import RECORDINGS
from tests.cli_people import Liuhen

FIRST = "first password 1"


@pytest.fixture
async def admin(liuhen: Liuhen, tmp_path) -> Liuhen:
    server = liuhen.server  # tokens are issued by the server, as configured there
    await server.reconfigure(config=replace(server.ctx.config, user_token_ttl_days=7))
    code, _, err = await liuhen(
        "users", "add-admin", "root", "--password-stdin", stdin="root password 1"
    )
    assert code == 0, err
    await liuhen.login("root", "root password 1")
    return liuhen


def token_in(out: str) -> str:
    return out.strip().splitlines()[-1]


async def test_an_admin_rotates_disables_and_enables_a_person(admin: Liuhen):
    server = admin.server
    code, out, _ = await admin(
        "users", "add", "wang", "--role", "custodian", "--password-stdin", stdin=FIRST
    )
    assert code == 0 and "first sign-in" in out
    code, out, _ = await admin("users", "rotate", "wang")
    assert code == 0 and "expires" in out
    first = token_in(out)
    assert (await server.send("GET", RECORDINGS, token=first)).status == 200

    code, out, _ = await admin("users", "rotate", "wang")
    assert code == 0 and "every earlier token is refused" in out
    second = token_in(out)
    reply = await server.send("GET", RECORDINGS, token=first)
    assert (reply.status, reply.code) == (401, "unauthenticated")
    assert (await server.send("GET", RECORDINGS, token=second)).status == 200

    code, out, _ = await admin("users", "disable", "wang")
    assert code == 0 and "is disabled since" in out
    reply = await server.send("GET", RECORDINGS, token=second)
    assert (reply.status, reply.code) == (403, "user_disabled")

    code, out, _ = await admin("users", "enable", "wang")
    assert code == 0 and out.strip() == "user wang (custodian) is enabled"
    assert (await server.send("GET", RECORDINGS, token=second)).status == 200


async def test_the_listing_shows_role_created_disabled_password_cases_and_token_expiry(
    admin: Liuhen,
):
    server = admin.server
    await admin("users", "add", "wang", "--role", "custodian", "--password-stdin", stdin=FIRST)
    await admin("users", "rotate", "wang")
    await admin("users", "add", "zhao", "--role", "supervisor", "--password-stdin", stdin=FIRST)
    await admin("users", "rotate", "zhao")
    await admin("users", "disable", "zhao")
    code, out, _ = await admin("users", "access", "wang", "--case", "冀石执罚〔2026〕第0012号")
    assert code == 0 and out.strip() == "wang sees 冀石执罚〔2026〕第0012号"
    code, out, _ = await admin("users", "list", "--json")
    assert code == 0
    listed = {row["name"]: row for row in json.loads(out)["users"]}
    assert set(listed) == {"root", "wang", "zhao"}
    assert listed["wang"]["role"] == "custodian" and listed["wang"]["disabled"] is None
    assert listed["wang"]["password"] == "must change" and listed["root"]["password"] == "set"
    assert (
        listed["wang"]["cases"] == "冀石执罚〔2026〕第0012号" and listed["zhao"]["cases"] == "all"
    )
    assert listed["zhao"]["disabled"] is not None
    assert not listed["wang"]["token_expired"]
    for name in ("wang", "zhao"):
        row = listed[name]
        assert row["created"].endswith("+08:00") and row["token_expires"].endswith("+08:00")
        lifetime = datetime.fromisoformat(row["token_expires"]) - datetime.fromisoformat(
            row["created"]
        )
        assert abs(lifetime - timedelta(days=7)) <= timedelta(minutes=1)  # as configured
    with sqlite3.connect(server.ctx.config.index_path) as raw:  # zhao's token ran out
        raw.execute(
            "UPDATE tokens SET expires_at = '2026-01-01T00:00:00.000000Z' WHERE subject = 'zhao'"
        )
    raw.close()
    code, out, _ = await admin("users", "list")
    header, root, wang, zhao = out.splitlines()
    assert header == "name\trole\tcreated\tdisabled\tpassword\tcases\ttoken expires"
    assert root.endswith("\t- (no token)")
    assert wang.startswith("wang\tcustodian\t") and wang.endswith("+08:00")
    assert zhao.endswith("\t2026-01-01T08:00+08:00 (expired)")


async def test_unknown_people_get_a_clear_error(admin: Liuhen):
    for command in ("rotate", "disable", "enable"):
        code, _, err = await admin("users", command, "nobody")
        assert code == 2 and "unknown_user" in err


async def test_only_admins_manage_people(admin: Liuhen):
    await admin.as_person("wang", "custodian")
    code, _, err = await admin("users", "list")
    assert code == 2 and "error [forbidden]: role custodian may not manage users" in err


async def test_an_admin_sets_a_password_the_person_changes_at_sign_in(admin: Liuhen):
    await admin.server.add_person("wang", "custodian")
    code, out, _ = await admin("users", "set-password", "wang", "--password-stdin", stdin=FIRST)
    assert code == 0 and "next sign-in" in out
    argv = ("login", "--server", admin.server.url, "--name", "wang", "--password-stdin")
    code, out, _ = await admin(*argv, stdin=f"{FIRST}\nwang's own password\n")
    assert code == 0 and "as wang (custodian)" in out


async def test_add_admin_refuses_a_name_taken(admin: Liuhen):
    code, _, err = await admin(
        "users", "add-admin", "root", "--password-stdin", stdin="another one 12"
    )
    assert code == 2 and "exists" in err
