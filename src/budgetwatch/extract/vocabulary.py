"""Reading the vocabulary (budgetwatch.vocab) off a document: table kinds from titles, column keys from
headers, indicator levels from labels."""

from __future__ import annotations

import re

from ..vocab.classes import ECONOMIC_ROW_NAMES
from ..vocab.columns import COLUMN_RULES
from ..vocab.indicators import LEVEL2_PARENT, REQUIRED_LEVEL1
from ..vocab.kinds import ECONOMIC_KINDS, FUNCTIONAL_KINDS, TITLE_RULES
from ..vocab.units import GENERIC_TOTAL_LABELS
from .text_rules import nospace

_TITLE_END = re.compile(r"表\s*(?:[（(][^（()）]{0,24}[）)])?\s*(?:[（(][^（()）]{0,24}[）)])?$")
_TOC_LEADER = re.compile(r"(?:\.{3,}|…{2,}|·{3,}|-{4,}|_{4,})")
_SENTENCE = re.compile(r"[。，；;！？]|见附|详见|如下")
# the heading over the whole set of tables (2022年部门综合预算公开报表, over its 目录): no table of its own
_COLLECTION = re.compile(r"(公开报表|预算报表|决算报表)$")


ECONOMIC_NAMES = re.compile(f"^({'|'.join(map(re.escape, ECONOMIC_ROW_NAMES))})$")


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
    if _COLLECTION.search(t):
        return None
    if not re.search(r"预算|决算|收支|收入|支出|经费|绩效|采购|购买服务|项目", t):
        return None
    for kind, must, must_not in TITLE_RULES:
        if all(w in t for w in must) and not any(w in t for w in must_not):
            return kind
    return "other"


# ---- column keys -------------------------------------------------------------------------

# a table's number printed before or above its title: 表3, 预算14表-1, 公开08表, 表三
TABLE_NUMBER = r"(?:部门)?(?:公开|预算|附)?(?:表\d+|\d+表)(?:[-－—]\d+)?|表[一二三四五六七八九十]+"
CODE_LABELS = re.compile(r"(编码|代码|编号)$|^(类|款|项)$|^科目编码")
NAME_LABELS = re.compile(
    r"名称|分类科目|科目[（(]按大类[)）]$|^项目$|^科目$|^单位$|^部门$|^支出项目$|^收入项目$|^项\s*目$"
)
GOV_NAME_LABELS = re.compile(r"政府预算.*经济|政府经济分类|政府支出经济分类|^政府经济科目(名称)?$")
ROW_NUMBER_LABELS = re.compile(r"^(序号|行次|栏次)$")  # a column numbering the rows
SKIP_LABELS = re.compile(r"^(序号|行次|栏次|备注|说明|是否.*|资金来源|购买数量|采购方式|采购品目|功能科目|经济科目)$")
# skipped columns that still label a row whose name columns are blank (专项名称 blank, 经济科目 印刷费)
FALLBACK_NAME_LABELS = re.compile(r"^(采购品目|功能科目|经济科目)$")
_OTHER_YEAR = re.compile(r"(20\d{2})")
_OWN_FLOW = re.compile(r"..(收入|支出|资金|经费|拨款)$")  # a label naming a flow of its own


def column_key(label: str, path: list[str], doc_year: int | None, stage: str | None) -> str:
    """The spec's column key for a value column, from its innermost label and its header path."""
    lab = modern(nospace(label))
    joined = modern(nospace("/".join(path)))
    for y in _OTHER_YEAR.findall(joined):
        if doc_year and int(y) != doc_year:
            return "x:" + lab
    if "上年" in joined and not re.search(r"上年(财政拨款)?结转|上年结余", joined):
        return "x:" + lab
    # 年初预算数 is the 决算's budget column; in a budget it is the year's own budget: the total
    skip = ("total", "x:change") if stage == "final" else ("total", "x:change", "budget")
    if lab in GENERIC_TOTAL_LABELS:
        # a generic label under a specific one (基本支出 › 小计) is that column's total
        for outer in reversed(path[:-1]):
            o = nospace(outer)
            for key, words in COLUMN_RULES:
                if key not in skip and any(w in o for w in words):
                    return key
    for key, words in COLUMN_RULES:
        if any(w in lab for w in words):
            if key == "total" and stage == "final" and re.search(r"预算数", lab) and "决算" not in lab:
                return "budget"
            return "total" if key == "budget" and stage != "final" else key
    if re.fullmatch(r"20\d{2}年?(度)?", lab):
        return "total"
    # the stage word alone (收入 › 项目 | 预算): that side's only amount column
    lone = re.fullmatch(r"(?:20\d{2}年?度?)?(预算|决算)", lab)
    if lone:
        return "budget" if stage == "final" and lone.group(1) == "预算" else "total"
    if _OWN_FLOW.search(lab):
        return "x:" + lab  # a flow the vocabulary does not know under a known parent (单位资金 › 上级补助收入)
    # the innermost label says nothing: let an outer level decide (上年结转 › blank)
    for outer in reversed(path[:-1]):
        o = nospace(outer)
        for key, words in COLUMN_RULES:
            if key != "total" and any(w in o for w in words):
                return key
    return "x:" + lab if lab else "x:"


# ---- performance indicator vocabulary ----------------------------------------------------


def level1_of(token: str) -> str | None:
    t = nospace(token)
    return t if t in REQUIRED_LEVEL1 else None


def level1_piece(token: str) -> str | None:
    """A piece of a 一级 label printed down its cell and cut by a page break (效 | 益指标 of 效益指标): the label
    it belongs to, "" when it could belong to several (指标), None when it is no such piece."""
    t = nospace(token)
    if not t or t in REQUIRED_LEVEL1:
        return None
    whole = [w for w in REQUIRED_LEVEL1 if w.startswith(t) or w.endswith(t)]
    return (whole[0] if len(whole) == 1 else "") if whole else None


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
