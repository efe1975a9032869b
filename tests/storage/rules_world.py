"""Random worlds of cases, acts, recordings, decisions, exemptions and edits for
test_rules_agree.py: drawn by Hypothesis, stored through the index's public interface
(as the server stores them: a registered manifest, an upload, a finalized object), and
kept beside in plain Python (``Ledger``) for the reference rules to judge.

Times are drawn on a coarse grid (15 s) with a little jitter (a millisecond either way,
half a millisecond, a few microseconds) so that edges meet: a recording ending exactly as
an act starts, a point on an act's edge, a camera clock off by exactly the grid."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from evidence.case_number import CaseNumber
from evidence.footage_span import epoch_ms
from ingest.compliance.attaching import Act, Recording
from storage.compliance_records import ActValues

T0 = datetime(2026, 1, 5, 1, 30, tzinfo=UTC)
TYPES = ("seizure", "interview_room", "on_site_inspection")
AGENCIES = ("甲局", "乙局")
OFFICERS = ("o1", "o2", "o3")
DOCKS = ("dock-rules-1", "dock-rules-2")
SERIALS = ("BWC-1", "BWC-2")
REFERENCES = (None, None, "R1", "R2")


def moments() -> st.SearchStrategy[timedelta]:
    """An offset from the world's start: on a 15 s grid, jittered now and then."""
    grid = st.integers(0, 24).map(lambda n: timedelta(seconds=15 * n))
    ms = st.sampled_from((0, 0, 0, 0, 1, -1, 500))
    us = st.sampled_from((0, 0, 0, 0, 500, 499, 501, 1))
    return st.builds(lambda g, m, u: g + timedelta(milliseconds=m, microseconds=u), grid, ms, us)


@dataclass(frozen=True)
class ActSpec:
    case: int
    act_type: str
    start: timedelta
    length: timedelta
    officers: tuple[str, ...]
    devices: tuple[str, ...]
    reference: str | None


@dataclass(frozen=True)
class RecordingSpec:
    case: int | None
    start: timedelta
    length_ms: int | None  # None: unmeasured, a point
    offset_ms: int  # the camera's clock less the station's
    dock: str
    serial: str | None
    officer: str | None
    late: int = 0  # 1: a late_upload flag raised at finalize; 2: raised, then resolved


def _lengths() -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), st.integers(0, 16).map(lambda n: 15_000 * n))


acts = st.builds(
    ActSpec,
    st.integers(0, 1),
    st.sampled_from(TYPES),
    moments(),
    st.integers(0, 12).map(lambda n: timedelta(seconds=15 * n)),
    st.lists(st.sampled_from(OFFICERS), max_size=2, unique=True).map(tuple),
    st.lists(st.sampled_from(DOCKS + SERIALS), max_size=2, unique=True).map(tuple),
    st.sampled_from(REFERENCES),
)
recordings = st.builds(
    RecordingSpec,
    st.sampled_from((None, 0, 0, 1)),
    moments(),
    _lengths(),
    st.sampled_from((0, 0, 0, 15_000, -15_000, 180_250, -1)),
    st.sampled_from(DOCKS),
    st.sampled_from((None, *SERIALS)),
    st.sampled_from((None, *OFFICERS)),
    st.sampled_from((0, 0, 1, 2)),
)
# What happens after the acts and recordings are in: (kind, which, which, flag); indices
# are taken modulo what exists, so every drawn step names something.
steps = st.lists(
    st.tuples(
        st.sampled_from(("decide", "exempt", "withdraw", "edit")),
        st.integers(0, 20),
        st.integers(0, 20),
        st.booleans(),
        moments(),
    ),
    max_size=10,
)


@dataclass(frozen=True)
class World:
    agencies: tuple[str, str]
    acts: list[ActSpec]
    recordings: list[RecordingSpec]
    steps: list[tuple[str, int, int, bool, timedelta]]
    gaps: list[tuple[str, bool]] = field(default_factory=list)  # sequence_gap: dock, resolved


worlds = st.builds(
    World,
    st.tuples(st.sampled_from(AGENCIES), st.sampled_from(AGENCIES)),
    st.lists(acts, min_size=1, max_size=5),
    st.lists(recordings, min_size=1, max_size=8),
    steps,
    st.lists(st.tuples(st.sampled_from(DOCKS), st.booleans()), max_size=2),
)


@dataclass
class Ledger:
    """What was stored, in plain Python: the reference rules read only this."""

    cases: list[CaseNumber]
    agency: dict[str, str]  # case number -> agency
    docks: dict[str, str]  # the world's dock names -> this example's device ids
    acts: dict[int, ActValues] = field(default_factory=dict)
    revision: dict[int, int] = field(default_factory=dict)
    recordings: list[Recording] = field(default_factory=list)
    decisions: dict[tuple[str, int], bool] = field(default_factory=dict)  # -> confirmed
    exemptions: list[tuple[int, int, int, bool]] = field(default_factory=list)
    # (exemption id, act id, revision entered for, withdrawn)
    started: dict[str, datetime] = field(default_factory=dict)  # evidence id -> signed start
    flags: list[tuple[str, str, str | None, bool]] = field(default_factory=list)
    # (kind, device id, evidence id or None, open)

    def act(self, act_id: int) -> Act:
        values = self.acts[act_id]
        return Act(
            act_id,
            str(values.case_number),
            (epoch(values.started_at), epoch(values.ended_at)),
            values.officers,
            values.devices,
        )

    def confirmed(self, evidence_id: str) -> set[int]:
        return {a for (e, a), yes in self.decisions.items() if e == evidence_id and yes}


def epoch(moment: datetime) -> int:
    return epoch_ms(moment)


@dataclass(frozen=True)
class Filters:
    """A report's filters, less the act ids (each example's own)."""

    act_types: tuple[str, ...]
    utc_offset_minutes: int
    agency: str | None
    act_type: str | None
    officer: str | None
    since: timedelta | None
    until: timedelta | None


filters = st.builds(
    Filters,
    st.one_of(st.just(TYPES), st.lists(st.sampled_from(TYPES), unique=True).map(tuple)),
    st.sampled_from((480, 0, -300, 345)),
    st.sampled_from((None, None, *AGENCIES)),
    st.sampled_from((None, None, *TYPES)),
    st.sampled_from((None, None, *OFFICERS)),
    st.one_of(st.none(), st.none(), moments()),
    st.one_of(st.none(), st.none(), moments()),
)
