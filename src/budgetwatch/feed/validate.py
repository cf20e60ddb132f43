"""One validation for every way in (files, push, database link): rows of canonical fields (feed/presets.py)
become rows of the feed model, or typed rejects with a reason in Chinese.

Validation works on a chunk of rows one column at a time, not one row object at a time: each column's texts are
parsed by one parser with a memo (a feed repeats its codes, dates, payees and accounts thousands of times), the
errors are collected per row, and the valid rows come out as plain tuples in the model's column order (COLUMNS),
ready for COPY / executemany. A row is rejected when any of its fields is bad; its rejects carry the row as sent."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import String

from . import codes
from .codes import Bad
from .model import TABLES

REASONS = {
    "E_REQUIRED": "缺少必填字段",
    "E_AMOUNT": "金额无效",
    "E_CODE": "科目编码无效",
    "E_DATE": "日期无效",
    "E_DUP": "主键重复",
    "E_UNKNOWN_LINE": "指标不存在",
    "E_COLUMN": "缺少必需的列",
    "E_ENCODING": "文件编码无法识别",
    "E_REGION": "财政区划不符",
    "E_YEAR": "预算年度不符",
    "E_VALUE": "取值无效",
    "E_FILE": "文件无法读取",
    "E_TABLE": "无法识别的数据表",
    "E_LENGTH": "文字过长",
}
FIELD_ZH = {
    "src_id": "主键",
    "agency_code": "单位编码",
    "exp_func": "功能科目",
    "dep_eco": "部门经济科目",
    "gov_eco": "政府经济科目",
    "amount": "金额",
    "pay_date": "支付日期",
    "line_src_id": "指标主键",
    "from_line_src_id": "源指标主键",
    "pay_cert_id": "支付凭证主键",
    "doc_date": "发文日期",
    "adj_date": "调整日期",
    "app_date": "申请日期",
    "region": "财政区划",
    "year": "预算年度",
}
MAX_ID = 40
MEMO_MAX = 200_000  # parsed values kept per parser (memory stays bounded on a feed of distinct amounts)
PERSON_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
ORG_WORDS = re.compile(r"公司|中心|局|委|办|院|校|所|站|厂|店|部|会|社|行|处|队|馆|室|政府|银行|医院|账户|专户")
_NOT_DIGIT = re.compile(r"\D")
_SET_BY_LOADER = ("id", "region_code", "fiscal_year", "batch_id")
# the model columns a validated row carries, in table order (the loader adds region, year and batch)
COLUMNS = {
    name: tuple(c.name for c in t.c if c.name not in _SET_BY_LOADER)
    for name, t in TABLES.items()
    if name in ("lines", "adjustments", "applications", "payments")
}
# each text column's length limit (String(n)) where the column takes a text as sent; the ones the Validator makes
# itself fit by construction (normalised codes, the account's hash and tail, kinds and the match) are not looked at
MADE_TO_FIT = frozenset(
    ("exp_func_code", "dep_eco_code", "gov_eco_code", "payee_account_tail", "payee_account_hash", "payee_kind")
    + ("line_match", "source_table")
)
LIMITS = {
    name: [
        (c, n)
        for c in cols
        if c not in MADE_TO_FIT and isinstance(t := TABLES[name].c[c].type, String) and (n := t.length)
    ]
    for name, cols in COLUMNS.items()
}
_SKIP = None  # a text not to look at (another field of the row is the one used)


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
        return {
            "table": self.table,
            "file": self.file,
            "row_no": self.row_no,
            "field": self.field,
            "code": self.code,
            "reason": REASONS.get(self.code, self.code),
            "message": self.message,
        }


@dataclass
class Validator:
    """Validates rows of one table for one region and fiscal year. `known_lines`: the BGT_IDs a reference
    may name (the region-year's stored lines plus this batch's); `salt`: for payee account hashes."""

    table: str
    region: str
    year: int
    salt: str = ""
    known_lines: set[str] = field(default_factory=set)
    agencies: dict[str, str | None] = field(default_factory=dict)  # agency_code → name, seen in the rows
    scales: dict[str, Decimal] = field(default_factory=dict)  # amount field → 1 (元) or 10000 (万元)
    source_table: str = "PAY_VOUCHER_BILL"

    def __post_init__(self):
        self._memo: dict[Any, dict] = {}
        self.columns = COLUMNS[self.table]
        # the rows being validated, as chunk's (row number, {field: text}); by_column's texts by field, else None
        self._rows: list[tuple[int, dict]] | _Rows
        self._file: str | None
        self._texts: dict[str, Sequence[str]] | None

    # — the interface —
    def chunk(
        self, rows: list[tuple[int, dict]], file: str | None = None
    ) -> tuple[list[tuple[int, tuple]], list[list[Reject]]]:
        """rows: [(row number, {canonical field: text as sent (or a number)})] → the valid rows as (row number,
        values in self.columns order) and, per rejected row, its rejects."""
        self._rows, self._file, self._texts = rows, file, None
        self._dicts = [d for _, d in rows]
        self._errs: dict[int, list[Reject]] = {}
        keys: set[str] = set()
        for _, d in rows:
            keys.update(d)
        self._keys = keys
        self._check_place()
        cols = getattr(self, "_" + self.table)()
        self._check_lengths(cols)
        n = len(rows)
        values = zip(*[cols.get(c) or [None] * n for c in self.columns])
        errs = self._errs
        if not errs:
            return [(rows[i][0], v) for i, v in enumerate(values)], []
        good = [(rows[i][0], v) for i, v in enumerate(values) if i not in errs]
        return good, [errs[i] for i in sorted(errs)]

    def by_column(
        self, row_nos: range, texts: dict[str, Sequence[str]], file: str | None = None
    ) -> tuple[dict[str, list], dict[int, list[Reject]]]:
        """chunk's columnar twin for a file's rows, each field's cells in one sequence (texts[field]): the model's
        columns (self.columns, the rejected rows' places included) and the rejects by row index."""
        self._rows, self._file, self._texts = _Rows(row_nos, texts), file, texts
        self._errs = {}
        self._keys = set(texts)
        self._check_place()
        cols = getattr(self, "_" + self.table)()
        self._check_lengths(cols)
        n = len(row_nos)
        return {c: cols.get(c) or [None] * n for c in self.columns}, self._errs

    def row(self, raw: dict[str, Any], row_no: int | None, file: str | None = None) -> dict | list[Reject]:
        """One row: the model row as a dict, or its rejects."""
        good, bad = self.chunk([(row_no or 0, raw)], file)
        return bad[0] if bad else dict(zip(self.columns, good[0][1]))

    def _check_lengths(self, cols: dict[str, list]) -> None:
        """A text longer than its column holds is the row's reject (PostgreSQL would refuse the whole load; SQLite
        would keep it uncut), unless the field has its reject already (a key over MAX_ID). One pass in C per text
        column finds whether any is too long; then its rows."""
        for c, limit in LIMITS[self.table]:
            col = cols.get(c)
            if not col or max(map(len, filter(None, col)), default=0) <= limit:
                continue
            for i, v in enumerate(col):
                if v and len(v) > limit and not any(r.field == c for r in self._errs.get(i, ())):
                    self._bad(i, "E_LENGTH", f"{FIELD_ZH.get(c, c)}超过{limit}个字符（{len(v)}个）", c)

    # — column helpers —
    def _text(self, fld: str) -> list[str]:
        if fld not in self._keys:
            return [""] * len(self._rows)
        if self._texts is not None:
            return list(map(str.strip, self._texts[fld]))
        try:  # every row has the field as text (files): one C-level pass
            return list(map(str.strip, map(itemgetter(fld), self._dicts)))
        except (KeyError, TypeError):
            return [
                ("" if v is None else v.strip() if type(v) is str else str(v).strip())
                for v in (d.get(fld) for d in self._dicts)
            ]

    def _bad(self, i: int, code: str, message: str, fld: str | None) -> None:
        row_no, raw = self._rows[i]
        self._errs.setdefault(i, []).append(Reject(self.table, row_no, code, message, fld, self._file, _printable(raw)))

    def _required(self, i: int, fld: str) -> None:
        self._bad(i, "E_REQUIRED", f"缺少{FIELD_ZH.get(fld, fld)}（{fld}）", fld)

    def _parse(
        self,
        texts: list,
        parse: Callable,
        fld: str,
        required: bool = False,
        scale=None,
        fields: list[str] | None = None,
    ) -> list:
        """Each text parsed once per distinct value; an empty text is None (or E_REQUIRED), a _SKIP text None."""
        memo = self._memo.setdefault((parse, scale), {})
        seen = set(texts)
        new = seen.difference(memo)
        new.discard("")
        new.discard(_SKIP)
        bad = self._memo.setdefault(("bad", parse, scale), {})  # the memo's texts that did not parse
        if len(memo) + len(new) <= MEMO_MAX:
            # the common case in C: the distinct new texts parsed, then every text looked up; a row is visited
            # one by one only where it is empty and required, or its text did not parse
            for t in new:
                try:
                    memo[t] = parse(t) if scale is None else parse(t, scale)
                except Bad as e:
                    memo[t] = bad[t] = e
            out: list = list(map(memo.get, texts))
            if (required and "" in seen) or not seen.isdisjoint(bad):
                for i, t in enumerate(texts):
                    if t in bad:
                        self._bad(i, bad[t].code, bad[t].message, fields[i] if fields else fld)
                        out[i] = None
                    elif t == "" and required:
                        self._required(i, fields[i] if fields else fld)
            return out
        out = [None] * len(texts)
        for i, t in enumerate(texts):
            if not t:
                if required and t is not _SKIP:
                    self._required(i, fields[i] if fields else fld)
                continue
            v = memo.get(t, memo)
            if v is memo:
                try:
                    v = parse(t) if scale is None else parse(t, scale)
                except Bad as e:
                    v = bad[t] = e
                if len(memo) < MEMO_MAX:
                    memo[t] = v
            if isinstance(v, Bad):
                self._bad(i, v.code, v.message, fields[i] if fields else fld)
                continue
            out[i] = v
        return out

    def _or_none(self, fld: str) -> list:
        return [t or None for t in self._text(fld)]

    def _flag(self, fld: str) -> list:
        return [bool(v) for v in self._parse(self._text(fld), codes.flag, fld)]

    def _ref(self, fld: str, required: bool) -> list:
        out = self._or_none(fld)
        known = self.known_lines
        for i, v in enumerate(out):
            if v is None:
                if required:
                    self._required(i, fld)
            elif v not in known:
                self._bad(i, "E_UNKNOWN_LINE", f"{FIELD_ZH.get(fld, fld)}“{v}”在本区划本年度的指标中不存在", fld)
        return out

    def _in_year(self, days: list, fld: str) -> list:
        lo, hi = self.year - 1, self.year + 1
        for i, d in enumerate(days):
            if d is not None and not lo <= d.year <= hi:
                self._bad(i, "E_DATE", f"{FIELD_ZH.get(fld, fld)}{d.isoformat()}不在{self.year}预算年度前后", fld)
        return days

    def _amounts(self, fld: str, required: bool) -> list:
        return self._parse(self._text(fld), codes.amount, fld, required, self.scales.get(fld, 1))

    def _src_id(self, fld: str = "src_id") -> list:
        out = self._text(fld)
        for i, v in enumerate(out):
            if not v:
                # no key column: a key from the content, so the same row re-sent is the same row
                raw = self._rows[i][1]
                out[i] = "h:" + hashlib.sha1(repr(sorted(raw.items())).encode()).hexdigest()[:24]
            elif len(v) > MAX_ID:
                self._bad(i, "E_VALUE", f"主键“{v[:50]}”超过{MAX_ID}个字符", fld)
        return out

    # — shared parts —
    def _check_place(self) -> None:
        if "region" in self._keys:
            texts = self._text("region")
            for i, code in enumerate(self._parse(texts, codes.region_code, "region")):
                if code is not None and code != self.region:
                    self._bad(i, "E_REGION", f"财政区划“{texts[i]}”与批次的{self.region}不符", "region")
        if "year" in self._keys:
            want = str(self.year)
            for i, y in enumerate(self._text("year")):
                if y and y != want:
                    self._bad(i, "E_YEAR", f"预算年度“{y}”与批次的{self.year}不符", "year")

    def _classified(self) -> dict[str, list]:
        split = self._memo.setdefault("split", {})

        def split_col(fld: str) -> list[tuple]:
            out = []
            for t in self._text(fld):
                v = split.get(t)
                if v is None:
                    v = codes.split_code_name(t)
                    if len(split) < MEMO_MAX:
                        split[t] = v
                out.append(v)
            return out

        func_texts = self._text("exp_func")
        func = split_col("exp_func")
        func_raw = [c for c, _ in func]
        need_func = self.table in ("lines", "payments")
        for i, (raw, t) in enumerate(zip(func_raw, func_texts)):
            if raw is None and (t or need_func):
                if t:
                    self._bad(i, "E_CODE", f"功能科目“{t}”缺少编码", "exp_func")
                else:
                    self._bad(i, "E_REQUIRED", "缺少功能科目（exp_func）", "exp_func")
        out: dict[str, list] = {
            "exp_func_code_raw": func_raw,
            "exp_func_code": self._parse(func_raw, codes.func_code, "exp_func"),
            "exp_func_name": [given or name for given, (_, name) in zip(self._or_none("exp_func_name"), func)],
        }
        for kind in ("dep", "gov"):
            parts = split_col(f"{kind}_eco")
            raws = [c for c, _ in parts]
            out[f"{kind}_eco_code_raw"] = raws
            out[f"{kind}_eco_code"] = self._parse(raws, _ECO[kind], f"{kind}_eco")
            out[f"{kind}_eco_name"] = [
                given or name for given, (_, name) in zip(self._or_none(f"{kind}_eco_name"), parts)
            ]
        names = self._or_none("agency_name")
        agency: list[str | None] = list(self._text("agency_code"))
        need_agency = self.table in ("lines", "payments")
        for i, a in enumerate(agency):
            if not a and names[i]:  # older exports name the unit only: a key from the name
                agency[i] = "n:" + hashlib.sha1(codes.normalise_name(names[i]).encode()).hexdigest()[:16]
            elif not a:
                agency[i] = None
                if need_agency:
                    self._bad(i, "E_REQUIRED", "缺少单位编码（agency_code）", "agency_code")
        out.update(
            agency_code=agency,
            pro_code=self._or_none("pro_code"),
            fund_type_code=self._or_none("fund_type_code"),
            is_deleted=self._flag("is_deleted"),
            src_updated_at=self._parse(self._text("updated_at"), codes.moment, "updated_at"),
        )
        self._agency_names = names
        return out

    def _note_agencies(self, c: dict[str, list]) -> None:
        seen = self.agencies
        for code, name in zip(c["agency_code"], self._agency_names):
            if code and (code not in seen or name and not seen[code]):
                seen[code] = name

    # — one per table —
    def _lines(self) -> dict[str, list]:
        c = self._classified()
        c.update(
            src_id=self._src_id(),
            agency_name=self._agency_names,
            amount=self._amounts("amount", True),
            doc_date=self._in_year(self._parse(self._text("doc_date"), codes.day, "doc_date"), "doc_date"),
            is_gov_pur=self._parse(self._text("is_gov_pur"), codes.flag, "is_gov_pur"),
        )
        for f in (
            "pro_name",
            "fund_type_name",
            "bgt_type_code",
            "bgt_type_name",
            "source_type_code",
            "source_type_name",
            "budget_level_code",
            "tp_func_code",
            "rec_div_code",
            "doc_no",
            "doc_title",
        ):
            c[f] = self._or_none(f)
        self._note_agencies(c)
        self.known_lines.update(c["src_id"])
        return c

    def _adjustments(self) -> dict[str, list]:
        c = self._classified()
        c.update(
            src_id=self._src_id(),
            line_src_id=self._ref("line_src_id", True),
            from_line_src_id=self._ref("from_line_src_id", False),
            adj_date=self._in_year(self._parse(self._text("adj_date"), codes.day, "adj_date"), "adj_date"),
            amount=self._amounts("amount", True),
            kind=self._or_none("kind"),
            batch_no=self._or_none("batch_no"),
            doc_no=self._or_none("doc_no"),
        )
        return c

    def _applications(self) -> dict[str, list]:
        pay_cert = self._or_none("pay_cert_id")
        for i, v in enumerate(pay_cert):
            if v is None:
                self._required(i, "pay_cert_id")
        return {
            "src_id": self._src_id(),
            "app_no": self._or_none("app_no"),
            "pay_cert_id": pay_cert,
            "line_src_id": self._ref("line_src_id", True),
            "amount": self._amounts("amount", False),
            "contract_no": self._or_none("contract_no"),
            "app_date": self._parse(self._text("app_date"), codes.day, "app_date"),
            "is_deleted": self._flag("is_deleted"),
            "src_updated_at": self._parse(self._text("updated_at"), codes.moment, "updated_at"),
        }

    def _payments(self) -> dict[str, list]:
        c = self._classified()
        n = len(self._rows)
        # the actual amount and date (XPAY_*) where sent, else the voucher's
        ax, a = self._text("amount_x"), self._text("amount")
        amounts_x = self._parse(ax, codes.amount, "amount_x", False, self.scales.get("amount_x", 1))
        amounts = self._parse(
            [_SKIP if x else t for x, t in zip(ax, a)], codes.amount, "amount", True, self.scales.get("amount", 1)
        )
        dx, d = self._text("pay_date_x"), self._text("pay_date")
        fields = ["pay_date_x" if x else "pay_date" for x in dx]
        paid = self._in_year(
            self._parse([x or t for x, t in zip(dx, d)], codes.day, "pay_date", True, fields=fields), "pay_date"
        )
        line = self._ref("line_src_id", False)
        accounts = self._memo.setdefault("account", {})
        tails: list[str | None] = [None] * n
        hashes: list[str | None] = [None] * n
        salt = self.salt
        for i, t in enumerate(self._text("payee_account")):
            if not t:
                continue
            v = accounts.get(t)
            if v is None:
                v = account_parts(t, salt)
                if len(accounts) < MEMO_MAX:
                    accounts[t] = v
            tails[i], hashes[i] = v
        payee = self._or_none("payee_name")
        kinds = self._memo.setdefault("kind", {})
        payee_kinds = []
        for name, declared in zip(payee, self._text("payee_kind")):
            k = kinds.get((name, declared))
            if k is None:
                k = payee_kind(name, declared)
                if len(kinds) < MEMO_MAX:
                    kinds[(name, declared)] = k
            payee_kinds.append(k)
        purposes = []
        for p, ab in zip(self._text("purpose"), self._text("abstract")):
            purposes.append(f"{p} {ab}" if p and ab and p != ab else p or ab or None)
        c.update(
            source_table=[self.source_table] * n,
            src_id=self._src_id(),
            voucher_no=self._or_none("voucher_no"),
            line_src_id=line,
            line_match=["given" if x else None for x in line],
            amount=[x if t else y for t, x, y in zip(ax, amounts_x, amounts)],
            pay_date=paid,
            pay_month=[p.month if p else None for p in paid],
            payee_name=payee,
            payee_account_tail=tails,
            payee_account_hash=hashes,
            payee_bank=self._or_none("payee_bank"),
            payee_kind=payee_kinds,
            payee_credit_code=self._or_none("payee_credit_code"),
            purpose=purposes,
            contract_no=self._or_none("contract_no"),
        )
        for f in ("pay_type_code", "pay_type_name", "set_mode_code", "set_mode_name"):
            c[f] = self._or_none(f)
        self._note_agencies(c)
        return c


def _dep_eco(t: str) -> str:
    return codes.eco_code(t, "dep")


def _gov_eco(t: str) -> str:
    return codes.eco_code(t, "gov")


_ECO = {"dep": _dep_eco, "gov": _gov_eco}


def account_parts(account: str, salt: str) -> tuple[str | None, str | None]:
    """A payee account (stripped text) → its last 4 digits and the salted sha256 of its digits."""
    digits = _NOT_DIGIT.sub("", account)
    return digits[-4:] or None, hashlib.sha256((salt + digits).encode()).hexdigest() if digits else None


class _Rows:
    """The rows of Validator.columns as chunk's (row number, {field: text}), made when a reject needs one."""

    def __init__(self, row_nos: range, texts: dict[str, Sequence[str]]):
        self.row_nos, self.texts = row_nos, texts

    def __len__(self) -> int:
        return len(self.row_nos)

    def __getitem__(self, i: int) -> tuple[int, dict]:
        return self.row_nos[i], {f: cells[i] for f, cells in self.texts.items()}


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
    return {
        k: ("…" + str(v)[-4:] if "account" in k and v else (str(v) if isinstance(v, Decimal) else v))
        for k, v in raw.items()
        if not k.startswith("_")
    }
