"""Write the published-shape tables the import tests read (run from the repository root):

    .venv/bin/python tests/data/published/make_tables.py

Each file copies the *shape* of tables agencies publish (their columns, title rows, merged
cells, line breaks, encodings, date forms); the rows are ours, written for the tests:

- ``catalogue_issue_shape_gbk.csv``: the columns the issue lists (序号 … 设定依据, 备注),
  saved as Excel on Windows saves "CSV": GBK, CRLF; 执法类别 and 执法事项 merged over
  several rows (so blank below the first), line breaks in cells, 保存期限 as agencies
  write it (永久, 长期, 不少于6个月, 同案卷保存期限).
- ``catalogue_hebei_shape.csv``: an "执法记录仪使用执法环节一览表" as several Hebei and
  Henan bureaus publish it: a title row, 执法环节 merged, 执法时限要求 (适时) for the
  requirement, 记录过程, 执法记录类别; UTF-8 with a byte-order mark.
- ``catalogue_ningxia_shape.xlsx``: a county bureau's workbook without any 事项 column
  (执法环节 names each row), 记录载体 with one device per line, 执法类别 merged, a merged
  title across the sheet.
- ``catalogue_jiaozuo_shape.csv`` with ``catalogue_jiaozuo_shape.toml``: a municipal
  bureau's table with no requirement column (``全部处罚事项`` on every row, header cells
  broken over lines), which imports with one mapping file; UTF-8 without a BOM.
- ``acts_case_system.xlsx``: acts as a case system exports them (案号, 执法主体, 行政相对人,
  执法行为, times as Excel dates and as serial numbers).
- ``acts_excel_gbk.csv``: the same shape saved as CSV by Excel: GBK, ``2026/11/29 10:00``.
- ``officers.csv`` and ``officers.xlsx``: an officer roster (执法证号, 姓名, 所属单位).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment

HERE = Path(__file__).resolve().parent

ISSUE_SHAPE = [
    ["序号", "执法类别", "执法事项", "执法环节", "记录形式", "记录要求", "记录场所", "记录设备",
     "启动节点", "结束节点", "保存期限", "设定依据", "备注"],
    ["1", "行政强制", "查封、扣押", "实施", "录音录像", "全程音像记录", "执法现场",
     "执法记录仪\n摄像机", "到达现场、出示执法证件时", "查封扣押清单签字\n离开现场时", "永久",
     "《中华人民共和国行政强制法》第二十四条", ""],
    ["2", "", "", "解除", "录音录像", "全程音像记录", "执法现场", "执法记录仪",
     "宣读解除决定时", "财物交还签收时", "永久", "《中华人民共和国行政强制法》第二十八条", ""],
    ["3", "", "强制拆除", "执行", "录音录像", "全程音像记录", "执法现场", "执法记录仪\n无人机",
     "宣读强制执行决定时", "拆除完毕、清点登记物品时", "长期", "", "含强制清除"],
    ["4", "行政处罚", "询问调查", "调查取证", "录音录像", "全程音像记录", "询问室",
     "询问室音视频录制系统", "被询问人进入询问室时", "笔录签字确认后", "同案卷保存期限", "", ""],
    ["5", "", "现场检查", "调查取证", "拍照、录音录像", "根据需要", "检查现场", "执法记录仪",
     "出示执法证件时", "检查结束时", "不少于6个月", "", ""],
    ["6", "", "留置送达", "送达执行", "录音录像", "根据需要", "受送达人住所", "执法记录仪",
     "到达受送达人住所时", "留置文书后离开时", "不少于6个月", "", "公告送达同"],
    ["7", "行政许可", "受理申请", "启动", "", "无需", "", "", "", "", "同案卷保存期限", "", ""],
]  # fmt: skip

HEBEI_SHAPE = [
    ["某市住房和城乡建设局执法记录仪使用执法环节一览表"] + [""] * 12,
    ["序号", "执法环节", "执法事项", "记录事项", "记录场合", "执法时限要求", "执法部门",
     "记录人", "开始记录时间", "记录过程", "结束记录时间", "执法记录类别", "备注"],
    ["1", "执法检查", "调取查阅资料", "调取查阅有关资料全过程", "执法现场", "适时", "执法科室",
     "检查人员", "查阅前", "记录查阅有关资料、证照全过程。", "检查资料文件完毕", "场景类", ""],
    ["2", "", "检查取证", "记录现场情况", "取证场所", "适时", "执法科室", "执法人员",
     "进入取证场所", "记录执法所需的现场情况", "离开取证场所", "场景类", ""],
    ["3", "实施检查", "询问(调查)", "询问(调查)全过程", "询问(调查)场所", "适时", "执法科室",
     "执法人员", "进入询问场所", "记录询问(调查)全过程。", "离开询问场所", "约谈类", ""],
    ["4", "行政强制", "查封、扣押施工机具", "查封扣押全过程", "执法现场", "全程", "执法科室",
     "执法人员", "到达现场", "记录查封扣押、清点、签字全过程。", "离开现场", "场景类", ""],
    ["5", "听证", "举行听证", "听证全过程", "听证场所", "适时", "听证主持机构", "听证人员",
     "进入听证场所", "记录听证全过程。", "离开听证场所", "场景类", ""],
    ["6", "文书送达", "直接送达、留置送达、公告送达", "送达文书全过程", "文书送达场所", "适时",
     "执法科室", "执法人员", "到达文书送达场所", "记录送达文书的全过程。", "文书送达环节结束",
     "确认类", ""],
    [""] * 13,
    ["注：本表由执法科室负责解释。"] + [""] * 12,
]  # fmt: skip

NINGXIA_SHAPE = [
    ["县综合执法局行政执法全过程音视频记录事项清单"],
    ["序号", "执法类别", "执法环节", "记录场所", "记录载体", "记录人", "记录内容",
     "执法记录类别", "执法时限要求", "备注"],
    ["1", "行政处罚", "现场检查", "例行检查场所", "执法记录仪\n照相机\n录像机", "执法人员",
     "记录现场检查情况，特别是\n检查的关键环节", "场景类", "适时", ""],
    ["2", None, "检查确认", "例行检查场所", "执法记录仪\n照相机", "执法人员",
     "现场检查记录、检查表格签字确认情况", "场景类", "适时", ""],
    ["3", None, "调查取证", "调查取证场地", "执法记录仪\n录像机", "执法人员",
     "进入调查取证场所、表明身份、出示执法证件、调查询问过程", "场景类", "适时", ""],
    ["4", None, "陈述、申辩", "陈述、申辩的记录具体地址", "执法记录仪", "执法人员",
     "记录当事人陈述申辩的过程", "约谈类", "适时", ""],
    ["5", "行政强制", "暂扣物品", "执法现场", "执法记录仪\n录像机", "执法人员",
     "暂扣物品的清点、登记、签字全过程", "场景类", "全程音像记录", ""],
    ["6", None, "强制拆除违法建筑", "执法现场", "执法记录仪\n无人机\n录像机", "执法人员",
     "宣读决定、拆除、清点登记物品全过程", "场景类", "全程音像记录", "需提前报备"],
]  # fmt: skip

JIAOZUO_SHAPE = [
    ["序号", "执法类别", "执法事项", "记录环节", "记录方式", "记录开始\n\n时间", "记录内容",
     "记录结束\n\n时间", "存储期限", "备注"],
    ["1", "行政检查", "全部检查事项", "现场检查全过程", "执法记录仪、照相机、摄像机等记录",
     "抵达现场", "执法过程", "离开现场", "永久", ""],
    ["2", "行政处罚", "全部处罚事项", "调查取证全过程", "执法记录仪、照相机、摄像机等记录",
     "抵达现场", "执法过程", "离开现场", "永久", ""],
    ["3", "行政处罚", "全部处罚事项", "告知过程", "执法记录仪、照相机、摄像机等记录",
     "抵达现场", "执法过程", "离开现场", "永久", ""],
    ["4", "行政处罚", "全部处罚事项", "口头陈述、\n申辩全过程", "执法记录仪、照相机、摄像机等记录",
     "进入陈述\n申辩场所", "记录执法相对人口头申辩过程", "离开陈述\n申辩场所", "永久", ""],
    ["5", "行政处罚", "全部处罚事项", "听证会全过程", "执法记录仪、照相机、摄像机等记录",
     "听证会开始", "听证会全程", "听证会结束", "永久", ""],
]  # fmt: skip

JIAOZUO_MAPPING = """\
# The bureau's table says what to record, not whether in full: every row is recorded as
# the situation needs (R3). Its 记录方式 column lists devices, not a form of recording.
[columns]
"记录方式" = "设备"

[defaults]
"记录要求" = "根据需要"
"""

ACTS_HEADER = ["序号", "案号", "执法主体", "行政相对人", "执法行为", "开始时间", "结束时间",
               "执法地点", "执法人员", "执法记录仪编号", "行为编号"]  # fmt: skip
ACTS = [
    ["1", "冀石执罚〔2026〕第0101号", "石家庄市城市管理综合行政执法局", "某建材公司", "查封扣押财产",
     datetime(2026, 11, 29, 10, 0), datetime(2026, 11, 29, 10, 45), "中山东路12号",
     "130102001、130102002", "BWC-00042", "ZF-2026-0101-1"],
    ["2", "冀石执罚〔2026〕第0101号", "石家庄市城市管理综合行政执法局", "某建材公司", "询问室询问",
     46355.5, 46355.5625, "询问室1", "130102001", "IR-1", "ZF-2026-0101-2"],
    ["3", "冀石执罚〔2026〕第0102号", "石家庄市城市管理综合行政执法局", "", "强制拆除",
     datetime(2026, 11, 30, 8, 30), datetime(2026, 11, 30, 11, 0), "建华南大街",
     "130102003", "BWC-00043", "ZF-2026-0102-1"],
]  # fmt: skip

OFFICERS = [
    ["执法证号", "姓名", "所属单位"],
    ["130102001", "王强", "第一中队"],
    ["130102002", "李娜", "第一中队"],
    ["130102003", "赵磊", "第二中队"],
]


def csv_bytes(rows: list[list[str]], encoding: str, bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode(encoding)


def excel_text(value: object) -> str:
    """A cell as Excel writes it into a CSV with a Chinese locale."""
    if isinstance(value, datetime):
        return f"{value.year}/{value.month}/{value.day} {value.hour}:{value.minute:02d}"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def workbook(rows: list[list[object]], merges: list[str], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    (HERE / "catalogue_issue_shape_gbk.csv").write_bytes(csv_bytes(ISSUE_SHAPE, "gbk"))
    (HERE / "catalogue_hebei_shape.csv").write_bytes(csv_bytes(HEBEI_SHAPE, "utf-8", bom=True))
    (HERE / "catalogue_jiaozuo_shape.csv").write_bytes(csv_bytes(JIAOZUO_SHAPE, "utf-8"))
    (HERE / "catalogue_jiaozuo_shape.toml").write_text(JIAOZUO_MAPPING, "utf-8")
    (HERE / "catalogue_ningxia_shape.xlsx").write_bytes(
        workbook(NINGXIA_SHAPE, ["A1:J1", "B3:B6", "B7:B8"], "音视频记录事项清单")  # type: ignore[arg-type]
    )
    acts = [ACTS_HEADER, *ACTS]
    (HERE / "acts_case_system.xlsx").write_bytes(workbook(acts, [], "执法行为"))  # type: ignore[arg-type]
    as_text = [[excel_text(cell) for cell in row] for row in acts]
    (HERE / "acts_excel_gbk.csv").write_bytes(csv_bytes(as_text, "gbk"))
    (HERE / "officers.csv").write_bytes(csv_bytes(OFFICERS, "utf-8", bom=True))
    (HERE / "officers.xlsx").write_bytes(workbook(OFFICERS, [], "执法人员"))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
