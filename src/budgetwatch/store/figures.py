"""Key figures in the database: a version's, as analysis/figures.py computed them, in the `key_figures`
table (one column per field of model.KEY_FIGURE_FIELDS), so that lists, comparisons and trends are queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..model import KEY_FIGURE_FIELDS
from .schema import KeyFigures, Version


def save_figures(session: Session, version_id: int, figures: dict) -> dict:
    """Keep a version's key figures (versions never change, so computing them once is enough)."""
    rec = session.get(KeyFigures, version_id) or KeyFigures(version_id=version_id)
    for k, v in figures.items():
        setattr(rec, k, v)
    session.add(rec)
    return figures


HEAD = ("unit", "year", "stage", "scope", "region", "level")  # what a version's figures are of


def stored_figures(session: Session, version_ids: list[int]) -> tuple[dict[int, dict], dict[int, dict]]:
    """The stored figures of the given versions ({version id: head | figures}, those stored only) and every
    version's head, in one query of plain rows (ORM objects cost more than the page they fill)."""
    V, K = Version, KeyFigures
    columns: list[Any] = [V.id, V.unit_name, V.year, V.stage, V.scope, V.region, V.level, K.version_id]
    columns += [getattr(K, k) for k in KEY_FIGURE_FIELDS] + [K.classes]
    stored: dict[int, dict] = {}
    heads: dict[int, dict] = {}
    rows = session.execute(select(*columns).outerjoin(K, K.version_id == V.id).where(V.id.in_(version_ids)))
    for r in rows:
        vid, classes = r[0], r[-1]
        heads[vid] = dict(zip(HEAD, r[1:7]))
        if r[7] is not None:
            stored[vid] = heads[vid] | dict(zip(KEY_FIGURE_FIELDS, r[8:-1])) | {"classes": dict(classes or {})}
    return stored, heads
