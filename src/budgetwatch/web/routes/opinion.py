"""审查意见 draft: the accepted findings of the region's newest documents grouped by rule family, and the
deputies' questions that have been answered — as DOCX (python-docx) or PDF (the report printer)."""

from __future__ import annotations

import io
from html import escape
from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from ...access import questions as QS
from ...access.principal import LOCAL
from ...access.tables import Question
from ...checks.rollup import FormRollup, roll_up
from ...checks.rule import FAMILIES
from .. import deps, queries as Q

router = APIRouter(tags=["代表服务"], responses=deps.NOT_FOUND)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def draft(s: Session, request: Request) -> dict:
    from ...store.findings import load_findings

    versions = Q.newest_versions(s)
    label = {
        v.id: f"{v.unit_name or '（未识别单位）'} {v.year or ''}年{Q.STAGE_ZH.get(v.stage or '', '')}" for v in versions
    }
    groups: dict[str, list[dict]] = {}
    for vid, fs in load_findings(s, [v.id for v in versions]).items():
        # a rule on many forms of the document: one item naming them, its findings beneath (checks/rollup.py)
        for x in roll_up([f for f in fs if f.status == "accepted"]):
            inner = x.findings if isinstance(x, FormRollup) else [x]
            item = _item(label[vid], x, x.where if isinstance(x, FormRollup) else x.location)
            item["findings"] = [_item(label[vid], f, f.location) for f in inner] if isinstance(x, FormRollup) else []
            groups.setdefault(f"{inner[0].family} {FAMILIES.get(inner[0].family, '')}", []).append(item)
    p = request.scope.get("budgetwatch.principal") or LOCAL
    answered = []
    for q in s.scalars(QS.visible(s, p).where(Question.status.in_(("replied", "closed"))).order_by(Question.id)):
        reply = next((e.body for e in reversed(QS.events_of(s, q)) if e.kind == "reply"), "")
        answered.append(
            {
                "title": q.title,
                "target": q.target_label,
                "author": q.author_name,
                "body": q.body,
                "responsible": q.responsible_name or "",
                "reply": reply,
            }
        )
    return {"groups": dict(sorted(groups.items())), "questions": answered}


def _item(document: str, x, location: str) -> dict:
    opinion = x.suggestion if isinstance(x, FormRollup) else (x.reason or x.suggestion)
    return {"document": document, "rule": x.rule, "location": location, "message": x.message, "opinion": opinion or ""}


def _docx(d: dict) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading("审查意见（草稿）", 0)
    doc.add_heading("一、经核实的问题", 1)
    if not d["groups"]:
        doc.add_paragraph("（尚无经确认的预警。）")
    for family, items in d["groups"].items():
        doc.add_heading(family, 2)
        for i in items:
            doc.add_paragraph(f"{i['document']} · {i['rule']} {i['location']}：{i['message']}", style="List Number")
            if i["opinion"]:
                doc.add_paragraph(f"意见：{i['opinion']}")
            for f in i["findings"]:
                doc.add_paragraph(f"{f['location']}：{f['message']}", style="List Bullet 2")
    doc.add_heading("二、代表意见及办理情况", 1)
    if not d["questions"]:
        doc.add_paragraph("（尚无已答复的代表意见。）")
    for q in d["questions"]:
        doc.add_paragraph(f"{q['title']}（{q['author']}，关于 {q['target']}）", style="List Number")
        doc.add_paragraph(q["body"])
        doc.add_paragraph(f"答复（{q['responsible']}）：{q['reply']}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _html(d: dict) -> str:
    parts = [
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>审查意见（草稿）</title>'
        "<style>body{font-family:sans-serif;margin:2cm} h1{text-align:center}</style></head><body>"
        "<h1>审查意见（草稿）</h1><h2>一、经核实的问题</h2>"
    ]
    for family, items in d["groups"].items() or [("", [])]:
        parts.append(f"<h3>{escape(family)}</h3><ol>")
        parts += [
            f"<li>{escape(i['document'])} · {escape(i['rule'])} {escape(i['location'])}：{escape(i['message'])}"
            + (f"<br>意见：{escape(i['opinion'])}" if i["opinion"] else "")
            + _sub_list(i["findings"])
            + "</li>"
            for i in items
        ]
        parts.append("</ol>")
    parts.append("<h2>二、代表意见及办理情况</h2><ol>")
    parts += [
        f"<li>{escape(q['title'])}（{escape(q['author'])}，关于 {escape(q['target'])}）<p>{escape(q['body'])}</p>"
        f"<p>答复（{escape(q['responsible'])}）：{escape(q['reply'])}</p></li>"
        for q in d["questions"]
    ]
    return "".join(parts) + "</ol></body></html>"


def _sub_list(findings: list[dict]) -> str:
    if not findings:
        return ""
    rows = "".join(f"<li>{escape(f['location'])}：{escape(f['message'])}</li>" for f in findings)
    return f"<ul>{rows}</ul>"


@router.get("/staff/opinion.{fmt}", include_in_schema=False)
def opinion(request: Request, fmt: Literal["html", "docx", "pdf"], s: Session = Depends(deps.session)):
    d = draft(s, request)
    if fmt == "docx":
        return Response(
            _docx(d), media_type=DOCX, headers={"Content-Disposition": 'attachment; filename="opinion.docx"'}
        )
    if fmt == "pdf":
        from ..reports import _pdf

        return Response(
            _pdf(_html(d)),
            media_type="application/pdf",
            headers={"Content-Disposition": 'attachment; filename="opinion.pdf"'},
        )
    return HTMLResponse(_html(d))
