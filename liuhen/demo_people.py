"""The demo's people: an admin made on the server host (bootstrap), who adds a custodian
through the API; the custodian signs in, chooses their own password, and does the rest
through the API as anyone would with ``liuhen login``."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from evidence.strict_json import format_time
from evidence.wire import (
    ACTS,
    CASES,
    COVERAGE,
    RECORDING_VERIFY,
    RECORDINGS,
    SIGN_IN,
    SIGN_IN_PASSWORD,
    USERS,
)
from ingest.access.user_admin import UserAdmin
from liuhen.api_client import ApiClient, api_client

__all__ = ["ADMIN", "CLERK", "add_admin", "register_acts", "signed_in_clerk", "verify_all"]

ADMIN, CLERK = "demo-admin", "demo-clerk"


async def add_admin(users: UserAdmin) -> str:
    """The first admin, as ``liuhen users add-admin`` makes them on the server host."""
    password = secrets.token_urlsafe(12)
    await users.add(ADMIN, "admin", password, "demo")
    await users.set_password(ADMIN, password, "demo", must_change=False)
    return password


async def _sign_in(client: ApiClient, name: str, password: str) -> str:
    session = await client.json("POST", SIGN_IN, body={"name": name, "password": password})
    return str(session["token"])


async def signed_in_clerk(url: str, admin_password: str) -> tuple[str, str]:
    """The admin adds a custodian with a first password; the custodian changes it at their
    first sign-in. Returns the custodian's password and session token."""
    first, own = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    async with api_client(url) as anonymous:
        admin = await _sign_in(anonymous, ADMIN, admin_password)
        async with api_client(url, admin) as as_admin:
            person = {"name": CLERK, "role": "custodian", "password": first}
            await as_admin.json("POST", USERS, body=person)
        token = await _sign_in(anonymous, CLERK, first)
        async with api_client(url, token) as clerk:
            change = {"current_password": first, "new_password": own}
            await clerk.json("PUT", SIGN_IN_PASSWORD, body=change)
        return own, await _sign_in(anonymous, CLERK, own)


async def verify_all(clerk: ApiClient, evidence_ids: list[str]) -> list[dict[str, Any]]:
    for evidence_id in evidence_ids:
        await clerk.json("POST", RECORDING_VERIFY.format(evidence_id=evidence_id))
    found: list[dict[str, Any]] = (await clerk.json("GET", RECORDINGS))["recordings"]
    return found


async def register_acts(
    clerk: ApiClient,
    acts: tuple[tuple[str, str, int, int, str], ...],
    agency: str,
    start: datetime,
) -> list[str]:
    """Register the cases and acts as a case clerk would, through the API."""
    cases = list(dict.fromkeys(case for case, *_ in acts))
    for case in cases:
        body = {"case_number": case, "agency": agency, "subject": "某建材公司"}
        await clerk.json("POST", CASES, body=body)
    for case, act_type, begin, end, officer in acts:
        act = {
            "case_number": case,
            "act_type": act_type,
            "started_at": format_time(start + timedelta(seconds=begin)),
            "ended_at": format_time(start + timedelta(seconds=end)),
            "officers": [officer],
        }
        await clerk.json("POST", ACTS, body=act)
    return cases


async def coverage(clerk: ApiClient, case: str) -> dict[str, Any]:
    found: dict[str, Any] = await clerk.json("GET", COVERAGE, query={"case_number": case})
    return found
