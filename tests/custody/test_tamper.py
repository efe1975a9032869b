"""Issue 11's tamper cases on the server: each is found by the fixity audit, named at the
right step with the right message, flagged, and written to the custody log; nothing is
taken on the index's word."""

import json

import pytest

from evidence.digest import Sha256
from evidence.keys import Ed25519PrivateKey
from evidence.signing import PayloadType, sign
from evidence.tlog.leaf_events import FixityLeaf
from evidence.tlog.leaves import parse_leaf
from storage.local_blobs import LocalBlobStore
from storage.sqlite import open_sqlite_index
from tests.custody.helpers import stored_recording
from tests.custody.tamper import edit_stored_file, raw_index, run_sql
from tests.ingest.helpers import SMALL_CHUNK

SIZE = 4 * SMALL_CHUNK + 100


async def audited(server):
    """Run every check now, as liuhen audit fixity --all does."""
    return await server.ctx.services.fixity.everything()


def blob(server, ready):
    return server.ctx.config.store_dir / LocalBlobStore.locator_for(Sha256.of(ready.data))


async def fixity_entries(server):
    entries = await server.ctx.index.log.leaves(0, 10_000)
    return [leaf for e in entries if isinstance(leaf := parse_leaf(e.body), FixityLeaf)]


async def only_failure(server, summary, ready):
    evidence_id = str(ready.signed.manifest.evidence_id)
    [failed] = [f for f in summary.failed if f["evidence_id"] == evidence_id]
    flags = await server.ctx.index.flags.open_for(ready.signed.manifest.evidence_id)
    [flag] = [f for f in flags if f.kind == "verification_failed"]
    assert json.loads(flag.detail)["step"] == failed["step"]
    [leaf] = [
        leaf
        for leaf in await fixity_entries(server)
        if str(leaf.object.evidence_id) == evidence_id and leaf.failure is not None
    ]
    assert leaf.failure.step.value == failed["step"] and leaf.audit == summary.audit
    return failed


async def test_intact_footage_passes_and_each_pass_is_logged(server):
    stored = [await stored_recording(server, size=SIZE) for _ in range(2)]
    summary = await audited(server)
    assert summary.ok and summary.checked == 2
    assert summary.log.size == 2 and summary.log.findings == []
    passes = await fixity_entries(server)
    assert sorted(str(leaf.object.evidence_id) for leaf in passes) == sorted(
        str(r.signed.manifest.evidence_id) for r in stored
    )
    assert all(leaf.failure is None for leaf in passes)


async def test_a_flipped_byte_is_named_with_its_chunk(server):
    ready = await stored_recording(server, size=SIZE)
    edit_stored_file(blob(server, ready), 2 * SMALL_CHUNK + 17)
    failed = await only_failure(server, await audited(server), ready)
    assert (failed["step"], failed["chunk"]) == ("chunks", 2)
    assert "[2]" in failed["detail"]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"truncate": SIZE - 1000}, f"{SIZE - 1000} bytes"),
        ({"append": b"extra"}, f"{SIZE + 5} bytes"),
    ],
    ids=["truncated", "appended"],
)
async def test_a_truncated_or_lengthened_original_is_a_size_failure(server, change, says):
    ready = await stored_recording(server, size=SIZE)
    edit_stored_file(blob(server, ready), **change)
    failed = await only_failure(server, await audited(server), ready)
    assert failed["step"] == "size" and says in failed["detail"]


async def test_an_index_row_pointing_at_another_manifest_is_an_index_mismatch(server):
    ready, other = await stored_recording(server), await stored_recording(server)
    run_sql(
        server,
        ["objects_append_only_u"],
        "UPDATE objects SET manifest_sha256 = ? WHERE evidence_id = ?",
        (other.signed.sha256.hex, str(ready.signed.manifest.evidence_id)),
    )
    failed = await only_failure(server, await audited(server), ready)
    assert failed["step"] == "index_mismatch" and "objects.manifest_sha256" in failed["detail"]


async def test_manifest_bytes_replaced_in_the_index_are_not_what_the_receipt_names(server):
    ready, other = await stored_recording(server), await stored_recording(server)
    run_sql(
        server,
        ["manifests_append_only_u"],
        "UPDATE manifests SET body = ?, signature = ? WHERE evidence_id = ?",
        (other.signed.body, other.signed.signature, str(ready.signed.manifest.evidence_id)),
    )
    failed = await only_failure(server, await audited(server), ready)
    assert failed["step"] == "receipt_mismatch"
    assert "receipt does not match the manifest" in failed["detail"]


async def test_a_forged_device_signature_is_found(server):
    ready = await stored_recording(server)
    forged = sign(Ed25519PrivateKey.generate(), PayloadType.MANIFEST, ready.signed.body)
    run_sql(
        server,
        ["manifests_append_only_u"],
        "UPDATE manifests SET signature = ? WHERE evidence_id = ?",
        (forged, str(ready.signed.manifest.evidence_id)),
    )
    failed = await only_failure(server, await audited(server), ready)
    assert failed["step"] == "manifest_signature" and "signature" in failed["detail"]


async def test_a_rewritten_index_row_is_found_and_so_is_the_dropped_trigger(server):
    """The outside tester's case: SHA-256 and size rewritten after dropping the trigger
    verified as OK. Now the row disagrees with the signed receipt; and the next open of
    the index finds the trigger missing before it makes it again."""
    ready = await stored_recording(server)
    run_sql(
        server,
        ["objects_append_only_u"],
        "UPDATE objects SET sha256 = ?, size = ? WHERE evidence_id = ?",
        ("ab" * 32, 12345, str(ready.signed.manifest.evidence_id)),
    )
    failed = await only_failure(server, await audited(server), ready)
    assert failed["step"] == "index_mismatch"
    assert "objects.sha256" in failed["detail"] and "objects.size" in failed["detail"]

    reopened = await open_sqlite_index(server.ctx.config.index_path)  # the next start
    try:
        [flag] = await reopened.flags.open_flags("index_tampered")
        assert flag.subject == "trigger objects_append_only_u"
    finally:
        await reopened.close()
    names = {row[0] for row in raw_index(server).execute("SELECT name FROM sqlite_master")}
    assert "objects_append_only_u" in names, "and the trigger is back"


async def test_a_deleted_index_row_leaves_its_log_entry_and_is_flagged(server):
    ready, kept = await stored_recording(server), await stored_recording(server)
    run_sql(
        server,
        ["objects_append_only_d"],
        "DELETE FROM objects WHERE evidence_id = ?",
        (str(ready.signed.manifest.evidence_id),),
    )
    summary = await audited(server)
    assert summary.checked == 1
    failed = await only_failure(server, summary, ready)
    assert failed["step"] == "index_missing"
    [leaf] = [e for e in await fixity_entries(server) if e.failure is not None]
    assert leaf.failure.detail == "logged as ingested, missing from the index"
    assert str(kept.signed.manifest.evidence_id) not in {f["evidence_id"] for f in summary.failed}


async def test_an_object_the_log_never_saw_is_flagged(server):
    ready = await stored_recording(server)
    run_sql(server, ["log_ingests_append_only_d"], "DELETE FROM log_ingests")
    failed = await only_failure(server, await audited(server), ready)
    assert failed["step"] == "index_mismatch" and "no ingest entry" in failed["detail"]


async def test_a_deleted_or_edited_log_entry_is_found_against_the_signed_checkpoint(server):
    for _ in range(3):
        await stored_recording(server)
    await server.ctx.services.checkpoints.sign_now()
    run_sql(
        server,
        ["log_leaves_append_only_u"],
        "UPDATE log_leaves SET body = ? WHERE idx = 1",
        (b'{"x":1}',),
    )
    summary = await audited(server)
    assert not summary.ok
    assert "entry 1 is not the entry that was logged" in summary.log.findings
    assert any("root the server signed" in finding for finding in summary.log.findings)
    [flag] = await server.ctx.index.flags.open_flags("log_tampered")
    assert "entry 1" in flag.detail

    run_sql(server, ["log_leaves_append_only_d"], "DELETE FROM log_leaves WHERE idx = 2")
    again = await audited(server)
    assert "entry 2 is missing from the log" in again.log.findings


async def test_a_log_cut_short_is_found_and_nothing_more_is_signed_over_it(server):
    for _ in range(3):
        await stored_recording(server)
    await server.ctx.services.checkpoints.sign_now()
    run_sql(server, ["log_leaves_append_only_d"], "DELETE FROM log_leaves WHERE idx = 2")
    summary = await audited(server)
    assert any("fewer than the 3 of its last checkpoint" in f for f in summary.log.findings)
    from evidence.errors import LogTampered

    with pytest.raises(LogTampered, match="fewer than the 3"):
        await server.ctx.services.checkpoints.sign_now()


async def test_a_checkpoint_rewritten_in_the_index_is_found(server):
    for _ in range(2):
        await stored_recording(server)
    signed = await server.ctx.services.checkpoints.sign_now()
    run_sql(
        server,
        ["log_checkpoints_append_only_u"],
        "UPDATE log_checkpoints SET root = ? WHERE size = ?",
        (bytes(32), signed.size),
    )
    summary = await audited(server)
    assert f"the checkpoint of {signed.size} was rewritten in the index" in summary.log.findings


async def test_reverification_over_the_api_no_longer_trusts_a_rewritten_row(server):
    """POST …/verify (liuhen recordings verify) answered ok for this before issue 11."""
    from evidence.wire import RECORDING_VERIFY

    ready = await stored_recording(server)
    run_sql(
        server,
        ["objects_append_only_u"],
        "UPDATE objects SET sha256 = ?, size = ? WHERE evidence_id = ?",
        ("ab" * 32, 12345, str(ready.signed.manifest.evidence_id)),
    )
    token = await server.add_user()
    path = RECORDING_VERIFY.format(evidence_id=ready.signed.manifest.evidence_id)
    result = (await server.send("POST", path, token=token)).json()
    assert result["ok"] is False
    [index] = [c for c in result["objects"][0]["checks"] if c["check"] == "index"]
    assert index["ok"] is False and "objects.sha256" in index["message"]
