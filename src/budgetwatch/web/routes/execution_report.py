"""Monthly 执行分析报告 per region and per unit: key figures, charts (inline SVG, printed offline), the month's
family G findings grouped by rule with their 审查意见 sentences, and what changed since the month before — as
print-ready HTML, PDF (the same HTML printed by Chromium, web/reports.py) and XLSX."""

from __future__ import annotations

import calendar
import io
from datetime import date
from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook
from sqlalchemy.engine import Connection

from ...checks.rule import RULES, SEVERITY_ZH, fmt_amount
from ...execution.common import LEVEL_ZH
from ...execution.queries import unit_months
from ...execution.run import decisions, default_as_of, evaluate, exec_fingerprint
from ...execution.view import month_end, time_share
from ...export.writers import append_row
from ...feed import queries as FQ
from ..downloads import XLSX
from ..feed_scope import mask_findings, masks_finding_payees
from ..reports import _pdf, bar_svg
from ..templating import HERE, templates
from .execution import Region, Year, conn

router = APIRouter(tags=["execution"], include_in_schema=False)  # pages; JSON twins by ?format=json


def _month(c: Connection, region: str, year: int, month: int | None, as_of: str | None) -> date:
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise HTTPException(422, f"as_of {as_of}: not a date (YYYY-MM-DD)") from None
        return month_end(year, day.month) if day.year == year else month_end(year, 12)
    if month:
        return month_end(year, month)
    d = default_as_of(c, region, year)
    return month_end(year, d.month) if d.year == year else month_end(year, 12)


def _finding(f, decided: dict) -> dict:
    fp = exec_fingerprint(f)
    d = decided.get(fp) or {}
    e = f.evidence
    return {
        "rule": f.rule,
        "title": RULES[f.rule].title,
        "severity": f.severity,
        "severity_zh": SEVERITY_ZH[f.severity],
        "level": e.get("level"),
        "level_zh": LEVEL_ZH.get(e.get("level") or "", ""),
        "agency_code": e.get("agency_code"),
        "message": f.message,
        "suggestion": f.suggestion,
        "fingerprint": fp,
        "status": d.get("status") or "open",
        "reason": d.get("reason"),
        "value": f.value,
        "payee": e.get("payee"),
    }


def report_data(c: Connection, region: str, year: int, day: date, agency: str | None, mask: bool = False) -> dict:
    reg = FQ.region(c, region)
    if reg is None:
        raise HTTPException(404, f"no feed data for region {region}")
    units = FQ.units(c, region, year, day)
    if agency:
        units = [u for u in units if u["agency_code"] == agency]
        if not units:
            raise HTTPException(404, f"no unit {agency} in the feed of {region} {year}")
    before = month_end(year, day.month - 1) if day.month > 1 else None
    decided = decisions(c, region)
    now = [_finding(f, decided) for f in evaluate(c, region, year, day, agency)]
    prev = [_finding(f, decided) for f in evaluate(c, region, year, before, agency)] if before else []
    if mask:  # a deputy's or finance uploader's report: person payees' names masked (web/feed_scope.py)
        now, prev = mask_findings(c, region, year, now), mask_findings(c, region, year, prev)
    prev_units = {u["agency_code"]: u for u in FQ.units(c, region, year, before)} if before else {}
    seen, had = {f["fingerprint"] for f in now}, {f["fingerprint"] for f in prev}
    groups = []
    for rid in sorted({f["rule"] for f in now}):
        fs = [f for f in now if f["rule"] == rid]
        groups.append(
            {
                "rule": rid,
                "title": RULES[rid].title,
                "severity_zh": SEVERITY_ZH[RULES[rid].severity],
                "suggestion": fs[0]["suggestion"],
                "findings": fs,
            }
        )
    current = sum((Decimal(u["current"]) for u in units), Decimal(0))
    paid = sum((Decimal(u["paid"]) for u in units), Decimal(0))
    paid_before = sum(
        (Decimal(prev_units[u["agency_code"]]["paid"]) for u in units if u["agency_code"] in prev_units), Decimal(0)
    )
    rate = float(paid / current) if current else None
    rate_before = float(paid_before / current) if current and before else None
    name = units[0]["agency_name"] if agency else (reg["name"] or region)
    charts = []
    if agency:
        m = unit_months(c, region, year, agency, day)
        charts.append(
            (
                "各月支付（万元）",
                bar_svg(
                    [(f"{i}月", float(v) / 10000) for i, v in zip(m["months"], m["paid"]) if i <= day.month], fmt=_wan
                ),
            )
        )
        classes = [(f"{k}类", float(sum(Decimal(x) for x in v)) / 10000) for k, v in m["classes"].items()]
        charts.append(("按功能分类（类）累计支付（万元）", bar_svg(sorted(classes, key=lambda p: -p[1]), fmt=_wan)))
    else:
        rates = [(f"{u['agency_code']} {u['agency_name'] or ''}", (u["paid_share"] or 0) * 100) for u in units]
        charts.append(
            (
                f"各单位执行率（%，序时进度 {time_share(day, year) * 100:.1f}%）",
                bar_svg(sorted(rates, key=lambda p: p[1])[:30], width=760, label_width=330, fmt=lambda v: f"{v:.1f}%"),
            )
        )
    by_rule = [(f"{g['rule']} {g['title']}", float(len(g["findings"]))) for g in groups]
    if by_rule:
        charts.append(("本月预警按规则（条）", bar_svg(by_rule, width=760, label_width=330, fmt=lambda v: f"{v:.0f}")))
    return {
        "title": f"{name} {year}年{day.month}月预算执行分析报告",
        "region": reg,
        "year": year,
        "as_of": day.isoformat(),
        "before": before.isoformat() if before else None,
        "agency": agency,
        "figures": {
            "units": len(units),
            "current": float(current),
            "paid": float(paid),
            "rate": rate,
            "time_share": time_share(day, year),
            "rate_before": rate_before,
            "paid_month": float(paid - paid_before) if before else float(paid),
        },
        "counts": {k: sum(1 for f in now if f["severity"] == k) for k in SEVERITY_ZH},
        "groups": groups,
        "charts": charts,
        "new": [f for f in now if f["fingerprint"] not in had],
        "resolved": [f for f in prev if f["fingerprint"] not in seen],
        "units": units if not agency else [],
    }


def _wan(v: float) -> str:
    return f"{v:,.2f}"


def _xlsx(data: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "关键数据"
    fig = data["figures"]
    for k, v in (
        ("报告", data["title"]),
        ("截至", data["as_of"]),
        ("单位数", fig["units"]),
        ("调整后指标(元)", fig["current"]),
        ("已支付(元)", fig["paid"]),
        ("本月支付(元)", fig["paid_month"]),
        ("执行率", fig["rate"]),
        ("上月执行率", fig["rate_before"]),
        ("序时进度", fig["time_share"]),
        *((f"{SEVERITY_ZH[k]}（条）", v) for k, v in data["counts"].items()),
    ):
        append_row(ws, [k, v])
    ws = wb.create_sheet("执行预警")
    append_row(ws, ["规则", "名称", "严重程度", "等级", "单位编码", "问题说明", "审查意见建议", "处理", "本月新增"])
    new = {f["fingerprint"] for f in data["new"]}
    for g in data["groups"]:
        for f in g["findings"]:
            append_row(
                ws,
                [
                    f["rule"],
                    f["title"],
                    f["severity_zh"],
                    f["level_zh"],
                    f["agency_code"],
                    f["message"],
                    f["suggestion"],
                    f["status"],
                    "是" if f["fingerprint"] in new else "",
                ],
            )
    ws = wb.create_sheet("上月以来解除")
    append_row(ws, ["规则", "名称", "单位编码", "上月问题说明"])
    for f in data["resolved"]:
        append_row(ws, [f["rule"], f["title"], f["agency_code"], f["message"]])
    if data["units"]:
        ws = wb.create_sheet("各单位执行")
        append_row(ws, ["单位编码", "单位", "调整后指标(元)", "已支付(元)", "执行率"])
        for u in data["units"]:
            append_row(ws, [u["agency_code"], u["agency_name"], float(u["current"]), float(u["paid"]), u["paid_share"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@router.get("/execution/{region}/{year}/report.{fmt}")
def execution_report(
    request: Request,
    fmt: Literal["html", "pdf", "xlsx", "json"],
    region: str = Region,
    year: int = Year,
    month: int | None = Query(None, ge=1, le=12),
    as_of: str | None = Query(None, description="the month of this date (YYYY-MM-DD)"),
    agency: str | None = Query(None, max_length=40),
    c: Connection = Depends(conn),
):
    """执行分析报告 of a month (default: the newest month with data), of a region or of one unit (`agency`)."""
    data = report_data(
        c, region, year, _month(c, region, year, month, as_of), agency, masks_finding_payees(request, region)
    )
    name = f"execution-report-{region}-{year}-{data['as_of'][5:7]}" + (f"-{agency}" if agency else "")
    if fmt == "json":
        from ..fastjson import FastJSON

        return FastJSON({k: v for k, v in data.items() if k != "charts"})
    if fmt == "xlsx":
        return Response(
            _xlsx(data), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'}
        )
    css = (HERE / "static" / "style.css").read_text(encoding="utf-8")
    html = templates.get_template("execution_report.html").render(
        request=request, css=css, fmt=fmt_amount, calendar=calendar, **data
    )
    if fmt == "pdf":
        return Response(
            _pdf(html),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    return HTMLResponse(html)
