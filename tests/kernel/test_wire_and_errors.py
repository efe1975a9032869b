"""Error codes, tus header formats, keys and strict JSON."""

import base64
import os
import stat

import pytest

from evidence import errors
from evidence.errors import (
    KeyFileError,
    LiuhenError,
    MalformedHeader,
    UnsupportedChecksum,
    error_for_code,
)
from evidence.strict_json import format_time, parse_time
from evidence.tus_wire import decode_metadata, encode_metadata, parse_checksum, parse_size
from runtime.key_files import generate_key_pair, load_private_key, load_public_key


def all_errors():
    return [
        getattr(errors, name) for name in errors.__all__ if isinstance(getattr(errors, name), type)
    ]


def test_every_error_has_a_unique_stable_code_and_an_http_status():
    codes = [cls.code for cls in all_errors()]
    assert len(codes) == len(set(codes))
    assert all(100 <= cls.status < 600 for cls in all_errors())


def test_every_error_is_drawn_in_the_module_docstring():
    for cls in all_errors():
        assert f"{cls.__name__} " in errors.__doc__ and cls.code in errors.__doc__, cls


def test_clients_rebuild_errors_from_codes():
    rebuilt = error_for_code("offset_mismatch", "at 5", 409)
    assert isinstance(rebuilt, errors.OffsetMismatch)
    unknown = error_for_code("from_the_future", "?", 418)
    assert type(unknown) is LiuhenError and "418" in unknown.message


def test_metadata_round_trips_unicode_and_valueless_keys():
    header = encode_metadata({"filename": "查封现场.mp4", "flag": None})
    assert decode_metadata(header) == {"filename": "查封现场.mp4".encode(), "flag": None}
    assert decode_metadata(None) == {} and decode_metadata("  ") == {}


@pytest.mark.parametrize(
    "header", ["a b c", "k !!", "k dmFs,k dmFs", ",key dmFs", ",".join(f"k{i}" for i in range(40))]
)
def test_malformed_metadata_is_refused(header):
    with pytest.raises(MalformedHeader, match="Upload-Metadata"):
        decode_metadata(header)


def test_checksum_headers():
    digest = os.urandom(32)
    assert parse_checksum("sha256 " + base64.b64encode(digest).decode()) == ("sha256", digest)
    assert parse_checksum("SHA1 " + base64.b64encode(bytes(20)).decode())[0] == "sha1"
    with pytest.raises(UnsupportedChecksum, match="'crc32' is not supported"):
        parse_checksum("crc32 AAAA")
    for bad in ["sha256", "sha256  x", "sha256 " + base64.b64encode(bytes(20)).decode()]:
        with pytest.raises(MalformedHeader, match=r"Upload-Checksum must be|digest is 32 bytes"):
            parse_checksum(bad)


@pytest.mark.parametrize("value", [None, "", "-1", "+1", "1.0", "0x10", " 1", "1" * 20])
def test_sizes_are_plain_decimals(value):
    with pytest.raises(MalformedHeader, match=r"^Upload-Offset "):
        parse_size("Upload-Offset", value)


def test_keys_are_private_to_their_owner_and_never_overwritten(tmp_path):
    key = generate_key_pair(tmp_path / "k.pem")
    assert stat.S_IMODE((tmp_path / "k.pem").stat().st_mode) == 0o600
    assert load_private_key(tmp_path / "k.pem").public_key() == key.public_key()
    assert load_public_key(tmp_path / "k.pub.pem") == key.public_key()
    with pytest.raises(KeyFileError, match="refusing to overwrite a key"):
        generate_key_pair(tmp_path / "k.pem")


@pytest.mark.parametrize(
    "content",
    [b"", b"not a key", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"],
)
def test_broken_key_files_are_reported_clearly(tmp_path, content):
    (tmp_path / "bad.pem").write_bytes(content)
    with pytest.raises(KeyFileError, match="is not an unencrypted PEM private key"):
        load_private_key(tmp_path / "bad.pem")
    with pytest.raises(KeyFileError, match="not a PEM public key"):
        load_public_key(tmp_path / "bad.pem")
    with pytest.raises(KeyFileError, match="cannot read private key"):
        load_private_key(tmp_path / "missing.pem")


def test_times_keep_their_offset_and_refuse_to_be_naive():
    assert format_time(parse_time("2026-03-12T09:30:00+08:00")) == "2026-03-12T09:30:00+08:00"
    assert format_time(parse_time("2026-03-12T01:30:00Z")) == "2026-03-12T01:30:00Z"
    with pytest.raises(ValueError, match="has no UTC offset"):
        parse_time("2026-03-12T09:30:00")
