"""A manifest is parsed once per request path and the parsed value passed on; finalize
reads what it needs from the index in one call. Counted on the real services, without a
server."""

import dataclasses
from typing import Any

import pytest

from evidence import manifest as manifest_module
from evidence.manifest import Manifest
from evidence.strict_json import canonical_bytes
from tests.ingest.offline import Offline


class Counting:
    """An index capability that notes each call made through it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return await method(*args, **kwargs)

        return call


@pytest.fixture
def parses(monkeypatch) -> list[bytes]:
    """The bodies of every manifest parsed from now on (``Manifest.parse`` for what
    arrives, ``Manifest.read_stored`` for what is kept: both read through one reader)."""
    seen: list[bytes] = []
    read = manifest_module._ManifestReader.read

    def counted(reader: Any, document: dict[str, Any]) -> Manifest:
        seen.append(canonical_bytes(document))
        return read(reader, document)

    monkeypatch.setattr(manifest_module._ManifestReader, "read", counted)
    return seen


async def test_registering_creating_and_every_byte_then_finalize_parse_it_once_each(
    offline: Offline, parses: list[bytes]
):
    data, signed = await offline.registered()
    assert parses == [signed.body]  # registration
    upload = await offline.created(signed)
    assert parses == [signed.body] * 2  # creation, kept for the upload's requests
    upload = await offline.append(upload, 0, data[:1000])
    upload = await offline.append(upload, 1000, data[1000:])
    await offline.services.finalizer.finalize_if_complete(upload)
    assert parses == [signed.body] * 2  # neither the PATCHes nor finalize parsed it again
    held = await offline.upload(upload)
    assert held is not None and held.state.value == "finalized"


async def test_after_a_restart_the_first_request_parses_it_once_for_the_rest(
    offline: Offline, parses: list[bytes]
):
    data, signed = await offline.registered()
    upload = await offline.append(await offline.created(signed), 0, data[:1000])
    offline.server.open_uploads.clear()  # what a restart loses
    parses.clear()
    upload = await offline.append(upload, 1000, data[1000:])
    await offline.services.finalizer.finalize_if_complete(upload)
    assert parses == [signed.body]


async def test_finalize_reads_the_index_once_and_again_under_the_uploads_lock(offline):
    data, signed = await offline.registered()
    await offline.append(await offline.created(signed), 0, data)
    counting = Counting(offline.server.index.uploads)
    finalizer = dataclasses.replace(offline.services.finalizer, uploads=counting)
    manifest = signed.manifest
    stored = await finalizer.finalize(offline.device, manifest.evidence_id, manifest.role)
    assert stored.sha256 == manifest.sha256
    assert counting.calls == ["finalizing", "finalizing"]  # then one write: the object
    counting.calls.clear()
    assert await finalizer.finalize(offline.device, manifest.evidence_id, manifest.role) == stored
    assert counting.calls == ["finalizing"]  # stored already: one read answers


async def test_the_last_patch_finalizes_with_one_read(offline):
    data, signed = await offline.registered()
    upload = await offline.append(await offline.created(signed), 0, data)
    counting = Counting(offline.server.index.uploads)
    finalizer = dataclasses.replace(offline.services.finalizer, uploads=counting)
    await finalizer.finalize_if_complete(upload)
    assert counting.calls == ["finalizing"]
