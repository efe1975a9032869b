"""Plain-text and JSON output of ``liuhen users``: times in the agency's zone."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timezone
from typing import Any

from evidence.strict_json import parse_time

__all__ = ["print_state", "print_token", "print_users"]


def _shown(text: str | None, zone: timezone) -> str:
    if text is None:
        return "-"
    return parse_time(text).astimezone(zone).isoformat(timespec="minutes")


def print_token(issued: dict[str, Any], zone: timezone) -> None:
    print(f"API token (shown once, keep it safe; expires {_shown(issued['expires_at'], zone)}):")
    print(issued["token"])


def print_state(user: dict[str, Any], zone: timezone) -> None:
    disabled = user["disabled_at"]
    state = f"disabled since {_shown(disabled, zone)}" if disabled else "enabled"
    print(f"user {user['name']} ({user['role']}) is {state}")


def _cases(access: dict[str, Any]) -> str:
    if access["all_cases"]:
        return "all"
    return ",".join([*access["cases"], *(f"agency:{a}" for a in access["agencies"])]) or "none"


def _row(user: dict[str, Any], zone: timezone, now: datetime) -> dict[str, Any]:
    expires = user["token_expires_at"]
    password = "must change" if user["must_change_password"] else "set"
    return {
        "name": user["name"],
        "role": user["role"],
        "created": _shown(user["created_at"], zone),
        "disabled": None if user["disabled_at"] is None else _shown(user["disabled_at"], zone),
        "password": password if user["has_password"] else None,
        "cases": _cases(user["access"]),
        "token_expires": None if expires is None else _shown(expires, zone),
        # None: no token at all (nothing expired; 'liuhen users rotate' issues one)
        "token_expired": None if expires is None else parse_time(expires) <= now,
    }


def print_users(found: Sequence[dict[str, Any]], zone: timezone, as_json: bool) -> None:
    now = datetime.now(UTC)
    table = [_row(user, zone, now) for user in found]
    if as_json:
        print(json.dumps({"users": table}, ensure_ascii=False, indent=2))
        return
    print("name\trole\tcreated\tdisabled\tpassword\tcases\ttoken expires")
    for row in table:
        expires = (row["token_expires"] or "- (no token)") + (
            " (expired)" if row["token_expired"] else ""
        )
        print(
            f"{row['name']}\t{row['role']}\t{row['created']}\t{row['disabled'] or '-'}\t"
            f"{row['password'] or '-'}\t{row['cases']}\t{expires}"
        )
