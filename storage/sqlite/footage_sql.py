"""The columns an original is read with as ``Footage`` (``compliance_rows.footage``), and
the camera serial its manifest names: shared by the attached and the suggested lists."""

from __future__ import annotations

import functools

from storage.sqlite.dialect import Dialect


def serial_of(d: Dialect, manifest: str) -> str:
    """The camera serial a manifest names; the same expression as the index on manifests,
    which must never refuse a row (so a body that is not JSON has no serial)."""
    return d.json_text(f"{manifest}.body", "origin", "device_serial")


@functools.cache
def footage_columns(d: Dialect) -> str:
    """The columns of ``o`` (an original in ``objects``) that make one ``Footage``."""
    serial = (
        f"(SELECT {serial_of(d, 'm')} FROM manifests m "  # noqa: S608
        "WHERE m.evidence_id = o.evidence_id AND m.role = o.role)"
    )
    return (
        "o.evidence_id, o.device_id, o.officer_id, o.case_number, o.started_at, o.ended_at, "  # noqa: S608
        f"o.received_at, {serial} AS device_serial, (SELECT z.clock_offset_ms FROM "
        "recording_spans z WHERE z.evidence_id = o.evidence_id) AS clock_offset_ms"
    )
