"""`feed pull`: read the finance side's views (named like the 一体化 tables) over a read-only SQLAlchemy link and
load them as one batch. The URL comes from an environment variable; rows are streamed; a watermark on UPDATE_TIME
(minus a 2-day overlap, which the unique keys make harmless) limits each pull to what changed.

Read-only three ways: the account should have SELECT only; PostgreSQL connections are opened READ ONLY; and
every statement this module sends is checked to be a SELECT before it leaves (ReadOnlyViolation otherwise).
Drivers for the finance side's database are optional extras (pyproject: feed-oracle, feed-dm, feed-kingbase)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnClause, column, create_engine, event, inspect, select, table, update
from sqlalchemy.engine import Engine

from ..store.schema import table_of
from .codes import Bad
from .load import Part, Report, load_batch, source_id
from .model import FeedSource
from .presets import MAPS, header_key

VIEWS = {
    "lines": "BA_BGT_INFO",
    "adjustments": "BA_BGT_ADJSUB",
    "applications": "PAY_VOUCHER",
    "payments": "PAY_VOUCHER_BILL",
}
OVERLAP = timedelta(days=2)
YIELD = 5000


class ReadOnlyViolation(RuntimeError):
    pass


def source_engine(url: str) -> Engine:
    opts = {"postgresql_readonly": True} if url.startswith("postgresql") else {}
    eng = create_engine(url, execution_options=opts)

    @event.listens_for(eng, "before_cursor_execute")
    def _only_select(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            raise ReadOnlyViolation(f"the finance database link sends SELECT only, not: {statement[:60]}")

    return eng


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v.isoformat() if hasattr(v, "isoformat") else v)


def pull(
    engine: Engine,
    *,
    url_env: str,
    region: str,
    year: int,
    preset: str = "yth",
    views: dict[str, str] | None = None,
    full: bool = False,
) -> tuple[Report, datetime | None]:
    """Pull the views into one batch; returns its report and the new watermark."""
    url = os.environ.get(url_env)
    if not url:
        raise Bad("E_FILE", f"环境变量 {url_env} 未设置（应为财政数据库的只读连接地址）")
    views = views or VIEWS
    with engine.begin() as c:
        from .regions import ensure_region

        ensure_region(c, region)
        sid = source_id(c, region, "db", url_env, preset)
        t = table_of(FeedSource)
        c.execute(update(t).where(t.c.id == sid, t.c.db_url_env.is_(None)).values(db_url_env=url_env, view_names=views))
        mark = None if full else c.execute(select(t.c.watermark).where(t.c.id == sid)).scalar()
    src = source_engine(url)
    newest: list[datetime] = []
    started = datetime.now(UTC)
    try:
        with src.connect() as sc:
            present = {n.upper(): n for n in inspect(sc).get_view_names() + inspect(sc).get_table_names()}
            parts = [
                _part(sc, tname, present[view.upper()], preset, region, year, mark, newest)
                for tname, view in views.items()
                if view.upper() in present
            ]
            if not parts:
                raise Bad("E_TABLE", f"财政数据库中没有视图 {', '.join(views.values())}")
            rep = load_batch(
                engine,
                parts,
                region=region,
                year=year,
                source_kind="db",
                source_name=url_env,
                external_id=f"pull:{started.isoformat()}",
                preset=preset,
                files=[p.file for p in parts if p.file is not None],  # each part's file is its view
            )
    finally:
        src.dispose()
    watermark = max(newest) if newest else mark
    if rep.status != "rejected" and watermark is not None:
        with engine.begin() as c:
            t = table_of(FeedSource)
            c.execute(update(t).where(t.c.id == sid).values(watermark=watermark))
    return rep, watermark


def _part(sc, tname: str, view: str, preset: str, region: str, year: int, mark, newest: list) -> Part:
    names = {k.lower(): v for k, v in MAPS[preset].get(tname, {}).items()}
    cols = [c["name"] for c in inspect(sc).get_columns(view)]
    mapped = {c: names[header_key(c)[0]] for c in cols if header_key(c)[0] in names}
    upper = {c.upper(): c for c in cols}
    picked: list[ColumnClause[Any]] = [column(c) for c in mapped]  # untyped: the cells come as the driver reads them
    q = select(*picked).select_from(table(view))
    if "MOF_DIV_CODE" in upper:
        q = q.where(column(upper["MOF_DIV_CODE"]) == region)
    if "FISCAL_YEAR" in upper:
        q = q.where(column(upper["FISCAL_YEAR"]) == str(year))
    stamp = upper.get("UPDATE_TIME")
    if stamp:
        if mark is not None:
            q = q.where(column(stamp) > mark - OVERLAP)
        q = q.order_by(column(stamp))
    keys = list(mapped)

    def rows():
        result = sc.execution_options(stream_results=True, yield_per=YIELD).execute(q)
        for n, r in enumerate(result, 1):
            d = dict(zip(keys, r))
            if stamp and isinstance(d.get(stamp), datetime):
                ts = d[stamp] if d[stamp].tzinfo else d[stamp].replace(tzinfo=UTC)
                if not newest or ts > newest[0]:
                    newest[:] = [ts]
            yield n, {mapped[k]: _text(v) for k, v in d.items()}

    return Part(tname, rows(), view, {}, "PAY_VOUCHER_BILL" if tname == "payments" else tname)
