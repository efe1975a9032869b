import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from evidence.case_number import CaseNumberRule
from evidence.digest import Sha256
from evidence.errors import BadSignature, MalformedManifest
from evidence.identifiers import EvidenceId, Role
from evidence.keys import Ed25519PrivateKey, public_key_pem
from evidence.manifest import DerivedFrom, Manifest, SignedManifest
from evidence.manifest_media import MediaFacts, StreamFacts
from evidence.strict_json import canonical_bytes
from tests.builders import manifest_for, signed_for

RULE = CaseNumberRule()
GOLDEN = Path(__file__).parent.parent / "golden"
GOLDEN_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
GOLDEN_DATA = "留痕 golden footage: not a video, just bytes to sign.\n".encode()
GOLDEN_ID = EvidenceId("0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a")


GOLDEN_MEDIA = MediaFacts(
    container="mov,mp4,m4a,3gp,3g2,mj2",
    duration_ms=647_040,
    creation_time="2026-03-12T01:30:15.000000Z",
    has_video=True,
    has_audio=True,
    decodable=True,
    problem=None,
    streams=(
        StreamFacts("video", "h264", 1920, 1080, "30/1", False, None, None, 0, 647_000),
        StreamFacts("audio", "aac", None, None, None, False, 48_000, 1, 0, 647_040),
    ),
)


def golden_manifest() -> SignedManifest:
    return signed_for(
        GOLDEN_DATA,
        "dock-sjz-01",
        GOLDEN_KEY,
        evidence_id=GOLDEN_ID,
        chunk_size=65536,
        media=GOLDEN_MEDIA,
    )


def test_golden_manifest_bytes_and_signature_do_not_drift():
    """Ed25519 is deterministic: the same manifest and key give the same bytes and signature.
    Regenerate on purpose with LIUHEN_REGENERATE_GOLDEN=1, and say why in the commit."""
    signed = golden_manifest()
    if os.environ.get("LIUHEN_REGENERATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        (GOLDEN / "manifest-v1.json").write_bytes(signed.body)
        (GOLDEN / "manifest-v1.sig").write_bytes(signed.signature)
        (GOLDEN / "device.pub.pem").write_bytes(public_key_pem(GOLDEN_KEY.public_key()))
        (GOLDEN / "footage.bin").write_bytes(GOLDEN_DATA)
    assert (GOLDEN / "manifest-v1.json").read_bytes() == signed.body
    assert (GOLDEN / "manifest-v1.sig").read_bytes() == signed.signature
    assert (GOLDEN / "footage.bin").read_bytes() == GOLDEN_DATA


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_stock_openssl_and_sha256sum_check_the_golden_manifest(tmp_path):
    """The exact commands docs/manifest.md gives a court's expert."""
    for name in ("manifest-v1.json", "manifest-v1.sig", "device.pub.pem", "footage.bin"):
        shutil.copy(GOLDEN / name, tmp_path / name)
    script = r"""
set -eu
TYPE=application/vnd.liuhen.manifest.v1+json
printf 'DSSEv1 %d %s %d ' ${#TYPE} "$TYPE" "$(stat -c %s manifest-v1.json)" > signed.bin
cat manifest-v1.json >> signed.bin
openssl pkeyutl -verify -pubin -inkey device.pub.pem -rawin -in signed.bin -sigfile manifest-v1.sig
sha256sum footage.bin
"""
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Signature Verified Successfully" in result.stdout
    sha256 = json.loads((GOLDEN / "manifest-v1.json").read_bytes())["file"]["sha256"]
    assert result.stdout.split()[-2] == sha256
    (tmp_path / "manifest-v1.json").write_bytes(
        (GOLDEN / "manifest-v1.json").read_bytes().replace(b"dock", b"dick")
    )
    forged = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert forged.returncode != 0


def test_parse_is_the_inverse_of_create():
    signed = golden_manifest()
    parsed = Manifest.parse(signed.body, RULE)
    assert parsed == signed.manifest
    signed.verify(GOLDEN_KEY.public_key())


def test_signatures_do_not_transfer_between_keys_or_bytes():
    signed = golden_manifest()
    other = Ed25519PrivateKey.generate()
    with pytest.raises(BadSignature, match="does not verify"):
        signed.verify(other.public_key())
    tampered = SignedManifest(
        signed.body.replace(b"clip.mp4", b"clip.mp5"), signed.signature, signed.manifest
    )
    with pytest.raises(BadSignature, match="does not verify"):
        tampered.verify(GOLDEN_KEY.public_key())
    with pytest.raises(BadSignature, match="64 bytes, not 63"):
        SignedManifest(signed.body, signed.signature[:63], signed.manifest).verify(
            GOLDEN_KEY.public_key()
        )


def document() -> dict:
    return json.loads(golden_manifest().body)


def mutated(change) -> bytes:
    doc = copy.deepcopy(document())
    change(doc)
    return canonical_bytes(doc)


BAD_MANIFESTS = {
    "not json": lambda: b"{not json",
    "not utf-8": lambda: b'{"type":"\xff"}',
    "a list": lambda: b"[]",
    "duplicate key": lambda: b'{"type":"liuhen.manifest","type":"liuhen.manifest"}',
    "NaN": lambda: b'{"version":NaN}',
    "empty": lambda: b"",
    "wrong type": lambda: mutated(lambda d: d.update(type="liuhen.receipt")),
    "wrong version": lambda: mutated(lambda d: d.update(version=2)),
    "version as text": lambda: mutated(lambda d: d.update(version="1")),
    "missing capture": lambda: mutated(lambda d: d.pop("capture")),
    "missing started_at": lambda: mutated(lambda d: d["capture"].pop("started_at")),
    "unknown field": lambda: mutated(lambda d: d.update(extra=1)),
    "unknown nested field": lambda: mutated(lambda d: d["file"].update(path="/etc")),
    "naive time": lambda: mutated(lambda d: d["capture"].update(started_at="2026-03-12T09:30:15")),
    "ended before started": lambda: mutated(
        lambda d: d["capture"].update(ended_at="2026-03-12T00:00:00Z")
    ),
    "unknown time source": lambda: mutated(lambda d: d["capture"].update(time_source="gps")),
    "negative size": lambda: mutated(lambda d: d["file"].update(size=-1)),
    "size as bool": lambda: mutated(lambda d: d["file"].update(size=True)),
    "wrong chunk count": lambda: mutated(lambda d: d["chunks"]["sha256"].append("0" * 64)),
    "root not of chunks": lambda: mutated(lambda d: d["chunks"].update(root="0" * 64)),
    "chunk size not power of two": lambda: mutated(lambda d: d["chunks"].update(size=100_000)),
    "chunk size too small": lambda: mutated(lambda d: d["chunks"].update(size=1024)),
    "bad sha256": lambda: mutated(lambda d: d["file"].update(sha256="XYZ")),
    "sequence zero": lambda: mutated(lambda d: d["chain"].update(sequence=0)),
    "first without null previous": lambda: mutated(
        lambda d: d["chain"].update(previous_manifest_sha256="0" * 64)
    ),
    "later with null previous": lambda: mutated(lambda d: d["chain"].update(sequence=2)),
    "original derived from something": lambda: mutated(
        lambda d: d.update(
            derived_from={"evidence_id": str(GOLDEN_ID), "role": "original", "sha256": "0" * 64}
        )
    ),
    "unknown role": lambda: mutated(lambda d: d.update(role="copy")),
    "bad evidence id": lambda: mutated(lambda d: d.update(evidence_id="1234")),
    "bad device id": lambda: mutated(lambda d: d["signer"].update(device_id="../dock")),
}


NAMES_THE_FIELD = r"^(manifest |(missing |unknown )?field|capture\.|chain\.|chunks\.|derived_from )"


@pytest.mark.parametrize("name", sorted(BAD_MANIFESTS))
def test_malformed_manifests_are_refused_with_a_stable_code(name):
    # any BadRequest, and its message starts by naming the field or the manifest
    with pytest.raises(MalformedManifest.__mro__[1], match=NAMES_THE_FIELD) as caught:
        Manifest.parse(BAD_MANIFESTS[name](), RULE)
    assert caught.value.status == 400
    assert caught.value.code in {"bad_manifest", "bad_identifier"}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("case_number", "冀石执罚2026第12号", "bad_case_number"),
        ("case_number", "JSZF-26-1", "bad_case_number"),
    ],
)
def test_wrong_case_numbers_are_refused_as_such(field, value, code):
    with pytest.raises(Exception, match=r"^field case_number: .* does not follow") as caught:
        Manifest.parse(mutated(lambda d: d.update({field: value})), RULE)
    assert caught.value.code == code
    assert "case_number" in caught.value.message


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "a/b.mp4", "C:evil.mp4", "bad\x00name.mp4", "..", "x\\y.mp4"]
)
def test_path_like_file_names_are_refused(name):
    with pytest.raises(Exception, match=r"^field file\.name: file name ") as caught:
        Manifest.parse(mutated(lambda d: d["file"].update(name=name)), RULE)
    assert caught.value.code == "unsafe_file_name"


def test_a_null_case_number_is_allowed_for_later_matching():
    body = mutated(lambda d: d.update(case_number=None))
    assert Manifest.parse(body, RULE).case_number is None


def test_a_derived_object_names_its_original_by_hash():
    key = Ed25519PrivateKey.generate()
    original = manifest_for(b"original", "dock-1", key)
    proxy = manifest_for(
        b"proxy",
        "dock-1",
        key,
        role=Role.PROXY,
        evidence_id=original.evidence_id,
        sequence=2,
        previous=Sha256.of(b"x"),
        derived_from=DerivedFrom(original.evidence_id, Role.ORIGINAL, original.sha256),
    )
    assert Manifest.parse(proxy.to_bytes(), RULE).derived_from == proxy.derived_from
    with pytest.raises(MalformedManifest, match="derived_from is null for an original"):
        Manifest.parse(mutated(lambda d: d.update(role="proxy")), RULE)


def test_ranges_are_checked_on_arrival_and_not_on_what_was_accepted_before_them():
    """read_stored is the reader of the time before the ranges: types and minimums only."""
    old = mutated(
        lambda d: (
            d["media"].update(duration_ms=400 * 86_400_000),
            d["capture"].update(ended_at="1850-01-01T00:00:00Z", started_at="1849-01-01T00:00:00Z"),
        )
    )
    with pytest.raises(MalformedManifest, match=r"capture\.started_at .* from 1900 to 9000"):
        Manifest.parse(old, RULE)
    with pytest.raises(MalformedManifest, match=r"media\.duration_ms must be an integer from 0"):
        Manifest.parse(mutated(lambda d: d["media"].update(duration_ms=400 * 86_400_000)), RULE)
    assert Manifest.read_stored(old, RULE).media.duration_ms == 400 * 86_400_000
    assert Manifest.read_stored(old, RULE).footage().ended_at is None  # over a year: unmeasured


@pytest.mark.parametrize("name", sorted(BAD_MANIFESTS))
def test_what_is_refused_for_its_form_is_refused_by_the_stored_reader_too(name):
    with pytest.raises(MalformedManifest.__mro__[1]):
        Manifest.read_stored(BAD_MANIFESTS[name](), RULE)
