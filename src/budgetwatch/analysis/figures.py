"""Key figures of one document in 万元 (收入/支出总计, 基本/项目, 人员/公用, 三公, 机关运行经费, 上年结转,
功能分类 by 类, staff numbers from the 概况), read from the same table facts the checks use, and kept in the
`key_figures` table so that 单位, 比较 and reports are queries."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..checks.completeness import staff_in_post
from ..checks.facts import collect
from ..checks.view import DocView
from ..model import Document
from ..store.repository import load_version_cached
from ..store.schema import KeyFigures, Version

KEYS = {"income_total": "收入总计", "expenditure_total": "支出总计", "basic": "基本支出", "project": "项目支出",
        "personnel": "人员经费", "public": "公用经费", "three_public": "“三公”经费",
        "admin_operating": "机关运行经费", "carryover": "上年结转"}
DERIVED = ("staff", "carryover_share", "public_per_head", "project_share")


def key_figures(doc: Document) -> dict:
    view = DocView(doc)
    facts = collect(view)
    out: dict = {}
    for key in KEYS:
        fs = facts.get(key) or []
        out[key] = round(fs[0].value, 6) if fs else None
    out["classes"] = {kind[6:]: round(fs[0].value, 6) for kind, fs in facts.items()
                      if kind.startswith("class:") and fs}
    out["staff"] = staff_in_post(view)
    inc, carry, exp, proj = out["income_total"], out["carryover"], out["expenditure_total"], out["project"]
    out["carryover_share"] = round(100 * carry / inc, 2) if inc and carry is not None else None
    out["public_per_head"] = round(out["public"] / out["staff"], 4) if out["public"] and out["staff"] else None
    out["project_share"] = round(100 * proj / exp, 2) if proj and exp else None
    return out


def save_figures(session: Session, version_id: int, figures: dict) -> dict:
    """Keep a version's key figures (versions never change, so computing them once is enough)."""
    rec = session.get(KeyFigures, version_id) or KeyFigures(version_id=version_id)
    for k, v in figures.items():
        setattr(rec, k, v)
    session.add(rec)
    return figures


def _as_dict(rec: KeyFigures) -> dict:
    return {k: getattr(rec, k) for k in (*KEYS, *DERIVED)} | {"classes": dict(rec.classes or {})}


def figures_for(session: Session, version_id: int) -> dict:
    """A stored version's key figures with its unit, year, stage and scope; versions checked before the
    table existed get theirs computed here, once."""
    head = _head(session.get(Version, version_id))
    rec = session.get(KeyFigures, version_id)
    if rec is not None:
        return head | _as_dict(rec)
    figures = key_figures(load_version_cached(session, version_id))
    with Session(session.get_bind()) as w:
        try:
            save_figures(w, version_id, figures)
            w.commit()
        except IntegrityError:   # another worker stored them first
            w.rollback()
    return head | figures


def figures_many(session: Session, version_ids: list[int]) -> dict[int, dict]:
    """figures_for over many versions, reading the stored ones in one query."""
    stored = {r.version_id: r for r in session.scalars(select(KeyFigures).where(KeyFigures.version_id.in_(version_ids)))}
    versions = {v.id: v for v in session.scalars(select(Version).where(Version.id.in_(version_ids)))}
    return {vid: _head(versions[vid]) | _as_dict(stored[vid]) if vid in stored else figures_for(session, vid)
            for vid in version_ids}


def _head(v: Version) -> dict:
    return {"unit": v.unit_name, "year": v.year, "stage": v.stage, "scope": v.scope, "region": v.region,
            "level": v.level}
