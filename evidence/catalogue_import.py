"""An agency's own 音像记录事项清单, as published (CSV in UTF-8 or GBK, or .xlsx), read into
a catalogue: the usual column names and values recognised (tables below), anything else
named once in a column mapping (``evidence.column_mapping``).

- **事项** is the entry's name; a table without a 事项 column names its entries by their
  环节 (several published tables list only 执法环节). A name that repeats (``全部处罚事项``
  on every row) is told apart by its 环节: ``全部处罚事项·告知过程``.
- **Duty** comes from our ``duty`` column, else from 记录要求 (or 执法时限要求), whose text is
  kept as written: 全程音像记录 (and 全程…, 全过程…) is ``full``; 根据需要, 适时, 可以…, 视情…
  are ``as-needed``; 无需, 不需要 are ``none``. Other words need a mapping's ``[values]``.
- **Retention** is kept verbatim beside its rule (``evidence.retention``); a table
  without it says 未列明, as do place, devices, start and end of recording, category and
  stage when the table lacks them.
- **Act type codes**: our ``act_type`` column when the table has one; else the code the
  known catalogues (the one in force, the default) give the same name or alias, so a
  re-imported table keeps the codes acts are registered under; else ``t_`` and ten hex
  digits of the name's SHA-256, the same for the same name every time.
- Line breaks inside names are removed (Excel wraps long names); descriptions keep them.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from evidence.catalogue import ActType, Catalogue, CatalogueEntry, Duty
from evidence.column_mapping import Column, ColumnMapping, normalise
from evidence.errors import UnknownActType
from evidence.retention import NOT_STATED, Retention
from evidence.table_columns import Plan, Record, Table
from evidence.table_file import read_grid

__all__ = ["CATALOGUE_TABLE", "ReadCatalogue", "duty_of", "read_catalogue"]

CATALOGUE_TABLE = (
    Column("执法类别", ("类别", "执法类型", "行为类别", "执法行为类别"), carry_down=True),
    Column(
        "事项",
        ("执法事项", "执法项目", "事项名称", "音像记录事项", "记录事项", "执法行为"),
        carry_down=True,
    ),
    Column(
        "环节",
        ("执法环节", "记录环节", "关键环节", "执法阶段", "阶段", "执法节点"),
        carry_down=True,
    ),
    Column("记录场合", ("记录场所", "场所", "记录地点", "执法场所", "记录场景")),
    Column("设备", ("记录设备", "记录载体", "记录工具", "音像记录设备", "设备名称")),
    Column("开始记录", ("启动节点", "开始节点", "开始记录时间", "记录开始时间", "记录起点")),
    Column("结束记录", ("结束节点", "结束记录时间", "记录结束时间", "记录终点")),
    Column("存储期限", ("保存期限", "保管期限", "保留期限", "存储时限", "保存时限", "存档期限")),
    Column("记录要求", ("执法时限要求", "音像记录要求", "记录标准", "是否全程音像记录")),
    Column("duty"),
    Column("act_type", ("事项代码", "类型代码", "代码", "编码")),
    Column("name_en", ("英文名称",)),
    Column("依据", ("设定依据", "法律依据", "执法依据", "依据条款")),
    Column("记录形式", ("记录方式", "记录类型", "音像记录形式")),
    Column("记录内容", ("记录过程", "记录重点", "记录要点")),
    Column("备注", ("说明",)),
    Column("别名", ("别称", "又称")),
)

_FULL = (
    "全程音像记录",
    "全程记录",
    "全过程记录",
    "全过程音像记录",
    "全程录音录像",
    "全程",
    "全过程",
)
_AS_NEEDED = (
    "根据需要",
    "根据实际需要",
    "根据实际情况",
    "根据实际",
    "适时",
    "视情",
    "视情况",
    "酌情",
    "按需",
    "选择性记录",
)
_NONE = ("无需", "不需要", "不记录", "无需音像记录", "不进行音像记录")
_ALIASES = re.compile(r"[；;、，,\n]+")


def duty_of(text: str) -> Duty:
    """What a 记录要求 says, or a duty code."""
    word = normalise(text)
    if word in {duty.value for duty in Duty}:
        return Duty(word)
    if word in _NONE:
        return Duty.NONE
    if word in _FULL or word.startswith(("全程", "全过程", "必须全程", "应当全程")):
        return Duty.FULL
    if word in _AS_NEEDED or any(key in word for key in ("根据", "适时", "可以", "视情", "酌情")):
        return Duty.AS_NEEDED
    raise ValueError(
        f"{text!r} is not a recording requirement we know (全程音像记录, 根据需要, 适时, 无需, "
        'or full, as-needed, none); name it in a mapping\'s [values."记录要求"]'
    )


@dataclass(frozen=True, slots=True)
class ReadCatalogue:
    catalogue: Catalogue
    plan: Plan


def read_catalogue(
    body: bytes,
    mapping: ColumnMapping | None = None,
    known: Sequence[Catalogue] = (),
    *,
    encoding: str | None = None,
    sheet: str | None = None,
) -> ReadCatalogue:
    mapping = mapping or ColumnMapping()
    grid = read_grid(body, encoding=encoding or mapping.encoding, sheet=sheet or mapping.sheet)
    table = Table(grid, CATALOGUE_TABLE, mapping)
    plan, problems = table.plan, table.problems
    if not ({"事项", "环节"} & (set(plan.columns) | set(plan.defaults))):
        problems.add(plan.header_row, "事项", "the table names no 事项 (执法事项) or 环节 column")
    if not ({"duty", "记录要求"} & (set(plan.columns) | set(plan.defaults))):
        problems.add(
            plan.header_row,
            "记录要求",
            "the table has no 记录要求 column: give the rows' duty with [defaults] "
            '"记录要求" = "根据需要" (or 全程音像记录) in a mapping file',
        )
    problems.check()
    records = list(table.records())
    names = _names(records)
    entries = _entries(records, names, known)
    if not entries and not problems:
        problems.add(plan.header_row + 1, None, "the catalogue has no entries")
    problems.check()
    _say_not_stated(plan)
    return ReadCatalogue(Catalogue(entries), plan)


def _one_line(text: str | None) -> str | None:
    return None if text is None else "".join(text.split("\n"))


def _names(records: list[Record]) -> list[str | None]:
    """Each row's entry name: its 事项 (or 环节), told apart by 环节 where it repeats."""
    raw = [_one_line(r.text("事项" if r.has("事项") else "环节", max_length=128)) for r in records]
    repeated = Counter(raw)
    names: list[str | None] = []
    for record, name in zip(records, raw, strict=True):
        stage = _one_line(record.raw("环节")) if record.has("事项") else None
        qualify = name is not None and repeated[name] > 1 and stage and stage != name
        names.append(f"{name}·{stage}" if qualify else name)
    return names


def _entries(
    records: list[Record], names: list[str | None], known: Sequence[Catalogue]
) -> list[CatalogueEntry]:
    entries: list[CatalogueEntry] = []
    seen_names: set[str] = set()
    seen_codes: set[str] = set()
    for record, name in zip(records, names, strict=True):
        entry = _entry(record, name, known, seen_codes)
        if entry is None or record.bad:
            continue
        if entry.name in seen_names:
            record.problem("事项", f"{entry.name} is listed twice")
            continue
        if entry.act_type.code in seen_codes:
            record.problem("act_type", f"{entry.act_type} is listed twice")
            continue
        seen_names.add(entry.name)
        seen_codes.add(entry.act_type.code)
        entries.append(entry)
    return entries


def _duty(record: Record) -> Duty | None:
    if record.has("duty"):
        return record.convert("duty", duty_of)
    return record.convert("记录要求", duty_of)


def _stated(record: Record, ours: str, max_length: int = 256) -> str:
    return record.text(ours, max_length=max_length, required=False) or NOT_STATED


def _entry(
    record: Record, name: str | None, known: Sequence[Catalogue], taken: set[str]
) -> CatalogueEntry | None:
    duty = _duty(record)
    retention = record.convert("存储期限", Retention.parse, required=False) or Retention(NOT_STATED)
    if name is None or duty is None:
        return None
    code = _code(record, name, known, taken)
    if code is None:
        return None
    return CatalogueEntry(
        act_type=code,
        category=_one_line(_stated(record, "执法类别", 64)) or NOT_STATED,
        name=name,
        stage=_one_line(_stated(record, "环节", 64)) or NOT_STATED,
        place=_stated(record, "记录场合"),
        devices=_stated(record, "设备"),
        recording_starts=_stated(record, "开始记录"),
        recording_ends=_stated(record, "结束记录"),
        retention=retention,
        duty=duty,
        name_en=_one_line(record.text("name_en", max_length=128, required=False)),
        basis=record.text("依据", max_length=512, required=False),
        form=record.text("记录形式", required=False, max_length=256),
        requirement=_one_line(record.text("记录要求", max_length=256, required=False)),
        content=record.text("记录内容", max_length=2048, required=False),
        remarks=record.text("备注", max_length=2048, required=False),
        aliases=tuple(a for a in _ALIASES.split(record.raw("别名")) if a.strip()),
    )


def _code(record: Record, name: str, known: Sequence[Catalogue], taken: set[str]) -> ActType | None:
    if record.has("act_type"):
        return record.convert("act_type", ActType)
    for catalogue in known:
        try:
            code = catalogue.resolve(name).act_type
        except UnknownActType:
            continue
        if code.code not in taken:
            return code
    return ActType("t_" + hashlib.sha256(normalise(name).encode()).hexdigest()[:10])


def _say_not_stated(plan: Plan) -> None:
    stated = {"执法类别", "环节", "记录场合", "设备", "开始记录", "结束记录", "存储期限"}
    missing = sorted(stated & set(plan.absent), key=[c.name for c in CATALOGUE_TABLE].index)
    if missing:
        plan.notes.append(f"{', '.join(missing)}: not in the table; every entry says {NOT_STATED}")
