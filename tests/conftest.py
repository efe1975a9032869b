"""Shared fixtures: a real ingest server on 127.0.0.1, registered devices, raw HTTP, and
the same server behind a slow, fragmenting link."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from evidence.case_number import CaseNumberRule
from evidence.device_auth import answer_challenge
from evidence.identifiers import DeviceId
from evidence.keys import Ed25519PrivateKey, key_id, public_key_pem
from evidence.manifest import SignedManifest
from evidence.signing import PayloadType
from evidence.tus_wire import OFFSET_CONTENT_TYPE, TUS_VERSION, encode_metadata, format_checksum
from evidence.wire import AUTH_CHALLENGE, AUTH_TOKEN, FILES, MANIFESTS, SIGN_IN, SIGNATURE_HEADER
from ingest.access.devices import register_device
from ingest.access.people import add_user
from ingest.compliance.config import ComplianceConfig
from ingest.custody_log.config import CustodyConfig
from ingest.http.server import running
from ingest.server_config import IngestConfig
from ingest.startup import IngestServer, open_server
from ingest.wiring import build_services
from runtime.key_files import generate_key_pair
from tests.fault_proxy import FaultProxy, Link

# The ``liuhen`` fixture: the command line as a signed-in person (tests/cli_people.py).
pytest_plugins = ["tests.cli_people", "tests.index_backends"]

# A poor link: the server gets every request in 16-byte pieces, a millisecond apart.
SLOW_LINK = Link(burst=16, pause=0.001)


class Clock:
    """Real time plus an offset a test may move forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def set(self, moment: datetime) -> None:
        """Read ``moment`` now, and run on from there."""
        self.offset = moment - datetime.now(UTC)


@dataclass
class Device:
    device_id: str
    key: Ed25519PrivateKey
    key_path: Path
    public_key_path: Path

    @property
    def key_id(self) -> str:
        return key_id(self.key.public_key())


@dataclass
class Reply:
    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def code(self) -> str | None:
        try:
            return self.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return None


@dataclass
class Server:
    ctx: IngestServer
    url: str
    clock: Clock
    root: Path
    http: aiohttp.ClientSession
    _devices: int = field(default=0)
    _serving: AsyncExitStack = field(default_factory=AsyncExitStack)

    async def reconfigure(
        self,
        *,
        config: IngestConfig | None = None,
        compliance: ComplianceConfig | None = None,
        custody: CustodyConfig | None = None,
    ) -> None:
        """Serve the same books under another configuration. Services are built once, at
        start, so this restarts the server on the same port, as an operator would."""
        ctx = self.ctx
        parts = ctx.parts
        if config is not None:
            parts = replace(parts, books=replace(parts.books, config=config))
        if compliance is not None:
            parts = replace(parts, compliance=compliance)
        if custody is not None:
            parts = replace(parts, custody=custody)
        port = int(self.url.rsplit(":", 1)[1])
        await self._serving.aclose()
        services = build_services(parts, ctx.server_key, ctx.log)
        self.ctx = IngestServer(parts, ctx.server_key, ctx.log, services)
        self._serving = AsyncExitStack()
        await self._serving.enter_async_context(running(self.ctx, "127.0.0.1", port))

    async def add_device(self, device_id: str | None = None) -> Device:
        self._devices += 1
        device_id = device_id or f"dock-test-{self._devices:02d}"
        key_path = self.root / "devices" / device_id / "device.pem"
        key = generate_key_pair(key_path)
        await register_device(
            self.ctx.index.devices, DeviceId(device_id), public_key_pem(key.public_key())
        )
        return Device(device_id, key, key_path, key_path.with_suffix(".pub.pem"))

    async def add_user(self, name: str = "custodian-1", role: str = "custodian") -> str:
        issued = await add_user(
            self.ctx.index.credentials, name, role, self.ctx.config.user_token_ttl
        )
        return issued.token

    async def add_person(
        self, name: str, role: str = "custodian", password: str = "correct horse battery"
    ) -> str:
        """A person with a password of their own (as after their first sign-in); return it."""
        users = self.ctx.services.users
        await self.ctx.index.credentials.add_user(name, role, self.clock())
        await users.set_password(name, password, "test", must_change=False)
        return password

    async def sign_in(self, name: str, password: str = "correct horse battery") -> str:
        """A session token for ``name``, signed in through the API."""
        body = json.dumps({"name": name, "password": password}).encode()
        reply = await self.send("POST", SIGN_IN, body=body)
        assert reply.status == 201, reply.body
        return str(reply.json()["token"])

    async def send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: Any = None,
        token: str | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if body is not None and "content-type" not in {name.lower() for name in sent}:
            sent["Content-Type"] = "application/json"  # what most endpoints take; others say
        url = path if "://" in path else self.url + path
        payload = (
            io.BytesIO(body) if isinstance(body, bytes) else body
        )  # streamed, as the agent does
        async with self.http.request(method, url, headers=sent, data=payload) as response:
            return Reply(response.status, response.headers, await response.read())

    async def token_for(self, device: Device) -> str:
        issued = (
            await self.send(
                "POST", AUTH_CHALLENGE, body=json.dumps({"device_id": device.device_id}).encode()
            )
        ).json()
        challenge = base64.b64decode(issued["challenge"])
        answer = {
            "challenge": issued["challenge"],
            "challenge_signature": issued["signature"],
            "device_signature": base64.b64encode(answer_challenge(challenge, device.key)).decode(),
        }
        reply = await self.send("POST", AUTH_TOKEN, body=json.dumps(answer).encode())
        assert reply.status == 200, reply.body
        return str(reply.json()["token"])

    async def register(self, signed: SignedManifest, token: str) -> Reply:
        return await self.send(
            "POST",
            MANIFESTS,
            token=token,
            body=signed.body,
            headers={
                "Content-Type": PayloadType.MANIFEST,
                SIGNATURE_HEADER: base64.b64encode(signed.signature).decode(),
            },
        )

    async def create(
        self,
        signed: SignedManifest,
        token: str,
        *,
        length: int | None = None,
        metadata: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Reply:
        manifest = signed.manifest
        meta = (
            metadata
            if metadata is not None
            else {
                "evidence_id": str(manifest.evidence_id),
                "role": manifest.role.value,
                "filename": manifest.file_name,
            }
        )
        sent = {
            "Tus-Resumable": TUS_VERSION,
            "Upload-Length": str(manifest.size if length is None else length),
            "Upload-Metadata": encode_metadata(dict(meta)),
            **(headers or {}),
        }
        if body is not None:
            sent.setdefault("Content-Type", OFFSET_CONTENT_TYPE)
        return await self.send("POST", FILES, token=token, headers=sent, body=body)

    async def patch(
        self,
        url: str,
        offset: int,
        data: Any,
        token: str,
        *,
        checksum: tuple[str, bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = {
            "Tus-Resumable": TUS_VERSION,
            "Content-Type": OFFSET_CONTENT_TYPE,
            "Upload-Offset": str(offset),
        }
        if checksum is not None:
            sent["Upload-Checksum"] = format_checksum(*checksum)
        sent.update(headers or {})
        return await self.send("PATCH", url, token=token, headers=sent, body=data)

    async def head(self, url: str, token: str) -> Reply:
        return await self.send("HEAD", url, token=token, headers={"Tus-Resumable": TUS_VERSION})

    def stored_blobs(self) -> list[Path]:
        return sorted(
            path for path in (self.root / "server" / "store").rglob("*") if path.is_file()
        )


@pytest.fixture
def rule() -> CaseNumberRule:
    return CaseNumberRule()


@pytest.fixture
def server_config(tmp_path: Path, server_index: dict[str, Any]) -> IngestConfig:
    return IngestConfig(
        data_dir=tmp_path / "server", port=0, max_upload_bytes=256 * 1024 * 1024, **server_index
    )


@pytest.fixture
async def server(
    tmp_path: Path, server_config: IngestConfig, rule: CaseNumberRule
) -> AsyncIterator[Server]:
    clock = Clock()
    ctx = await open_server(server_config, rule, clock)
    serving = AsyncExitStack()
    server: Server | None = None
    try:
        url = await serving.enter_async_context(running(ctx, "127.0.0.1", 0))
        try:
            async with aiohttp.ClientSession() as http:
                server = Server(ctx, url, clock, tmp_path, http, _serving=serving)
                yield server
        finally:  # the server restarts on reconfigure(): stop whichever is running
            await (serving if server is None else server._serving).aclose()
    finally:
        await ctx.close()


@pytest.fixture
async def slow_link(server: Server) -> AsyncIterator[FaultProxy]:
    async with FaultProxy(server.url, to_server=SLOW_LINK) as proxy:
        yield proxy


@pytest.fixture
def slow(server: Server, slow_link: FaultProxy) -> Server:
    """The test server, reached through ``slow_link``: every helper goes through the relay.
    Add devices through ``server`` (each copy counts its own device ids)."""
    return replace(server, url=slow_link.url)
