"""The domain vocabulary: table kinds from titles, column keys from headers.

Order matters: the first rule that matches wins, so specific titles come before general ones
(财政拨款收支总表 before 收支总表, 政府性基金预算收入表 before 收入总表).
"""
from __future__ import annotations

import re

from .text_rules import nospace

# (kind, all of these, none of these)
KIND_RULES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("project_form", ("专项", "绩效目标"), ("总体",)),   # 专项资金整体绩效目标表: one form per 专项
    ("unit_performance", ("整体", "绩效目标"), ()),
    ("unit_performance", ("整体", "绩效"), ("自评",)),
    ("other", ("绩效", "自评"), ()),
    ("other", ("绩效", "评价"), ()),
    ("project_form", ("项目", "绩效目标"), ()),
    ("project_form", ("项目", "绩效"), ()),
    ("project_form", ("绩效目标表",), ("总体", "部门整体", "单位整体")),
    ("purchase_services", ("政府购买服务",), ()),
    ("procurement", ("政府采购",), ()),
    ("projects_carryover", ("项目支出", "上年结转"), ("绩效",)),
    ("projects", ("项目支出",), ("绩效",)),
    ("projects", ("项目",), ("绩效", "收支", "收入", "基本支出")),
    ("three_public", ("三公",), ()),
    ("admin_operating", ("机关运行经费",), ()),
    ("soe", ("国有资本经营",), ()),
    ("gf_income", ("政府性基金", "收入"), ("收支", "收入支出")),
    ("gf_expenditure", ("政府性基金",), ()),
    ("gpb_basic", ("一般公共预算", "基本支出"), ("功能",)),
    ("gpb_expenditure", ("一般公共预算", "基本支出"), ()),   # 基本支出 by 功能分类 (spec)
    ("basic_economic", ("基本支出", "经济"), ()),
    ("gpb_economic", ("一般公共预算", "经济"), ()),
    ("gpb_expenditure", ("一般公共预算", "支出"), ()),
    ("gpb_expenditure", ("财政拨款支出", "功能"), ()),
    ("basic_economic", ("财政拨款基本支出",), ()),
    ("basic_economic", ("基本支出",), ("收支", "收入", "功能")),
    ("gpb_expenditure", ("财政拨款支出",), ("收支", "收入")),
    ("fiscal_summary", ("财政拨款", "收支"), ()),
    ("fiscal_summary", ("财政拨款", "收入支出"), ()),
    ("summary", ("收支",), ()),
    ("summary", ("收入支出",), ()),
    ("income", ("收入",), ()),
    ("expenditure", ("支出",), ()),
]

_TITLE_END = re.compile(r"表\s*(?:[（(][^（()）]{0,24}[）)])?\s*(?:[（(][^（()）]{0,24}[）)])?$")
_TOC_LEADER = re.compile(r"(?:\.{3,}|…{2,}|·{3,}|-{4,}|_{4,})")
_SENTENCE = re.compile(r"[。，；;！？]|见附|详见|如下")


ECONOMIC_KINDS = ("gpb_basic", "basic_economic", "gpb_economic")
FUNCTIONAL_KINDS = ("expenditure", "gpb_expenditure")
# 经济分类 rows as printed: 301 工资福利支出 / 501 机关工资福利支出 and their 款
ECONOMIC_NAMES = re.compile(r"^(工资福利支出|商品和服务支出|对个人和家庭的补助|资本性支出|机关工资福利支出|"
                            r"机关商品和服务支出|基本工资|津贴补贴|奖金|办公费|印刷费|差旅费|手续费|水电费|邮电费)$")


def kind_by_content(kind: str, title: str, codes: list[str], names: list[str]) -> str:
    """A table's kind corrected by what its rows are: a table by 经济分类 (301…, 50101…, 工资福利支出) is
    never a 功能分类 kind, a table by 功能分类 (201…) is never a 经济分类 kind (spec)."""
    if kind not in ECONOMIC_KINDS + FUNCTIONAL_KINDS:
        return kind
    econ = sum(1 for c in codes if c[:1] in "35")
    func = sum(1 for c in codes if c[:1] == "2")
    if not codes:
        econ = sum(1 for n in names if ECONOMIC_NAMES.match(nospace(n)))
        func = len(names) - econ if econ else 0
    t = modern(nospace(title))
    if kind in FUNCTIONAL_KINDS and econ > func:
        if "基本支出" in t:
            return "gpb_basic" if "一般公共预算" in t else "basic_economic"
        return "gpb_economic"
    if kind in ECONOMIC_KINDS and func > econ and codes:
        return "gpb_expenditure" if "一般公共预算" in t or kind == "gpb_basic" else "expenditure"
    return kind


def modern(t: str) -> str:
    """Earlier years' wording as today's: 一般预算 is 一般公共预算, 基金预算 is 政府性基金预算."""
    if "一般预算" in t and "一般公共预算" not in t:
        t = t.replace("一般预算", "一般公共预算")
    if "基金预算" in t and "政府性基金" not in t:
        t = t.replace("基金预算", "政府性基金预算")
    return t


def classify_title(text: str) -> str | None:
    """The table kind a title names, or None when the line is not a table title."""
    t = modern(nospace(text))
    if not t or len(t) > 80 or not _TITLE_END.search(t):
        return None
    if _TOC_LEADER.search(text) or _SENTENCE.search(t) or re.match(r"^第[一二三四五六七八九十\d]{1,3}部分", t):
        return None  # TOC lines, prose, and part headings (第二部分 部门预算表) are not table titles
    if not re.search(r"预算|决算|收支|收入|支出|经费|绩效|采购|购买服务|项目", t):
        return None
    for kind, must, must_not in KIND_RULES:
        if all(w in t for w in must) and not any(w in t for w in must_not):
            return kind
    return "other"


# ---- column keys -------------------------------------------------------------------------

# (key, any of these) — checked against the innermost header label, first match wins.
COLUMN_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("x:change", ("增减", "增长", "变动", "比上年", "同比", "%")),
    ("carryover", ("上年结转", "上年财政拨款结转", "年初结转", "结转结余", "上年结余")),
    ("current", ("当年预算安排", "本年预算安排", "当年安排", "本年安排", "当年财政拨款", "编制预算")),
    ("basic", ("基本支出",)),
    ("project", ("项目支出", "专项业务经费")),
    ("personnel", ("人员经费", "人员支出")),
    ("public", ("公用经费", "公用支出")),
    ("operating", ("事业单位经营收入", "经营收入")),
    ("business", ("事业收入",)),
    ("gpb", ("一般公共预算",)),
    ("gf", ("政府性基金",)),
    ("soe", ("国有资本经营",)),
    ("special", ("财政专户",)),
    ("unit_funds", ("单位资金",)),
    ("other", ("其他收入",)),
    ("budget", ("年初预算", "全年预算", "调整预算")),
    ("total", ("合计", "小计", "总计", "金额", "预算数", "决算数", "资金总额", "预算额", "本年收入", "本年支出", "本年预算")),
]

# a table's number printed before or above its title: 表3, 预算14表-1, 公开08表, 表三
TABLE_NUMBER = r"(?:部门)?(?:公开|预算|附)?(?:表\d+|\d+表)(?:[-－—]\d+)?|表[一二三四五六七八九十]+"
CODE_LABELS = re.compile(r"(编码|代码|编号)$|^(类|款|项)$|^科目编码")
NAME_LABELS = re.compile(r"名称|分类科目|^项目$|^科目$|^单位$|^部门$|^支出项目$|^收入项目$|^项\s*目$")
GOV_NAME_LABELS = re.compile(r"政府预算.*经济|政府经济分类|政府支出经济分类")
SKIP_LABELS = re.compile(r"^(序号|行次|栏次|备注|说明|是否.*|资金来源|购买数量|采购方式|采购品目|功能科目|经济科目)$")
_OTHER_YEAR = re.compile(r"(20\d{2})")


def column_key(label: str, path: list[str], doc_year: int | None, stage: str | None) -> str:
    """The spec's column key for a value column, from its innermost label and its header path."""
    lab = modern(nospace(label))
    joined = modern(nospace("/".join(path)))
    for y in _OTHER_YEAR.findall(joined):
        if doc_year and int(y) != doc_year:
            return "x:" + lab
    if "上年" in joined and not re.search(r"上年(财政拨款)?结转|上年结余", joined):
        return "x:" + lab
    if lab in ("小计", "合计"):
        # a generic label under a specific one (基本支出 › 小计) is that column's total
        for outer in reversed(path[:-1]):
            o = nospace(outer)
            for key, words in COLUMN_RULES:
                if key not in ("total", "x:change") and any(w in o for w in words):
                    return key
    for key, words in COLUMN_RULES:
        if any(w in lab for w in words):
            if key == "total" and stage == "final" and re.search(r"预算数", lab) and "决算" not in lab:
                return "budget"
            return key
    if re.fullmatch(r"20\d{2}年?(度)?", lab):
        return "total"
    # the innermost label says nothing: let an outer level decide (上年结转 › blank)
    for outer in reversed(path[:-1]):
        o = nospace(outer)
        for key, words in COLUMN_RULES:
            if key != "total" and any(w in o for w in words):
                return key
    return "x:" + lab if lab else "x:"


# ---- performance indicator vocabulary ----------------------------------------------------

LEVEL1 = ("产出指标", "效益指标", "满意度指标", "成本指标")
LEVEL2_PARENT = {
    "数量指标": "产出指标", "质量指标": "产出指标", "时效指标": "产出指标", "成本指标": "产出指标",
    "经济效益指标": "效益指标", "社会效益指标": "效益指标", "生态效益指标": "效益指标",
    "可持续影响指标": "效益指标", "经济效益": "效益指标", "社会效益": "效益指标",
    "生态效益": "效益指标", "可持续影响": "效益指标",
    "服务对象满意度指标": "满意度指标", "服务对象满意度": "满意度指标", "满意度": "满意度指标",
    "经济成本指标": "成本指标", "社会成本指标": "成本指标", "生态环境成本指标": "成本指标",
    "经济成本": "成本指标", "社会成本": "成本指标", "生态环境成本": "成本指标",
}
FRAME_LABELS = {"绩效指标", "年度绩效指标", "实施期绩效指标", "一级指标", "二级指标", "三级指标",
                "指标值", "指标名称", "绩效目标", "年度指标值", "实施期指标值"}


def level1_of(token: str) -> str | None:
    t = nospace(token)
    return t if t in ("产出指标", "效益指标", "满意度指标") else None


def level2_of(token: str) -> str | None:
    """The level-2 label a token is (exactly or truncated by the layout), else None."""
    t = nospace(token)
    if t in LEVEL2_PARENT:
        return t
    if len(t) >= 5 and t.endswith(("指", "标")):
        for term in LEVEL2_PARENT:
            if term.startswith(t):
                return term
    return None
