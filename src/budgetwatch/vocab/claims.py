"""What a 说明 sentence says an amount is: claim kinds, the label pattern each is read from, and its
Chinese name (a claim kind that is also a column key is named as the column is)."""

from __future__ import annotations

from dataclasses import dataclass

from .columns import COLUMN_ZH
from .units import CARRYOVER_PATTERN


@dataclass(frozen=True)
class ClaimKind:
    key: str
    pattern: str  # a regular expression searched in the words before the amount
    zh: str | None = None  # how a finding names the figure; None: never named on its own


# first match wins; order matters: specific before general
CLAIM_KINDS: tuple[ClaimKind, ...] = (
    ClaimKind("three_public_abroad", r"因公出国", "因公出国（境）费"),
    ClaimKind("three_public_reception", r"公务接待", "公务接待费"),
    ClaimKind("three_public_car_purchase", r"公务用车购置费|车辆购置费", "公务用车购置费"),
    ClaimKind("three_public_car_running", r"公务用车运行", "公务用车运行维护费"),
    ClaimKind("three_public_car", r"公务用车购置及运行", "公务用车购置及运行费"),
    ClaimKind("three_public", r"三公", "“三公”经费"),
    ClaimKind("admin_operating", r"机关运行经费", "机关运行经费"),
    ClaimKind("procurement_goods", r"采购货物|货物(类)?(采购)?预算|货物"),
    ClaimKind("procurement_works", r"采购工程|工程(类)?(采购)?预算|工程"),
    ClaimKind("procurement_services", r"采购服务|服务(类)?(采购)?预算|服务"),
    ClaimKind("procurement", r"政府采购"),
    ClaimKind("performance_projects", r"绩效目标|绩效管理"),
    ClaimKind("personnel", r"人员经费", COLUMN_ZH["personnel"]),
    ClaimKind("public", r"公用经费", COLUMN_ZH["public"]),
    ClaimKind("basic", r"基本支出", COLUMN_ZH["basic"]),
    ClaimKind("project", r"项目支出", COLUMN_ZH["project"]),
    ClaimKind("carry_forward", r"年终结转|年末结转|结转下年"),
    ClaimKind("carryover", CARRYOVER_PATTERN, COLUMN_ZH["carryover"]),
    ClaimKind("gf", r"政府性基金", COLUMN_ZH["gf"]),
    ClaimKind("soe", r"国有资本经营", COLUMN_ZH["soe"]),
    ClaimKind("special", r"财政专户", COLUMN_ZH["special"]),
    ClaimKind("unit_funds", r"单位资金", COLUMN_ZH["unit_funds"]),
    ClaimKind("business", r"事业收入", COLUMN_ZH["business"]),
    ClaimKind("operating", r"经营收入", COLUMN_ZH["operating"]),
    ClaimKind("other_income", r"其他收入", COLUMN_ZH["other"]),
    ClaimKind("fiscal_total", r"财政拨款收支|财政拨款收入|财政拨款支出|财政拨款预算", "财政拨款收支"),
    ClaimKind("gpb", r"一般公共预算", COLUMN_ZH["gpb"]),
    ClaimKind("income_total", r"收入总计|收入预算|预算收入|总收入|收入总额|收入合计|本年收入", "收入总计"),
    ClaimKind("expenditure_total", r"支出总计|支出预算|预算支出|总支出|支出总额|支出合计|本年支出", "支出总计"),
)
# (kind, pattern) in order, as the claim reader walks them
CLAIM_RULES: list[tuple[str, str]] = [(k.key, k.pattern) for k in CLAIM_KINDS]
CLAIM_ZH: dict[str, str] = {k.key: k.zh for k in CLAIM_KINDS if k.zh}
# the three items whose sum is the “三公”经费 total (spec), as a three_public table names its rows
THREE_PUBLIC_PARTS: tuple[str, ...] = tuple(
    CLAIM_ZH[k] for k in ("three_public_abroad", "three_public_reception", "three_public_car")
)
