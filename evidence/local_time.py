"""Times as people in an agency write and read them: in the agency's zone (UTC+8 unless
configured), never in UTC.

Read (``read_local_time``): RFC 3339 / ISO 8601 (``T`` or a space; with an offset, or in
the agency's zone without one), and the forms Excel and case systems write:
``2026/11/29 10:00`` (month, day and hour without leading zeros too), ``2026年11月29日
10:00`` or ``10时00分``, and Excel serial dates (days since 1899-12-30, the time as the
fraction: ``46355.5`` is 2026-11-29 12:00), which a workbook cell formatted as a number
holds. Every time lies from 1900 to 9000.

Shown (``local_text``): ``2026-11-29 10:00 +08:00``, seconds only when there are some.
Machine formats keep RFC 3339 (``strict_json.format_time``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

from evidence.ranges import time_in_range

__all__ = ["local_text", "read_local_time"]

_EXCEL_EPOCH = datetime(1899, 12, 30)
_SERIAL = re.compile(r"\d{1,7}(\.\d+)?")
_WRITTEN = re.compile(
    r"(?P<y>\d{4})\s*[/年.-]\s*(?P<mo>\d{1,2})\s*[/月.-]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<h>\d{1,2})\s*[:时]\s*(?P<mi>\d{1,2})\s*分?"
    r"(?:\s*[:]?\s*(?P<s>\d{1,2})(?P<f>\.\d+)?\s*秒?)?)?"
)
_MINIMUM_SERIAL = 1  # 1900-01-01 (Excel's 1900 leap-year bug lies before March 1900)
_MAXIMUM_SERIAL = 2_958_465  # 9999-12-31


def _from_serial(text: str) -> datetime:
    days = float(text)
    if not _MINIMUM_SERIAL <= days <= _MAXIMUM_SERIAL:
        raise ValueError(f"{text!r} is no Excel date")
    moment = _EXCEL_EPOCH + timedelta(days=days)
    return moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))


def _from_written(text: str) -> datetime | None:
    match = _WRITTEN.fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    fraction = parts["f"] or ""
    return datetime(
        int(parts["y"]),
        int(parts["mo"]),
        int(parts["d"]),
        int(parts["h"] or 0),
        int(parts["mi"] or 0),
        int(parts["s"] or 0),
        int((fraction + "000000")[1:7] or 0) if fraction else 0,
    )


def read_local_time(text: str, zone: tzinfo, *, excel_forms: bool = True) -> datetime:
    """A time as written in a table or on the command line; ``zone`` when it has no offset.
    ``excel_forms=False`` reads RFC 3339 / ISO 8601 only."""
    written = text.strip()
    try:
        moment = datetime.fromisoformat(written)
    except ValueError:
        moment = None
        if excel_forms:
            if _SERIAL.fullmatch(written):
                moment = _from_serial(written)
            elif "/" in written or "年" in written:
                moment = _from_written(written)  # a bad day or hour raises ValueError
    if moment is None:
        raise ValueError(f"{text!r} is not a time")
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    if not time_in_range(moment):
        raise ValueError(f"{text!r} is not between 1900 and 9000")
    return moment


def local_text(moment: datetime, zone: tzinfo) -> str:
    """``2026-11-29 10:00 +08:00``: the time in the agency's zone, with its offset."""
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    shown = local.strftime(
        "%Y-%m-%d %H:%M" if not local.second and not local.microsecond else "%Y-%m-%d %H:%M:%S"
    )
    return f"{shown} {offset[:3]}:{offset[3:]}"
