"""执行监控 pages (family G on the 联网 feed): a region's execution overview, a unit's months, a line's payments
with the rule hits explained, payees, and the execution findings with filters. Each page answers JSON with
`?format=json` and downloads its table with `?format=csv|xlsx`; decisions are posted to the /api twin."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, HTTPException, Path as FastPath, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from ...checks.rule import RULES, SEVERITY_ZH
from ...errors import NotFound
from ...execution import figures as EF, queries as EQ
from ...execution.run import STATUSES, decide as run_decide, default_as_of
from ...execution.view import time_share
from ...feed import queries as FQ
from ...vocab import enums as vocab
from .. import feed_scope as scope
from ..downloads import table_response
from ..fastjson import FastJSON
from ..templating import render

router = APIRouter(tags=["execution"], include_in_schema=False)  # pages; JSON twins by ?format=json
Region = FastPath(..., pattern=r"^\d{9}$", description="9-digit 财政区划 code")
Year = FastPath(..., ge=1990, le=2100)
AsOf = Query(None, description="as of this date (YYYY-MM-DD); default: the newest data")
Fmt = Query(None, pattern="^(html|json|csv|xlsx)$", description="html (default), json, or a csv/xlsx download")
UNIT_COLUMNS = {
    "agency_code": "单位编码",
    "agency_name": "单位",
    "budget": "年初指标(元)",
    "adjusted": "调整(元)",
    "current": "调整后指标(元)",
    "paid": "已支付(元)",
    "rate": "执行率",
    "gap": "与序时进度差(百分点)",
    "flag": "预警",
    "red": "红色",
    "orange": "橙色",
}
FINDING_COLUMNS = {
    "id": "编号",
    "rule": "规则",
    "title": "名称",
    "severity_zh": "严重程度",
    "level_zh": "等级",
    **EQ.FINDING_DETAIL_COLUMNS,
}
PAYMENT_COLUMNS = {
    "pay_date": "支付日期",
    "src_id": "凭证编号",
    "amount": "金额(元)",
    "payee_name": "收款人",
    "payee_kind": "收款人类型",
    "purpose": "用途",
    "contract_no": "合同编号",
    "line_match": "指标关联",
}
PAYEE_COLUMNS = {
    "payee_name": "收款人",
    "payee_kind": "类型",
    "payments": "笔数",
    "total": "金额(元)",
    "units": "付款单位数",
    "first": "首笔",
    "last": "末笔",
}


def conn(request: Request):
    with request.app.state.engine.connect() as c:
        yield c


def _as_of(c: Connection, region: str, year: int, text: str | None) -> date:
    if text:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise HTTPException(422, f"as_of {text}: not a date (YYYY-MM-DD)") from None
    runs = EQ.as_of_dates(c, region, year)  # the newest date the rules ran on, else the newest data
    return runs[0] if runs else default_as_of(c, region, year)


def _region(c: Connection, region: str) -> dict:
    r = FQ.region(c, region)
    if r is None:
        raise NotFound("feed data", [region], by="for region")
    return r


def _decorate(f: dict) -> dict:
    r = RULES.get(f["rule"])
    f["title"] = r.title if r else f["rule"]
    f["severity_zh"] = SEVERITY_ZH.get(f["severity"], f["severity"])
    f["level_zh"] = EQ.LEVELS.get(f.get("level") or "", "")
    return f


def _shown(request: Request, c: Connection, region: str, year: int, findings: list[dict]) -> list[dict]:
    """Findings as the page shows them: titled, and with person payees masked for a deputy and for a finance
    uploader (whose own rows are its batches only; a finding may name a payee of another's)."""
    out = [_decorate(f) for f in findings]
    return scope.mask_findings(c, region, year, out) if scope.masks_finding_payees(request, region) else out


def _payments(request: Request, region: str, rows: list[dict]) -> list[dict]:
    return scope.mask_rows(rows) if scope.masks_payees(request, region) else rows


def _answer(request, fmt, template, ctx, rows=None, columns=None, name="execution"):
    if fmt in ("csv", "xlsx") and columns is not None:
        return table_response(rows or [], columns, name, fmt)
    if fmt == "json":
        return FastJSON({k: v for k, v in ctx.items() if k not in ("fmt",)})
    return render(request, template, ctx)


@router.get("/execution", include_in_schema=False)
def execution_home(request: Request, format: str | None = Fmt, c: Connection = Depends(conn)):
    regions = scope.visible(request, FQ.regions(c))
    return _answer(
        request,
        format,
        "execution_home.html",
        {"regions": regions},
        regions,
        {"code": "区划", "name": "名称", "fiscal_year": "年度", "batches": "批次"},
        "regions",
    )


def overview_data(c: Connection, region: str, year: int, as_of: date) -> dict:
    share = time_share(as_of, year)
    flags = EQ.flags_by_agency(c, region, year, as_of)
    units = []
    for u in (EF.units if EF.kept(c, region, year, as_of) else FQ.units)(c, region, year, as_of):
        rate = u["paid_share"]
        fl = flags.get(u["agency_code"], {})
        gap = None if rate is None else round((rate - share) * 100, 1)
        units.append(
            {
                **u,
                "rate": None if rate is None else round(rate, 4),
                "gap": gap,
                "red": fl.get("red", 0),
                "orange": fl.get("orange", 0),
                "flag": "红色" if fl.get("red") else "橙色" if fl.get("orange") else "",
            }
        )
    total_budget = sum(float(u["current"]) for u in units)
    total_paid = sum(float(u["paid"]) for u in units)
    return {
        "region": _region(c, region),
        "year": year,
        "as_of": as_of.isoformat(),
        "time_share": round(share, 4),
        "units": units,
        "totals": {
            "current": round(total_budget, 2),
            "paid": round(total_paid, 2),
            "rate": round(total_paid / total_budget, 4) if total_budget else None,
        },
        "dates": [d.isoformat() for d in EQ.as_of_dates(c, region, year)],
    }


@router.get("/execution/{region}/{year}")
def execution_overview(
    request: Request,
    region: str = Region,
    year: int = Year,
    as_of: str | None = AsOf,
    format: str | None = Fmt,
    c: Connection = Depends(conn),
):
    """A region's execution: each unit's budget, paid and rate against 序时进度, with its red/orange flags."""
    data = overview_data(c, region, year, _as_of(c, region, year, as_of))
    return _answer(
        request, format, "execution_overview.html", data, data["units"], UNIT_COLUMNS, f"execution-{region}-{year}"
    )


@router.get("/execution/{region}/{year}/units/{agency}")
def execution_unit(
    request: Request,
    region: str = Region,
    year: int = Year,
    agency: str = FastPath(..., max_length=40),
    as_of: str | None = AsOf,
    format: str | None = Fmt,
    c: Connection = Depends(conn),
):
    """A unit's execution by month: cumulative paid against budget and 序时进度, by 功能 类, and its lines."""
    day = _as_of(c, region, year, as_of)
    fast = EF.kept(c, region, year, day)
    unit = next((u for u in (EF.units if fast else FQ.units)(c, region, year, day) if u["agency_code"] == agency), None)
    if unit is None:
        raise NotFound("unit", [agency], by="with code", where=f"in the feed of {region} {year}")
    lines = FQ.unit_lines(c, region, year, agency, day)
    months = (EF.unit_months if fast else EQ.unit_months)(c, region, year, agency, day)
    findings = _shown(request, c, region, year, EQ.stored_findings(c, region, year, as_of=day, agency=agency))
    data = {
        "region": _region(c, region),
        "year": year,
        "as_of": day.isoformat(),
        "unit": unit,
        "months": months,
        "lines": lines,
        "findings": findings,
        "time_share": round(time_share(day, year), 4),
    }
    return _answer(
        request, format, "execution_unit.html", data, lines, FQ.LINE_COLUMNS, f"execution-{region}-{year}-{agency}"
    )


@router.get("/execution/{region}/{year}/lines/{src_id}")
def execution_line(
    request: Request,
    region: str = Region,
    year: int = Year,
    src_id: str = FastPath(..., max_length=40),
    as_of: str | None = AsOf,
    format: str | None = Fmt,
    c: Connection = Depends(conn),
):
    """One 指标 line: its figures, its payments, and the rule hits on it explained."""
    line = EQ.line_row(c, region, year, src_id)
    if line is None:
        raise NotFound("line", [src_id], by="with id", where=f"in the feed of {region} {year}")
    day = _as_of(c, region, year, as_of)
    figures = next((x for x in FQ.unit_lines(c, region, year, line["agency_code"], day) if x["src_id"] == src_id), {})
    mine = scope.own_batches(request, region)
    payments = _payments(request, region, EQ.line_payments(c, region, year, src_id, day, batches=mine))
    hits = _shown(
        request,
        c,
        region,
        year,
        [
            f
            for f in EQ.stored_findings(c, region, year, as_of=day, agency=line["agency_code"])
            if src_id in (f.get("subject_id"), (f.get("evidence") or {}).get("line_src_id"))
        ],
    )
    data = {
        "region": _region(c, region),
        "year": year,
        "as_of": day.isoformat(),
        "line": line,
        "figures": figures,
        "payments": payments,
        "findings": hits,
        "rules_text": {f["rule"]: RULES[f["rule"]].compares for f in hits},
    }
    return _answer(request, format, "execution_line.html", data, payments, PAYMENT_COLUMNS, f"line-{src_id}")


@router.get("/execution/{region}/{year}/payees")
def execution_payees(
    request: Request,
    region: str = Region,
    year: int = Year,
    q: str | None = Query(None, max_length=100),
    payee: str | None = Query(None, max_length=300),
    agency: str | None = Query(None, max_length=40),
    as_of: str | None = AsOf,
    format: str | None = Fmt,
    c: Connection = Depends(conn),
):
    """Payees by amount received (filter by name or unit); with `payee`, that payee's payments and findings."""
    day = _as_of(c, region, year, as_of)
    masks = scope.masks_payees(request, region)
    mine = scope.own_batches(request, region)
    if payee:
        found = EQ.payee_payments(c, region, year, payee, batches=mine)
        # a masked reader must not learn that a person is paid by naming them: not found, like any absent payee
        if masks and any(r.get("payee_kind") == "person" for r in found):
            raise HTTPException(404, "no such payee")
        payments = _payments(request, region, found)
        hits = _shown(
            request,
            c,
            region,
            year,
            [
                f
                for f in EQ.stored_findings(c, region, year, as_of=day)
                if (f.get("evidence") or {}).get("payee") == payee
            ],
        )
        data = {
            "region": _region(c, region),
            "year": year,
            "as_of": day.isoformat(),
            "payee": payee,
            "payments": payments,
            "findings": hits,
            "payees": [],
        }
        columns = {**PAYMENT_COLUMNS, "agency_code": "单位编码", "line_src_id": "指标"}
        return _answer(request, format, "execution_payees.html", data, payments, columns, "payee")
    if mine is None and EF.kept(c, region, year, day):
        rows = EF.payees(c, region, year, day, agency, q)
    else:  # the kept figures sum every batch: a finance uploader's are summed from its own rows
        rows = EQ.payees(c, region, year, day, agency, q, batches=mine)
    if masks and q:  # a search by name finds units only: a person's name would be confirmed by the match
        rows = [r for r in rows if r.get("payee_kind") != "person"]
    rows = _payments(request, region, rows)
    data = {
        "region": _region(c, region),
        "year": year,
        "as_of": day.isoformat(),
        "payee": None,
        "payees": rows,
        "q": q,
        "agency": agency,
    }
    return _answer(request, format, "execution_payees.html", data, rows, PAYEE_COLUMNS, "payees")


@router.get("/execution/{region}/{year}/findings")
def execution_findings(
    request: Request,
    region: str = Region,
    year: int = Year,
    rule: str | None = Query(None, pattern=r"^G\d{2}$"),
    agency: str | None = Query(None, max_length=40),
    severity: vocab.Severity | None = None,
    status: vocab.Status | None = None,
    as_of: str | None = AsOf,
    format: str | None = Fmt,
    c: Connection = Depends(conn),
):
    """The execution findings kept for a date (default: the newest run), filtered by rule, unit, severity, status."""
    day = date.fromisoformat(as_of) if as_of and _as_of(c, region, year, as_of) else None
    rows = _shown(
        request,
        c,
        region,
        year,
        EQ.stored_findings(c, region, year, as_of=day, rule=rule, agency=agency, severity=severity, status=status),
    )
    rules = sorted({r.id for r in RULES.values() if r.family == "G"})
    data = {
        "region": _region(c, region),
        "year": year,
        "as_of": rows[0]["as_of"] if rows else as_of,
        "findings": rows,
        "rules": rules,
        "dates": [d.isoformat() for d in EQ.as_of_dates(c, region, year)],
        "f": {"rule": rule, "agency": agency, "severity": severity, "status": status},
    }
    return _answer(request, format, "execution_findings.html", data, rows, FINDING_COLUMNS, "execution-findings")


class Decision(BaseModel):
    status: vocab.Decision = Field(..., description="accepted 确认 | dismissed 排除")
    reason: str = Field(..., min_length=1, max_length=2000)
    by: str = Field(..., min_length=1, max_length=100)


@router.post(
    "/api/execution/findings/{finding_id}/decision", responses={404: {"description": "no such execution finding"}}
)
def execution_decision(request: Request, body: Decision, finding_id: int = FastPath(..., ge=1, le=2**31 - 1)):
    """确认 or 排除 an execution finding; kept by (region, fingerprint) across re-runs and dates."""
    assert body.status in STATUSES
    with request.app.state.engine.begin() as c:
        scope.require_region(request, EQ.finding_region(c, finding_id), "execution finding", finding_id)
        return run_decide(c, finding_id, body.status, body.reason, body.by)  # NotFound: 404
