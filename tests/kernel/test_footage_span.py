"""What a recording covers and what is claimed about it, as a table: the footage's own span
(signed start plus probed length), claims kept and compared within a tolerance. No event
loop, no server: evidence/footage_span.py is pure. The same rules end to end, through the
real agent and server: tests/agent/test_measured_coverage.py."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from evidence.case_number import CaseNumberRule
from evidence.footage_findings import footage_findings
from evidence.footage_span import FootageSpan, claimed_start, footage_of_body, measured_ms
from evidence.keys import Ed25519PrivateKey
from evidence.manifest import Manifest
from tests.builders import ENDED_AT, STARTED_AT, media_lasting, signed_for

START = datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
PLAYABLE = media_lasting(3.0)
assert PLAYABLE is not None
BROKEN = dataclasses.replace(PLAYABLE, decodable=False, problem="decoding failed: x")


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        (PLAYABLE, 3000),
        (None, None),  # no media section at all
        (dataclasses.replace(PLAYABLE, duration_ms=None), None),  # nothing to probe a length from
        (BROKEN, None),  # the header's length is a claim its frames do not back
        (dataclasses.replace(PLAYABLE, duration_ms=0), 0),  # measured: nothing in it
    ],
)
def test_only_a_probed_length_of_decodable_media_is_measured(media, expected):
    assert measured_ms(media) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("2026-03-12T01:30:00.000000Z", START),
        (" 2026-03-12T09:30:00+08:00 ", START),
        ("2026-03-12 01:30:00", None),  # no zone: ambiguous, claims nothing comparable
        ("\ufffd\ufffd garbage", None),
        (None, None),
    ],
)
def test_the_creation_time_tag_is_read_as_a_claimed_start(tag, expected):
    assert claimed_start(tag) == expected


def span(seconds, *, claimed_end=None, tag=None):
    """Playable footage ``seconds`` long from START, with what its device claims."""
    media = dataclasses.replace(media_lasting(seconds), creation_time=tag)
    return FootageSpan.of(START, claimed_end, media)


def test_the_footage_covers_its_probed_length_from_its_signed_start_whatever_it_claims():
    lying = span(3.0, claimed_end=START + timedelta(seconds=300))
    assert lying.ended_at == START + timedelta(seconds=3)
    assert (lying.claimed_ended_at, lying.claimed_seconds) == (
        START + timedelta(seconds=300),
        300.0,
    )
    unmeasured = FootageSpan.of(START, START + timedelta(seconds=300), BROKEN)
    assert (unmeasured.measured_ms, unmeasured.ended_at) == (None, None)


TOLERANCE = 2.0


@pytest.mark.parametrize(
    ("name", "footage", "disagree"),
    [
        ("claims agree exactly", span(3.0, claimed_end=START + timedelta(seconds=3)), ()),
        ("no claims at all", span(3.0), ()),
        (
            "a claimed end off by exactly the tolerance",
            span(3.0, claimed_end=START + timedelta(seconds=5)),
            (),
        ),
        (
            "a claimed end a millisecond beyond it",
            span(3.0, claimed_end=START + timedelta(seconds=5, milliseconds=1)),
            ("ended_at", "seconds"),
        ),
        (
            "a claimed end short of the footage",
            span(300.0, claimed_end=START + timedelta(seconds=3)),
            ("ended_at", "seconds"),
        ),
        (
            "a creation_time tag eight hours off (local time written as UTC)",
            span(3.0, tag="2026-03-12T09:30:00.000000Z"),
            ("started_at",),
        ),
        ("a tag a second off", span(3.0, tag="2026-03-12T01:30:01.000000Z"), ()),
        (
            "an end claimed for footage never measured: nothing to compare it with",
            FootageSpan.of(START, START + timedelta(seconds=300), None),
            (),
        ),
    ],
)
def test_claims_beyond_the_tolerance_disagree(name, footage, disagree):
    assert footage.disagreements(TOLERANCE) == disagree, name


def test_a_stored_manifests_bytes_give_the_span_its_parsed_form_gives():
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    media = dataclasses.replace(PLAYABLE, creation_time="2026-03-12T01:30:15.000000Z")
    signed = signed_for(b"footage", "dock-1", key, media=media)
    from_bytes = footage_of_body(signed.body)
    assert from_bytes == signed.manifest.footage()
    assert from_bytes.started_at == STARTED_AT
    assert from_bytes.ended_at == STARTED_AT + timedelta(seconds=3)
    assert from_bytes.claimed_ended_at == ENDED_AT
    assert signed.manifest.capture_end() == from_bytes.ended_at


@pytest.mark.parametrize(
    ("header_ms", "disagree"),
    [(20_000, ("container_seconds",)), (5_000, ()), (5_001, ("container_seconds",))],
)
def test_a_header_claiming_more_than_the_packets_hold_is_a_claim(header_ms, disagree):
    """The packets of a copy cut short end at 3 s; its header still claims more."""
    media = dataclasses.replace(PLAYABLE, container_duration_ms=header_ms)
    footage = FootageSpan.of(START, None, media)
    assert footage.ended_at == START + timedelta(seconds=3), "coverage: what is there"
    assert footage.container_ms == header_ms
    assert footage.disagreements(TOLERANCE) == disagree


def test_the_header_claim_goes_into_the_manifest_only_when_there_is_one():
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    plain = signed_for(b"footage", "dock-1", key, media=PLAYABLE)
    assert b"container_duration_ms" not in plain.body  # as manifests were signed before
    cut = dataclasses.replace(PLAYABLE, container_duration_ms=20_000)
    signed = signed_for(b"footage", "dock-1", key, media=cut)
    parsed = Manifest.parse(signed.body, CaseNumberRule())
    assert parsed.media == cut
    assert footage_of_body(signed.body).container_ms == 20_000


def test_a_start_out_of_range_in_a_manifest_from_before_the_ranges_breaks_no_flag():
    """Read without the ranges, a stored manifest may start in year 1 east of UTC: it
    covers nothing, and its flags' details leave the time out rather than overflow."""
    ancient = datetime.fromisoformat("0001-01-01T00:30:00+01:00")
    footage = FootageSpan.of(ancient, None, PLAYABLE)
    assert footage.ended_at is None
    [(kind, detail)] = footage_findings(footage, PLAYABLE, "clip.mp4", TOLERANCE)
    assert (kind, detail["problem"]) == ("unmeasured_footage", "capture start out of range")
    assert detail["claimed"]["started_at"] is None
