"""Key figures of one document in 万元 (收入/支出总计, 基本/项目, 人员/公用, 三公, 机关运行经费, 上年结转,
功能分类 by 类, staff numbers from the 概况), read from the same table facts the checks use, and kept in the
`key_figures` table so that 单位, 比较 and reports are queries."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..checks.completeness import staff_in_post
from ..checks.facts import collect
from ..checks.view import DocView
from ..model import DERIVED_FIGURES, KEY_FIGURES, Document
from ..store.figures import save_figures, stored_figures
from ..store.repository import load_version_cached

KEYS = KEY_FIGURES  # {field: 中文} of the figures read from the tables
DERIVED = tuple(DERIVED_FIGURES)


def key_figures(doc: Document) -> dict:
    view = DocView(doc)
    facts = collect(view)
    out: dict = {}
    for key in KEYS:
        fs = facts.get(key) or []
        out[key] = round(fs[0].value, 6) if fs else None
    out["classes"] = {kind[6:]: round(fs[0].value, 6) for kind, fs in facts.items() if kind.startswith("class:") and fs}
    out["staff"] = staff_in_post(view)
    inc, carry, exp, proj = out["income_total"], out["carryover"], out["expenditure_total"], out["project"]
    out["carryover_share"] = round(100 * carry / inc, 2) if inc and carry is not None else None
    out["public_per_head"] = round(out["public"] / out["staff"], 4) if out["public"] and out["staff"] else None
    out["project_share"] = round(100 * proj / exp, 2) if proj and exp else None
    return out


def figures_for(session: Session, version_id: int) -> dict:
    """A stored version's key figures with its unit, year, stage and scope; versions checked before the
    table existed get theirs computed here, once."""
    return figures_many(session, [version_id])[version_id]


def figures_many(session: Session, version_ids: list[int], only: tuple[str, ...] | None = None) -> dict[int, dict]:
    """Key figures of many versions, the stored ones read in one query, the others computed and stored; with
    `only`, those of the stored figures alone (the computed ones come whole)."""
    stored, heads = stored_figures(session, version_ids, only)
    return {vid: stored[vid] if vid in stored else heads[vid] | _computed(session, vid) for vid in version_ids}


def _computed(session: Session, version_id: int) -> dict:
    figures = key_figures(load_version_cached(session, version_id))
    with Session(session.get_bind()) as w:
        try:
            save_figures(w, version_id, figures)
            w.commit()
        except IntegrityError:  # another worker stored them first
            w.rollback()
    return figures
