"""Review reports (审查报告): per document and per batch (the 总览 filters), as print-ready HTML, as PDF (the
same HTML printed by headless Chromium, page numbers from CSS page-margin boxes), as DOCX for Word/WPS and
as XLSX (the 问题清单 with a sheet of key figures). What they say is report_content.py."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from ..analysis.figures import KEYS, figures_many
from ..checks.rule import SEVERITY_ZH, fmt_amount
from ..export.findings import findings_xlsx
from ..export.writers import append_row
from ..export.xlsx_style import style_sheet
from . import api
from . import queries as Q
from . import report_content as C
from .app import templates

router = APIRouter(tags=["reports"], responses=api.NOT_FOUND)
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
    raise HTTPException(501, "PDF 需要 Chromium 或 Chrome：请安装 chromium，或设置 BUDGETWATCH_CHROMIUM=浏览器路径 "
                             "(the PDF report is printed by Chromium: install it or set BUDGETWATCH_CHROMIUM)")


def bar_svg(pairs: list[tuple[str, float]], width: int = 520, bar: int = 18, label_width: int = 150,
            fmt=fmt_amount) -> str:
    """A horizontal bar chart as inline SVG: prints without scripts (the PDF is printed offline)."""
    from html import escape
    top = max((v for _, v in pairs), default=0) or 1
    rows = []
    for i, (label, v) in enumerate(pairs):
        y = i * (bar + 6)
        w = max(0, int((width - label_width - 90) * v / top))
        shown = label if len(label) <= label_width // 12 else label[:label_width // 12 - 1] + "…"
        rows.append(f'<text x="0" y="{y + bar - 4}" font-size="12"><title>{escape(label)}</title>{escape(shown)}</text>'
                    f'<rect x="{label_width}" y="{y}" width="{w}" height="{bar}" fill="#8b1a1a"/>'
                    f'<text x="{label_width + 4 + w}" y="{y + bar - 4}" font-size="12">{fmt(v)}</text>')
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
        counted = [f for f in fs if f.status != "dismissed"]   # dismissed: in their annex, not in the counts
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
        out.append({"id": v.document_id, "label": f"{v.unit_name or '（未识别单位）'} {v.year or ''}年{Q.STAGE_ZH.get(v.stage, '')}",
                    "unit": v.unit_name, "figures": fig, "findings": fs, "charts": charts,
                    "counts": {k: sum(1 for f in counted if f.severity == k) for k in SEVERITY_ZH}})
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
    return [(f"{x.year}年", figs[x.id]["income_total"]) for x in same
            if x.year and figs[x.id]["income_total"] is not None]


def _batch_overview(entries: list[dict]) -> list[tuple[str, str]]:
    """Charts over the whole batch: open findings per document, and 收入总计 per document."""
    if len(entries) < 2:
        return []
    issues = [(e["label"], float(e["counts"]["error"] + e["counts"]["warn"])) for e in entries]
    income = [(e["label"], e["figures"]["income_total"]) for e in entries if e["figures"]["income_total"]]
    out = [("各文档错误与警告（条）", bar_svg(sorted(issues, key=lambda p: -p[1]), width=640, label_width=300, fmt=_count))]
    if income:
        out.append(("各文档收入总计（万元）", bar_svg(sorted(income, key=lambda p: -p[1]), width=640, label_width=300,
                                           fmt=C.money)))
    return out


FIGURE_KEYS = ("income_total", "expenditure_total", "basic", "project", "three_public")


def _html(request: Request, report: C.Report) -> str:
    return templates.get_template("report.html").render(
        request=request, r=report, keys=KEYS, figure_keys=FIGURE_KEYS, overview=_batch_overview(report.entries),
        fmt=C.money, sev=SEVERITY_ZH, values=C.values_line, where=C.where, ordinal=C.ordinal_zh, classification=C.CLASSIFICATION)


def _pdf(html: str) -> bytes:
    chromium = find_chromium()
    folder = Path(tempfile.mkdtemp(prefix="bw-report-"))
    try:
        src, out = folder / "report.html", folder / "report.pdf"
        from ..access.hardening import CHROMIUM_OFFLINE, offline_html
        src.write_text(offline_html(html), encoding="utf-8")   # it prints this page and fetches nothing else
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        *CHROMIUM_OFFLINE, f"--print-to-pdf={out}", src.as_uri()], capture_output=True,
                       timeout=120, check=False)
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
IssuerQuery = Query(None, max_length=60, pattern=api.NO_NUL, description="issuing body on the cover (default $BUDGETWATCH_ISSUER)")
ReportFmt = Literal["html", "pdf", "docx", "xlsx"]


def _respond(request: Request, title: str, entries: list[dict], fmt: str, name: str, issuing_body: str | None = None):
    if fmt == "xlsx":
        return Response(_xlsx(entries), media_type=api.XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    report = C.build(title, entries, issuing_body)
    if fmt == "docx":
        from .report_docx import report_docx
        return Response(report_docx(report), media_type=DOCX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.docx"'})
    html = _html(request, report)
    if fmt == "pdf":
        return Response(_pdf(html), media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})
    return HTMLResponse(html)


@router.get("/documents/{document_id}/report.{fmt}")
def document_report(request: Request, document_id: api.DocumentId, fmt: ReportFmt, issuer: str | None = IssuerQuery,
                    s: Session = Depends(api.session)):
    """审查报告 of one document: cover, 总体情况, 主要问题 by rule, the 问题清单 and the dismissed findings as
    annexes (HTML with print CSS, PDF, DOCX, XLSX)."""
    v = Q.latest_version(s, document_id)
    if v is None:
        raise HTTPException(404, f"no document with id {document_id}")
    entries = _entries(s, [v])
    title = f"关于{entries[0]['label'].replace(' ', '')}公开文件的审查报告"
    return _respond(request, title, entries, fmt, f"report-{document_id}", issuer)


@router.get("/reports/batch.{fmt}")
def batch_report(request: Request, fmt: ReportFmt, year: int | None = Query(None, ge=1990, le=2100),
                 stage: Literal["budget", "final"] | None = None, scope: Literal["department", "unit"] | None = None,
                 q: str | None = Query(None, max_length=100), region: str | None = Query(None, max_length=20),
                 level: api.Level | None = None, issuer: str | None = IssuerQuery, s: Session = Depends(api.session)):
    """审查报告 of a batch: the documents the 总览 filters select (year, stage, scope, unit name, region, level)."""
    page = Q.documents(s, year, stage, scope, q or None, limit=100000, offset=0, region=region or None, level=level)
    from ..store.schema import Version
    versions = [s.get(Version, d["version_id"]) for d in page.items]
    what = "".join(x for x in (region or "", level or "", q or "", f"{year}年" if year else "",
                               Q.SCOPE_ZH.get(scope or "", ""), Q.STAGE_ZH.get(stage or "", "")) if x)
    title = f"关于{what or '全部'}公开文件的审查报告（{len(versions)}份）"
    return _respond(request, title, _entries(s, versions), fmt, "report-batch", issuer)


@router.get("/documents/{document_id}/source.png")
def source_crop(document_id: api.DocumentId, page: int = Query(..., ge=1, le=1000),
                box: str = Query(..., pattern=r"^[\d.]+,[\d.]+,[\d.]+,[\d.]+$", description="x0,top,x1,bottom in points"),
                s: Session = Depends(api.session)):
    """The printed figure itself: a crop of its PDF page around the cell, the cell outlined in red."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw
    v = Q.latest_version(s, document_id)
    if v is None:
        raise HTTPException(404, f"no document with id {document_id}")
    pdfs = [f for f in v.files if f.path and f.name.lower().endswith(".pdf")]
    if len(v.files) != 1 or not pdfs or not Path(pdfs[0].path).exists():
        raise HTTPException(404, "the source PDF of this document is not available on the server")
    x0, top, x1, bottom = (float(x) for x in box.split(","))
    doc = pdfium.PdfDocument(pdfs[0].path)
    try:
        if page > len(doc):
            raise HTTPException(404, f"the source has no page {page}")
        scale = 2.0
        img = doc[page - 1].render(scale=scale).to_pil().convert("RGB")
    finally:
        doc.close()
    pad = 60
    ImageDraw.Draw(img).rectangle([x0 * scale - 3, top * scale - 3, x1 * scale + 3, bottom * scale + 3],
                                  outline=(214, 40, 40), width=3)
    crop = img.crop((0, max(0, int(top * scale) - pad), img.width, min(img.height, int(bottom * scale) + pad)))
    out = io.BytesIO()
    crop.save(out, "PNG")
    return Response(out.getvalue(), media_type="image/png")


@router.get("/documents/{document_id}/source.txt", response_class=HTMLResponse)
def source_lines(document_id: api.DocumentId, line: int = Query(..., ge=1, le=10_000_000), context: int = Query(6, ge=0, le=50),
                 s: Session = Depends(api.session)):
    """The printed figure in a text source: its line, marked, with the lines around it."""
    from html import escape

    from ..read.text import read_text
    v = Q.latest_version(s, document_id)
    if v is None:
        raise HTTPException(404, f"no document with id {document_id}")
    texts = [f for f in v.files if f.path and Path(f.path).exists() and not f.name.lower().endswith(
        (".pdf", ".xlsx", ".html", ".htm"))]
    if len(v.files) != 1 or not texts:
        raise HTTPException(404, "the source text of this document is not available on the server")
    lines = read_text(texts[0].path).lines
    if line > len(lines):
        raise HTTPException(404, f"the source has no line {line}")
    rows = []
    for ln in lines[max(0, line - 1 - context):line + context]:
        mark = ' class="hl"' if ln.no == line else ""
        rows.append(f'<tr{mark}><td class="num muted">{ln.no}</td><td>{escape(" | ".join(c for c in ln.cells if c))}</td></tr>')
    return HTMLResponse('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="stylesheet" '
                        f'href="/static/style.css"><title>第{line}行</title></head><body><main><h1>{escape(v.files[0].name)} '
                        f'第{line}行</h1><table class="grid">{"".join(rows)}</table></main></body></html>')
