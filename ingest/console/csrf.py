"""CSRF tokens bound to the session: a form carries a value derived from the session
token, which lives only in an HttpOnly cookie, so a page of another site can neither read
nor compute it. Nothing is stored: the value is recomputed when the form comes back.
Before sign-in there is no session, so the sign-in form uses a double-submit cookie."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from evidence.errors import CsrfRefused

__all__ = ["check_csrf", "csrf_for", "fresh_token"]


def csrf_for(secret: str) -> str:
    """The form token of a session (or of the sign-in cookie)."""
    return hmac.new(secret.encode(), b"liuhen-console-csrf", hashlib.sha256).hexdigest()


def check_csrf(secret: str | None, given: str | None) -> None:
    """Refuse a form whose token is missing or not the one of ``secret``."""
    if not secret or not given or not hmac.compare_digest(csrf_for(secret), given):
        raise CsrfRefused("the form came without this session's token: reload the page")


def fresh_token() -> str:
    return secrets.token_urlsafe(32)
