"""One validation for every way in (files, push, database link): a row of canonical fields (feed/presets.py)
becomes a row of the feed model, or typed rejects with a reason in Chinese."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from . import codes
from .codes import Bad

REASONS = {
    "E_REQUIRED": "缺少必填字段", "E_AMOUNT": "金额无效", "E_CODE": "科目编码无效", "E_DATE": "日期无效",
    "E_DUP": "主键重复", "E_UNKNOWN_LINE": "指标不存在", "E_COLUMN": "缺少必需的列", "E_ENCODING": "文件编码无法识别",
    "E_REGION": "财政区划不符", "E_YEAR": "预算年度不符", "E_VALUE": "取值无效", "E_FILE": "文件无法读取",
    "E_TABLE": "无法识别的数据表",
}
FIELD_ZH = {"src_id": "主键", "agency_code": "单位编码", "exp_func": "功能科目", "dep_eco": "部门经济科目",
            "gov_eco": "政府经济科目", "amount": "金额", "pay_date": "支付日期", "line_src_id": "指标主键",
            "from_line_src_id": "源指标主键", "pay_cert_id": "支付凭证主键", "doc_date": "发文日期",
            "adj_date": "调整日期", "app_date": "申请日期", "region": "财政区划", "year": "预算年度"}
MAX_ID = 40
PERSON_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
ORG_WORDS = re.compile(r"公司|中心|局|委|办|院|校|所|站|厂|店|部|会|社|行|处|队|馆|室|政府|银行|医院|账户|专户")


@dataclass
class Reject:
    table: str
    row_no: int | None
    code: str
    message: str
    field: str | None = None
    file: str | None = None
    raw: dict | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "file": self.file, "row_no": self.row_no, "field": self.field, "code": self.code,
                "reason": REASONS.get(self.code, self.code), "message": self.message}


@dataclass
class Validator:
    """Validates rows of one table for one region and fiscal year. `known_lines`: the BGT_IDs a reference
    may name (the region-year's stored lines plus this batch's); `salt`: for payee account hashes."""
    table: str
    region: str
    year: int
    salt: str = ""
    known_lines: set[str] = field(default_factory=set)
    agencies: dict[str, str | None] = field(default_factory=dict)   # agency_code → name, seen in valid rows
    scales: dict[str, Decimal] = field(default_factory=dict)        # amount field → 1 (元) or 10000 (万元)
    source_table: str = "PAY_VOUCHER_BILL"

    def row(self, raw: dict[str, Any], row_no: int | None, file: str | None = None) -> dict | list[Reject]:
        """raw: {canonical field: text as sent (or a number)}; returns the model row or its rejects."""
        errors: list[Reject] = []
        r = {k: (str(v).strip() if v is not None else "") for k, v in raw.items()}

        def bad(code: str, message: str, fld: str | None):
            errors.append(Reject(self.table, row_no, code, message, fld, file, _printable(raw)))

        def get(fld: str, parse=None, required=False, *args):
            text = r.get(fld, "")
            if not text:
                if required:
                    bad("E_REQUIRED", f"缺少{FIELD_ZH.get(fld, fld)}（{fld}）", fld)
                return None
            if parse is None:
                return text
            try:
                return parse(text, *args) if args else parse(text)
            except Bad as e:
                bad(e.code, e.message, fld)
                return None

        self._check_place(r, bad)
        out = getattr(self, "_" + self.table)(r, get, bad, raw)
        if errors:
            return errors
        return out

    # — shared parts —
    def _check_place(self, r, bad):
        if r.get("region"):
            try:
                if codes.region_code(r["region"]) != self.region:
                    bad("E_REGION", f"财政区划“{r['region']}”与批次的{self.region}不符", "region")
            except Bad as e:
                bad(e.code, e.message, "region")
        if r.get("year") and r["year"] != str(self.year):
            bad("E_YEAR", f"预算年度“{r['year']}”与批次的{self.year}不符", "year")

    def _classified(self, r, get, bad, raw) -> dict:
        func_raw, func_name = codes.split_code_name(r.get("exp_func"))
        out: dict[str, Any] = {"exp_func_code_raw": func_raw}
        if func_raw is None:
            if r.get("exp_func") or self.table in ("lines", "payments"):
                bad("E_CODE" if r.get("exp_func") else "E_REQUIRED",
                    f"功能科目“{r.get('exp_func')}”缺少编码" if r.get("exp_func") else "缺少功能科目（exp_func）", "exp_func")
            out["exp_func_code"] = None
        else:
            try:
                out["exp_func_code"] = codes.func_code(func_raw)
            except Bad as e:
                bad(e.code, e.message, "exp_func")
        names = {"exp_func_name": r.get("exp_func_name") or func_name}
        for kind in ("dep", "gov"):
            code_raw, name = codes.split_code_name(r.get(f"{kind}_eco"))
            out[f"{kind}_eco_code_raw"] = code_raw
            out[f"{kind}_eco_code"] = None
            if code_raw:
                try:
                    out[f"{kind}_eco_code"] = codes.eco_code(code_raw, kind)
                except Bad as e:
                    bad(e.code, e.message, f"{kind}_eco")
            names[f"{kind}_eco_name"] = r.get(f"{kind}_eco_name") or name
        agency = r.get("agency_code") or ""
        agency_name = r.get("agency_name") or None
        if not agency and agency_name:      # older exports name the unit only: a key from the name
            agency = "n:" + hashlib.sha1(codes.normalise_name(agency_name).encode()).hexdigest()[:16]
        if not agency and self.table in ("lines", "payments"):
            bad("E_REQUIRED", "缺少单位编码（agency_code）", "agency_code")
        out.update(agency_code=agency or None, pro_code=r.get("pro_code") or None,
                   fund_type_code=r.get("fund_type_code") or None,
                   is_deleted=bool(get("is_deleted", codes.flag)), src_updated_at=get("updated_at", codes.moment))
        out["_names"] = names
        out["_agency_name"] = agency_name
        return out

    def _src_id(self, r, get, bad, raw, fld="src_id"):
        v = r.get(fld)
        if not v:
            # no key column: a key from the content, so the same row re-sent is the same row
            return "h:" + hashlib.sha1(repr(sorted(raw.items())).encode()).hexdigest()[:24]
        if len(v) > MAX_ID:
            bad("E_VALUE", f"主键“{v[:50]}”超过{MAX_ID}个字符", fld)
        return v

    def _ref(self, r, fld, bad, required):
        v = r.get(fld) or None
        if v is None:
            if required:
                bad("E_REQUIRED", f"缺少{FIELD_ZH.get(fld, fld)}（{fld}）", fld)
            return None
        if v not in self.known_lines:
            bad("E_UNKNOWN_LINE", f"{FIELD_ZH.get(fld, fld)}“{v}”在本区划本年度的指标中不存在", fld)
        return v

    def _date_in_year(self, d: date | None, fld: str, bad) -> date | None:
        if d is not None and not self.year - 1 <= d.year <= self.year + 1:
            bad("E_DATE", f"{FIELD_ZH.get(fld, fld)}{d.isoformat()}不在{self.year}预算年度前后", fld)
        return d

    def _agency(self, c):
        if c["agency_code"] and c["agency_code"] not in self.agencies or (
                c["_agency_name"] and not self.agencies.get(c["agency_code"])):
            self.agencies[c["agency_code"]] = c["_agency_name"]

    # — one per table —
    def _lines(self, r, get, bad, raw) -> dict:
        c = self._classified(r, get, bad, raw)
        amount = get("amount", codes.amount, True, self.scales.get("amount", 1))
        row = {"src_id": self._src_id(r, get, bad, raw), **{k: v for k, v in c.items() if not k.startswith("_")},
               **c["_names"], "agency_name": c["_agency_name"], "pro_name": r.get("pro_name") or None,
               "fund_type_name": r.get("fund_type_name") or None, "bgt_type_code": r.get("bgt_type_code") or None,
               "bgt_type_name": r.get("bgt_type_name") or None, "source_type_code": r.get("source_type_code") or None,
               "source_type_name": r.get("source_type_name") or None,
               "budget_level_code": r.get("budget_level_code") or None, "tp_func_code": r.get("tp_func_code") or None,
               "rec_div_code": r.get("rec_div_code") or None, "doc_no": r.get("doc_no") or None,
               "doc_title": r.get("doc_title") or None,
               "doc_date": self._date_in_year(get("doc_date", codes.day), "doc_date", bad),
               "amount": amount, "is_gov_pur": get("is_gov_pur", codes.flag)}
        self._agency(c)
        return row

    def _adjustments(self, r, get, bad, raw) -> dict:
        c = self._classified(r, get, bad, raw)
        return {"src_id": self._src_id(r, get, bad, raw), **{k: v for k, v in c.items() if not k.startswith("_")},
                "line_src_id": self._ref(r, "line_src_id", bad, True),
                "from_line_src_id": self._ref(r, "from_line_src_id", bad, False),
                "adj_date": self._date_in_year(get("adj_date", codes.day), "adj_date", bad),
                "amount": get("amount", codes.amount, True, self.scales.get("amount", 1)),
                "kind": r.get("kind") or None, "batch_no": r.get("batch_no") or None, "doc_no": r.get("doc_no") or None}

    def _applications(self, r, get, bad, raw) -> dict:
        return {"src_id": self._src_id(r, get, bad, raw), "app_no": r.get("app_no") or None,
                "pay_cert_id": get("pay_cert_id", None, True), "line_src_id": self._ref(r, "line_src_id", bad, True),
                "amount": get("amount", codes.amount, False, self.scales.get("amount", 1)),
                "contract_no": r.get("contract_no") or None, "app_date": get("app_date", codes.day),
                "is_deleted": bool(get("is_deleted", codes.flag)), "src_updated_at": get("updated_at", codes.moment)}

    def _payments(self, r, get, bad, raw) -> dict:
        c = self._classified(r, get, bad, raw)
        amt_field = "amount_x" if r.get("amount_x") else "amount"
        date_field = "pay_date_x" if r.get("pay_date_x") else "pay_date"
        amount = get(amt_field, codes.amount, True, self.scales.get(amt_field, 1))
        paid = self._date_in_year(get(date_field, codes.day, True), "pay_date", bad)
        account = re.sub(r"\D", "", r.get("payee_account", ""))
        name = r.get("payee_name") or None
        purpose = " ".join(x for x in dict.fromkeys((r.get("purpose"), r.get("abstract"))) if x) or None
        line = self._ref(r, "line_src_id", bad, False)
        self._agency(c)
        return {"source_table": self.source_table, "src_id": self._src_id(r, get, bad, raw),
                "voucher_no": r.get("voucher_no") or None,
                **{k: v for k, v in c.items() if not k.startswith("_")},
                "line_src_id": line, "line_match": "given" if line else None,
                "pay_type_code": r.get("pay_type_code") or None, "pay_type_name": r.get("pay_type_name") or None,
                "set_mode_code": r.get("set_mode_code") or None, "set_mode_name": r.get("set_mode_name") or None,
                "amount": amount, "pay_date": paid, "pay_month": paid.month if paid else None,
                "payee_name": name, "payee_account_tail": account[-4:] or None,
                "payee_account_hash": hashlib.sha256((self.salt + account).encode()).hexdigest() if account else None,
                "payee_bank": r.get("payee_bank") or None, "payee_kind": payee_kind(name, r.get("payee_kind")),
                "payee_credit_code": (r.get("payee_credit_code") or None), "purpose": purpose,
                "contract_no": r.get("contract_no") or None}


def payee_kind(name: str | None, declared: str | None) -> str:
    """person | unit | unknown: as declared (个人/单位, person/unit), else a 2–4 character Chinese name without
    an organisation word is a person."""
    d = (declared or "").strip().lower()
    if d in ("个人", "person", "p", "自然人"):
        return "person"
    if d in ("单位", "unit", "企业", "u", "org"):
        return "unit"
    if not name:
        return "unknown"
    return "person" if PERSON_NAME.match(name) and not ORG_WORDS.search(name) else "unit"


def _printable(raw: dict) -> dict:
    """The row as sent, for the reject record — without account numbers (personal data)."""
    return {k: ("…" + str(v)[-4:] if "account" in k and v else (str(v) if isinstance(v, Decimal) else v))
            for k, v in raw.items() if not k.startswith("_")}
