"""Where ``liuhen login`` keeps a person's session: ``$XDG_CONFIG_HOME/liuhen/
session.json`` (``~/.config/liuhen/session.json`` by default), readable by its owner only,
with the server it was opened on. Written beside and renamed into place, so it is never
half-written; ``liuhen logout`` removes it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence.errors import Unauthenticated
from runtime.private_files import make_private_dirs, write_private

__all__ = ["SavedSession", "forget", "load", "save", "session_path"]


@dataclass(frozen=True, slots=True)
class SavedSession:
    server: str  # the server's base URL, http(s)://host:port
    name: str
    token: str
    expires_at: str | None


def session_path(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "liuhen" / "session.json"


def save(session: SavedSession) -> Path:
    path = session_path()
    make_private_dirs(path.parent)
    fresh = path.with_name(f".session.{os.getpid()}.json")
    fresh.unlink(missing_ok=True)
    write_private(fresh, json.dumps(_fields(session)).encode())
    os.replace(fresh, path)
    return path


def _fields(session: SavedSession) -> dict[str, Any]:
    return {
        "server": session.server,
        "name": session.name,
        "token": session.token,
        "expires_at": session.expires_at,
    }


def load() -> SavedSession:
    """The saved session; Unauthenticated (saying to sign in) when there is none."""
    path = session_path()
    try:
        data = json.loads(path.read_text("utf-8"))
        return SavedSession(data["server"], data["name"], data["token"], data.get("expires_at"))
    except FileNotFoundError:
        raise Unauthenticated("not signed in: liuhen login [--server URL]") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise Unauthenticated(f"cannot read {path} ({exc}): liuhen login again") from None


def forget() -> bool:
    """Remove the saved session; False if there was none."""
    try:
        session_path().unlink()
    except FileNotFoundError:
        return False
    return True
