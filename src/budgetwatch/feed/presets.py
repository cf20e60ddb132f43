"""Column presets: the headers finance exports print, mapped to the canonical fields of feed/validate.py.

yth — the upper-case 预算管理一体化 exchange names (BA_BGT_INFO, BA_BGT_ADJSUB, PAY_VOUCHER, PAY_VOUCHER_BILL);
legacy — the older 金财工程-era element names (bss-web: enName, bsName, payMoney…);
zh — Chinese headers (单位名称, 功能科目, 指标金额, 支付日期, 收款人全称…).
A header carrying “万元” scales its amounts by 10,000; matching ignores case, spaces and a bracketed unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..vocab.units import ANY_UNIT_PATTERN, YUAN_PER

PRESETS = ("yth", "legacy", "zh")

# canonical fields per table: the fields a row must have, then the full list (validate.py knows each type)
REQUIRED = {
    "lines": ("src_id", "agency_code", "exp_func", "amount"),
    "adjustments": ("src_id", "line_src_id", "amount"),
    "applications": ("src_id", "pay_cert_id", "line_src_id"),
    "payments": ("src_id", "agency_code", "exp_func", "amount", "pay_date"),
}

_CLASSIFIED = {
    "AGENCY_CODE": "agency_code",
    "AGENCY_NAME": "agency_name",
    "EXP_FUNC_CODE": "exp_func",
    "EXP_FUNC_NAME": "exp_func_name",
    "GOV_BGT_ECO_CODE": "gov_eco",
    "GOV_BGT_ECO_NAME": "gov_eco_name",
    "DEP_BGT_ECO_CODE": "dep_eco",
    "DEP_BGT_ECO_NAME": "dep_eco_name",
    "PRO_CODE": "pro_code",
    "PRO_NAME": "pro_name",
    "FUND_TYPE_CODE": "fund_type_code",
    "FUND_TYPE_NAME": "fund_type_name",
    "MOF_DIV_CODE": "region",
    "FISCAL_YEAR": "year",
    "UPDATE_TIME": "updated_at",
    "IS_DELETED": "is_deleted",
}

YTH = {
    "lines": {
        **_CLASSIFIED,
        "BGT_ID": "src_id",
        "BGT_TYPE_CODE": "bgt_type_code",
        "BGT_TYPE_NAME": "bgt_type_name",
        "SOURCE_TYPE_CODE": "source_type_code",
        "SOURCE_TYPE_NAME": "source_type_name",
        "BUDGET_LEVEL_CODE": "budget_level_code",
        "TP_FUNC_CODE": "tp_func_code",
        "REC_DIV_CODE": "rec_div_code",
        "COR_BGT_DOC_NO": "doc_no",
        "BGT_DOC_TITLE": "doc_title",
        "DOC_DATE": "doc_date",
        "AMOUNT": "amount",
        "IS_GOV_PUR": "is_gov_pur",
    },
    "adjustments": {
        **_CLASSIFIED,
        "ADJ_SUB_ID": "src_id",
        "BGT_ID": "line_src_id",
        "ORI_BGT_ID": "from_line_src_id",
        "ADD_AMOUNT": "amount",
        "ADJ_DATE": "adj_date",
        "BAT_NUM": "batch_no",
        "ADJ_TYPE_NAME": "kind",
        "COR_BGT_DOC_NO": "doc_no",
    },
    "applications": {
        "PAY_APP_ID": "src_id",
        "PAY_APP_NO": "app_no",
        "PAY_CERT_ID": "pay_cert_id",
        "BGT_ID": "line_src_id",
        "PAY_APP_AMT": "amount",
        "CONTRACT_NO": "contract_no",
        "CREATE_DATE": "app_date",
        "MOF_DIV_CODE": "region",
        "FISCAL_YEAR": "year",
        "UPDATE_TIME": "updated_at",
        "IS_DELETED": "is_deleted",
    },
    "payments": {
        **_CLASSIFIED,
        "PAY_CERT_ID": "src_id",
        "PAY_CERT_NO": "voucher_no",
        "VOU_DATE": "pay_date",
        "PAY_AMT": "amount",
        "XPAY_AMT": "amount_x",
        "XPAY_DATE": "pay_date_x",
        "PAYEE_ACCT_NAME": "payee_name",
        "PAYEE_ACCT_NO": "payee_account",
        "PAYEE_ACCT_BANK_NAME": "payee_bank",
        "XPAYEE_ACCT_NAME": "payee_name_x",
        "XPAYEE_ACCT_NO": "payee_account_x",
        "XPAYEE_ACCT_BANK_NAME": "payee_bank_x",
        "PAY_TYPE_CODE": "pay_type_code",
        "PAY_TYPE_NAME": "pay_type_name",
        "SET_MODE_CODE": "set_mode_code",
        "SET_MODE_NAME": "set_mode_name",
        "USE_DES": "purpose",
        "ABSTRACT": "abstract",
        "PAYEE_TYPE": "payee_kind",
        "PAYEE_CREDIT_CODE": "payee_credit_code",
        "CONTRACT_NO": "contract_no",
    },
}

LEGACY = {
    "lines": {
        "id": "src_id",
        "budgetId": "src_id",
        "enCode": "agency_code",
        "enName": "agency_name",
        "bsNameAll": "exp_func",
        "bsName": "exp_func",
        "bsiName": "dep_eco",
        "bisName": "pro_name",
        "bisCode": "pro_code",
        "mkName": "fund_type_name",
        "bpName": "bgt_type_name",
        "blName": "source_type_name",
        "budgetMoney": "amount",
        "checkMoney": "amount",
        "billFileName": "doc_no",
        "billFileTitle": "doc_title",
        "billDate": "doc_date",
    },
    "adjustments": {
        "id": "src_id",
        "adjustId": "src_id",
        "budgetId": "line_src_id",
        "srcBudgetId": "from_line_src_id",
        "adjustMoney": "amount",
        "adjustDate": "adj_date",
        "adjustType": "kind",
        "billFileName": "doc_no",
    },
    "payments": {
        "id": "src_id",
        "billId": "src_id",
        "billNo": "voucher_no",
        "enCode": "agency_code",
        "enName": "agency_name",
        "bsName": "exp_func",
        "bsiName": "dep_eco",
        "bisName": "pro_name",
        "budgetId": "line_src_id",
        "pkName": "pay_type_name",
        "setModeName": "set_mode_name",
        "paySummaryName": "purpose",
        "payDate": "pay_date",
        "payMoney": "amount",
        "payeeAccountName": "payee_name",
        "payeeAccountNo": "payee_account",
        "payeeAccountBank": "payee_bank",
    },
}
LEGACY["applications"] = {}

ZH = {
    "lines": {
        "指标编号": "src_id",
        "指标ID": "src_id",
        "指标主键": "src_id",
        "单位编码": "agency_code",
        "单位代码": "agency_code",
        "预算单位编码": "agency_code",
        "单位名称": "agency_name",
        "预算单位": "agency_name",
        "功能科目": "exp_func",
        "功能分类": "exp_func",
        "功能科目编码": "exp_func",
        "功能分类科目": "exp_func",
        "功能科目名称": "exp_func_name",
        "经济科目": "dep_eco",
        "部门经济分类": "dep_eco",
        "经济科目编码": "dep_eco",
        "部门预算经济分类": "dep_eco",
        "经济科目名称": "dep_eco_name",
        "政府经济分类": "gov_eco",
        "政府预算经济分类": "gov_eco",
        "项目编码": "pro_code",
        "项目代码": "pro_code",
        "项目名称": "pro_name",
        "指标金额": "amount",
        "金额": "amount",
        "文号": "doc_no",
        "指标文号": "doc_no",
        "指标标题": "doc_title",
        "文件标题": "doc_title",
        "发文日期": "doc_date",
        "资金性质": "fund_type_name",
        "指标类型": "bgt_type_name",
        "指标来源": "source_type_name",
        "是否政府采购": "is_gov_pur",
    },
    "adjustments": {
        "调整编号": "src_id",
        "调整明细编号": "src_id",
        "调整ID": "src_id",
        "指标编号": "line_src_id",
        "调入指标": "line_src_id",
        "源指标": "from_line_src_id",
        "调出指标": "from_line_src_id",
        "调整金额": "amount",
        "调入金额": "amount",
        "调整日期": "adj_date",
        "调整类型": "kind",
        "调整批次": "batch_no",
        "文号": "doc_no",
        "单位编码": "agency_code",
    },
    "applications": {
        "申请编号": "src_id",
        "支付申请编号": "src_id",
        "凭证ID": "pay_cert_id",
        "支付凭证ID": "pay_cert_id",
        "指标编号": "line_src_id",
        "申请金额": "amount",
        "合同编号": "contract_no",
        "申请日期": "app_date",
    },
    "payments": {
        "凭证ID": "src_id",
        "支付凭证ID": "src_id",
        "支付凭证号": "voucher_no",
        "凭证号": "voucher_no",
        "单位编码": "agency_code",
        "单位代码": "agency_code",
        "预算单位编码": "agency_code",
        "单位名称": "agency_name",
        "功能科目": "exp_func",
        "功能分类": "exp_func",
        "功能科目编码": "exp_func",
        "经济科目": "dep_eco",
        "部门经济分类": "dep_eco",
        "经济科目编码": "dep_eco",
        "政府经济分类": "gov_eco",
        "项目编码": "pro_code",
        "项目名称": "pro_name",
        "指标编号": "line_src_id",
        "支付金额": "amount",
        "实际支付金额": "amount_x",
        "支付日期": "pay_date",
        "凭证日期": "pay_date",
        "实际支付日期": "pay_date_x",
        "收款人全称": "payee_name",
        "收款人名称": "payee_name",
        "收款人": "payee_name",
        "收款人账号": "payee_account",
        "收款人开户行": "payee_bank",
        "收款人开户银行": "payee_bank",
        "用途": "purpose",
        "支付用途": "purpose",
        "摘要": "abstract",
        "支付方式": "pay_type_name",
        "结算方式": "set_mode_name",
        "收款人类型": "payee_kind",
        "统一社会信用代码": "payee_credit_code",
        "合同编号": "contract_no",
    },
}
MAPS = {"yth": YTH, "legacy": LEGACY, "zh": ZH}

# a file's table by its name (before its header is read)
FILE_TABLES = (
    (re.compile(r"BA_BGT_ADJSUB|指标调整|调整明细", re.I), "adjustments"),
    (re.compile(r"BA_BGT_INFO|指标", re.I), "lines"),
    (re.compile(r"PAY_VOUCHER_BILL|支付凭证|支付明细|支付数据", re.I), "payments"),
    (re.compile(r"PAY_VOUCHER|支付申请", re.I), "applications"),
)

_UNIT = re.compile(r"[（(]\s*(" + ANY_UNIT_PATTERN + r")\s*[)）]|[:：]?(" + ANY_UNIT_PATTERN + ")$")


def header_key(header: str) -> tuple[str, Decimal]:
    """A header as matched (case and spaces ignored, a bracketed unit removed) and its scale to 元."""
    h = re.sub(r"\s+", "", str(header or "")).lstrip("\ufeff")
    scale = Decimal(1)
    m = _UNIT.search(h)
    if m:
        scale = Decimal(YUAN_PER[m.group(1) or m.group(2)])
        h = _UNIT.sub("", h)
    return h.lower(), scale


@dataclass
class Mapping:
    """How one file's columns become canonical fields: {column index: (field, scale)}."""

    preset: str
    table: str
    columns: dict[int, tuple[str, Decimal]]
    missing: list[str]  # required fields no column provides

    @property
    def fields(self) -> set[str]:
        return {f for f, _ in self.columns.values()}


def _lowered(preset: str, table: str) -> dict[str, str]:
    return {k.lower(): v for k, v in MAPS[preset].get(table, {}).items()}


def map_header(header: list[str], table: str, preset: str) -> Mapping:
    names = _lowered(preset, table)
    cols: dict[int, tuple[str, Decimal]] = {}
    taken: set[str] = set()
    for i, h in enumerate(header):
        key, scale = header_key(h)
        field = names.get(key)
        if field and field not in taken:  # the first column of two synonyms wins
            cols[i] = (field, scale)
            taken.add(field)
    missing = [f for f in REQUIRED[table] if not _provided(f, taken)]
    return Mapping(preset, table, cols, missing)


def _provided(field: str, taken: set[str]) -> bool:
    if field == "src_id":
        return True  # a source without ids gets content keys (validate.py)
    if field == "agency_code":
        return bool(taken & {"agency_code", "agency_name"})
    return field in taken or f"{field}_x" in taken


def table_of(filename: str) -> str | None:
    for rx, table in FILE_TABLES:
        if rx.search(filename):
            return table
    return None


def detect(header: list[str], table: str | None, preset: str = "auto") -> Mapping | None:
    """The best (preset, table) for a header: the one covering most of its required fields (≥ 60%), a table
    named by the file name first."""
    presets = PRESETS if preset == "auto" else (preset,)
    tables = (table,) if table else tuple(REQUIRED)
    best: tuple[float, int, Mapping] | None = None
    for p in presets:
        for t in tables:
            m = map_header(header, t, p)
            req = REQUIRED[t]
            covered = (len(req) - len(m.missing)) / len(req)
            score = (covered, len(m.columns))
            if covered >= 0.6 and len(m.columns) >= 2 and (best is None or score > best[:2]):
                best = (*score, m)
    return best[2] if best else None
