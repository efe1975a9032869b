"""The agent's side of the wire: signs in as its device, sends requests, and turns every
answer into a value or one of our errors (aiohttp's own errors stop here)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp.payload import Payload
from multidict import CIMultiDictProxy

from agent.net_errors import cause
from evidence.device_auth import answer_challenge
from evidence.errors import (
    DeviceRevoked,
    LiuhenError,
    Unauthenticated,
    Unavailable,
    UnknownDevice,
    error_for_code,
)
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.keys import Ed25519PrivateKey, key_id
from evidence.manifest import SignedManifest
from evidence.receipt import SignedReceipt
from evidence.signing import PayloadType
from evidence.strict_json import parse_time
from evidence.wire import (
    AUTH_CHALLENGE,
    AUTH_TOKEN,
    DERIVATION_FAILED,
    FINALIZE,
    HEALTH,
    MANIFESTS,
    SIGNATURE_HEADER,
)

__all__ = ["Reply", "ServerApi", "ServerIdentity"]

log = logging.getLogger(__name__)

_MAX_REPLY = 1024 * 1024
_REFRESH_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> dict[str, Any]:
        try:
            value = json.loads(self.body)
        except ValueError:
            raise Unavailable(
                f"the server answered {self.status} with something that is not JSON"
            ) from None
        if not isinstance(value, dict):
            raise Unavailable("the server's JSON answer is not an object")
        return value


@dataclass(frozen=True, slots=True)
class ServerIdentity:
    """What the server says it runs and signs receipts with: when either changes, what it
    refused before may pass now."""

    software: str | None
    server_key_id: str | None


def _error_from(status: int, body: bytes) -> LiuhenError:
    try:
        error = json.loads(body)["error"]
        rebuilt = error_for_code(str(error["code"]), str(error["message"]), status)
        details = error.get("details")
        if isinstance(details, dict):  # e.g. which chunk of a PATCH did not match
            rebuilt.details = details
        return rebuilt
    except (ValueError, KeyError, TypeError, AttributeError):
        if status >= 500:
            return Unavailable(f"the server answered {status}")
        return LiuhenError(f"the server answered {status}: {body[:200]!r}")


async def _read_reply(response: aiohttp.ClientResponse) -> bytes:
    """The whole answer, however it arrives (one read returns only what has arrived so
    far), refusing one past ``_MAX_REPLY``."""
    payload = bytearray()
    async for data in response.content.iter_any():
        payload += data
        if len(payload) > _MAX_REPLY:
            raise Unavailable(f"the server's answer passes {_MAX_REPLY} bytes")
    return bytes(payload)


class ServerApi:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        device_id: DeviceId,
        key: Ed25519PrivateKey,
    ) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self.device_id = device_id
        self._key = key
        self._token: str | None = None
        self._token_expires = datetime.min.replace(tzinfo=UTC)
        self._sign_in_lock = asyncio.Lock()
        self._refusal: str | None = None  # the code of the last sign-in refusal logged

    def url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else self.base_url + path_or_url

    async def send(
        self,
        method: str,
        path_or_url: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | Payload | None = None,
        authenticated: bool = True,
        passthrough: Collection[int] = (),
    ) -> Reply:
        """Send a request; an error answer raises its error, unless its status is in
        ``passthrough`` (then it is returned, for the caller to read)."""
        for attempt in (1, 2):
            sent = dict(headers or {})
            if authenticated:
                sent["Authorization"] = f"Bearer {await self._bearer()}"
            reply = await self._exchange(method, self.url(path_or_url), sent, body)
            if reply.status == 401 and authenticated and attempt == 1:
                self._token = None  # expired or revoked token: sign in once more
                continue
            if reply.status >= 400 and reply.status not in passthrough:
                raise _error_from(reply.status, reply.body)
            return reply
        raise AssertionError("unreachable")

    async def _exchange(
        self, method: str, url: str, headers: dict[str, str], body: bytes | Payload | None
    ) -> Reply:
        try:
            async with self._session.request(method, url, headers=headers, data=body) as response:
                payload = await _read_reply(response)
                return Reply(response.status, response.headers, payload)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Unavailable(f"{method} {url} failed: {cause(exc)}") from exc

    async def sign_in(self) -> None:
        """Sign in now (unless a token is still good): raises the server's refusal."""
        await self._bearer()

    async def _bearer(self) -> str:
        async with self._sign_in_lock:
            if self._token is None or datetime.now(UTC) + _REFRESH_MARGIN >= self._token_expires:
                self._token, self._token_expires = await self._sign_in()
            return self._token

    async def _sign_in(self) -> tuple[str, datetime]:
        try:
            granted = await self._answer_challenge()
        except (UnknownDevice, DeviceRevoked) as exc:
            raise self._refused(exc) from exc
        self._refusal = None
        log.info("signed in to %s as %s", self.base_url, self.device_id)
        return granted

    def _refused(self, exc: UnknownDevice | DeviceRevoked) -> LiuhenError:
        """The server learns nothing by saying so: only the key's holder is told. Say it
        to the operator plainly, once per change (every file also carries it)."""
        device, key = self.device_id, key_id(self._key.public_key())
        if isinstance(exc, DeviceRevoked):
            refused: LiuhenError = DeviceRevoked(
                f"the server has revoked device {device}: it accepts nothing from it; the "
                "footage stays here; ask the server's admin"
            )
        else:
            refused = UnknownDevice(
                f"the server does not know device {device} with key {key}: register "
                f"it there (liuhen device register {device} --public-key "
                "<agent.data_dir>/keys/device.pub.pem), or check agent.device_id"
            )
        if self._refusal != refused.code:
            self._refusal = refused.code
            log.error("sign-in refused [%s]: %s", refused.code, refused.message)
        return refused

    async def _answer_challenge(self) -> tuple[str, datetime]:
        request = json.dumps({"device_id": str(self.device_id)}).encode()
        issued = (
            await self.send(
                "POST", AUTH_CHALLENGE, body=request, headers=_JSON, authenticated=False
            )
        ).json()
        challenge = base64.b64decode(issued["challenge"])
        answer = {
            "challenge": issued["challenge"],
            "challenge_signature": issued["signature"],
            "device_signature": base64.b64encode(answer_challenge(challenge, self._key)).decode(),
        }
        body = json.dumps(answer).encode()
        granted = (
            await self.send("POST", AUTH_TOKEN, body=body, headers=_JSON, authenticated=False)
        ).json()
        token = granted.get("token")
        if not isinstance(token, str):
            raise Unauthenticated("the server granted no token")
        return token, parse_time(str(granted["expires_at"]))

    async def identity(self) -> ServerIdentity:
        answer = (await self.send("GET", HEALTH, authenticated=False)).json()
        software, key_id = answer.get("software"), answer.get("server_key_id")
        return ServerIdentity(
            software if isinstance(software, str) else None,
            key_id if isinstance(key_id, str) else None,
        )

    async def register(self, signed: SignedManifest) -> dict[str, Any]:
        headers = {
            "Content-Type": PayloadType.MANIFEST,
            SIGNATURE_HEADER: base64.b64encode(signed.signature).decode("ascii"),
        }
        return (await self.send("POST", MANIFESTS, headers=headers, body=signed.body)).json()

    async def finalize(self, evidence_id: EvidenceId, role: Role) -> SignedReceipt:
        path = FINALIZE.format(evidence_id=evidence_id, role=role.value)
        answer = (await self.send("POST", path)).json()
        try:
            return SignedReceipt.parse(
                base64.b64decode(answer["receipt"]), base64.b64decode(answer["signature"])
            )
        except (KeyError, TypeError, ValueError, LiuhenError) as exc:
            # Not the footage's fault: keep it and ask again later.
            raise Unavailable(f"the server's receipt is unreadable: {exc!r}") from exc

    async def report_unmade(
        self, evidence_id: EvidenceId, role: Role, document: dict[str, Any]
    ) -> bool:
        """Tell the server a derived copy of a receipted original was given up. False when
        the server has no such endpoint (404 or 405: an older server)."""
        path = DERIVATION_FAILED.format(evidence_id=evidence_id, role=role.value)
        body = json.dumps(document, ensure_ascii=False).encode()
        reply = await self.send("POST", path, body=body, headers=_JSON, passthrough=(404, 405))
        return reply.status < 400


_JSON = {"Content-Type": "application/json"}
