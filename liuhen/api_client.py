"""A small client of the server's HTTP API for the command line: a person's session in
the Authorization header, JSON in and out, and the server's errors rebuilt from their
stable codes (``evidence.errors.error_for_code``), so a command fails as it would have
on the server host: ``error [code]: message``, exit 2."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from agent.net_errors import cause
from evidence.errors import LiuhenError, Unavailable, error_for_code

__all__ = ["ApiClient", "api_client"]

_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=3600)


class ApiClient:
    def __init__(self, http: aiohttp.ClientSession, server: str, token: str | None) -> None:
        self._http = http
        self.server = server.rstrip("/")
        self._token = token
        self.status = 0  # of the last answer: 201 made, 200 held already

    async def json(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: Mapping[str, str | int | None] | None = None,
    ) -> Any:
        """Send a JSON body (if any); return the JSON answer (None for 204)."""
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        raw = await self.send(method, path, data=data, headers=headers, query=query)
        return None if not raw else json.loads(raw)

    async def upload(self, method: str, path: str, file: Path, content_type: str) -> Any:
        """Send a file as the body (streamed); return the JSON answer."""
        with file.open("rb") as handle:
            raw = await self.send(method, path, data=handle, headers={"Content-Type": content_type})
        return json.loads(raw)

    async def save(self, path: str, body: Any, target: Path) -> dict[str, str]:
        """POST a JSON body and stream the answer into the new file ``target`` (bounded
        memory, whatever its size); return the answer's headers."""
        sent = {"Content-Type": "application/json"}
        if self._token is not None:
            sent["Authorization"] = f"Bearer {self._token}"
        url = self.server + path
        data = json.dumps(body, ensure_ascii=False).encode()
        try:
            async with self._http.post(url, data=data, headers=sent) as response:
                self.status = response.status
                if response.status >= 400:
                    raise _refusal(response.status, await response.read())
                with target.open("xb") as out:
                    async for block in response.content.iter_chunked(1024 * 1024):
                        out.write(block)
                return dict(response.headers)
        except LiuhenError:
            raise
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise Unavailable(f"POST {url} failed: {cause(exc)}") from None

    async def send(
        self,
        method: str,
        path: str,
        *,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str | int | None] | None = None,
    ) -> bytes:
        sent = dict(headers or {})
        if self._token is not None:
            sent["Authorization"] = f"Bearer {self._token}"
        params = {k: str(v) for k, v in (query or {}).items() if v is not None}
        url = self.server + path
        try:
            async with self._http.request(
                method, url, data=data, headers=sent, params=params
            ) as response:
                raw = await response.read()
                self.status = response.status
                if response.status >= 400:
                    raise _refusal(response.status, raw)
                return raw
        except LiuhenError:
            raise
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise Unavailable(f"{method} {url} failed: {cause(exc)}") from None


def _refusal(status: int, raw: bytes) -> LiuhenError:
    try:
        error = json.loads(raw)["error"]
        return error_for_code(str(error["code"]), str(error["message"]), status)
    except (ValueError, KeyError, TypeError):
        text = raw.decode("utf-8", "replace").strip()[:200]
        return Unavailable(f"the server answered {status}: {text or 'nothing'}")


@asynccontextmanager
async def api_client(server: str, token: str | None = None) -> AsyncIterator[ApiClient]:
    async with aiohttp.ClientSession(timeout=_TIMEOUT) as http:
        yield ApiClient(http, server, token)
