"""Seeded anomalies for the family G rules the feed generator (feed/synth_pay.py, A1–A7) does not seed yet, with
the same manifest contract ({id, type, rule, subject, parameters}). Each one leaves the year otherwise normal:

| id  | anomaly | expected |
|-----|---------|----------|
| X05 | the largest project's January–June payments merged into one payment on the last of their dates | G05 |
| X11 | five small 追加 (0.5% each) on the largest 302 basic line, March–July | G11 |
| X12 | a carried-over line (指标类型 上年结转, 30,000 元, no project) that is never paid | G12 |
| X13 | a 预备费 line (功能 2270000) of 0.5% of the unit's budget, used once for 会议 (30215) | G13 |
| X14 | an 一般性转移支付 line to a township (接收区划), issued APPROVAL + 45 days | G14 |
| X15 | every 年初 line issued APPROVAL + 31 days (the 批复 late) | G15 |
| X16 | the largest 310 project line marked 政府采购, paid without a contract number | G16 |

APPROVAL (10 January of the year) is the 人大 approval date the test sets (regions.approval_dates or G15's
approval_date); the synthetic lines are otherwise issued on 20 January.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from ..feed.disclosed import Item
from ..feed.synth import Line, plan_lines
from ..feed.synth_pay import _adjust, _pay, _Payees, business_day, pay_year, write_year
from ..vocab.classes import THREE_PUBLIC

EXTRA = ("X05", "X11", "X12", "X13", "X14", "X15", "X16")


def approval(year: int) -> date:
    return date(year, 1, 10)


def generate_extra(
    doc,
    out: Path,
    *,
    region: str,
    region_name: str,
    agency: str = "001",
    seed: int = 0,
    anomalies: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
) -> dict:
    plan = plan_lines(doc, seed=seed, agency=agency, anomalies=anomalies)
    year = plan.disclosed.year
    if year is None:
        raise ValueError("the disclosure gives no year: no feed year can be generated from it")
    found: list[dict] = []
    patch: dict[str, dict] = {}
    added: list[Line] = []
    base = len(plan.lines)
    if "X12" in extra:
        f = next(ln.func for ln in plan.lines if not ln.is_project)
        ln = Line(f"{year}{agency}C{base + 1:05d}", f, "30299", Decimal("30000.00"))
        added.append(ln)
        patch[ln.src_id] = {"BGT_TYPE_CODE": "2", "BGT_TYPE_NAME": "上年结转", "SOURCE_TYPE_NAME": "上年结转"}
        found.append(_a("X12", "结转指标未使用", "G12", ln.src_id, amount="30000.00"))
    if "X13" in extra:
        total = sum((ln.amount for ln in plan.lines), Decimal(0))
        amount = (total * Decimal("0.005")).quantize(Decimal("0.01"))
        ln = Line(f"{year}{agency}Y{base + 2:05d}", Item("预备费", amount, "2270000"), "30215", amount)
        added.append(ln)
        found.append(_a("X13", "预备费动用于会议", "G13", ln.src_id, amount=str(amount)))
    if "X14" in extra:
        ln = Line(
            f"{year}{agency}T{base + 3:05d}",
            Item("均衡性转移支付支出", Decimal(20000), "2300201"),
            "39999",
            Decimal("20000.00"),
        )
        added.append(ln)
        patch[ln.src_id] = {
            "TP_FUNC_CODE": "2300201",
            "REC_DIV_CODE": region[:6] + "101",
            "DOC_DATE": (approval(year) + timedelta(days=45)).isoformat(),
        }
        found.append(_a("X14", "转移支付逾期下达", "G14", ln.src_id, days=45))
    plan.lines += added
    y = pay_year(plan, region=region, region_name=region_name, agency=agency, seed=seed, anomalies=anomalies)
    payees = _Payees(seed + 99, region_name)
    special = {ln.src_id for ln in added}
    y.payments = [p for p in y.payments if p["line"].src_id not in special]
    projects = sorted((ln for ln in plan.lines if ln.is_project), key=lambda ln: (-ln.amount, ln.src_id))
    if "X05" in extra and projects:
        ln = projects[0]
        early = [p for p in y.payments if p["line"] is ln and p["date"].month <= 6]
        if early:
            merged = _pay(
                ln, max(p["date"] for p in early), sum((p["amount"] for p in early), Decimal(0)), early[-1]["payee"]
            )
            y.payments = [p for p in y.payments if not (p["line"] is ln and p["date"].month <= 6)] + [merged]
            found.append(
                _a(
                    "X05",
                    "单笔大额支付",
                    "G05",
                    ln.src_id,
                    amount=str(merged["amount"]),
                    date=merged["date"].isoformat(),
                )
            )
    if "X11" in extra:
        basic = sorted(
            (ln for ln in plan.lines if not ln.is_project and ln.eco.startswith("302") and ln.eco not in THREE_PUBLIC),
            key=lambda ln: (-ln.amount, ln.src_id),
        )
        if basic:
            ln = basic[0]
            step = (ln.amount * Decimal("0.005")).quantize(Decimal("0.01"))
            for m in range(3, 8):
                _adjust(y, ln, None, step, date(year, m, 12), "追加")
            found.append(_a("X11", "频繁调整", "G11", ln.src_id, count=5))
    if "X13" in extra:
        ln = next(x for x in added if x.func.code == "2270000")
        amount = (ln.amount * Decimal("0.4")).quantize(Decimal("0.01"))
        y.payments.append(_pay(ln, business_day(date(year, 5, 18)), amount, payees.vendors[0], "会议"))
    if "X15" in extra:
        late = (approval(year) + timedelta(days=31)).isoformat()
        for ln in plan.lines:
            patch.setdefault(ln.src_id, {}).setdefault("DOC_DATE", late)
        found.append(
            {
                "id": "X15",
                "type": "预算批复逾期",
                "rule": "G15",
                "subject": {"agency_code": agency},
                "parameters": {"days": 31},
            }
        )
    if "X16" in extra:
        cap = [ln for ln in projects if ln.eco.startswith("310")]
        if cap:
            patch.setdefault(cap[0].src_id, {})["IS_GOV_PUR"] = "1"
            found.append(_a("X16", "政府采购无合同", "G16", cap[0].src_id))
    y.payments.sort(key=lambda p: (p["date"], p["line"].src_id, p["amount"]))
    y.anomalies += found
    manifest = write_year(
        y,
        out,
        seed=seed,
        source={},
        extra={"requested_anomalies": list(anomalies) + list(extra), "approval_date": approval(year).isoformat()},
    )
    _patch_info(out / "BA_BGT_INFO.csv", patch)
    return manifest


def _a(id_: str, kind: str, rule_id: str, line: str, **parameters) -> dict:
    return {"id": id_, "type": kind, "rule": rule_id, "subject": {"line_src_id": line}, "parameters": parameters}


def _patch_info(path: Path, patch: dict[str, dict]) -> None:
    """Set columns of some 指标 rows (adding the 一体化 columns the generator does not write, e.g. TP_FUNC_CODE)."""
    if not patch:
        return
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    for col in sorted({c for p in patch.values() for c in p} - set(header)):
        header.append(col)
        for r in rows[1:]:
            r.append("")
    idx = {c: i for i, c in enumerate(header)}
    for r in rows[1:]:
        for col, v in patch.get(r[idx["BGT_ID"]], {}).items():
            r[idx[col]] = v
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
