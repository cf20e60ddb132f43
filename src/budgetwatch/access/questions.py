"""代表服务: a deputy's question (代表意见) on a budget object and its life —
提问 (submitted) → 受理 (accepted) | 不予受理 (rejected) → 交办 (assigned to a 责任单位, with a due date)
→ 答复 (replied) → 办结 (closed); 督办 (urge) on an assigned question past its due date.

A question keeps a text snapshot of what it was about (the row, figure, finding or project as it stood),
so later versions of the document do not change what was asked. Every step is an event with its actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.schema import FindingRecord, Version
from ..vocab.enums import Stage, labels
from .principal import Principal
from .sessions import aware, now
from .tables import Question, QuestionEvent

STATUS_ZH = {
    "submitted": "待受理",
    "accepted": "已受理",
    "rejected": "不予受理",
    "assigned": "已交办",
    "replied": "已答复",
    "closed": "已办结",
}
TARGETS = {
    "document": "文档",
    "table_row": "报表行",
    "key_figure": "关键数据",
    "finding": "预警",
    "project": "项目",
    "free": "其他",
}
# step → (statuses it starts from, status it leads to, action of the matrix it needs)
STEPS = {
    "accept": (("submitted",), "accepted", "triage"),
    "reject": (("submitted",), "rejected", "triage"),
    "assign": (("accepted", "assigned"), "assigned", "triage"),
    "urge": (("assigned",), "assigned", "triage"),
    "reply": (("accepted", "assigned"), "replied", "reply"),
    "close": (("replied",), "closed", "triage"),
}
STEP_ZH = {
    "submit": "提问",
    "accept": "受理",
    "reject": "不予受理",
    "assign": "交办",
    "urge": "督办",
    "reply": "答复",
    "close": "办结",
}
DUE_WORKING_DAYS = 15  # a 交办 without a date is due in 15 working days
CST = timezone(timedelta(hours=8), "北京时间")  # times are shown to people as Beijing time


class QuestionError(ValueError):
    pass


def working_days_after(start: datetime, days: int) -> datetime:
    t = start
    while days > 0:
        t += timedelta(days=1)
        if t.weekday() < 5:
            days -= 1
    return t


# ---- what a question is about ----------------------------------------------------------------------


@dataclass
class Target:
    region_code: str | None
    label: str
    snapshot: dict
    year: int | None


def _version_label(v: Version) -> str:
    stage = labels(Stage).get(v.stage or "", "")
    return f"{v.unit_name or '（未识别单位）'} {v.year or ''}{stage}"


def _newest(s: Session, document_id: int) -> Version | None:
    from ..store.newest import newest_version  # the same newest-version rule as the pages

    return newest_version(s, document_id)


def resolve_target(s: Session, kind: str, target_id: str | None) -> Target:
    """The object named, read through the request's scoped session (out of scope = not found), as a
    snapshot. LookupError when it does not exist (or is not visible)."""
    from ..analysis.figures import KEYS, figures_many
    from ..store.repository import load_version_cached

    if kind not in TARGETS:
        raise QuestionError(f"target_type {kind}: choose one of {', '.join(TARGETS)}")
    if kind == "free":
        return Target(None, "（未指定对象）", {}, None)
    parts = (target_id or "").split(":")
    if kind == "finding":
        rec = s.get(FindingRecord, int(parts[0])) if parts[0].isdigit() else None
        v = s.get(Version, rec.version_id) if rec else None
        if rec is None or v is None:
            raise LookupError(f"no finding {target_id}")
        where = " ".join(x for x in (rec.table_title, rec.row_code, rec.row_name) if x)
        snap = {
            "document": v.document_id,
            "rule": rec.rule,
            "message": rec.message,
            "location": where,
            "value": None if rec.value is None else float(rec.value),
            "money_unit": rec.money_unit,
        }
        return Target(v.region_code, f"{_version_label(v)} · {rec.rule} {where}", snap, v.year)
    if not parts[0].isdigit():
        raise QuestionError(f"target_id {target_id}: starts with a document id")
    v = _newest(s, int(parts[0]))
    if v is None:
        raise LookupError(f"no document {parts[0]}")
    base = _version_label(v)
    if kind == "document":
        fig = figures_many(s, [v.id])[v.id]
        return Target(
            v.region_code,
            base,
            {
                "document": v.document_id,
                "version": v.number,
                "income_total": fig.get("income_total"),
                "expenditure_total": fig.get("expenditure_total"),
            },
            v.year,
        )
    if kind == "key_figure":
        key = parts[1] if len(parts) > 1 else ""
        fig = figures_many(s, [v.id])[v.id]
        if key not in KEYS:
            raise QuestionError(f"key figure {key}: choose one of {', '.join(KEYS)}")
        return Target(
            v.region_code,
            f"{base} · {KEYS[key]} {fig.get(key)}万元",
            {"document": v.document_id, "key": key, "name": KEYS[key], "value": fig.get(key), "money_unit": "万元"},
            v.year,
        )
    if kind == "table_row":
        doc = load_version_cached(s, v.id)
        try:
            t, r = int(parts[1]), int(parts[2])
            table, row = doc.tables[t], doc.tables[t].rows[r]
        except (IndexError, ValueError):
            raise LookupError(f"no table row {target_id}") from None
        total = row.values.get("total", next(iter(row.values.values()), None))
        label = f"{base} · {row.code or ''} {row.name or ''} {'' if total is None else total}{table.money_unit or ''}"
        return Target(
            v.region_code,
            " ".join(label.split()),
            {
                "document": v.document_id,
                "table": t,
                "row": r,
                "title": table.title,
                "code": row.code,
                "name": row.name,
                "values": dict(row.values),
                "money_unit": table.money_unit,
            },
            v.year,
        )
    # project: document id and the project's name
    name = ":".join(parts[1:]).strip()
    if not name:
        raise QuestionError("a project target is DOCUMENT_ID:项目名称")
    doc = load_version_cached(s, v.id)
    amount = next((f.amount for f in doc.forms if f.project == name), None)
    if amount is None:
        amount = next(
            (
                r.values.get("total")
                for t in doc.tables
                if t.kind in ("projects", "projects_carryover")
                for r in t.rows
                if r.name == name
            ),
            None,
        )
    return Target(
        v.region_code,
        f"{base} · 项目 {name}" + (f" {amount}万元" if amount is not None else ""),
        {"document": v.document_id, "project": name, "amount": amount},
        v.year,
    )


# ---- the workflow ----------------------------------------------------------------------------------


def visible(s: Session, p: Principal):
    """The questions query for a principal: deputies see their own, finance those assigned to its 责任单位,
    staff and admins every one of their regions (the session's scope limits the regions)."""
    q = select(Question)
    roles = p.roles()
    if p.via == "local" or p.superadmin or roles & {"staff", "admin"}:
        return q
    conds = []
    if "deputy" in roles and p.id is not None:
        conds.append(Question.author_id == p.id)
    if "finance" in roles and p.agencies():
        conds.append(Question.responsible_code.in_(p.agencies()))
    if not conds:
        return q.where(Question.id < 0)
    from sqlalchemy import or_

    return q.where(or_(*conds))


def get(s: Session, p: Principal, question_id: int) -> Question:
    q = s.scalars(visible(s, p).where(Question.id == question_id)).first()
    if q is None:
        raise LookupError(f"no question with id {question_id}")
    return q


def ask(
    s: Session,
    p: Principal,
    title: str,
    body: str,
    target_type: str,
    target_id: str | None,
    region_scope,
    on_behalf_of: str | None = None,
) -> Question:
    target = resolve_target(s, target_type, target_id)
    region = target.region_code
    if region is None:  # a free question, or a document not placed yet: the asker's own region
        region = p.home_region()
    if region_scope is not None and not region_scope.unrestricted and region not in region_scope.detail:
        raise LookupError("the object is outside your regions")
    t = now()
    q = Question(
        region_code=region,
        author_id=p.id,
        author_name=p.display_name,
        on_behalf_of=on_behalf_of,
        title=title,
        body=body,
        target_type=target_type,
        target_id=target_id,
        target_label=target.label,
        snapshot=target.snapshot,
        year=target.year,
        status="submitted",
        created_at=t,
        updated_at=t,
    )
    s.add(q)
    s.flush()
    s.add(QuestionEvent(question_id=q.id, at=t, actor_id=p.id, actor_name=p.display_name, kind="submit", body=body))
    return q


def step(
    s: Session,
    p: Principal,
    q: Question,
    kind: str,
    body: str | None = None,
    responsible_code: str | None = None,
    responsible_name: str | None = None,
    due_at: datetime | None = None,
) -> None:
    """One step of the workflow; QuestionError when the question's status does not allow it."""
    if kind not in STEPS:
        raise QuestionError(f"step {kind}: choose one of {', '.join(STEPS)}")
    starts, ends, action = STEPS[kind]
    if q.status not in starts:
        raise QuestionError(f"{STEP_ZH[kind]}：问题状态为「{STATUS_ZH[q.status]}」，不能{STEP_ZH[kind]}")
    t = now()
    detail: dict = {}
    if kind == "reject" and not body:
        raise QuestionError("不予受理须说明理由")
    if kind == "reply" and not body:
        raise QuestionError("答复内容不能为空")
    if (
        kind == "reply"
        and not (p.via == "local" or p.superadmin or p.roles() & {"staff", "admin"})
        and q.responsible_code not in p.agencies()  # finance answers only what was assigned to it
    ):
        raise LookupError(f"no question with id {q.id}")
    if kind == "assign":
        if not responsible_name:
            raise QuestionError("交办须指定责任单位")
        q.responsible_code, q.responsible_name = responsible_code, responsible_name
        q.due_at = due_at or working_days_after(t, DUE_WORKING_DAYS)
        detail = {
            "responsible_code": responsible_code,
            "responsible_name": responsible_name,
            "due_at": _shown(q.due_at),
        }
    if kind == "urge":
        if q.due_at is None or aware(q.due_at) >= t:
            raise QuestionError("尚未逾期，不能督办")
        detail = {"overdue_days": (t - aware(q.due_at)).days}
    q.status, q.updated_at = ends, t
    s.add(
        QuestionEvent(
            question_id=q.id, at=t, actor_id=p.id, actor_name=p.display_name, kind=kind, body=body, detail=detail
        )
    )


def is_overdue(q: Question, at: datetime | None = None) -> bool:
    return q.status == "assigned" and q.due_at is not None and aware(q.due_at) < (at or now())


def _shown(t: datetime | None) -> str | None:
    return aware(t).astimezone(CST).isoformat() if t is not None else None


def to_dict(q: Question, events: list[QuestionEvent] | None = None) -> dict:
    out: dict[str, Any] = {
        "id": q.id,
        "region": q.region_code,
        "title": q.title,
        "body": q.body,
        "author": q.author_name,
        "on_behalf_of": q.on_behalf_of,
        "target_type": q.target_type,
        "target_type_zh": TARGETS[q.target_type],
        "target_id": q.target_id,
        "target_label": q.target_label,
        "snapshot": q.snapshot,
        "year": q.year,
        "responsible_code": q.responsible_code,
        "responsible_name": q.responsible_name,
        "status": q.status,
        "status_zh": STATUS_ZH[q.status],
        "due_at": _shown(q.due_at),
        "overdue": is_overdue(q),
        "created_at": _shown(q.created_at),
    }
    if events is not None:
        out["events"] = [
            {
                "at": _shown(e.at),
                "actor": e.actor_name,
                "kind": e.kind,
                "kind_zh": STEP_ZH.get(e.kind, e.kind),
                "body": e.body,
                "detail": e.detail,
            }
            for e in events
        ]
    return out


def events_of(s: Session, q: Question) -> list[QuestionEvent]:
    return list(s.scalars(select(QuestionEvent).where(QuestionEvent.question_id == q.id).order_by(QuestionEvent.id)))


def statistics(s: Session, p: Principal) -> dict:
    """As bss-web's 统计分析: totals, by status, 责任单位 top 10, by target type, by year, overdue (over the
    questions the principal sees, loaded through its scoped session)."""
    from collections import Counter

    qs = list(s.scalars(visible(s, p)))

    def count(values) -> dict:
        return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], str(kv[0]))))

    return {
        "total": len(qs),
        "replied": sum(q.status in ("replied", "closed") for q in qs),
        "overdue": sum(is_overdue(q) for q in qs),
        "by_status": count(STATUS_ZH[q.status] for q in qs),
        "by_responsible_top10": [
            {"name": k, "count": n}
            for k, n in list(count(q.responsible_name for q in qs if q.responsible_name).items())[:10]
        ],
        "by_target": count(TARGETS[q.target_type] for q in qs),
        "by_year": count(str(q.year or "") for q in qs),
    }
