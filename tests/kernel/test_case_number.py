import pytest

from evidence.case_number import CaseNumber, CaseNumberRule
from evidence.errors import InvalidCaseNumber

RULE = CaseNumberRule()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("冀石执罚〔2026〕第0012号", "冀石执罚〔2026〕第0012号"),
        ("冀石执罚〔2026〕12号", "冀石执罚〔2026〕12号"),
        ("冀石执罚[2026]第0012号", "冀石执罚〔2026〕第0012号"),
        ("冀石执罚［2026］第0012号", "冀石执罚〔2026〕第0012号"),
        ("冀石执罚【2026】第0012号", "冀石执罚〔2026〕第0012号"),
        ("冀石执罚（2026）第0012号", "冀石执罚〔2026〕第0012号"),
        ("  冀石执罚〔２０２６〕第００１２号 ", "冀石执罚〔2026〕第0012号"),
        ("JSZF-2026-0012", "JSZF-2026-0012"),
        ("ＪＳＺＦ－２０２６－００１２", "JSZF-2026-0012"),
    ],
)
def test_the_default_rule_accepts_agency_and_ascii_forms(typed, stored):
    assert RULE.parse(typed) == CaseNumber(stored)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "12",
        "冀石执罚〔26〕第0012号",  # a two-digit year
        "冀石执罚〔2026〕第0012",  # no 号
        "〔2026〕第0012号",  # no agency
        "冀石执罚〔2026〕第123456789号",  # more than 8 digits
        "jszf-2026-0012",  # lowercase ASCII form
        "JSZF/2026/0012",
        "JSZF-2026-0012; DROP TABLE",
        "../etc/passwd",
        "冀石执罚〔2026〕\n第0012号",  # a control inside
    ],
)
def test_the_default_rule_refuses_other_shapes(bad):
    with pytest.raises(InvalidCaseNumber) as caught:
        RULE.parse(bad)
    assert caught.value.code == "bad_case_number"


def test_the_rule_is_configurable():
    rule = CaseNumberRule([r"石环罚字〔\d{4}〕\d{3}号"])
    assert rule.parse("石环罚字[2026]001号").value == "石环罚字〔2026〕001号"
    with pytest.raises(InvalidCaseNumber):
        rule.parse("冀石执罚〔2026〕第0012号")


def test_an_empty_rule_is_refused():
    with pytest.raises(ValueError):
        CaseNumberRule([])


def test_a_case_number_value_refuses_controls_even_without_a_rule():
    with pytest.raises(InvalidCaseNumber):
        CaseNumber("A\x00B")
    with pytest.raises(InvalidCaseNumber):
        CaseNumber("x" * 65)
