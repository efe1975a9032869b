"""The recording-duty catalogue and its CSV: the default from the source documents, and
import errors that name the row and the column."""

import pytest

from evidence.catalogue import CATALOGUE_COLUMNS, ActType, Catalogue, Duty, Retention
from evidence.csv_table import CsvTable, decode_csv
from evidence.errors import MalformedCsv, UnknownActType

HEADER = ",".join(CATALOGUE_COLUMNS)
SEIZURE = (
    "行政强制,查封扣押财产,调查取证,执法现场,执法记录仪,到达现场时,离开现场时,永久,full,seizure,"
    "Seizure,河北省实施方案 三(五)"
)


def test_the_default_catalogue_holds_what_the_law_names():
    catalogue = Catalogue.default()
    assert set(catalogue.codes(Duty.FULL)) == {
        "seizure",
        "forced_demolition",
        "confiscated_property_disposal",
        "interview_room",
        "hearing_room",
    }
    assert set(catalogue.codes(Duty.AS_NEEDED)) == {
        "on_site_enforcement",
        "investigation",
        "hearing",
        "service_by_leaving",
        "service_by_notice",
        "on_site_inspection",
        "random_inspection",
        "evidence_preservation",
        "document_service",
    }
    assert catalogue.entry("forced_demolition").name == "强制拆除"
    assert catalogue.resolve("查封扣押财产").act_type == ActType("seizure")
    assert all(entry.basis and entry.name_en for entry in catalogue.entries), "every entry cites"


def test_export_then_import_gives_the_same_catalogue():
    catalogue = Catalogue.default()
    text = catalogue.to_csv()
    assert text.splitlines()[0] == HEADER
    assert Catalogue.from_csv(text).entries == catalogue.entries


def test_an_agency_list_with_a_bom_crlf_quotes_and_a_trailing_blank_line_is_read():
    quoted = SEIZURE.replace("到达现场时", '"到达现场,出示证件时"')
    body = ("\ufeff" + HEADER + "\r\n" + quoted + "\r\n\r\n").encode("utf-8")
    [entry] = Catalogue.from_csv(decode_csv(body)).entries
    assert entry.recording_starts == "到达现场,出示证件时"
    assert entry.duty is Duty.FULL and entry.retention == Retention("永久")


def test_optional_columns_may_be_left_out_and_duty_none_needs_no_recording_details():
    header = ",".join(CATALOGUE_COLUMNS[:-2])
    row = "行政许可,受理申请,启动,,,,,10年,none,application"
    [entry] = Catalogue.from_csv(f"{header}\n{row}\n").entries
    assert entry.duty is Duty.NONE and entry.place is None and entry.name_en is None


def replace_cell(row: str, index: int, value: str) -> str:
    cells = row.split(",")
    cells[index] = value
    return ",".join(cells)


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        ("", 1, None),
        (HEADER.replace(",duty", ""), 1, "duty"),
        (HEADER + ",备注", 1, "备注"),
        (HEADER.replace("设备", "事项"), 1, "事项"),
        (HEADER, 2, None),  # no entries
        (HEADER + "\n" + replace_cell(SEIZURE, 8, "always"), 2, "duty"),
        (HEADER + "\n" + replace_cell(SEIZURE, 9, "Seizure!"), 2, "act_type"),
        (HEADER + "\n" + replace_cell(SEIZURE, 7, "三年"), 2, "存储期限"),
        (HEADER + "\n" + replace_cell(SEIZURE, 0, ""), 2, "执法类别"),
        (HEADER + "\n" + replace_cell(SEIZURE, 4, ""), 2, "设备"),
        (HEADER + "\n" + SEIZURE + "\n" + SEIZURE, 3, "act_type"),
        (HEADER + "\n" + SEIZURE + "\n" + replace_cell(SEIZURE, 9, "other"), 3, "事项"),
        (HEADER + "\n" + ",".join(SEIZURE.split(",")[:5]), 2, "开始记录"),
        (HEADER + "\n" + SEIZURE + ",extra", 2, None),
        (HEADER + "\n" + SEIZURE + '\n"unterminated', 3, None),
        (HEADER + "\n" + replace_cell(SEIZURE, 1, "查封\x07"), 2, "事项"),
    ],
)
def test_import_errors_name_the_row_and_the_column(text, row, column):
    with pytest.raises(MalformedCsv, match=rf"^row {row}\b") as caught:
        Catalogue.from_csv(text)
    assert caught.value.details == {"row": row, "column": column}
    assert f"row {row}" in caught.value.message
    if column is not None:
        assert column in caught.value.message


def test_text_that_is_not_utf8_is_refused():
    with pytest.raises(MalformedCsv, match="not UTF-8"):
        decode_csv("执法类别".encode("gb18030"))


def test_retention_periods():
    assert Retention.parse("30 年").text == "30年"
    for good in ("永久", "6个月", "180日", "90天"):
        assert Retention.parse(good).text == good
    for bad in ("", "0年", "forever", "30"):
        with pytest.raises(ValueError, match="must be 永久 or a period"):
            Retention.parse(bad)


def test_unknown_act_types_are_their_own_error():
    with pytest.raises(UnknownActType, match="no act type 'parking'"):
        Catalogue.default().entry("parking")
    with pytest.raises(UnknownActType, match="an act type code is"):
        ActType("Seizure")


def test_rows_are_records_not_lines():
    table = CsvTable('a,b\n"x\ny",1\nz,\n', ["a", "b"])
    rows = list(table.rows())
    assert [row.number for row in rows] == [2, 3]
    with pytest.raises(MalformedCsv, match=r"^row 3, column b") as caught:
        rows[1].text("b")
    assert caught.value.details == {"row": 3, "column": "b"}
