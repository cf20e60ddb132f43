"""Key figures in the database: a version's, as analysis/figures.py computed them, in the `key_figures`
table (one column per field of model.KEY_FIGURE_FIELDS), so that lists, comparisons and trends are queries."""

from __future__ import annotations

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


def as_dict(rec: KeyFigures) -> dict:
    return {k: getattr(rec, k) for k in KEY_FIGURE_FIELDS} | {"classes": dict(rec.classes or {})}


def head(v: Version) -> dict:
    """What a version's figures are of: its unit, year, stage, scope and place."""
    return {
        "unit": v.unit_name,
        "year": v.year,
        "stage": v.stage,
        "scope": v.scope,
        "region": v.region,
        "level": v.level,
    }


def stored_figures(session: Session, version_ids: list[int]) -> tuple[dict[int, dict], dict[int, Version]]:
    """The stored figures of the given versions ({version id: head | figures}, those stored only) and the
    versions, in two queries."""
    versions = {v.id: v for v in session.scalars(select(Version).where(Version.id.in_(version_ids)))}
    stored = session.scalars(select(KeyFigures).where(KeyFigures.version_id.in_(version_ids)))
    return {r.version_id: head(versions[r.version_id]) | as_dict(r) for r in stored}, versions
