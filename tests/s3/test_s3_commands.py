"""The command line with the books in S3: ``recordings verify`` (asked of the server by a
signed-in custodian) re-reads a stored recording from the bucket; ``ingest serve`` refuses
an unfit bucket and says why. And the call log the S3 tests trust is shown to catch what
it looks for."""

from __future__ import annotations

import json

from liuhen.cli import main
from storage.s3_blobs import open_s3_store
from tests.cli_people import Liuhen
from tests.ingest.helpers import created, prepared
from tests.s3.moto import CallLog, MotoS3
from tests.s3.test_s3_uploads import CHUNK, SIZE, finalize, upload


def config_file(path, data_dir, moto: MotoS3, bucket: str):
    path.write_text(
        f'[server]\ndata_dir = "{data_dir}"\nblob_store = "s3"\nupload_area = "s3"\n'
        f'[server.s3]\nbucket = "{bucket}"\nendpoint_url = "{moto.url}"\nretain_days = 3\n'
        "max_attempts = 1\n"
    )
    return path


async def test_recordings_verify_reads_the_recording_back_from_the_bucket(
    s3_server, moto, bucket, tmp_path, capsys, monkeypatch
):
    ready = await prepared(s3_server, SIZE, chunk_size=CHUNK)
    await upload(s3_server, ready, await created(s3_server, ready))
    assert (await finalize(s3_server, ready)).status == 200
    settings = config_file(tmp_path / "liuhen.toml", s3_server.ctx.config.data_dir, moto, bucket)
    evidence_id = str(ready.signed.manifest.evidence_id)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    liuhen = Liuhen(s3_server, settings, capsys)
    await liuhen.as_person("wang", "custodian")
    code, out, err = await liuhen("recordings", "verify", evidence_id, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["ok"] and result["objects"][0]["sha256"] == ready.signed.manifest.sha256.hex
    checks = {check["check"]: check["ok"] for check in result["objects"][0]["checks"]}
    assert checks["stored_bytes"] and all(checks.values())


def test_ingest_serve_refuses_a_bucket_without_object_lock(moto, tmp_path, capsys):
    bucket = moto.bucket(locked=False)
    settings = config_file(tmp_path / "liuhen.toml", tmp_path / "server", moto, bucket)
    assert main(["--config", str(settings), "ingest", "serve"]) == 2
    error = capsys.readouterr().err
    assert "error [bad_config]" in error and bucket in error and "Object Lock" in error


def test_the_call_log_catches_a_delete_and_a_write_onto_a_held_key(moto, bucket, tmp_path):
    """What the S3 tests assert absent is seen when it happens (the check checked)."""
    store = open_s3_store(tmp_path, moto.config(bucket))
    log = CallLog(moto.client(), bucket)
    log.attach(store.bucket.client)
    client = store.bucket.client
    client.put_object(Bucket=bucket, Key="probe", Body=b"1", ChecksumAlgorithm="SHA256")
    assert not log.writes_onto_held
    client.put_object(Bucket=bucket, Key="probe", Body=b"2", ChecksumAlgorithm="SHA256")
    client.delete_object(Bucket=bucket, Key="probe")
    assert log.writes_onto_held == [("PutObject", "probe")]
    assert log.removals == ["DeleteObject"]
