"""The walk that finds which originals without a case number may be suggested for an act
(``coverage_queries``' ``candidates``): it only narrows the search, and the one overlap
rule then decides on the spans.

Originals without a case number that may overlap an act and whose officer, signing
device or camera serial the act names. Each leg walks a partial index of such originals
by officer, device or serial, between the act's start less the longest such recording
(less a second of slack for rounding) and its end plus a second, so neither a busy dock
nor a year of footage is read per act. The walk is on the signed start (the device's
clock) and the spans are in station time, so both bounds widen by the largest clock
correction among such originals (``drift``: two lookups in a partial index; nothing when
no clock was corrected).
On SQLite, CROSS JOIN fixes the order and INDEXED BY the index: without statistics SQLite
would otherwise build a temporary index over every original, per query. Whether it
fits, and on what, the caller decides again. Each leg names an original by its evidence
id (every leg's object is an original)."""

from __future__ import annotations

import functools

from storage.sqlite.dialect import Dialect
from storage.sqlite.footage_sql import serial_of

_WITHOUT_CASE = "o.case_number IS NULL AND o.role = 'original'"
_NEAR = "o.started_at >= c.earliest AND o.started_at <= c.latest"


def _drift(d: Dialect) -> str:
    """The largest clock correction among originals without a case number, in seconds."""
    corrected = (
        f"FROM recording_spans {d.indexed_by('recording_spans_corrected_without_case')} "
        "WHERE case_number IS NULL AND clock_offset_ms <> 0"
    )
    most = d.greatest(
        f"COALESCE((SELECT MAX(clock_offset_ms) {corrected}), 0)",
        f"-COALESCE((SELECT MIN(clock_offset_ms) {corrected}), 0)",
    )
    return f"SELECT {most} / 1000.0 AS seconds"


@functools.cache
def candidate_pairs(d: Dialect) -> str:
    """A ``WITH`` that ends in ``pairs`` (act_id, a0, b0, object): each act chosen by the
    ``{chosen}`` placeholder beside each original that may fit it."""
    longest = d.longest_seconds("started_at", "COALESCE(ended_at, started_at)")
    cross = d.ordered_join
    return (
        f"WITH longest AS (SELECT COALESCE({longest}, 0) + 1 AS seconds "  # noqa: S608
        f"FROM objects {d.indexed_by('objects_without_case_by_length')} "
        "WHERE case_number IS NULL AND role = 'original'), "
        f"drift AS ({_drift(d)}), "
        "chosen AS MATERIALIZED (SELECT a.act_id, a.officers, a.devices, "
        f"{d.ms('a.started_at')} AS a0, {d.ms('a.ended_at')} AS b0, "
        + d.moved(
            "a.started_at", "-((SELECT seconds FROM longest) + (SELECT seconds FROM drift))", "000Z"
        )
        + " AS earliest, "
        + d.moved("a.ended_at", "1 + (SELECT seconds FROM drift)", "999Z")
        + " AS latest FROM acts a {chosen}), "  # noqa: S608
        "pairs AS ("
        f"SELECT c.act_id, c.a0, c.b0, o.evidence_id AS object FROM chosen c "
        f"CROSS JOIN {d.each('c.officers', 'j')} "
        f"{cross} objects o {d.indexed_by('objects_without_case_by_officer')} "
        f"ON o.officer_id = j.value AND {_WITHOUT_CASE} AND {_NEAR} "
        "UNION "
        f"SELECT c.act_id, c.a0, c.b0, o.evidence_id FROM chosen c "
        f"CROSS JOIN {d.each('c.devices', 'j')} "
        f"{cross} objects o {d.indexed_by('objects_without_case_by_device')} "
        f"ON o.device_id = j.value AND {_WITHOUT_CASE} AND {_NEAR} "
        "UNION "
        f"SELECT c.act_id, c.a0, c.b0, o.evidence_id FROM chosen c "
        f"CROSS JOIN {d.each('c.devices', 'j')} "
        f"{cross} manifests m {d.indexed_by('manifests_without_case_by_serial')} "
        f"ON {serial_of(d, 'm')} = j.value AND m.case_number IS NULL AND m.role = 'original' "
        f"{cross} objects o ON o.evidence_id = m.evidence_id AND o.role = m.role "
        f"AND {_NEAR})"
    )
