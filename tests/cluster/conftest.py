"""The multi-node tests' cluster: the one ``./scripts/cluster`` starts (liuhen/cluster/),
real processes all: a throwaway PostgreSQL, moto's S3 server over HTTP (in this process,
so a test may stop and start it again with its bucket kept), three ``liuhen ingest serve``
nodes and nginx round-robin in front. Started once for these tests; a node a test killed
is started again before the next.

``books`` is the cluster's index and store opened in this process, as a command on a
server host opens them, wrapped in the ``Server`` helper of the other tests: its requests
go to nginx, its devices are registered in the shared index."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import aiohttp
import pytest

from evidence.case_number import CaseNumberRule
from ingest.server_config import IngestConfig
from ingest.startup import open_server
from liuhen.cluster.cluster import Cluster
from liuhen.cluster.postgres import postgres_bin
from storage.postgres_config import PostgresConfig
from storage.s3_config import S3Config
from tests.conftest import Clock, Server

# Short S3 timeouts and no botocore retries: an outage is a 503 at once, not in a minute.
S3_OPTIONS = {"connect_timeout_seconds": 1.0, "read_timeout_seconds": 5.0, "max_attempts": 1}


_DEVICES = itertools.count(0, 100)


def _nginx() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


@pytest.fixture(autouse=True)
def s3_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "cluster")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "cluster")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    if _nginx() is None:
        pytest.skip("nginx is not installed (./scripts/test installs Debian's nginx)")
    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed (./scripts/test installs it)")
    parent = Path(tempfile.mkdtemp(prefix="liuhen-cluster-test-"))
    parent.chmod(0o755)  # PostgreSQL's own user goes through it under root
    running = Cluster(parent / "cluster", s3=S3_OPTIONS)
    running.start()
    yield running
    running.stop()
    shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture
def nodes(cluster: Cluster) -> Cluster:
    """The cluster with every node running (one a test killed is started again)."""
    if cluster.s3._server is None:
        cluster.s3.start()
    for node in cluster.nodes:
        if not node.running():
            cluster.restart(node)
    return cluster


def books_config(cluster: Cluster, root: Path) -> IngestConfig:
    data_dir = root / "books"
    if not (data_dir / "keys").exists():
        shutil.copytree(cluster.keys, data_dir / "keys")
    return IngestConfig(
        data_dir=data_dir,
        index="postgres",
        blob_store="s3",
        upload_area="s3",
        postgres=PostgresConfig(**cluster.postgres.options()),
        s3=S3Config(**cluster.s3.options(**S3_OPTIONS)),
    )


@pytest.fixture
async def books(nodes: Cluster, tmp_path: Path) -> AsyncIterator[Server]:
    ctx = await open_server(books_config(nodes, tmp_path), CaseNumberRule(), Clock())
    try:
        async with aiohttp.ClientSession() as http:
            # Device names go on from the last test's: the index is the cluster's, shared.
            yield Server(ctx, nodes.url, Clock(), tmp_path, http, _devices=next(_DEVICES))
    finally:
        await ctx.close()


async def logged_patches(
    cluster: Cluster, path_part: str, ready: Callable[[list[str]], bool]
) -> list[str]:
    """The nodes nginx's access log names for the PATCHes to ``path_part``, once ``ready``
    says they are all there: nginx writes a line as it finishes a request, which may be
    just after the client has its answer."""
    taken: list[str] = []
    for _ in range(100):
        taken = cluster.nginx.nodes_of("PATCH", path_part)
        if ready(taken):
            break
        await asyncio.sleep(0.05)
    return taken
