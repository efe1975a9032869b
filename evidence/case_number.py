"""Case numbers (案件编号), numbered by the same rule as enforcement documents (R4).

The province sets the rule, so the rule is configuration: a list of regular expressions,
of which a case number must match one in full after normalisation. The default accepts

* the agency style ``冀石执罚〔2026〕第0012号``: an agency and document-type abbreviation
  of 1-20 Chinese characters, the year in 〔〕, an optional 第, 1-8 digits, then 号;
* a plain ASCII form ``JSZF-2026-0012``: 2-20 capitals or digits, the year, 1-8 digits,
  joined by hyphens, for systems that cannot carry Chinese text.

Normalisation, applied before matching, so the same number typed on different keyboards
is stored one way: full-width letters and digits become ASCII (NFKC), surrounding spaces
go, and the year brackets people type instead of 〔〕 (``[ ] ［ ］ 【 】 ( ) （ ）``) become
〔〕. Digits and 第 are left as written: padding is the agency's rule, not ours.
See docs/case-numbers.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from evidence.errors import InvalidCaseNumber

__all__ = ["DEFAULT_PATTERNS", "CaseNumber", "CaseNumberRule"]

DEFAULT_PATTERNS: tuple[str, ...] = (
    r"[\u4e00-\u9fff]{1,20}〔(?P<year>\d{4})〕第?(?P<serial>\d{1,8})号",
    r"[A-Z0-9]{2,20}-(?P<year>\d{4})-(?P<serial>\d{1,8})",
)
_MAX_LENGTH = 64
_YEAR_IN_BRACKETS = re.compile(r"[\[［【(（〔](\d{4})[\]］】)）〕]")


@dataclass(frozen=True, slots=True)
class CaseNumber:
    """A case number in normalised form. Obtain one from ``CaseNumberRule.parse``."""

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not 0 < len(self.value) <= _MAX_LENGTH:
            raise InvalidCaseNumber(f"a case number is 1-{_MAX_LENGTH} characters")
        if any(unicodedata.category(ch).startswith(("C", "Z")) for ch in self.value):
            raise InvalidCaseNumber(f"case number {self.value!r} contains spaces or controls")

    def __str__(self) -> str:
        return self.value


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip()
    # NFKC turns ［ into [ and （ into (, so only the ASCII forms and 【】 are left to map.
    return _YEAR_IN_BRACKETS.sub(r"〔\1〕", folded)


class CaseNumberRule:
    """The configured rule: a case number must fully match one of ``patterns``."""

    def __init__(self, patterns: Sequence[str] = DEFAULT_PATTERNS) -> None:
        if not patterns:
            raise ValueError("a case-number rule needs at least one pattern")
        self.patterns = tuple(patterns)
        self._compiled = [re.compile(pattern) for pattern in self.patterns]

    def parse(self, text: str) -> CaseNumber:
        if not isinstance(text, str):
            raise InvalidCaseNumber("a case number is text")
        candidate = normalise(text)
        if not any(pattern.fullmatch(candidate) for pattern in self._compiled):
            raise InvalidCaseNumber(
                f"{text!r} does not follow the case-number rule "
                "(e.g. 冀石执罚〔2026〕第0012号 or JSZF-2026-0012)",
                case_number=text,
            )
        return CaseNumber(candidate)
