"""A person at the console over plain HTTP: a cookie jar of their own, the sign-in form
filled as a browser fills it, and the CSRF token read off each page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import aiohttp

from tests.conftest import Server

SIGN_IN = "/console/sign-in"
_CSRF = re.compile(r'name="csrf" value="([^"]*)"')
_CODE = re.compile(r'id="error-code"><code>([a-z_0-9]+)</code>')


@dataclass
class Page:
    status: int
    headers: Any
    text: str
    url: str

    @property
    def csrf(self) -> str:
        found = _CSRF.search(self.text)
        assert found, self.text
        return found.group(1)

    @property
    def code(self) -> str | None:
        found = _CODE.search(self.text)
        return None if found is None else found.group(1)

    def shows(self, text: str) -> bool:
        return text in unescape(self.text)


@dataclass
class Visitor:
    server: Server
    http: aiohttp.ClientSession = field(
        default_factory=lambda: aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    )

    async def get(self, path: str, **params: str) -> Page:
        return await self._send("GET", path, params=params)

    async def post(self, path: str, form: dict[str, str], redirects: bool = True) -> Page:
        return await self._send("POST", path, data=form, allow_redirects=redirects)

    async def _send(self, method: str, path: str, **options: Any) -> Page:
        headers = {"Accept": "text/html"}
        url = self.server.url + path
        async with self.http.request(method, url, headers=headers, **options) as response:
            text = await response.text()
            return Page(response.status, response.headers, text, str(response.url))

    async def sign_in(self, name: str, password: str = "correct horse battery") -> Page:
        form = await self.get(SIGN_IN)
        page = await self.post(SIGN_IN, {"csrf": form.csrf, "name": name, "password": password})
        assert page.status == 200 and page.url.endswith("/console/cases"), page.text
        return page

    async def close(self) -> None:
        await self.http.close()


async def visitor(server: Server, name: str, role: str) -> Visitor:
    """A person in ``role`` with a password, signed in at the console."""
    await server.add_person(name, role)
    person = Visitor(server)
    await person.sign_in(name)
    return person
