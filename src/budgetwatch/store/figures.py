"""Key figures in the database: a version's, as analysis/figures.py computed them, in the `key_figures`
table (one column per field of model.KEY_FIGURE_FIELDS), so that lists, comparisons and trends are queries."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..model import KEY_FIGURE_FIELDS, RANKED_FIGURES
from .among import among, dialect_of
from .schema import KeyFigures, Version

RANK_INDEX = "ix_key_figures_rank_"  # PostgreSQL only (revision 0022): followed by the figure's name


def create_ranking_indexes(conn) -> None:
    """PostgreSQL: per ranked figure, a year's newest versions in 比较's order (figure descending, missing
    ones last, then document), so that a page of the ranking reads its rows and no more. Made by the migration,
    not the models: SQLite has no NULLS LAST in an index (its small databases sort a year's figures)."""
    if conn.dialect.name != "postgresql":
        return
    for k in RANKED_FIGURES:
        conn.execute(
            text(
                f"create index if not exists {RANK_INDEX}{k} on key_figures "
                f"(year, stage, {k} desc nulls last, document_id) where latest"
            )
        )


def drop_ranking_indexes(conn) -> None:
    for k in RANKED_FIGURES:
        conn.execute(text(f"drop index if exists {RANK_INDEX}{k}"))


VERSION_COPIES = ("document_id", "year", "stage", "latest")  # the version's columns key_figures holds a copy of


def save_figures(session: Session, version_id: int, figures: dict) -> dict:
    """Keep a version's key figures (versions never change, so computing them once is enough)."""
    rec = session.get(KeyFigures, version_id) or KeyFigures(version_id=version_id)
    for k, v in figures.items():
        setattr(rec, k, v)
    version = session.get(Version, version_id)
    if version is not None:  # what 比较 filters and orders by, beside the figures (store/newest.py keeps latest)
        for k in VERSION_COPIES:
            setattr(rec, k, getattr(version, k))
    session.add(rec)
    return figures


HEAD = ("unit", "year", "stage", "scope", "region", "level")  # what a version's figures are of


@functools.cache
def _read_figures(dialect: str, only: tuple[str, ...] | None):
    """stored_figures' statement, built once per dialect and choice of figures (store/among.py)."""
    V, K = Version, KeyFigures
    fields = KEY_FIGURE_FIELDS if only is None else only
    columns: list[Any] = [V.id, V.unit_name, V.year, V.stage, V.scope, V.region, V.level, K.version_id]
    columns += [getattr(K, k) for k in fields] + ([K.classes] if only is None else [])
    return select(*columns).outerjoin(K, K.version_id == V.id).where(among(dialect, V.id, "ids"))


def stored_figures(
    session: Session, version_ids: list[int], only: tuple[str, ...] | None = None
) -> tuple[dict[int, dict], dict[int, dict]]:
    """The stored figures of the given versions ({version id: head | figures}, those stored only) and every
    version's head, in one query of plain rows (ORM objects cost more than the page they fill). With `only`,
    those figures alone (a list showing two totals need not decode every version's 类 figures)."""
    fields = KEY_FIGURE_FIELDS if only is None else only
    stored: dict[int, dict] = {}
    heads: dict[int, dict] = {}
    rows = session.execute(_read_figures(dialect_of(session), only), {"ids": list(version_ids)})
    for r in rows:
        vid = r[0]
        heads[vid] = dict(zip(HEAD, r[1:7]))
        if r[7] is not None:
            stored[vid] = heads[vid] | dict(zip(fields, r[8 : 8 + len(fields)]))
            if only is None:
                stored[vid]["classes"] = dict(r[-1] or {})
    return stored, heads


def peer_shares(session: Session, year: int | None, stage: str | None, unit: str | None) -> tuple[int, float | None]:
    """F03's peers counted where they are stored: the newest documents of `year` and `stage` of units other than
    `unit` with a carry-over share (100 × 上年结转 / 收入总计, in the database's doubles as checks/across.py computes
    it in Python's): (how many, their median) — a count, and one or two rows read at the middle of the order,
    instead of every peer's figures brought into Python (checking one document among 20k). checks.PeerShares."""
    from sqlalchemy import func, not_

    from .newest import is_newest

    K, figure = KeyFigures, KeyFigures.__table__.c  # the figures' columns are made from a list (schema.py)
    share = (100.0 * figure.carryover / figure.income_total).label("share")
    own = select(Version.document_id).where(
        is_newest(), Version.unit_name.is_(None) if unit is None else Version.unit_name == unit
    )
    chosen = [
        K.latest,
        K.year == year,
        K.stage == stage,
        figure.carryover.is_not(None),
        figure.income_total > 0,
        not_(K.document_id.in_(own)),
    ]
    n = session.scalar(select(func.count()).select_from(K).where(*chosen)) or 0
    if not n:
        return 0, None
    at = select(share).where(*chosen).order_by(share).offset((n - 1) // 2).limit(2 - n % 2)
    middle = [float(x) for x in session.scalars(at)]
    return n, sum(middle) / len(middle)
