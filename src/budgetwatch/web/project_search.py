"""项目: the search over projects (performance forms and rows of project tables), their targets and
indicators, through the full-text index (store/search.py) — queries.py's `projects`, kept apart."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import bindparam, case, func, literal, or_, select, union
from sqlalchemy.orm import Session

from ..store import search
from ..store.among import among, dialect_of
from ..store.schema import CellRecord, FormRecord, IndicatorRecord, RowRecord, TableRecord, Version


def searchable(q: str) -> bool:
    """Whether `q` holds a letter or digit: what the full-text index can look up."""
    return bool(search.grams(q))


# index entries a search reads at most: a common word's cost stops growing with the database
SEARCH_CAP = 1000


def projects(s: Session, q: str, limit: int, offset: int) -> tuple[int, list[dict], bool]:
    """Projects (performance forms, then rows of project tables) whose name, target or indicator contains
    `q`: (how many match, one page of them, whether the matches were cut at SEARCH_CAP index entries — then
    the count and pages are those of the first SEARCH_CAP entries the index yields). A `q` without a letter or digit
    (`searchable`) matches nothing."""
    like = f"%{q}%"
    dialect = dialect_of(s)
    query = search.terms(dialect, q)
    if query is None:  # no letter or digit: nothing the index holds, and a scan would read every newest version
        return 0, [], False
    ids: dict[str, set[int]] = {"form": set(), "row": set(), "entries": {0}}
    for kind, n in s.execute(_look_up(dialect), {"terms": query, "cap": SEARCH_CAP, "like": like}):
        ids[kind].add(n)
    form_ids, row_ids = sorted(ids["form"]), sorted(ids["row"])
    capped = max(ids["entries"]) >= SEARCH_CAP
    total = len(form_ids) + len(row_ids)
    # the page as plain columns, not ORM entities: 50 forms and versions built as objects cost more than
    # the search itself
    items = []
    chosen = form_ids[offset : offset + limit]
    reads = _project_reads(dialect_of(s))
    page = s.execute(reads["forms"], {"ids": chosen}).all() if chosen else []
    matching: dict[int, list] = {}  # only the indicators that match, not every indicator of the forms
    for form_id, *fields in s.execute(reads["indicators"], {"ids": [f.id for f in page], "like": like}) if page else ():
        matching.setdefault(form_id, []).append(dict(zip(("level1", "level2", "name", "value"), fields)))
    for f in page:
        items.append(
            {
                "source": "绩效目标表",
                "project": f.project,
                "amount": float(f.amount) if f.amount is not None else None,
                "money_unit": f.money_unit,
                "page": f.page,
                "line": f.line,
                "indicators": matching.get(f.id, []),
                "document": {"id": f.document_id, "unit": f.unit_name, "year": f.year},
            }
        )
    skip = max(0, offset - len(form_ids))
    chosen = row_ids[skip : skip + limit - len(items)]
    if chosen:
        for r in s.execute(reads["rows"], {"ids": chosen}):
            items.append(
                {
                    "source": r.title,
                    "project": r.name,
                    "amount": float(r.amount) if r.amount is not None else None,
                    "money_unit": r.money_unit,
                    "page": r.page,
                    "line": r.line,
                    "indicators": [],
                    "document": {"id": r.document_id, "unit": r.unit_name, "year": r.year},
                }
            )
    return total, items, capped


@functools.cache
def _look_up(dialect: str):
    """projects()' one look-up of the index (parameters terms, cap and like), built once per dialect. The
    full-text index names the candidates; the LIKE tests on the texts each entry keeps decide. It holds newest
    versions only (no newest-version test) and project rows only (no kind or subtotal test). The look-up is kept
    (MATERIALIZED) for its two uses: the matches, and how many entries were read."""
    hits = search.matching_select(dialect).cte("hits").prefix_with("MATERIALIZED", dialect="postgresql")
    like: Any = bindparam("like")
    of_form = case((hits.c.kind == "row", hits.c.ref_id), else_=hits.c.form_id)  # an indicator finds its form
    matched = select(case((hits.c.kind == "row", "row"), else_="form"), of_form).where(
        or_(hits.c.name.like(like), hits.c.value.like(like))
    )
    return union(matched, select(literal("entries"), func.count()).select_from(hits))


@functools.cache
def _project_reads(dialect: str) -> dict[str, Any]:
    """projects()' reads of a page of matches, built once (store/among.py): its forms, their matching
    indicators, its project rows (with the row's total)."""
    where = (Version.document_id, Version.unit_name, Version.year)
    F, I, R = FormRecord, IndicatorRecord, RowRecord  # noqa: E741
    like: Any = bindparam("like")
    total_cell = (
        select(CellRecord.amount)
        .where(CellRecord.row_id == R.id, CellRecord.column_key == "total")
        .limit(1)
        .scalar_subquery()
    )
    return {
        "forms": select(F.id, F.project, F.amount, F.money_unit, F.page, F.line, *where)
        .join(Version, Version.id == F.version_id)
        .where(among(dialect, F.id, "ids"))
        .order_by(F.id),
        "indicators": select(I.form_id, I.level1, I.level2, I.name, I.value)
        .where(among(dialect, I.form_id, "ids"), or_(I.name.like(like), I.value.like(like)))
        .order_by(I.form_id, I.ordinal),
        "rows": select(R.name, R.page, R.line, total_cell.label("amount"))
        .add_columns(TableRecord.title, TableRecord.money_unit, *where)
        .join(TableRecord, TableRecord.id == R.table_id)
        .join(Version, Version.id == TableRecord.version_id)
        .where(among(dialect, R.id, "ids"))
        .order_by(R.id),
    }
