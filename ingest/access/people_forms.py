"""Request bodies of the people API, read strictly into plain values (unknown fields and
wrong types are refused with ``bad_body`` naming the field). No body names who acts:
that is the signed-in person."""

from __future__ import annotations

from typing import Any

from evidence.errors import MalformedBody
from evidence.strict_json import Fields
from ingest.access.passwords import MAX_PASSWORD

__all__ = ["access_form", "new_user_form", "password_change_form", "password_form", "sign_in_form"]

MAX_GRANTS = 1000


def _password(fields: Fields, key: str) -> str:
    # Long enough for any password the rule takes, and a little more, so an over-long one
    # is refused by the rule with its own words.
    return fields.text(key, max_length=MAX_PASSWORD * 4)


def sign_in_form(body: dict[str, Any]) -> tuple[str, str]:
    fields = Fields(body, MalformedBody)
    name = fields.text("name", max_length=256)
    password = _password(fields, "password")
    fields.done()
    return name, password


def new_user_form(body: dict[str, Any]) -> tuple[str, str, str]:
    fields = Fields(body, MalformedBody)
    name = fields.text("name", max_length=64)
    role = fields.text("role", max_length=32)
    password = _password(fields, "password")
    fields.done()
    return name, role, password


def password_form(body: dict[str, Any]) -> str:
    fields = Fields(body, MalformedBody)
    password = _password(fields, "password")
    fields.done()
    return password


def password_change_form(body: dict[str, Any]) -> tuple[str, str]:
    fields = Fields(body, MalformedBody)
    current = _password(fields, "current_password")
    new = _password(fields, "new_password")
    fields.done()
    return current, new


def access_form(body: dict[str, Any]) -> tuple[bool, list[str], list[str]]:
    """``{"all_cases": bool, "cases": [...], "agencies": [...]}``: the lists only when
    ``all_cases`` is false (they would mean nothing otherwise)."""
    fields = Fields(body, MalformedBody)
    all_cases = fields.boolean("all_cases")
    cases = fields.text_list("cases", max_items=MAX_GRANTS) if "cases" in body else []
    agencies = fields.text_list("agencies", max_items=MAX_GRANTS) if "agencies" in body else []
    fields.done()
    if all_cases and (cases or agencies):
        raise MalformedBody("name cases or agencies only when all_cases is false", field="cases")
    return all_cases, cases, agencies
