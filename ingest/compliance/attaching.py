"""Which recordings belong to which act: the rules alone, without I/O.

This is the reference. The index computes the same for speed in SQL
(``storage/sqlite/``: ``span_rule`` ``_overlaps``, ``_by_case``, ``_confirmed``;
``candidate_walk``; ``coverage_queries`` ``unassigned``), and tests/storage/test_rules_agree.py checks on
random acts and recordings that it agrees with this module. Times are whole milliseconds
since the epoch; a recording's span is on the station's clock
(``evidence.footage_span.station_span_ms``), an act's window ``[a, b]`` is its own.

1. **Overlap**: a recording ``[s, e]`` overlaps the window when it shares some time with
   it (``s < b`` and ``e > a``: touching an edge is not overlap); a point (``s = e``: its
   length unknown) when it lies inside, edges included (``a <= s <= b``). The tolerance
   plays no part: it only decides what a gap is (``coverage.py``).
2. **Attached**: a recording is attached to an act it overlaps when it carries the act's
   case number, or a person confirmed it for that act. A confirmation counts only while
   the recording overlaps the act (an act edited away from it loses it).
3. **Suggested**: a recording without a case number that overlaps an act, is tied to it
   (it came from a device the act names: the signing dock or the camera serial; or an
   officer the act names captured it), and on which nobody has decided for that act.
4. **Unassigned**: a recording attached to no act.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

__all__ = ["Act", "Recording", "attached", "overlaps", "suggested", "ties", "unassigned"]

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Recording:
    """A stored original, as the rules see it."""

    evidence_id: str
    case_number: str | None
    span: Span  # station time, milliseconds
    device_id: str  # the signing dock
    device_serial: str | None  # the camera, as its manifest names it
    officer_id: str | None


@dataclass(frozen=True, slots=True)
class Act:
    """An enforcement act, as the rules see it."""

    act_id: int
    case_number: str
    window: Span  # milliseconds
    officers: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()  # signing device ids or camera serials


def overlaps(window: Span, span: Span) -> bool:
    """Rule 1."""
    a, b = window
    s, e = span
    if s == e:
        return a <= s <= b
    return s < b and e > a


def ties(
    act_devices: Collection[str],
    act_officers: Collection[str],
    device_id: str,
    device_serial: str | None,
    officer_id: str | None,
) -> tuple[str, ...]:
    """What ties a recording to an act besides time: ``device``, ``officer``, both, none."""
    on = []
    if device_id in act_devices or (device_serial is not None and device_serial in act_devices):
        on.append("device")
    if officer_id is not None and officer_id in act_officers:
        on.append("officer")
    return tuple(on)


def attached(act: Act, recording: Recording, *, confirmed: bool) -> bool:
    """Rule 2; ``confirmed``: a person confirmed this recording for this act."""
    if not overlaps(act.window, recording.span):
        return False
    return confirmed or recording.case_number == act.case_number


def suggested(act: Act, recording: Recording, *, decided: bool) -> tuple[str, ...]:
    """Rule 3: what ties the recording to the act if it is suggested for it, else ()."""
    if decided or recording.case_number is not None:
        return ()
    if not overlaps(act.window, recording.span):
        return ()
    r = recording
    return ties(act.devices, act.officers, r.device_id, r.device_serial, r.officer_id)


def unassigned(recording: Recording, acts: Iterable[Act], confirmed: Collection[int]) -> bool:
    """Rule 4; ``confirmed``: the ids of the acts a person confirmed the recording for."""
    return not any(attached(act, recording, confirmed=act.act_id in confirmed) for act in acts)
