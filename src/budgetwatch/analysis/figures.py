"""Key figures of one document in 万元 (收入/支出总计, 基本/项目, 人员/公用, 三公, 机关运行经费, 上年结转,
功能分类 by 类, staff numbers from the 概况), read from the same table facts the checks use."""
from __future__ import annotations

import re
from sqlalchemy.orm import Session

from ..checks.facts import collect
from ..checks.view import DocView
from ..model import Document
from ..store.repository import load_version_cached

KEYS = {"income_total": "收入总计", "expenditure_total": "支出总计", "basic": "基本支出", "project": "项目支出",
        "personnel": "人员经费", "public": "公用经费", "three_public": "“三公”经费",
        "admin_operating": "机关运行经费", "carryover": "上年结转"}
_STAFF = re.compile(r"实有(?:人员|在职人员|人数)?(\d{1,6})人|在职(?:人员|职工)?(\d{1,6})人")


def key_figures(doc: Document) -> dict:
    view = DocView(doc)
    facts = collect(view)
    out: dict = {"unit": doc.unit, "year": doc.year, "stage": doc.stage, "scope": doc.scope}
    for key in KEYS:
        fs = facts.get(key) or []
        out[key] = round(fs[0].value, 6) if fs else None
    classes = {}
    for kind, fs in facts.items():
        if kind.startswith("class:") and fs:
            classes[kind[6:]] = round(fs[0].value, 6)
    out["classes"] = classes
    m = _STAFF.search(view.text)
    out["staff"] = int(next(g for g in m.groups() if g)) if m else None
    inc, carry = out["income_total"], out["carryover"]
    out["carryover_share"] = round(100 * carry / inc, 2) if inc and carry is not None else None
    out["public_per_head"] = round(out["public"] / out["staff"], 4) if out["public"] and out["staff"] else None
    return out


_FIGURES: dict[tuple, dict] = {}


def figures_for(session: Session, version_id: int) -> dict:
    """Key figures of a stored version, computed once per process (versions never change)."""
    doc = load_version_cached(session, version_id)
    key = id(doc)
    if key not in _FIGURES or _FIGURES[key][0] is not doc:
        if len(_FIGURES) > 4096:
            _FIGURES.clear()
        _FIGURES[key] = (doc, key_figures(doc))
    return _FIGURES[key][1]
