"""The synthetic year's adjustments and payments (see synth.py), with the execution anomalies of
docs/feed.md seeded on request, and the writer of the 一体化 CSV layout + manifest.json."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from faker import Faker

from ..vocab.classes import THREE_PUBLIC, THREE_PUBLIC_CODE
from .synth import ZERO, CannotSynthesise, Line, Plan, eco_name, gov_eco
from .synth_layout import ADJSUB, BILL, INFO, VOUCHER, csv_writer

PAY_ANOMALIES = ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "U1")
ALL_ANOMALIES = ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "U1", "R1", "R2", "R3", "R4")
SPLIT_LIMIT = Decimal(50000)  # A3: payments just under it
LARGE = Decimal(1000000)  # G05 large payment: normal payments stay under it
PROFILES = {  # share of a project's money paid per month (Jan…Dec), by keyword of its name
    "会议": (0, 0.55, 0.25, 0, 0, 0, 0, 0, 0.10, 0, 0.10, 0),
    "培训": (0, 0, 0, 0, 0.5, 0, 0, 0, 0.5, 0, 0, 0),
    "设备": (0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0),
    "平台": (0, 0, 0.3, 0, 0, 0, 0, 0.6, 0, 0, 0, 0.1),
    "建设": (0, 0, 0.3, 0, 0, 0, 0, 0.6, 0, 0, 0, 0.1),
}
DEFAULT_PROFILE = (0.08,) * 11 + (0.12,)


@dataclass
class Year:
    plan: Plan
    region: str
    region_name: str
    agency: str
    adjustments: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)  # {line, date, amount, payee, account, bank, purpose}
    anomalies: list[dict] = field(default_factory=list)


def business_day(d: date) -> date:
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


class _Payees:
    def __init__(self, seed: int, region_name: str):
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed + 1)
        self.region = region_name
        self.vendors = [self._unit(self.fake.company()) for _ in range(25)]
        self.retirees = [self._person() for _ in range(6)]

    def _account(self) -> str:
        return "62" + "".join(str(self.rng.randrange(10)) for _ in range(17))

    def _unit(self, name: str) -> tuple[str, str, str]:
        return (
            name,
            self._account(),
            self.rng.choice(("中国工商银行", "中国农业银行", "中国建设银行", "中国银行")) + self.region + "支行",
        )

    def _person(self) -> tuple[str, str, str]:
        return self.fake.name(), self._account(), "中国邮政储蓄银行" + self.region + "支行"

    def fixed(self, eco: str) -> tuple[str, str, str] | None:
        named = {
            "30108": "机关事业单位社会保险中心",
            "30109": "机关事业单位社会保险中心",
            "30110": "医疗保障中心",
            "30111": "医疗保障中心",
            "30112": "医疗保障中心",
            "30113": "住房公积金管理中心",
            "30228": "总工会",
        }
        if eco in named:
            return self._stable(self.region + named[eco])
        if eco.startswith("301"):
            return self._stable(self.region + "财政局工资统发专户")
        return None

    def _stable(self, name: str) -> tuple[str, str, str]:
        digits = str(int(hashlib.sha256(name.encode()).hexdigest(), 16))[:17]
        return name, "15" + digits, "中国工商银行" + self.region + "支行"


def _profile(line: Line, scenario: str, december: float) -> tuple[float, ...]:
    if line.eco.startswith("301") or line.eco in ("30108", "30109", "30110", "30111", "30112", "30113"):
        return (1 / 12,) * 12
    if line.eco.startswith("303") or line.eco == "30228":
        return (1 / 12,) * 12
    if line.pro_name is None:  # not a project (Line.is_project)
        rest = (1 - december) / 11
        return (rest,) * 11 + (december,)
    prof: tuple[float, ...] = next((p for k, p in PROFILES.items() if k in line.pro_name), DEFAULT_PROFILE)
    if scenario == "slow":  # every project starts four months late
        shifted = [0.0] * 4 + list(prof[:8])
        shifted[11] += sum(prof[8:])
        prof = tuple(shifted)
    return prof


def _split(amount: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    if parts <= 1 or amount < 2000:
        return [amount]
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    s = sum(weights)
    out = [(amount * Decimal(w / s)).quantize(Decimal("0.01")) for w in weights[:-1]]
    return out + [amount - sum(out, ZERO)]


def pay_year(
    plan: Plan,
    *,
    region: str,
    region_name: str,
    agency: str,
    seed: int = 0,
    scenario: str = "normal",
    december: float = 0.23,
    anomalies: tuple[str, ...] = (),
) -> Year:
    rng = random.Random(seed * 7919 + 17)
    payees = _Payees(seed, region_name)
    y = Year(plan, region, region_name, agency)
    year = plan.disclosed.year
    if year is None:  # the payments are dated in it
        raise CannotSynthesise("该公开文件没有预算年度：无法生成支付")
    projects = sorted(
        (ln for ln in plan.lines if ln.is_project and ln.eco not in THREE_PUBLIC),
        key=lambda ln: (-ln.amount, ln.src_id),
    )
    special: dict[str, str] = {}
    if "A1" in anomalies and projects:
        special[projects[0].src_id] = "A1"
    if "A2" in anomalies and len(projects) > 1:
        special[projects[1].src_id] = "A2"
    if "A3" in anomalies and len(projects) > 2:
        special[projects[2].src_id] = "A3"
    if "A5" in anomalies:
        quiet = next((ln for ln in projects[4:] if ln.amount >= 100000 and ln.src_id not in special), None)
        if quiet:
            special[quiet.src_id] = "A5"
    _ordinary_transfer(y, year, rng)
    if "A6" in anomalies:
        _anomaly_A6(y, year, payees)
    if "A7" in anomalies and len(projects) > 3:
        ln = projects[3]
        add = (ln.amount * Decimal("0.25")).quantize(Decimal("0.01"))
        _adjust(y, ln, None, add, date(year, 11, 3), "追加")
        y.anomalies.append(
            {
                "id": "A7",
                "type": "大额追加",
                "rule": "G10",
                "subject": {"line_src_id": ln.src_id},
                "parameters": {"amount": str(add), "date": f"{year}-11-03"},
            }
        )
    person_line = None
    if "A4" in anomalies:
        cands = [ln for ln in plan.lines if ln.eco in ("30201", "30299", "30239") and ln.src_id not in special]
        person_line = max(cands, key=lambda ln: ln.amount, default=None)
    for ln in plan.lines:
        kind = special.get(ln.src_id)
        available = (
            ln.amount
            + sum((a["amount"] for a in y.adjustments if a["line"] is ln and not a.get("paid_separately")), ZERO)
            - sum((a["amount"] for a in y.adjustments if a["from"] is ln), ZERO)
        )
        if kind == "A5":
            y.anomalies.append(
                {
                    "id": "A5",
                    "type": "项目未执行",
                    "rule": "G08",
                    "subject": {"line_src_id": ln.src_id},
                    "parameters": {"amount": str(ln.amount)},
                }
            )
            continue
        fixed = payees.fixed(ln.eco)
        share = 1.0 if fixed else rng.uniform(0.93, 0.995) if ln.is_project else rng.uniform(0.96, 1.0)
        if kind == "A2":
            share = 1.12
        total = (available * Decimal(share)).quantize(Decimal("0.01"))
        if kind in ("A3",) or ln is person_line:
            total = min(total, (available * Decimal("0.99")).quantize(Decimal("0.01")))
        injected = _inject(y, ln, kind, person_line, payees, rng, year, available)
        total -= sum((p["amount"] for p in injected), ZERO)
        profile = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0.3, 0, 0.7) if kind == "A1" else _profile(ln, scenario, december)
        vendors = rng.sample(payees.vendors, 3)
        months = [(m + 1, w) for m, w in enumerate(profile) if w > 0]
        paid = ZERO
        for i, (month, w) in enumerate(months):
            amount = total - paid if i == len(months) - 1 else (total * Decimal(w)).quantize(Decimal("0.01"))
            paid += amount
            parts = 1 if fixed else rng.randint(1, 3)
            if kind == "A1":
                parts = max(3, int(amount / (LARGE * Decimal("0.9"))) + 1)
            while amount / parts >= LARGE:
                parts += 1
            for k, part in enumerate(_split(amount, parts, rng)):
                if part <= 0:
                    continue
                who = fixed or (payees.retirees[k % 6] if ln.eco.startswith("303") else rng.choice(vendors))
                day = business_day(date(year, month, rng.randint(3, 28)))
                y.payments.append(_pay(ln, day, part, who))
        y.payments += injected
    if "U1" in anomalies:
        _anomaly_U1(y, year, payees)
    if person_line is not None:
        y.anomalies.append(
            {
                "id": "A4",
                "type": "向个人支付",
                "rule": "G07",
                "subject": {"line_src_id": person_line.src_id},
                "parameters": {"date": f"{year}-08-17"},
            }
        )
    y.payments.sort(key=lambda p: (p["date"], p["line"].src_id, p["amount"]))
    return y


def _pay(
    ln: Line, day: date, amount: Decimal, who: tuple[str, str, str], purpose: str | None = None, matched: bool = True
) -> dict:
    return {
        "line": ln,
        "date": day,
        "amount": amount,
        "payee": who,
        "matched": matched,
        "purpose": purpose or (ln.pro_name or eco_name(ln.eco) or "支出"),
    }


def _inject(
    y: Year, ln: Line, kind: str | None, person_line, payees: _Payees, rng, year: int, available: Decimal
) -> list[dict]:
    out = []
    if kind == "A3":
        vendor = payees._unit(payees.fake.company())
        day = date(year, 9, 4)
        amounts = []
        for i in range(4):
            a = Decimal(rng.randint(49600, 49990))
            amounts.append(a)
            out.append(_pay(ln, business_day(day + timedelta(days=2 * i)), a, vendor, "设备及服务采购"))
        y.anomalies.append(
            {
                "id": "A3",
                "type": "拆分支付",
                "rule": "G06",
                "subject": {"line_src_id": ln.src_id},
                "parameters": {"payee": vendor[0], "amounts": [str(a) for a in amounts], "first_date": f"{year}-09-04"},
            }
        )
    if ln is person_line:
        amount = min(Decimal(18600), (available * Decimal("0.4")).quantize(Decimal("0.01")))
        person = payees._person()
        out.append(_pay(ln, business_day(date(year, 8, 17)), amount, person, "劳务报酬"))
    if kind == "A1":
        y.anomalies.append(
            {
                "id": "A1",
                "type": "年底突击",
                "rule": "G02",
                "subject": {"line_src_id": ln.src_id},
                "parameters": {"october": 0.3, "december": 0.7},
            }
        )
    if kind == "A2":
        y.anomalies.append(
            {
                "id": "A2",
                "type": "超指标支付",
                "rule": "G03",
                "subject": {"line_src_id": ln.src_id},
                "parameters": {"paid_share": 1.12},
            }
        )
    return out


def _adjust(y: Year, to: Line, frm: Line | None, amount: Decimal, day: date, kind: str) -> None:
    y.adjustments.append(
        {
            "id": f"{y.plan.disclosed.year}{y.agency}ADJ{len(y.adjustments) + 1:04d}",
            "line": to,
            "from": frm,
            "amount": amount,
            "date": day,
            "kind": kind,
        }
    )


def _ordinary_transfer(y: Year, year: int, rng) -> None:
    """One ordinary 调剂 in July: 5% between the two largest 302 basic lines (never a 三公 line)."""
    c = sorted(
        (ln for ln in y.plan.lines if ln.eco.startswith("302") and not ln.is_project and ln.eco not in THREE_PUBLIC),
        key=lambda ln: (-ln.amount, ln.src_id),
    )
    if len(c) >= 2:
        amount = (c[0].amount * Decimal("0.05")).quantize(Decimal("1"))
        _adjust(y, c[1], c[0], amount, date(year, 7, 14), "调剂")


def _anomaly_A6(y: Year, year: int, payees: _Payees) -> None:
    for code in (THREE_PUBLIC_CODE[k] for k in ("running", "reception")):
        ln = next((ln for ln in y.plan.lines if ln.eco == code), None)
        if ln is None:
            continue
        add = (ln.amount * Decimal("0.5")).quantize(Decimal("0.01"))
        _adjust(y, ln, None, add, date(year, 11, 12), "追加")
        y.adjustments[-1]["paid_separately"] = True
        ln_pay = _pay(ln, business_day(date(year, 11, 20)), add, payees.vendors[1], THREE_PUBLIC[code])
        y.payments.append(ln_pay)
        y.anomalies.append(
            {
                "id": "A6",
                "type": "三公经费超预算",
                "rule": "G09",
                "subject": {"dep_eco_code": code},
                "parameters": {"line_src_id": ln.src_id, "added": str(add), "paid_date": f"{year}-11-20"},
            }
        )
        return


def _anomaly_U1(y: Year, year: int, payees: _Payees) -> None:
    """A payment no application links to and whose attributes fit no line (an unknown project code)."""
    ln = next(ln for ln in y.plan.lines if not ln.is_project)
    ghost = Line("", ln.func, "30299", Decimal("12800.00"), "未列入指标的支出", f"{year}{y.agency}9999")
    p = _pay(ghost, business_day(date(year, 6, 15)), Decimal("12800.00"), payees.vendors[0], "其他支出", False)
    y.payments.append(p)
    y.anomalies.append(
        {
            "id": "U1",
            "type": "支付无对应指标",
            "rule": "match",
            "subject": {"pay_index": None},
            "parameters": {"amount": "12800.00", "date": f"{year}-06-15"},
        }
    )
    y.anomalies[-1]["_payment"] = p


# — writing the 一体化 CSV layout —


def write_year(
    y: Year,
    out: Path,
    *,
    seed: int,
    source: dict,
    encoding: str = "utf-8",
    agency_name: str | None = None,
    extra: dict | None = None,
) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    year, region = y.plan.disclosed.year, y.region
    name = agency_name or y.plan.disclosed.unit or ""
    stamp = f"{year}-01-20 09:00:00"
    doc_no = f"{y.region_name}财预〔{year}〕1号"
    with csv_writer(out / "BA_BGT_INFO.csv", INFO, encoding) as w:
        for ln in y.plan.lines:
            w.writerow(
                [
                    ln.src_id,
                    region,
                    year,
                    y.agency,
                    name,
                    ln.func.code,
                    ln.func.name,
                    ln.eco,
                    eco_name(ln.eco),
                    gov_eco(ln.eco),
                    ln.pro_code or "",
                    ln.pro_name or "",
                    "1",
                    "一般公共预算资金",
                    "1",
                    "年初预算",
                    "1",
                    "本级财力",
                    f"{ln.amount:.2f}",
                    doc_no,
                    f"关于批复{year}年部门预算的通知",
                    f"{year}-01-20",
                    "0",
                    stamp,
                    "0",
                ]
            )
    with csv_writer(out / "BA_BGT_ADJSUB.csv", ADJSUB, encoding) as w:
        for a in y.adjustments:
            ln = a["line"]
            w.writerow(
                [
                    a["id"],
                    region,
                    year,
                    ln.src_id,
                    a["from"].src_id if a["from"] else "",
                    y.agency,
                    ln.func.code,
                    ln.eco,
                    ln.pro_code or "",
                    f"{a['amount']:.2f}",
                    a["date"].isoformat(),
                    f"{a['date']:%m}",
                    a["kind"],
                    f"{y.region_name}财预〔{year}〕{a['date']:%m%d}号",
                    f"{a['date']} 10:00:00",
                    "0",
                ]
            )
    unmatched = None
    with (
        csv_writer(out / "PAY_VOUCHER_BILL.csv", BILL, encoding) as w,
        csv_writer(out / "PAY_VOUCHER.csv", VOUCHER, encoding) as wv,
    ):
        for i, p in enumerate(y.payments, 1):
            ln, (who, acct, bank) = p["line"], p["payee"]
            cert = f"{year}{y.agency}PC{i:07d}"
            w.writerow(
                [
                    cert,
                    f"{year}{i:08d}",
                    region,
                    year,
                    p["date"].isoformat(),
                    f"{p['amount']:.2f}",
                    p["date"].isoformat(),
                    f"{p['amount']:.2f}",
                    y.agency,
                    name,
                    ln.func.code,
                    ln.func.name,
                    ln.eco,
                    eco_name(ln.eco),
                    gov_eco(ln.eco),
                    ln.pro_code or "",
                    ln.pro_name or "",
                    "1",
                    "1",
                    "国库集中支付",
                    "2",
                    "转账",
                    who,
                    acct,
                    bank,
                    p["purpose"],
                    f"{p['date']} 16:00:00",
                    "0",
                ]
            )
            if p["matched"]:
                wv.writerow(
                    [
                        f"{year}{y.agency}PA{i:07d}",
                        f"SQ{year}{i:08d}",
                        region,
                        year,
                        cert,
                        ln.src_id,
                        f"{p['amount']:.2f}",
                        p["date"].isoformat(),
                        f"{p['date']} 15:00:00",
                        "0",
                    ]
                )
            else:
                unmatched = cert
    anomalies = sorted(y.plan.anomalies + y.anomalies, key=lambda a: a["id"])
    for a in anomalies:
        if a.pop("_payment", None) is not None:
            a["subject"] = {"pay_cert_id": unmatched}
    manifest = {
        "synthetic": True,
        "generator": "budgetwatch feed synth",
        "seed": seed,
        "source": source,
        "region": region,
        "region_name": y.region_name,
        "region_alias": y.region_name,
        "fiscal_year": year,
        "agency_code": y.agency,
        "agency_name": name,
        "invariants": {
            "projects_exact": y.plan.exact_projects,
            "function_gaps": y.plan.gaps,
            "lines": len(y.plan.lines),
            "adjustments": len(y.adjustments),
            "payments": len(y.payments),
        },
        "anomalies": anomalies,
        **(extra or {}),
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
    )
    return manifest


def generate(
    doc,
    out: Path,
    *,
    region: str,
    region_name: str,
    agency: str = "001",
    seed: int = 0,
    anomalies: tuple[str, ...] = (),
    scenario: str = "normal",
    source: dict | None = None,
    encoding: str = "utf-8",
) -> dict:
    """A synthetic year for one disclosed document, written to `out`; returns the manifest."""
    from .synth import plan_lines

    plan = plan_lines(doc, seed=seed, agency=agency, anomalies=anomalies)
    y = pay_year(
        plan, region=region, region_name=region_name, agency=agency, seed=seed, scenario=scenario, anomalies=anomalies
    )
    return write_year(
        y,
        out,
        seed=seed,
        source=source or {},
        encoding=encoding,
        extra={"scenario": scenario, "requested_anomalies": list(anomalies)},
    )
