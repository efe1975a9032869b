"""The recording-duty catalogue (音像记录事项清单): which enforcement acts must be on
footage, from when to when, and how long it is kept.

Agencies publish the list as a table; we read and write it as CSV with their columns
(执法类别, 事项, 环节, 记录场合, 设备, 开始记录, 结束记录, 存储期限) followed by ours:
``duty`` (``full``, ``as-needed`` or ``none``), ``act_type`` (the stable code acts are
registered under) and, optionally, ``name_en`` and 依据 (the rule the entry comes from).
The default catalogue ships as ``default_catalogue.csv`` beside this module and is built
from the source documents (R2: whole-process recording; R3: as the situation needs).
See docs/compliance.md.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from evidence.column_mapping import normalise
from evidence.csv_table import CsvRow, CsvTable, write_csv
from evidence.errors import MalformedCsv, UnknownActType
from evidence.retention import Retention

__all__ = [
    "CATALOGUE_COLUMNS",
    "ActType",
    "Catalogue",
    "CatalogueEntry",
    "Duty",
    "Retention",
    "split_aliases",
]

REQUIRED_COLUMNS = (
    "执法类别",
    "事项",
    "环节",
    "记录场合",
    "设备",
    "开始记录",
    "结束记录",
    "存储期限",
    "duty",
    "act_type",
)
OPTIONAL_COLUMNS = ("name_en", "依据")
CATALOGUE_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# What agencies' own tables add, kept as they wrote it; written by an export only when
# some entry has it, so a catalogue without them exports the twelve columns above.
DESCRIPTIVE_COLUMNS = ("记录形式", "记录要求", "记录内容", "备注", "别名")
ALIAS_SEPARATOR = "；"

_ACT_TYPE = re.compile(r"[a-z][a-z0-9_]{0,63}")


class Duty(enum.StrEnum):
    """What the law asks of an act: footage from start to end, footage as the situation
    needs (a text record may do), or nothing."""

    FULL = "full"
    AS_NEEDED = "as-needed"
    NONE = "none"

    @classmethod
    def parse(cls, text: str) -> Duty:
        try:
            return cls(text)
        except ValueError:
            raise ValueError(f"must be one of {', '.join(duty.value for duty in cls)}") from None


@dataclass(frozen=True, slots=True)
class ActType:
    """The stable code of an act type, e.g. ``seizure``: lowercase ASCII, digits, ``_``."""

    code: str

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _ACT_TYPE.fullmatch(self.code):
            raise UnknownActType(
                "an act type code is 1-64 characters of a-z 0-9 _, starting with a letter; "
                f"got {self.code!r}"
            )

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    act_type: ActType
    category: str  # 执法类别
    name: str  # 事项
    stage: str  # 环节
    place: str | None  # 记录场合
    devices: str | None  # 设备
    recording_starts: str | None  # 开始记录
    recording_ends: str | None  # 结束记录
    retention: Retention  # 存储期限
    duty: Duty
    name_en: str | None = None
    basis: str | None = None  # 依据
    form: str | None = None  # 记录形式: 录音录像, 拍照 …
    requirement: str | None = None  # 记录要求 as written: 全程音像记录, 根据需要, 适时 …
    content: str | None = None  # 记录内容: what the recording must show
    remarks: str | None = None  # 备注
    aliases: tuple[str, ...] = ()  # other names acts are registered under

    def described(self) -> list[str | None]:
        """The cells of DESCRIPTIVE_COLUMNS."""
        aliases = ALIAS_SEPARATOR.join(self.aliases) or None
        return [self.form, self.requirement, self.content, self.remarks, aliases]

    def cells(self) -> list[str | None]:
        return [
            self.category,
            self.name,
            self.stage,
            self.place,
            self.devices,
            self.recording_starts,
            self.recording_ends,
            self.retention.text,
            self.duty.value,
            self.act_type.code,
            self.name_en,
            self.basis,
        ]


def _entry(row: CsvRow) -> CatalogueEntry:
    duty = row.convert("duty", Duty.parse)
    # An act that need not be recorded has no recording place, device, start or end.
    described = row.text if duty is not Duty.NONE else row.optional_text
    return CatalogueEntry(
        act_type=row.convert("act_type", ActType),
        category=row.text("执法类别", max_length=64),
        name=row.text("事项", max_length=128),
        stage=row.text("环节", max_length=64),
        place=described("记录场合", max_length=256, multiline=True),
        devices=described("设备", max_length=256, multiline=True),
        recording_starts=described("开始记录", max_length=256, multiline=True),
        recording_ends=described("结束记录", max_length=256, multiline=True),
        retention=row.convert("存储期限", Retention.parse),
        duty=duty,
        name_en=row.optional_text("name_en", max_length=128),
        basis=row.optional_text("依据", max_length=512, multiline=True),
        form=row.optional_text("记录形式", max_length=256, multiline=True),
        requirement=row.optional_text("记录要求", max_length=256),
        content=row.optional_text("记录内容", max_length=2048, multiline=True),
        remarks=row.optional_text("备注", max_length=2048, multiline=True),
        aliases=split_aliases(row.optional_text("别名", max_length=1024)),
    )


def split_aliases(text: str | None) -> tuple[str, ...]:
    return tuple(name.strip() for name in (text or "").split(ALIAS_SEPARATOR) if name.strip())


class Catalogue:
    """An ordered set of entries, unique by act type code and by 事项 name."""

    def __init__(self, entries: Iterable[CatalogueEntry]) -> None:
        self.entries = tuple(entries)
        if not self.entries:
            raise ValueError("a catalogue needs at least one entry")
        self._by_code = {entry.act_type.code: entry for entry in self.entries}
        self._by_name = {entry.name: entry for entry in self.entries}
        if len(self._by_code) != len(self.entries) or len(self._by_name) != len(self.entries):
            raise ValueError("act type codes and 事项 names must be unique")
        # Names as people type them (full-width brackets, spaces, line breaks) and aliases;
        # a name never yields to another entry's alias.
        self._by_spelling: dict[str, CatalogueEntry] = {}
        for entry in self.entries:
            for alias in entry.aliases:
                self._by_spelling.setdefault(normalise(alias), entry)
        self._by_spelling.update((normalise(entry.name), entry) for entry in self.entries)

    @classmethod
    def from_csv(cls, text: str) -> Catalogue:
        table = CsvTable(text, REQUIRED_COLUMNS, OPTIONAL_COLUMNS + DESCRIPTIVE_COLUMNS)
        entries: list[CatalogueEntry] = []
        codes: set[str] = set()
        names: set[str] = set()
        for row in table.rows():
            entry = _entry(row)
            if entry.act_type.code in codes:
                raise row.error("act_type", f"{entry.act_type} is listed twice")
            if entry.name in names:
                raise row.error("事项", f"{entry.name} is listed twice")
            codes.add(entry.act_type.code)
            names.add(entry.name)
            entries.append(entry)
        if not entries:
            raise MalformedCsv("row 2: the catalogue has no entries", row=2, column=None)
        return cls(entries)

    @classmethod
    def default(cls) -> Catalogue:
        text = resources.files("evidence").joinpath("default_catalogue.csv").read_text("utf-8")
        return cls.from_csv(text)

    def to_csv(self) -> str:
        used = [
            index
            for index in range(len(DESCRIPTIVE_COLUMNS))
            if any(entry.described()[index] for entry in self.entries)
        ]
        header = [*CATALOGUE_COLUMNS, *(DESCRIPTIVE_COLUMNS[i] for i in used)]
        rows = [entry.cells() + [entry.described()[i] for i in used] for entry in self.entries]
        return write_csv(header, rows)

    def entry(self, act_type: str) -> CatalogueEntry:
        try:
            return self._by_code[act_type]
        except KeyError:
            raise UnknownActType(
                f"the catalogue has no act type {act_type!r}", act_type=act_type
            ) from None

    def resolve(self, text: str) -> CatalogueEntry:
        """An entry by its code, its 事项 name or an alias, as case systems export any of
        them (names compared without spaces, brackets full-width or not)."""
        entry = (
            self._by_code.get(text)
            or self._by_name.get(text)
            or self._by_spelling.get(normalise(text))
        )
        if entry is None:
            raise UnknownActType(f"the catalogue has no act type or 事项 {text!r}", act_type=text)
        return entry

    def codes(self, duty: Duty | None = None) -> tuple[str, ...]:
        return tuple(
            entry.act_type.code for entry in self.entries if duty is None or entry.duty is duty
        )
