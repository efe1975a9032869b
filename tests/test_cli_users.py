"""``liuhen users``: add, list, rotate, disable and enable, against a running server that
shares the data directory (as an admin does on the server host)."""

import asyncio
import json
import sqlite3
from datetime import datetime, timedelta

import pytest

from evidence.wire import RECORDINGS
from liuhen.cli import main


@pytest.fixture
def users(tmp_path, capsys):
    """Run ``liuhen users …`` on the server fixture's data directory; return (exit, out, err)."""
    config = tmp_path / "liuhen.toml"
    config.write_text(f'[server]\ndata_dir = "{tmp_path / "server"}"\nuser_token_ttl_days = 7\n')

    async def run(*args: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(
            main, ["--config", str(config), "--log-level", "ERROR", "users", *args]
        )
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def token_in(out: str) -> str:
    return out.strip().splitlines()[-1]


async def test_an_admin_rotates_disables_and_enables_a_person(server, users):
    code, out, _ = await users("add", "wang", "--role", "custodian")
    assert code == 0 and "expires" in out
    first = token_in(out)
    assert (await server.send("GET", RECORDINGS, token=first)).status == 200

    code, out, _ = await users("rotate", "wang")
    assert code == 0 and "every earlier token is refused" in out
    second = token_in(out)
    reply = await server.send("GET", RECORDINGS, token=first)
    assert (reply.status, reply.code) == (401, "unauthenticated")
    assert (await server.send("GET", RECORDINGS, token=second)).status == 200

    code, out, _ = await users("disable", "wang")
    assert code == 0 and "is disabled since" in out
    reply = await server.send("GET", RECORDINGS, token=second)
    assert (reply.status, reply.code) == (403, "user_disabled")

    code, out, _ = await users("enable", "wang")
    assert code == 0 and out.strip() == "user wang (custodian) is enabled"
    assert (await server.send("GET", RECORDINGS, token=second)).status == 200


async def test_the_listing_shows_role_created_disabled_and_token_expiry(server, users):
    await users("add", "wang", "--role", "custodian")
    await users("add", "zhao", "--role", "supervisor")
    await users("disable", "zhao")
    code, out, _ = await users("list", "--json")
    assert code == 0
    listed = {row["name"]: row for row in json.loads(out)["users"]}
    assert set(listed) == {"wang", "zhao"}
    assert listed["wang"]["role"] == "custodian" and listed["wang"]["disabled"] is None
    assert listed["zhao"]["disabled"] is not None
    assert not listed["wang"]["token_expired"]
    for row in listed.values():
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
    code, out, _ = await users("list")
    header, wang, zhao = out.splitlines()
    assert header == "name\trole\tcreated\tdisabled\ttoken expires"
    assert wang.startswith("wang\tcustodian\t") and wang.endswith("+08:00")
    assert zhao.endswith("\t2026-01-01T08:00+08:00 (expired)")


async def test_unknown_people_get_a_clear_error(server, users):
    for command in ("rotate", "disable", "enable"):
        code, _, err = await users(command, "nobody")
        assert code == 2 and "unknown_user" in err


async def test_a_person_without_a_token_is_shown_as_such_not_as_expired(server, users):
    await server.ctx.index.credentials.add_user("li", "custodian", server.clock())
    code, out, _ = await users("list")
    [li] = [line for line in out.splitlines() if line.startswith("li\t")]
    assert code == 0 and li.endswith("\t- (no token)")
    code, out, _ = await users("list", "--json")
    assert code == 0
    [row] = json.loads(out)["users"]
    assert (row["token_expires"], row["token_expired"]) == (None, None)
