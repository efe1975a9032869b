"""S3 fixtures: moto's S3 server over real HTTP, a locked bucket per test, the S3 store,
and the real ingest server keeping its books in that bucket (store and upload area)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import pytest

from evidence.case_number import CaseNumberRule
from ingest.http.server import running
from ingest.server_config import IngestConfig
from ingest.startup import open_server
from storage.s3_blobs import S3BlobStore, open_s3_store
from tests.conftest import Clock, Server
from tests.s3.moto import CallLog, MotoS3


@pytest.fixture(autouse=True)
def s3_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials from the environment (moto takes any); no file of the machine's."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture(scope="session")
def shared_moto() -> Iterator[MotoS3]:
    moto = MotoS3()
    moto.start()
    yield moto
    moto.stop()


@pytest.fixture
def moto(shared_moto: MotoS3) -> MotoS3:
    """The session's moto server; a test that stops it takes ``own_moto`` instead."""
    return shared_moto


@pytest.fixture
def own_moto() -> Iterator[MotoS3]:
    moto = MotoS3()
    moto.start()
    yield moto
    moto.stop()


@pytest.fixture
def bucket(moto: MotoS3) -> str:
    return moto.bucket()


@pytest.fixture
def store(moto: MotoS3, bucket: str, tmp_path: Path) -> S3BlobStore:
    return open_s3_store(tmp_path / "unused", moto.config(bucket))


def s3_server_config(root: Path, moto: MotoS3, bucket: str) -> IngestConfig:
    return IngestConfig(
        data_dir=root / "server",
        port=0,
        max_upload_bytes=256 * 1024 * 1024,
        blob_store="s3",
        upload_area="s3",
        s3=moto.config(bucket),
    )


async def serve(config: IngestConfig, root: Path, stack: AsyncExitStack) -> Server:
    clock = Clock()
    ctx = await open_server(config, CaseNumberRule(), clock)
    stack.push_async_callback(ctx.close)
    serving = AsyncExitStack()
    url = await serving.enter_async_context(running(ctx, "127.0.0.1", 0))
    stack.push_async_callback(serving.aclose)
    http = await stack.enter_async_context(aiohttp.ClientSession())
    return Server(ctx, url, clock, root, http, _serving=serving)


@pytest.fixture
async def s3_server(moto: MotoS3, bucket: str, tmp_path: Path) -> AsyncIterator[Server]:
    """The real server, its store and upload area in the bucket."""
    async with AsyncExitStack() as stack:
        yield await serve(s3_server_config(tmp_path, moto, bucket), tmp_path, stack)


@pytest.fixture
def calls(moto: MotoS3, bucket: str, s3_server: Server) -> CallLog:
    """Every S3 call the server makes from now on."""
    log = CallLog(moto.client(), bucket)
    store = s3_server.ctx.store
    assert isinstance(store, S3BlobStore)
    log.attach(store.bucket.client)
    return log
