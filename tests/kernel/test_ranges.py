"""The ranges of numbers and times the kernel's readers accept (evidence.ranges)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from evidence.errors import MalformedBody, MalformedHeader
from evidence.manifest_media import fraction_text
from evidence.ranges import INT64_MAX, in_range, time_in_range, within
from evidence.strict_json import Fields
from evidence.tus_wire import parse_size


def fields(**data):
    return Fields({"outer": data}, MalformedBody).section("outer")


@pytest.mark.parametrize("value", [2**63, 10**30, -(2**63) - 1])
def test_an_integer_past_int64_is_refused_naming_its_field(value):
    with pytest.raises(MalformedBody, match=r"outer\.n must be an integer from 0 to") as caught:
        fields(n=value).integer("n")
    assert caught.value.details == {"field": "outer.n", "minimum": 0, "maximum": INT64_MAX}


def test_an_integer_takes_its_own_range_at_both_ends():
    assert fields(n=INT64_MAX).integer("n") == INT64_MAX
    assert fields(n=5).integer("n", minimum=5, maximum=5) == 5
    for value in (4, 6):
        with pytest.raises(MalformedBody, match="from 5 to 5"):
            fields(n=value).integer("n", minimum=5, maximum=5)
    assert fields(n=None).optional_integer("n", maximum=3) is None
    with pytest.raises(MalformedBody, match=r"outer\.n must be an integer from 0 to 3"):
        fields(n=4).optional_integer("n", maximum=3)


def test_a_range_that_does_not_fit_int64_is_a_programming_error():
    with pytest.raises(ValueError, match="signed 64-bit"):
        in_range(1, 0, 2**63)
    with pytest.raises(ValueError, match="signed 64-bit"):
        in_range(1, 5, 4)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2026-03-12T09:30:00+08:00", True),
        ("1970-01-01T00:00:00Z", True),
        ("1900-01-01T08:00:00+08:00", True),  # 1900-01-01 00:00 UTC
        ("1900-01-01T07:59:59+08:00", False),
        ("0001-01-01T00:00:00+08:00", False),  # would fall before year 1 in UTC
        ("9999-12-31T23:00:00-08:00", False),  # would fall after year 9999 in UTC
        ("8999-12-31T23:59:59Z", True),
    ],
)
def test_times_lie_between_1900_and_9000(text, ok):
    if ok:
        assert fields(t=text).time("t").isoformat()
    else:
        with pytest.raises(MalformedBody, match="from 1900 to 9000") as caught:
            fields(t=text).time("t")
        assert caught.value.details == {"field": "outer.t"}


def test_a_time_in_range_survives_a_year_and_any_offset():
    latest = datetime(8999, 12, 31, 23, 59, tzinfo=UTC)
    earliest = datetime(1900, 1, 1, tzinfo=UTC)
    assert time_in_range(latest) and time_in_range(earliest)
    (latest + timedelta(days=366)).astimezone(timezone(timedelta(hours=-14)))
    earliest.astimezone(timezone(timedelta(hours=-14)))


def test_within_keeps_what_is_in_range_and_forgets_the_rest():
    assert within(5, 0, 10) == 5
    assert within(None, 0, 10) is None
    assert within(11, 0, 10) is None
    assert within(-1, 0, 10) is None


@pytest.mark.parametrize(
    ("numerator", "denominator", "text"),
    [
        (30000, 1001, "30000/1001"),
        (30, 1, "30/1"),
        (-30, 1, None),
        (30, 0, None),
        (2**31 - 1, 1, None),  # ten digits: more than a manifest takes
    ],
)
def test_frame_rates_are_written_only_when_a_manifest_takes_them(numerator, denominator, text):
    assert fraction_text(numerator, denominator) == text


@pytest.mark.parametrize("value", ["9223372036854775808", "99999999999999999999"])
def test_tus_sizes_stop_at_int64(value):
    with pytest.raises(MalformedHeader, match="from 0 to 9223372036854775807"):
        parse_size("Upload-Offset", value)
    assert parse_size("Upload-Offset", str(INT64_MAX)) == INT64_MAX
