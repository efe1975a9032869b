"""Times as agencies write them and read them (Excel's forms, serial dates, the agency's
zone shown with its offset), and retention phrases kept verbatim beside their rule."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from evidence.local_time import local_text, read_local_time
from evidence.retention import Retention, RetentionKind
from evidence.table_problems import column_letter

CHINA = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-11-29 10:00", datetime(2026, 11, 29, 10, 0, tzinfo=CHINA)),
        ("2026-11-29T10:00:00+08:00", datetime(2026, 11, 29, 10, 0, tzinfo=CHINA)),
        ("2026-11-29T02:00:00Z", datetime(2026, 11, 29, 2, 0, tzinfo=UTC)),
        ("2026/11/29 10:00", datetime(2026, 11, 29, 10, 0, tzinfo=CHINA)),
        ("2026/3/2 9:05", datetime(2026, 3, 2, 9, 5, tzinfo=CHINA)),
        ("2026/3/2 9:05:30", datetime(2026, 3, 2, 9, 5, 30, tzinfo=CHINA)),
        ("2026/3/2", datetime(2026, 3, 2, tzinfo=CHINA)),
        ("2026年11月29日 10:00", datetime(2026, 11, 29, 10, 0, tzinfo=CHINA)),
        ("2026年11月29日10时05分", datetime(2026, 11, 29, 10, 5, tzinfo=CHINA)),
        ("46355.5", datetime(2026, 11, 29, 12, 0, tzinfo=CHINA)),  # an Excel serial date
        ("46355", datetime(2026, 11, 29, tzinfo=CHINA)),
    ],
)
def test_times_as_excel_and_case_systems_write_them(written, expected):
    assert read_local_time(written, CHINA) == expected


@pytest.mark.parametrize(
    "written", ["昨天", "2026/13/01 10:00", "2026/2/30", "0", "3000000", "2026-03-12 9:40", ""]
)
def test_what_is_no_time_is_refused(written):
    with pytest.raises(ValueError):
        read_local_time(written, CHINA)


def test_excel_forms_can_be_refused_where_only_iso_is_meant():
    with pytest.raises(ValueError):
        read_local_time("2026/11/29 10:00", CHINA, excel_forms=False)


def test_times_are_shown_in_the_agencys_zone_with_the_offset():
    moment = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    assert local_text(moment, CHINA) == "2026-11-29 10:00 +08:00"
    assert local_text(moment + timedelta(seconds=7), CHINA) == "2026-11-29 10:00:07 +08:00"
    assert local_text(moment, timezone(timedelta(hours=5, minutes=30))) == "2026-11-29 07:30 +05:30"


@pytest.mark.parametrize(
    ("written", "text", "kind", "count", "unit"),
    [
        ("永久", "永久", RetentionKind.PERMANENT, None, None),
        ("长期", "长期", RetentionKind.LONG_TERM, None, None),
        ("30 年", "30年", RetentionKind.PERIOD, 30, "years"),
        ("不少于6个月", "不少于6个月", RetentionKind.AT_LEAST, 6, "months"),
        ("6个月以上", "6个月以上", RetentionKind.AT_LEAST, 6, "months"),
        ("至少180日", "至少180日", RetentionKind.AT_LEAST, 180, "days"),
        ("同案卷保存期限", "同案卷保存期限", RetentionKind.WITH_CASE_FILE, None, None),
        ("与案卷保管期限一致", "与案卷保管期限一致", RetentionKind.WITH_CASE_FILE, None, None),
        ("未列明", "未列明", RetentionKind.NOT_STATED, None, None),
    ],
)
def test_retention_phrases_are_kept_verbatim_beside_their_rule(written, text, kind, count, unit):
    retention = Retention.parse(written)
    assert (retention.text, retention.kind, retention.count, retention.unit) == (
        text,
        kind,
        count,
        unit,
    )
    assert Retention(retention.text) == retention


def test_column_letters_as_excel_names_them():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]
