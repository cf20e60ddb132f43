"""The 审查报告 as a Word/WPS document (python-docx): the same cover, 总体情况, 主要问题 and annexes as the
HTML/PDF, A4 with 第 X 页 共 Y 页 in the footer (PAGE and NUMPAGES fields, which Word and WPS fill in)."""

from __future__ import annotations

import io

from docx import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ..analysis.figures import KEYS
from ..checks.rollup import FormRollup
from ..checks.rule import SEVERITY_ZH
from . import report_content as C

FONT = "宋体"
ISSUE_WIDTHS_CM = (1.4, 1.9, 3.4, 5.8, 5.3)  # 审查意见 ≈ 30% of the 17.8 cm line


def _font(run, size: float | None = None, bold: bool = False) -> None:
    run.font.name = FONT
    run.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # Chinese glyphs take the East Asian font
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def _para(doc, text: str = "", size: float = 12, bold=False, align=None, indent=True, space_after: float = 4):
    p = doc.add_paragraph()
    if text:
        _font(p.add_run(text), size, bold)
    if align is not None:
        p.alignment = align
    if indent and align is None:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.space_after = Pt(space_after)
    return p


def _field(paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that the word processor computes when it lays out the pages."""
    run = paragraph.add_run()
    _font(run, 9)
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == code:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {code} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _footer(section) -> None:
    section.different_first_page_header_footer = True  # the cover carries no page number
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, code in (("第 ", "PAGE"), (" 页 共 ", "NUMPAGES"), (" 页", None)):
        _font(p.add_run(text), 9)
        if code:
            _field(p, code)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _cell(cell, text: str, size: float = 8.5, bold: bool = False) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    for i, line in enumerate(text.split("\n")):
        run = p.add_run(line)
        _font(run, size, bold)
        if i < text.count("\n"):
            run.add_break()


def _issues_table(doc, rows: list[tuple[str, str, str, str, str]], last: str) -> None:
    t = doc.add_table(rows=1, cols=5)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for cell, head in zip(t.rows[0].cells, ("编号", "规则", "出处", "问题", last)):
        _cell(cell, head, 9, bold=True)
    _repeat_header(t.rows[0])
    for values in rows:
        for cell, text in zip(t.add_row().cells, values):
            _cell(cell, text)
    for row in t.rows:
        for cell, width in zip(row.cells, ISSUE_WIDTHS_CM):
            cell.width = Cm(width)


def report_docx(report: C.Report) -> bytes:
    doc = DocxDocument()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.6)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2)
    _footer(section)
    many = len(report.entries) > 1

    _para(doc, C.CLASSIFICATION, 12, bold=True, indent=False)
    for _ in range(8):
        _para(doc, indent=False)
    _para(doc, report.title, 20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=60)
    for _ in range(6):
        _para(doc, indent=False)
    _para(doc, report.issuer, 15, align=WD_ALIGN_PARAGRAPH.CENTER)
    cover_end = _para(doc, report.date, 13, align=WD_ALIGN_PARAGRAPH.CENTER)
    cover_end.add_run().add_break(WD_BREAK.PAGE)

    _para(doc, "一、总体情况", 14, bold=True, indent=False)
    for text in report.summary():
        _para(doc, text)
    t = doc.add_table(rows=1, cols=len(C.FIGURE_KEYS) + 2)
    t.style = "Table Grid"
    for cell, head in zip(t.rows[0].cells, ["文档", *(KEYS[k] for k in C.FIGURE_KEYS), "问题"]):
        _cell(cell, head, 9, bold=True)
    for e in report.entries:
        values = [e["label"], *(C.money(e["figures"].get(k)) for k in C.FIGURE_KEYS), str(sum(e["counts"].values()))]
        for cell, text in zip(t.add_row().cells, values):
            _cell(cell, text, 9)
    _para(doc, "金额单位：万元。", 9, indent=False)

    _para(doc, "二、主要问题", 14, bold=True, indent=False)
    if not report.groups:
        _para(doc, "未发现需关注的问题。")
    for i, g in enumerate(report.groups, start=1):
        label, top = g.strongest
        extra = f"，涉及{g.documents}份文档" if many else ""
        _para(
            doc,
            f"（{C.ordinal_zh(i)}）{g.title}（{g.rule}，{SEVERITY_ZH[g.severity]}，{len(g.findings)}条{extra}）",
            12,
            bold=True,
            indent=False,
        )
        _para(doc, (f"{label}：" if many else "") + top.message, 11)
        where = (
            f"出处：{C.where(top)}"
            + (f"；{C.values_line(top)}" if C.values_line(top) else "")
            + f"（附件一 #{top.id}）"
        )
        _para(doc, where, 9)
        if top.suggestion:
            _para(doc, f"审查意见：{top.suggestion}", 11)

    annex = _para(doc, indent=False)
    annex.add_run().add_break(WD_BREAK.PAGE)
    _para(doc, f"附件一：问题清单（{len(report.annex)}条）", 14, bold=True, indent=False)
    _issues_table(doc, _annex_rows(report, many), "审查意见")
    if report.dismissed:
        _para(doc, indent=False)
        _para(doc, f"附件二：已排除的问题（{len(report.dismissed)}条，不计入报告统计）", 14, bold=True, indent=False)
        _issues_table(
            doc,
            [
                (
                    f"#{f.id}",
                    f.rule,
                    (f"{label}\n" if many else "") + C.where(f),
                    f.message,
                    f"已排除：{f.reason or ''}\n{f.evidence.get('decided_by') or ''}",
                )
                for label, f in report.dismissed
            ],
            "排除理由",
        )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _annex_rows(report: C.Report, many: bool) -> list[tuple[str, str, str, str, str]]:
    """附件一's rows: a rule on many forms of a document as one row, its per-form findings beneath (└ in 出处)."""

    def row(label: str, f, sub: bool = False) -> tuple[str, str, str, str, str]:
        return (
            f"#{f.id}",
            f"{SEVERITY_ZH[f.severity]}\n{f.rule}",
            ("└ " if sub else f"{label}\n" if many else "") + C.where(f),
            f.message + (f"\n{C.values_line(f)}" if C.values_line(f) else ""),
            f.suggestion or "",
        )

    out: list[tuple[str, str, str, str, str]] = []
    for label, x in report.annex_lines:
        if not isinstance(x, FormRollup):
            out.append(row(label, x))
            continue
        out.append(
            (
                f"合并{len(x.findings)}条",
                f"{SEVERITY_ZH[x.severity]}\n{x.rule}",
                (f"{label}\n" if many else "") + " · ".join(p for p in (x.where, "绩效目标表") if p),
                x.message,
                x.suggestion,
            )
        )
        out += [row(label, f, True) for f in x.findings]
    return out
