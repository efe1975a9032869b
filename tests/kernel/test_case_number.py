import dataclasses
import re

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
    # The refusal quotes what was typed and shows what the rule wants.
    says = (
        rf"^{re.escape(repr(bad))} does not follow the case-number rule \(e\.g\. 冀石执罚〔2026〕"
    )
    with pytest.raises(InvalidCaseNumber, match=says) as caught:
        RULE.parse(bad)
    assert caught.value.code == "bad_case_number"
    assert caught.value.details == {"case_number": bad}  # the number as typed, for the reply


def test_the_rule_is_configurable():
    rule = CaseNumberRule([r"石环罚字〔\d{4}〕\d{3}号"])
    assert rule.parse("石环罚字[2026]001号").value == "石环罚字〔2026〕001号"
    with pytest.raises(InvalidCaseNumber, match="does not follow the case-number rule"):
        rule.parse("冀石执罚〔2026〕第0012号")


def test_an_empty_rule_is_refused():
    with pytest.raises(ValueError, match=r"^a case-number rule needs at least one pattern"):
        CaseNumberRule([])


def test_only_text_is_parsed():
    with pytest.raises(InvalidCaseNumber, match=r"^a case number is text"):
        RULE.parse(12)  # type: ignore[arg-type]


# The value object's own invariants hold whatever rule is configured: a rule that
# matches anything (a province's catch-all) still cannot make an empty, spaced, controlled
# or overlong case number.


LENGTH = r"^a case number is 1-64 characters"
SPACED = r"^case number .* contains spaces or controls"


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", LENGTH),
        ("x" * 65, LENGTH),
        ("冀" * 65, LENGTH),  # characters, not bytes
        (None, LENGTH),
        ("A B", SPACED),
        ("A\u3000B", SPACED),  # the full-width space of Chinese input methods
        ("A\tB", SPACED),
        ("A\x00B", SPACED),
        ("A\u200bB", SPACED),  # zero-width space (a format character)
        ("A\u2028B", SPACED),  # line separator
        (" A", SPACED),
    ],
)
def test_a_case_number_value_checks_itself(value, says):
    with pytest.raises(InvalidCaseNumber, match=says):
        CaseNumber(value)


@pytest.mark.parametrize("value", ["A", "x" * 64, "冀" * 64, "冀石执罚〔2026〕第0012号"])
def test_a_case_number_value_may_be_one_to_64_characters(value):
    assert str(CaseNumber(value)) == value


@pytest.mark.parametrize("typed", ["", "   ", "\u3000", "x" * 65])
def test_a_catch_all_rule_cannot_make_an_invalid_case_number(typed):
    with pytest.raises(InvalidCaseNumber, match=LENGTH):
        CaseNumberRule([r".*"]).parse(typed)


def test_a_case_number_cannot_be_altered_once_checked():
    number = RULE.parse("JSZF-2026-0012")
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field"):
        number.value = ""  # type: ignore[misc]
