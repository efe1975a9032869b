"""The console's words, Chinese first, English on request (``?lang=en``). A missing
English word falls back to the Chinese one, never to an empty label."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["LANGUAGES", "translator"]

LANGUAGES = ("zh", "en")

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("留痕 · 执法记录管理", "Liuhen · evidence console"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "name": ("用户名", "Name"),
    "password": ("密码", "Password"),
    "cases": ("案件查询", "Cases"),
    "flags": ("异常标记", "Flags"),
    "report": ("合规报告", "Report"),
    "audit": ("调阅记录", "Access log"),
    "search": ("查询", "Search"),
    "case_number": ("案件编号", "Case number"),
    "officer": ("民警", "Officer"),
    "place": ("地点", "Place"),
    "date": ("日期", "Date"),
    "recordings": ("录像", "Recordings"),
    "acts": ("执法行为", "Enforcement acts"),
    "started_at": ("开始时间", "Started"),
    "ended_at": ("结束时间", "Ended"),
    "device": ("设备", "Device"),
    "size": ("大小（字节）", "Size (bytes)"),
    "sha256": ("SHA-256", "SHA-256"),
    "verification": ("校验", "Verification"),
    "verified_ok": ("完好", "intact"),
    "verified_bad": ("不符", "FAILED"),
    "never_verified": ("未校验", "not yet verified"),
    "previous": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "searched": ("本页查找了最新录像中的第", "This page searched the newest recordings"),
    "searched_unit": ("条", ""),
    "searched_more": ("，更早的录像见下一页", "; older ones are on the next page"),
    "verification_history": ("校验历史", "Verification history"),
    "verified_by": ("校验方", "By"),
    "result": ("结果", "Result"),
    "checked": ("校验项", "Checked"),
    "log_entries": ("监管日志", "Custody log"),
    "log_index": ("序号", "Index"),
    "what": ("内容", "What"),
    "proof": ("包含证明", "Inclusion proof"),
    "manifest": ("签名清单", "Signed manifest"),
    "proves": ("证明事项", "What it proves"),
    "capturer": ("拍摄人", "Captured by"),
    "purpose": ("调阅事由", "Purpose"),
    "purpose_hint": (
        "请说明调阅原因，将记入监管日志",
        "Why you look: it goes into the custody log",
    ),
    "watch": ("播放", "Watch"),
    "download": ("下载原件", "Download the original"),
    "open_flags": ("未处理标记", "Open flags"),
    "retention": ("保存期限", "Retention"),
    "retention_class": ("保存类别", "Retention class"),
    "decided_by": ("依据", "Decided by"),
    "removable_at": ("可删除时间", "Removable from"),
    "kept_forever": ("永久保存", "never (permanent)"),
    "legal_holds": ("法律保全", "Legal holds"),
    "resolve": ("处理", "Resolve"),
    "reason": ("理由", "Reason"),
    "resolved_by": ("处理人", "Resolved by"),
    "accesses": ("调阅日志", "Accesses"),
    "who": ("人员", "Who"),
    "when": ("时间", "When"),
    "action": ("操作", "Action"),
    "error": ("出错了", "Something is wrong"),
    "back": ("返回", "Back"),
    "nothing_found": ("没有找到", "Nothing found"),
    "no_acts": ("尚无登记的执法行为", "No acts registered"),
    "role": ("角色", "Role"),
    "kind": ("类型", "Kind"),
    "raised_at": ("发现时间", "Raised"),
    "user": ("用户", "User"),
    "export": ("导出证据包", "Export evidence package"),
    "coverage": ("录像覆盖", "Coverage"),
    "coverage_rate": ("覆盖率", "Coverage rate"),
    "threshold": ("薄弱线", "weak below"),
    "weak_links": ("薄弱环节", "Weak links"),
    "group": ("对象", "Group"),
    "failing": ("未达标", "Failing"),
    "by_agency": ("按单位", "By agency"),
    "by_act_type": ("按执法行为类型", "By act type"),
    "by_officer": ("按民警", "By officer"),
    "by_month": ("按月份", "By month"),
    "gap": ("缺口", "gap"),
    "exemption": ("免录", "Exemption"),
    "approver": ("批准人", "approved by"),
    "not_standing": ("已失效", "no longer standing"),
}


def translator(lang: str) -> Callable[[str], str]:
    column = 1 if lang == "en" else 0

    def word(key: str) -> str:
        pair = _WORDS.get(key)
        return key if pair is None else pair[column] or pair[0]

    return word
