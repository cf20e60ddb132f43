"""Review reports (审查报告) are made here: per document and per batch (the 总览 filters), as print-ready HTML,
as PDF (the same HTML printed by headless Chromium, page numbers from CSS page-margin boxes), as DOCX for
Word/WPS and as XLSX (the 问题清单 with a sheet of key figures). What they say is report_content.py; their
addresses are routes/reports.py."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Literal

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from ..analysis.figures import KEYS, figures_many
from ..checks.rule import SEVERITY_ZH, fmt_amount
from ..export.findings import findings_xlsx
from ..export.writers import append_row
from ..export.xlsx_style import style_sheet
from . import deps, queries as Q, report_content as C
from .templating import templates

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium() -> str:
    """The browser that prints the PDF: $BUDGETWATCH_CHROMIUM, else the first of BROWSERS on the PATH
    (Debian names it chromium, Ubuntu chromium-browser, Google's build google-chrome)."""
    named = os.environ.get("BUDGETWATCH_CHROMIUM")
    if named:
        if Path(named).is_file() or shutil.which(named):
            return shutil.which(named) or named
        raise HTTPException(501, f"BUDGETWATCH_CHROMIUM={named}: 找不到该浏览器 (no such program)")
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise HTTPException(
        501,
        "PDF 需要 Chromium 或 Chrome：请安装 chromium，或设置 BUDGETWATCH_CHROMIUM=浏览器路径 "
        "(the PDF report is printed by Chromium: install it or set BUDGETWATCH_CHROMIUM)",
    )


def bar_svg(
    pairs: list[tuple[str, float]], width: int = 520, bar: int = 18, label_width: int = 150, fmt=fmt_amount
) -> str:
    """A horizontal bar chart as inline SVG: prints without scripts (the PDF is printed offline)."""
    from html import escape

    top = max((v for _, v in pairs), default=0) or 1
    rows = []
    for i, (label, v) in enumerate(pairs):
        y = i * (bar + 6)
        w = max(0, int((width - label_width - 90) * v / top))
        shown = label if len(label) <= label_width // 12 else label[: label_width // 12 - 1] + "…"
        rows.append(
            f'<text x="0" y="{y + bar - 4}" font-size="12"><title>{escape(label)}</title>{escape(shown)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w}" height="{bar}" fill="#8b1a1a"/>'
            f'<text x="{label_width + 4 + w}" y="{y + bar - 4}" font-size="12">{fmt(v)}</text>'
        )
    height = len(pairs) * (bar + 6)
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">{"".join(rows)}</svg>'


def _entries(s: Session, versions) -> list[dict]:
    from ..checks.rule import FAMILIES
    from ..store.findings import load_findings

    found = load_findings(s, [v.id for v in versions])
    figures = figures_many(s, [v.id for v in versions])
    out = []
    for v in versions:
        fs, fig = found[v.id], figures[v.id]
        counted = [f for f in fs if f.status != "dismissed"]  # dismissed: in their annex, not in the counts
        by_family = [(f"{k} {zh}", float(sum(1 for f in counted if f.family == k))) for k, zh in FAMILIES.items()]
        charts = [("问题按类别（条）", bar_svg(by_family, fmt=_count))]
        structure = [(KEYS[k], fig[k]) for k in STRUCTURE if fig.get(k)]
        if structure:
            charts.append(("支出结构（万元）", bar_svg(structure, fmt=C.money)))
        classes = sorted(((k, v) for k, v in fig["classes"].items() if v), key=lambda kv: -kv[1])[:10]
        if classes:
            charts.append(("支出功能分类（按类，万元）", bar_svg(classes, fmt=C.money)))
        history = _history(s, v)
        if len(history) >= 2:
            charts.append(("本单位历年收入总计（万元）", bar_svg(history, fmt=C.money)))
        out.append(
            {
                "id": v.document_id,
                "label": f"{v.unit_name or '（未识别单位）'} {v.year or ''}年{Q.STAGE_ZH.get(v.stage, '')}",
                "unit": v.unit_name,
                "figures": fig,
                "findings": fs,
                "charts": charts,
                "counts": {k: sum(1 for f in counted if f.severity == k) for k in SEVERITY_ZH},
            }
        )
    return out


def _count(v: float) -> str:
    return f"{v:.0f}"


STRUCTURE = ("basic", "project", "personnel", "public", "three_public", "admin_operating")


def _history(s: Session, v) -> list[tuple[str, float]]:
    """收入总计 of the unit's documents of the same stage, year by year (the report's own year included)."""
    if not v.unit_name:
        return []
    same = Q.newest_versions(s, unit_name=v.unit_name, stage=v.stage, scope=v.scope)
    figs = figures_many(s, [x.id for x in same])
    return [
        (f"{x.year}年", figs[x.id]["income_total"]) for x in same if x.year and figs[x.id]["income_total"] is not None
    ]


def _batch_overview(entries: list[dict]) -> list[tuple[str, str]]:
    """Charts over the whole batch: open findings per document, and 收入总计 per document."""
    if len(entries) < 2:
        return []
    issues = [(e["label"], float(e["counts"]["error"] + e["counts"]["warn"])) for e in entries]
    income = [(e["label"], e["figures"]["income_total"]) for e in entries if e["figures"]["income_total"]]
    out = [
        ("各文档错误与警告（条）", bar_svg(sorted(issues, key=lambda p: -p[1]), width=640, label_width=300, fmt=_count))
    ]
    if income:
        out.append(
            (
                "各文档收入总计（万元）",
                bar_svg(sorted(income, key=lambda p: -p[1]), width=640, label_width=300, fmt=C.money),
            )
        )
    return out


FIGURE_KEYS = C.FIGURE_KEYS


def _html(request: Request, report: C.Report) -> str:
    return templates.get_template("report.html").render(
        request=request,
        r=report,
        keys=KEYS,
        figure_keys=FIGURE_KEYS,
        overview=_batch_overview(report.entries),
        fmt=C.money,
        sev=SEVERITY_ZH,
        values=C.values_line,
        where=C.where,
        ordinal=C.ordinal_zh,
        classification=C.CLASSIFICATION,
    )


def _pdf(html: str) -> bytes:
    chromium = find_chromium()
    folder = Path(tempfile.mkdtemp(prefix="bw-report-"))
    try:
        src, out = folder / "report.html", folder / "report.pdf"
        from ..access.hardening import CHROMIUM_OFFLINE, offline_html

        src.write_text(offline_html(html), encoding="utf-8")  # it prints this page and fetches nothing else
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                *CHROMIUM_OFFLINE,
                f"--print-to-pdf={out}",
                src.as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
        if not out.exists():
            raise HTTPException(500, "Chromium did not produce the PDF")
        return out.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _xlsx(entries: list[dict]) -> bytes:
    wb = load_workbook(io.BytesIO(findings_xlsx([({"label": e["label"]}, e["findings"]) for e in entries])))
    ws = wb.create_sheet("关键数据", 0)
    append_row(ws, ["文档", *KEYS.values(), "错误", "警告", "提示"])
    for e in entries:
        append_row(ws, [e["label"], *[e["figures"].get(k) for k in KEYS], *e["counts"].values()])
    style_sheet(ws, money_columns=set(range(2, len(KEYS) + 2)))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IssuerQuery = Query(
    None, max_length=60, pattern=deps.NO_NUL, description="issuing body on the cover (default $BUDGETWATCH_ISSUER)"
)
ReportFmt = Literal["html", "pdf", "docx", "xlsx"]


def _respond(request: Request, title: str, entries: list[dict], fmt: str, name: str, issuing_body: str | None = None):
    if fmt == "xlsx":
        return Response(
            _xlsx(entries), media_type=deps.XLSX, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'}
        )
    report = C.build(title, entries, issuing_body)
    if fmt == "docx":
        from .report_docx import report_docx

        return Response(
            report_docx(report), media_type=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}.docx"'}
        )
    html = _html(request, report)
    if fmt == "pdf":
        return Response(
            _pdf(html),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    return HTMLResponse(html)
