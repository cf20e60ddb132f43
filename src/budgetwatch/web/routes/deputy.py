"""代表服务: 我的地区 (a deputy's region on a phone: key figures, trends, the warnings staff have published,
a 提问 button on each), 我的意见 (questions and their replies), and the staff side — the queue with
督办 of overdue items, 受理/不予受理, 交办 to a 责任单位 with a due date, 答复, 办结, statistics and the
审查意见 draft (DOCX, PDF). Pages with JSON twins; the JSON serves a future 小程序 as well."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Path as FastPath, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ...access import questions as QS
from ...access.principal import LOCAL, Principal, Scope
from ...access.tables import Question
from ...analysis.figures import KEYS, figures_many
from ...checks.rule import FAMILIES
from ...errors import NotFound
from .. import deps, queries as Q
from ..fastjson import FastJSON
from ..templating import render

router = APIRouter(tags=["代表服务"], responses=deps.NOT_FOUND)
NO_NUL = deps.NO_NUL
Fmt = Query(None, pattern="^(html|json)$")
QuestionId = Annotated[int, FastPath(ge=1, le=deps.MAX_ID, description="the question's id")]


def principal(request: Request) -> Principal:
    return request.scope.get("budgetwatch.principal") or LOCAL


def scope_of(request: Request) -> Scope:
    return request.scope.get("budgetwatch.scope") or Scope(None)


def _note(request: Request, **detail) -> None:
    """What the audit record of this request should say besides its address (access/gate.py)."""
    request.scope.setdefault("budgetwatch.audit_detail", {}).update(detail)


# ---- 我的地区 --------------------------------------------------------------------------------------


def deputy_data(s: Session, request: Request) -> dict:
    """Key figures of the region's newest documents, the yearly trend, and the published warnings
    (findings staff have accepted) — all through the scoped session."""
    from ...store.findings import load_findings

    versions = Q.newest_versions(s)
    figures = figures_many(s, [v.id for v in versions])
    docs = [
        {
            "id": v.document_id,
            "unit": v.unit_name,
            "year": v.year,
            "stage": v.stage,
            "stage_zh": Q.STAGE_ZH.get(v.stage or "", ""),
            "region": v.region_code,
            "income_total": figures[v.id]["income_total"],
            "expenditure_total": figures[v.id]["expenditure_total"],
        }
        for v in versions
    ]
    trend: dict[str, float] = {}
    for d in docs:
        if d["year"] and d["stage"] == "budget" and d["income_total"] is not None:
            trend[str(d["year"])] = round(trend.get(str(d["year"]), 0) + d["income_total"], 2)
    found = load_findings(s, [v.id for v in versions])
    label = {v.id: f"{v.unit_name or ''} {v.year or ''}{Q.STAGE_ZH.get(v.stage or '', '')}" for v in versions}
    warnings = [
        {
            "id": f.id,
            "rule": f.rule,
            "family": FAMILIES.get(f.family, f.family),
            "severity": f.severity,
            "message": f.message,
            "location": f.location,
            "document": label[vid],
            "reason": f.reason,
        }
        for vid, fs in found.items()
        for f in fs
        if f.status == "accepted"
    ]
    from ...access.regions import region_names

    names = region_names(s)
    regions = [f"{names[c]}（{c}）" if c in names else c for c in sorted({d["region"] for d in docs if d["region"]})]
    scope = scope_of(request)
    return {
        "regions": regions,
        "documents": docs,
        "trend": dict(sorted(trend.items())),
        "execution": execution(s, None if scope.unrestricted else scope.detail),
        "keys": {"income_total": KEYS["income_total"], "expenditure_total": KEYS["expenditure_total"]},
        "published_warnings": warnings,
        "my_questions": QS.statistics(s, principal(request))["total"],
    }


def execution(s: Session, regions: frozenset[str] | None) -> list[dict]:
    """The 联网 execution curve of each region's newest feed year: payments to the end of each month against
    the year's current budget (年初指标 + 调整), beside 序时进度 (month / 12). Feed rows are read with the
    region named explicitly (the feed's queries are Core, outside the session's ORM scope)."""
    from decimal import Decimal

    from sqlalchemy import extract, func, select

    from ...feed import queries as FQ
    from ...feed.model import Payment

    p = Payment.__table__
    q = select(p.c.region_code, func.max(p.c.fiscal_year)).where(p.c.is_deleted.is_(False)).group_by(p.c.region_code)
    if regions is not None:
        q = q.where(p.c.region_code.in_(sorted(regions)))
    c = s.connection()
    out = []
    for region, year in c.execute(q.order_by(p.c.region_code)).all():
        current = sum((Decimal(u["current"]) for u in FQ.units(c, region, year)), Decimal(0))
        month = extract("month", p.c.pay_date)
        by_month: dict[Any, Decimal | None] = dict(  # month: an int on SQLite, a Decimal on PostgreSQL
            c.execute(
                select(month, func.sum(p.c.amount))
                .where(p.c.region_code == region, p.c.fiscal_year == year, p.c.is_deleted.is_(False))
                .group_by(month)
            ).all()
        )
        paid, curve = Decimal(0), []
        for m in range(1, 13):
            paid += Decimal(by_month.get(m) or 0)
            curve.append(
                {
                    "month": m,
                    "paid": round(float(paid) / 10000, 2),
                    "share": round(float(paid / current), 4) if current else None,
                    "target": round(m / 12, 4),
                }
            )
        out.append(
            {
                "region": region,
                "year": year,
                "budget": round(float(current) / 10000, 2),
                "money_unit": "万元",
                "curve": curve,
            }
        )
    return out


@router.get("/api/deputy")
def deputy_json(request: Request, s: Session = Depends(deps.session)):
    """我的地区: key figures and trend of the region's documents, the warnings staff published."""
    return deputy_data(s, request)


@router.get("/deputy", include_in_schema=False)
def deputy_page(request: Request, format: str | None = Fmt, s: Session = Depends(deps.session)):
    data = deputy_data(s, request)
    if format == "json":
        return FastJSON(data)
    return render(request, "deputy.html", {"data": data, "me": principal(request)})


# ---- questions -------------------------------------------------------------------------------------


class NewQuestion(BaseModel):
    title: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    body: str = Field(min_length=1, max_length=5000, pattern=NO_NUL)
    target_type: Literal["document", "table_row", "key_figure", "finding", "project", "free"] = "free"
    target_id: str | None = Field(default=None, max_length=300, pattern=NO_NUL)
    on_behalf_of: str | None = Field(default=None, max_length=100, pattern=NO_NUL)


class StepBody(BaseModel):
    body: str | None = Field(default=None, max_length=5000, pattern=NO_NUL)
    responsible_code: str | None = Field(default=None, max_length=64, pattern=NO_NUL)
    responsible_name: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    due_at: datetime | None = None


def _ask(request: Request, s: Session, body: NewQuestion) -> Question:
    p = principal(request)
    if body.on_behalf_of and not (p.via == "local" or p.roles() & {"staff"}):
        raise HTTPException(403, "only staff record a question on a deputy's behalf")
    try:
        q = QS.ask(s, p, body.title, body.body, body.target_type, body.target_id, scope_of(request), body.on_behalf_of)
    except QS.QuestionError as e:
        raise HTTPException(422, str(e)) from None
    except LookupError as e:
        raise HTTPException(404, str(e)) from None
    s.commit()
    _note(request, question=q.id, target=q.target_label)
    return q


def _list(s: Session, request: Request, status: str | None, overdue: bool) -> list[dict]:
    q = QS.visible(s, principal(request))
    if status:
        q = q.where(Question.status == status)
    items = [
        QS.to_dict(x) for x in s.scalars(q.order_by(Question.due_at.is_(None), Question.due_at, Question.id.desc()))
    ]
    return [i for i in items if i["overdue"]] if overdue else items


Status = Query(None, pattern="^(submitted|accepted|rejected|assigned|replied|closed)$")


@router.get("/api/questions")
def questions_json(
    request: Request, status: str | None = Status, overdue: bool = False, s: Session = Depends(deps.session)
):
    """代表意见 the principal sees (a deputy: their own; finance: those assigned to it; staff: the region's)."""
    return {"items": _list(s, request, status, overdue)}


@router.post("/api/questions")
def ask_json(request: Request, body: NewQuestion, s: Session = Depends(deps.session)):
    """提问 on a document, table row (`DOC:TABLE:ROW`), key figure (`DOC:KEY`), finding, project (`DOC:名称`) or nothing."""
    return QS.to_dict(_ask(request, s, body))


@router.get("/api/questions/overdue")
def overdue_json(request: Request, s: Session = Depends(deps.session)):
    """督办: assigned questions past their due date."""
    return {"items": _list(s, request, "assigned", True)}


@router.get("/api/questions/stats")
def stats_json(request: Request, s: Session = Depends(deps.session)):
    """统计分析: by status, 责任单位 (top 10), target type and year."""
    return QS.statistics(s, principal(request))


def _get(s: Session, request: Request, question_id: int) -> Question:
    try:
        return QS.get(s, principal(request), question_id)
    except LookupError:
        raise NotFound("question", [question_id]) from None


@router.get("/api/questions/{question_id}")
def question_json(request: Request, question_id: QuestionId, s: Session = Depends(deps.session)):
    """One question with its snapshot and every step taken."""
    q = _get(s, request, question_id)
    return QS.to_dict(q, QS.events_of(s, q))


def _step(request: Request, s: Session, question_id: int, kind: str, body: StepBody) -> dict:
    p = principal(request)
    if kind not in QS.STEPS:
        raise HTTPException(404, f"no step {kind}")
    if p.via != "local" and not p.can(QS.STEPS[kind][2]):
        request.scope["budgetwatch.denied"] = True
        raise HTTPException(403, "not permitted for your role")
    q = _get(s, request, question_id)
    due = body.due_at.replace(tzinfo=UTC) if body.due_at and body.due_at.tzinfo is None else body.due_at
    try:
        QS.step(s, p, q, kind, body.body, body.responsible_code, body.responsible_name, due)
    except QS.QuestionError as e:
        raise HTTPException(409, str(e)) from None
    except LookupError:
        raise NotFound("question", [question_id]) from None
    s.commit()
    _note(request, question=q.id, step=kind, status=q.status)
    return QS.to_dict(q, QS.events_of(s, q))


def _api_step(kind: str):
    def endpoint(request: Request, question_id: QuestionId, body: StepBody, s: Session = Depends(deps.session)):
        return _step(request, s, question_id, kind, body)

    endpoint.__doc__ = f"{QS.STEP_ZH[kind]}."
    endpoint.__name__ = f"question_{kind}"
    return endpoint


for _kind in ("accept", "reject", "assign", "urge", "reply", "close"):
    router.post(f"/api/questions/{{question_id}}/{_kind}", name=f"question_{_kind}")(_api_step(_kind))


# ---- pages -----------------------------------------------------------------------------------------


@router.get("/questions", include_in_schema=False)
def questions_page(
    request: Request, status: str | None = Status, format: str | None = Fmt, s: Session = Depends(deps.session)
):
    items = _list(s, request, status, False)
    if format == "json":
        return FastJSON({"items": items})
    return render(request, "questions.html", {"items": items, "status": status or "", "statuses": QS.STATUS_ZH})


@router.get("/questions/new", include_in_schema=False)
def new_question_page(
    request: Request,
    target_type: str = Query("free", max_length=16),
    target_id: str | None = Query(None, max_length=300),
    s: Session = Depends(deps.session),
):
    try:
        target = QS.resolve_target(s, target_type, target_id)
    except QS.QuestionError as e:
        raise HTTPException(422, str(e)) from None
    except LookupError as e:
        raise HTTPException(404, str(e)) from None
    return render(
        request,
        "question_new.html",
        {"target_type": target_type, "target_id": target_id or "", "label": target.label, "targets": QS.TARGETS},
    )


@router.post("/questions", include_in_schema=False)
def ask_form(
    request: Request,
    title: str = Form(...),
    body: str = Form(...),
    target_type: str = Form("free"),
    target_id: str = Form(""),
    on_behalf_of: str = Form(""),
    s: Session = Depends(deps.session),
):
    try:
        data = NewQuestion.model_validate(  # target_type is checked here, as the API's body is
            {
                "title": title,
                "body": body,
                "target_type": target_type,
                "target_id": target_id or None,
                "on_behalf_of": on_behalf_of or None,
            }
        )
    except ValueError as e:
        raise HTTPException(422, str(e).splitlines()[0]) from None
    q = _ask(request, s, data)
    return RedirectResponse(f"/questions/{q.id}", status_code=303)


@router.get("/questions/{question_id}", include_in_schema=False)
def question_page(
    request: Request, question_id: QuestionId, format: str | None = Fmt, s: Session = Depends(deps.session)
):
    q = _get(s, request, question_id)
    data = QS.to_dict(q, QS.events_of(s, q))
    if format == "json":
        return FastJSON(data)
    p = principal(request)
    steps = [
        k
        for k, (starts, _, action) in QS.STEPS.items()
        if q.status in starts and (p.via == "local" or p.can(action)) and (k != "urge" or data["overdue"])
    ]
    return render(request, "question.html", {"q": data, "steps": steps, "step_zh": QS.STEP_ZH})


@router.post("/questions/{question_id}/{step}", include_in_schema=False)
def step_form(
    request: Request,
    question_id: QuestionId,
    step: str,
    body: str = Form(""),
    responsible_name: str = Form(""),
    responsible_code: str = Form(""),
    due: str = Form(""),
    s: Session = Depends(deps.session),
):
    try:
        due_at = datetime.fromisoformat(due).replace(tzinfo=UTC) if due else None
        data = StepBody(
            body=body or None,
            responsible_name=responsible_name or None,
            responsible_code=responsible_code or None,
            due_at=due_at,
        )
    except ValueError as e:
        raise HTTPException(422, str(e).splitlines()[0]) from None
    _step(request, s, question_id, step, data)
    return RedirectResponse(f"/questions/{question_id}", status_code=303)


@router.get("/staff/questions", include_in_schema=False)
def staff_page(request: Request, format: str | None = Fmt, s: Session = Depends(deps.session)):
    items = _list(s, request, None, False)
    stats = QS.statistics(s, principal(request))
    if format == "json":
        return FastJSON({"items": items, "stats": stats})
    return render(request, "staff_questions.html", {"items": items, "stats": stats})


for _route in router.routes:  # access_wiring lists them in the schema in server mode only
    # Starlette types router.routes as BaseRoute (these are APIRoutes); `documented` is a flag of ours
    _route.documented = _route.include_in_schema  # type: ignore[attr-defined]
