"""Transfer between agencies (R13): a second Liuhen server imports an exported package,
checks every step, stores its originals and review copies as received evidence with
their provenance, logs the receipt once (the same package again changes nothing), and
refuses what is not a whole, plain package with a clear error."""

from __future__ import annotations

import io
import tarfile

from evidence.digest import Sha256
from evidence.tlog.leaf_decisions import CustodyChange, CustodyLeaf
from evidence.tlog.leaves import parse_leaf
from evidence.wire import PACKAGES
from ingest.server_config import IngestConfig
from tests.builders import CASE
from tests.fault_proxy import FaultProxy, Link
from tests.transfer.conftest import export

TAR = {"Content-Type": "application/x-tar"}


async def send_package(server, token, body, headers=TAR):
    return await server.send("POST", PACKAGES, token=token, body=body, headers=headers)


async def test_a_package_imports_into_a_second_server_with_its_provenance(server, exported, second):
    token = await second.add_user("zhao", "custodian")
    reply = await send_package(second, token, exported.archive)
    assert reply.status == 201, reply.body
    answer = reply.json()
    rec = exported.recording
    assert answer["package_sha256"] == Sha256.of(exported.archive).hex
    assert (answer["origin"], answer["sent_by"], answer["received_by"]) == (
        server.ctx.log.origin,
        "wang",
        "zhao",
    )
    assert answer["checkpoint_size"] == exported.log_index + 1
    shas = {o["sha256"] for o in answer["objects"]}
    assert shas == {rec.original.manifest.sha256.hex, rec.proxy.manifest.sha256.hex}
    # The bytes are in the receiving store, write-once, by their SHA-256.
    stored = {p.name: p.read_bytes() for p in second.stored_blobs()}
    assert stored[rec.original.manifest.sha256.hex] == rec.data
    assert stored[rec.proxy.manifest.sha256.hex] == rec.proxy_data
    # The receipt is logged on the receiving server, naming where it came from.
    leaf = parse_leaf((await second.ctx.index.log.leaf(answer["log_index"])).body)
    assert isinstance(leaf, CustodyLeaf) and leaf.change is CustodyChange.RECEIVED
    provenance = leaf.provenance
    assert provenance is not None
    assert (provenance.origin, provenance.sent_by) == (server.ctx.log.origin, "wang")
    assert provenance.package_sha256.hex == answer["package_sha256"]
    assert provenance.checkpoint_root.hex == answer["checkpoint_root"]
    assert (leaf.actor.name, leaf.actor.role.value) == ("zhao", "custodian")
    assert {ref.sha256.hex for ref in leaf.objects} == shas
    kept = await second.ctx.index.received.objects(Sha256(answer["package_sha256"]))
    assert {o.manifest_body for o in kept} == {rec.original.body, rec.proxy.body}


async def test_the_same_package_twice_is_received_once(exported, second):
    token = await second.add_user("zhao", "custodian")
    first = await send_package(second, token, exported.archive)
    size = await second.ctx.index.log.size()
    blobs = second.stored_blobs()
    again = await send_package(second, token, exported.archive)
    assert (first.status, again.status) == (201, 200)
    assert again.json() == first.json()
    assert await second.ctx.index.log.size() == size
    assert second.stored_blobs() == blobs


def _tar(members: dict[str, bytes], kind: bytes = tarfile.REGTYPE) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.type = len(data), kind
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


async def test_what_is_not_a_whole_plain_package_is_refused_clearly(exported, second):
    token = await second.add_user("zhao", "custodian")
    size = await second.ctx.index.log.size()
    link = tarfile.TarInfo("keys")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc"
    linked = io.BytesIO()
    with tarfile.open(fileobj=linked, mode="w") as tar:
        tar.addfile(link)
    for body, code, words in (
        (b"not a tar archive at all" * 100, "bad_package", "not a whole tar archive"),
        (exported.archive[: len(exported.archive) // 2], "bad_package", "not a whole tar"),
        (_tar({"../escape": b"x"}), "bad_package", "outside the package"),
        (_tar({"/etc/passwd": b"x"}), "bad_package", "outside the package"),
        (linked.getvalue(), "bad_package", "not a plain file"),
        (_tar({"package.json": b"{}"}), "package_refused", "step package"),
        (b"", "bad_package", "empty"),
    ):
        reply = await send_package(second, token, body)
        assert reply.code == code, (words, reply.body)
        assert words in reply.json()["error"]["message"], reply.body
    wrong_type = await send_package(
        second, token, exported.archive, {"Content-Type": "application/zip"}
    )
    assert (wrong_type.status, wrong_type.code) == (415, "bad_content_type")
    assert await second.ctx.index.log.size() == size
    assert second.stored_blobs() == []
    assert list((second.ctx.config.data_dir / "packages").iterdir()) == []


async def test_a_package_larger_than_the_server_takes_is_refused(exported, second):
    small = IngestConfig(data_dir=second.ctx.config.data_dir, port=0, max_upload_bytes=64 * 1024)
    await second.reconfigure(config=small)
    token = await second.add_user("zhao", "custodian")
    reply = await send_package(second, token, exported.archive)
    assert (reply.status, reply.code) == (413, "too_large")
    assert second.stored_blobs() == []


async def test_who_may_not_keep_evidence_cannot_import(exported, second):
    for role in ("reviewer", "auditor", "supervisor"):
        token = await second.add_user(f"user-{role}", role)
        reply = await send_package(second, token, exported.archive)
        assert (reply.status, reply.code) == (403, "forbidden"), role
    assert second.stored_blobs() == []


async def test_a_package_through_a_slow_link_is_imported_whole(exported, second):
    token = await second.add_user("zhao", "custodian")
    # Pieces of 1 KiB a millisecond apart: the slow link's fragmenting, at a pace that
    # carries a few hundred kilobytes of video in well under a minute.
    async with FaultProxy(second.url, to_server=Link(burst=1024, pause=0.001)) as proxy:
        reply = await second.send(
            "POST", proxy.url + PACKAGES, token=token, body=exported.archive, headers=TAR
        )
    assert reply.status == 201, reply.body
    assert reply.json()["package_sha256"] == Sha256.of(exported.archive).hex


async def test_an_export_request_through_a_slow_link_arrives_whole(exported, server, slow):
    # The request's JSON comes in 16-byte pieces (tests/conftest.py's SLOW_LINK).
    token = await server.add_user("li", "custodian")
    status, archive, _ = await export(slow, token, case=CASE)
    assert status == 200 and len(archive) > len(exported.recording.data)
