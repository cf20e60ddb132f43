"""Table kinds (spec: Table kinds): each kind's key, its Chinese name, what its rows are, and the title
rules that name it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableKind:
    key: str
    zh: str | None  # as a finding or a page names the table; None: no table a reviewer asks for by name
    coded: bool = False  # rows carry 功能/经济分类 codes (类/款/项), so a hierarchy can be added up
    function: bool = False  # rows by 功能分类 (201 …), so every code must be a valid 功能 code
    economic: bool = False  # rows by 经济分类 (301 工资福利支出 …)
    core: bool = False  # in the nationally uniform set every 部门预算 publishes (E01 without a 目录)


# in the order a reviewer reads them (E01 reports the missing ones in this order)
KINDS: tuple[TableKind, ...] = (
    TableKind("summary", "收支总表", core=True),
    TableKind("income", "收入总表", coded=True, core=True),
    TableKind("expenditure", "支出总表", coded=True, function=True, core=True),
    TableKind("fiscal_summary", "财政拨款收支总表", coded=True, core=True),
    TableKind("gpb_expenditure", "一般公共预算支出表", coded=True, function=True, core=True),
    TableKind("gpb_basic", "一般公共预算基本支出表", coded=True, economic=True, core=True),
    TableKind("basic_economic", "基本支出经济分类表", coded=True, economic=True),
    TableKind("gpb_economic", "一般公共预算支出经济分类表", coded=True, economic=True),
    TableKind("three_public", "“三公”经费支出表", core=True),
    TableKind("gf_expenditure", "政府性基金预算支出表", coded=True, function=True, core=True),
    TableKind("soe", "国有资本经营预算支出表", coded=True, function=True),
    TableKind("gf_income", "政府性基金预算收入表", coded=True),
    TableKind("admin_operating", "机关运行经费表"),
    TableKind("projects", "项目支出表"),
    TableKind("procurement", "政府采购表"),
    TableKind("purchase_services", "政府购买服务表"),
    TableKind("projects_carryover", "项目支出表（上年结转）"),
    TableKind("unit_performance", None),
    TableKind("project_form", None),
    TableKind("other", None),
)
BY_KEY: dict[str, TableKind] = {k.key: k for k in KINDS}
KIND_ZH: dict[str, str] = {k.key: k.zh for k in KINDS if k.zh}
CODED_KINDS: tuple[str, ...] = tuple(k.key for k in KINDS if k.coded)
FUNCTION_KINDS: tuple[str, ...] = tuple(k.key for k in KINDS if k.function)
ECONOMIC_KINDS: tuple[str, ...] = tuple(k.key for k in KINDS if k.economic)
CORE_KINDS: tuple[str, ...] = tuple(k.key for k in KINDS if k.core)
# the 功能分类 kinds a table by 经济分类 is mistaken for by its title (and back): its rows decide
FUNCTIONAL_KINDS: tuple[str, ...] = ("expenditure", "gpb_expenditure")
# the performance forms: a finding on one names the form in its row (checks/rollup.py groups them per rule)
FORM_KINDS: tuple[str, ...] = ("project_form", "unit_performance")


def kind_zh(key: str) -> str:
    return KIND_ZH.get(key, key)


# (kind, all of these, none of these) against a title: the first rule that matches wins, so specific titles
# come before general ones (财政拨款收支总表 before 收支总表, 政府性基金预算收入表 before 收入总表)
TITLE_RULES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("project_form", ("专项", "绩效目标"), ("总体",)),  # 专项资金整体绩效目标表: one form per 专项
    ("unit_performance", ("整体", "绩效目标"), ()),
    ("unit_performance", ("整体", "绩效"), ("自评",)),
    ("other", ("绩效", "自评"), ()),
    ("other", ("绩效", "评价"), ()),
    ("project_form", ("项目", "绩效目标"), ()),
    ("project_form", ("项目", "绩效"), ()),
    ("project_form", ("绩效目标表",), ("总体", "部门整体", "单位整体")),
    ("purchase_services", ("政府购买服务",), ()),
    ("procurement", ("政府采购",), ()),
    # 一般公共预算项目支出情况表（按经济分类科目）: rows 302 商品和服务支出 …, not projects
    ("gpb_economic", ("一般公共预算", "项目支出", "经济"), ("绩效",)),
    ("projects_carryover", ("项目支出", "上年结转"), ("绩效",)),
    ("projects", ("项目支出",), ("绩效",)),
    ("projects", ("项目",), ("绩效", "收支", "收入", "基本支出")),
    ("three_public", ("三公",), ()),
    ("admin_operating", ("机关运行经费",), ()),
    ("soe", ("国有资本经营",), ()),
    ("gf_income", ("政府性基金", "收入"), ("收支", "收入支出")),
    ("gf_expenditure", ("政府性基金",), ()),
    ("gpb_basic", ("一般公共预算", "基本支出"), ("功能",)),
    ("gpb_expenditure", ("一般公共预算", "基本支出"), ()),  # 基本支出 by 功能分类 (spec)
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
