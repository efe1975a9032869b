"""The clock rule, as a table: which reading wins, and what each method measures."""

from datetime import UTC, datetime, timedelta

import pytest

from devices.clock import drifted, measure
from evidence.manifest_dock import CameraClock

DOCKED = datetime(2026, 3, 12, 2, 0, 0, tzinfo=UTC)
S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("readings", "newest", "expected"),
    [
        # the sidecar's camera reading with the station's own reading at that moment
        ([(DOCKED + 181 * S, DOCKED + 1 * S)], None, (180_000, DOCKED + S, "sidecar_clock")),
        # a camera reading alone is set against the docking
        ([(DOCKED + 180 * S, None)], None, (180_000, DOCKED, "sidecar_clock")),
        # the newest reading wins over an older docking's
        (
            [(DOCKED - 3600 * S, None), (DOCKED - 30 * S, None)],
            DOCKED + 999 * S,
            (-30_000, DOCKED, "sidecar_clock"),
        ),
        # no reading: the newest file ahead of the dock is a sure lower bound
        ([], DOCKED + 175 * S, (175_000, DOCKED, "newest_file")),
        # a newest file behind the dock says nothing: idle time or a slow clock?
        ([], DOCKED - 60 * S, None),
        ([], None, None),
        # a camera claiming the year 1900 is beyond what a manifest holds
        ([(datetime(1800, 1, 1, tzinfo=UTC), None)], None, None),
    ],
)
def test_measure(readings, newest, expected):
    clock = measure(readings, newest, DOCKED)
    assert (None if clock is None else (clock.offset_ms, clock.measured_at, clock.method)) == (
        expected
    )


@pytest.mark.parametrize(
    ("offset_ms", "threshold", "result"),
    [(180_000, 60, True), (-180_000, 60, True), (60_000, 60, False), (59_999, 60, False)],
)
def test_drift_is_either_way_past_the_threshold(offset_ms, threshold, result):
    assert drifted(CameraClock(offset_ms, DOCKED, "sidecar_clock"), threshold) is result
    assert not drifted(None, threshold)
