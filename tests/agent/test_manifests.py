"""How the agent fills a manifest from the sidecar and its defaults."""

from datetime import UTC, datetime, timedelta, timezone

from agent.config import CaptureDefaults
from agent.manifests import Signer, build_original
from devices.sidecar import Sidecar
from evidence.case_number import CaseNumberRule
from evidence.digest import StreamingFingerprint
from evidence.identifiers import DeviceId, EvidenceId
from evidence.keys import Ed25519PrivateKey
from evidence.manifest import Manifest, TimeSource

RULE = CaseNumberRule()
KEY = Ed25519PrivateKey.generate()
CHINA = timezone(timedelta(hours=8))
MTIME = datetime(2026, 3, 12, 1, 0, tzinfo=UTC)
DEFAULTS = CaptureDefaults(
    officer_id="130100000", place="执法一大队", proves="执法全过程", case_number="JSZF-2026-0001"
)


def build(sidecar, defaults=DEFAULTS):
    fingerprint = StreamingFingerprint()
    fingerprint.update(b"footage")
    signed = build_original(
        evidence_id=EvidenceId.new(),
        file_name="A.MP4",
        fingerprint=fingerprint.finish(),
        sidecar=sidecar,
        defaults=defaults,
        modified_at=MTIME,
        rule=RULE,
        signer=Signer(DeviceId("dock-1"), KEY),
        sequence=1,
        previous=None,
    )
    signed.verify(KEY.public_key())
    return Manifest.parse(signed.body, RULE)


def test_the_sidecar_wins_field_by_field_and_its_times_are_kept_with_their_offset():
    started = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)
    manifest = build(
        Sidecar(
            officer_id="130102001",
            officer_name="张伟",
            case_number="冀石执罚[2026]第0012号",
            started_at=started,
            ended_at=started + timedelta(minutes=5),
        )
    )
    assert str(manifest.case_number) == "冀石执罚〔2026〕第0012号"
    assert manifest.capture.captured_by.officer_id == "130102001"
    assert manifest.capture.place == "执法一大队"  # not in the sidecar: the default
    assert (
        manifest.capture.started_at == started
        and manifest.capture.started_at.utcoffset() == timedelta(hours=8)
    )
    assert manifest.capture.time_source == TimeSource.SIDECAR
    assert manifest.media_type == "video/mp4"


def test_without_a_sidecar_the_defaults_and_the_file_time_are_used():
    manifest = build(None)
    assert str(manifest.case_number) == "JSZF-2026-0001"
    assert manifest.capture.started_at == MTIME
    assert manifest.capture.time_source == TimeSource.FILE_MTIME
    assert manifest.capture.ended_at is None


def test_a_case_number_that_breaks_the_rule_is_left_out_not_a_reason_to_hold_footage():
    manifest = build(Sidecar(case_number="第十二号"))
    assert manifest.case_number is None


def test_an_end_before_the_start_is_dropped():
    started = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)
    manifest = build(Sidecar(started_at=started, ended_at=started - timedelta(seconds=1)))
    assert manifest.capture.ended_at is None


def test_with_nothing_known_the_r4_fields_stay_empty():
    manifest = build(None, CaptureDefaults())
    assert manifest.case_number is None and manifest.capture.captured_by is None
