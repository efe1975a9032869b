"""``liuhen login``, ``whoami`` and ``logout`` against a real server on loopback, and the
session file they keep."""

import json
import stat

from tests.cli_people import Liuhen

PASSWORD = "correct horse battery"


async def test_login_keeps_a_private_session_that_whoami_uses_and_logout_ends(
    liuhen: Liuhen, tmp_path
):
    await liuhen.server.add_person("wang", "custodian")
    code, out, _ = await liuhen("whoami")
    assert code == 2
    code, _, err = await liuhen("recordings", "list")
    assert code == 2 and "unauthenticated" in err and "liuhen login" in err
    await liuhen.login("wang")
    saved = tmp_path / "home" / ".config" / "liuhen" / "session.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    kept = json.loads(saved.read_text())
    assert kept["server"] == liuhen.server.url and kept["name"] == "wang"
    assert PASSWORD not in saved.read_text()
    code, out, _ = await liuhen("whoami")
    assert code == 0 and out.startswith(f"wang (custodian) on {liuhen.server.url}; sees every case")
    code, out, _ = await liuhen("logout")
    assert code == 0 and "signed out" in out and not saved.exists()
    token = kept["token"]
    reply = await liuhen.server.send("GET", "/api/v1/session", token=token)
    assert (reply.status, reply.code) == (401, "unauthenticated")  # ended on the server too


async def test_a_wrong_password_and_the_rate_limit_read_clearly(liuhen: Liuhen):
    await liuhen.server.add_person("wang", "custodian")
    argv = ("login", "--server", liuhen.server.url, "--name", "wang", "--password-stdin")
    code, _, err = await liuhen(*argv, stdin="guess")
    assert code == 2 and err.strip() == "error [sign_in_failed]: wrong name or password"
    for _ in range(liuhen.server.ctx.config.sign_in_failures_per_name):
        await liuhen(*argv, stdin="guess")
    code, _, err = await liuhen(*argv, stdin=PASSWORD)
    assert code == 2 and "too_many_attempts" in err and "try again in" in err


async def test_an_admins_first_password_is_changed_at_login(liuhen: Liuhen):
    await liuhen.as_person("root", "admin")
    code, _, err = await liuhen(
        "users", "add", "wang", "--role", "custodian", "--password-stdin", stdin="first one 12345"
    )
    assert code == 0, err
    argv = ("login", "--server", liuhen.server.url, "--name", "wang", "--password-stdin")
    code, out, err = await liuhen(*argv, stdin="first one 12345\nmine and only mine\n")
    assert code == 0 and "choose your own" in err and "as wang (custodian)" in out
    code, out, _ = await liuhen("whoami")
    assert out.startswith("wang (custodian)")
    code, _, err = await liuhen(*argv, stdin="first one 12345\n")
    assert code == 2 and "sign_in_failed" in err


async def test_a_server_that_is_not_there_is_said_in_one_line(liuhen: Liuhen):
    argv = ("login", "--server", "http://127.0.0.1:9", "--name", "wang", "--password-stdin")
    code, _, err = await liuhen(*argv, stdin=PASSWORD)
    assert code == 2
    assert err.startswith("error [unavailable]: POST http://127.0.0.1:9/api/v1/session failed")
    assert "cannot connect" in err and "Traceback" not in err
