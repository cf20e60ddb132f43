"""The findings counted per facet, kept as they change, so that the 问题 lists count their facets without
reading the findings: finding_tallies holds each document's newest-version findings counted per combination
of region, year, rule, family, severity and status; finding_totals holds those counts summed over the
documents — a few hundred rows, however many documents are stored.

A session that writes findings, decisions or versions marks their documents (an after_flush listener; the
bulk deletes of save_findings mark theirs); before it commits, each marked document is counted again from
its findings and the difference is added to the totals. So no writer has to remember the counts, and a
count is always of committed findings. Bulk copies (benchmarks/scale_db.py) rebuild them with `rebuild`."""

from __future__ import annotations

from collections import Counter
from itertools import chain

from sqlalchemy import and_, case, delete, event, func, insert, select, text, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .schema import DecisionRecord, DocumentRecord, FindingRecord, FindingTally, FindingTotal, Version, table_of

KEY = ("region_code", "year", "rule", "family", "severity", "status")
MARKS = "budgetwatch.tallies"  # session.info: (document ids, version ids) written in this transaction
CHUNK = 500


def _counted(document_ids=None):
    """SELECT document_id, *KEY, count of the newest versions' findings (of `document_ids`, or all)."""
    status = case((DecisionRecord.id.is_(None), "open"), else_=DecisionRecord.status)
    key = (Version.region_code, Version.year, FindingRecord.rule, FindingRecord.family, FindingRecord.severity, status)
    q = (
        select(Version.document_id, *key, func.count())
        .select_from(FindingRecord)
        .join(Version, Version.id == FindingRecord.version_id)
        .outerjoin(
            DecisionRecord,
            and_(
                DecisionRecord.document_id == Version.document_id,
                DecisionRecord.fingerprint == FindingRecord.fingerprint,
            ),
        )
        .where(Version.latest == true())
    )
    if document_ids is not None:
        q = q.where(Version.document_id.in_(document_ids))
    return q.group_by(Version.document_id, *key)


def mark(session: Session, documents=(), versions=()) -> None:
    """Count these documents (or the documents of these versions) again before the session commits."""
    docs, vers = session.info.setdefault(MARKS, (set(), set()))
    docs.update(d for d in documents if d is not None)
    vers.update(v for v in versions if v is not None)


@event.listens_for(Session, "after_flush")
def _written(session: Session, _context) -> None:
    docs, vers = [], []
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, (Version, DecisionRecord)):
            docs.append(obj.document_id)
        elif isinstance(obj, FindingRecord):
            vers.append(obj.version_id)
    if docs or vers:
        mark(session, docs, vers)


@event.listens_for(Session, "before_commit")
def _count_marked(session: Session) -> None:
    session.flush()  # commit would flush after this: what it writes must be counted too
    if MARKS not in session.info:
        return
    docs, vers = session.info.pop(MARKS)
    conn = session.connection()  # Core: counted whole, whatever scope the session reads under
    if vers:
        docs |= set(conn.scalars(select(Version.document_id).where(Version.id.in_(sorted(vers)))))
    recount(conn, docs)


def recount(conn: Connection, document_ids) -> None:
    """Count the documents' findings again and add the difference to the totals."""
    ids = sorted(set(document_ids))
    tallies, pg = table_of(FindingTally), conn.dialect.name == "postgresql"
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        if pg:  # two transactions counting one document would both add its difference: one waits
            conn.execute(
                select(DocumentRecord.id)
                .where(DocumentRecord.id.in_(chunk))
                .order_by(DocumentRecord.id)
                .with_for_update()
            )
        delta: Counter = Counter()
        for row in conn.execute(select(tallies).where(tallies.c.document_id.in_(chunk))):
            delta[tuple(row._mapping[k] for k in KEY)] -= row.n
        rows = [dict(zip(("document_id", *KEY, "n"), r)) for r in conn.execute(_counted(chunk))]
        for r in rows:
            delta[tuple(r[k] for k in KEY)] += r["n"]
        conn.execute(delete(tallies).where(tallies.c.document_id.in_(chunk)))
        if rows:
            conn.execute(insert(tallies), rows)
        _add(conn, {k: d for k, d in delta.items() if d})


def _add(conn: Connection, delta: dict[tuple, int]) -> None:
    totals = table_of(FindingTotal)
    for key, d in sorted(delta.items(), key=repr):  # one order: two writers lock the rows alike
        same = and_(*(totals.c[k].is_not_distinct_from(v) for k, v in zip(KEY, key)))
        row = conn.scalar(select(func.min(totals.c.id)).where(same))
        if row is None:
            conn.execute(insert(totals).values({**dict(zip(KEY, key)), "n": d}))
        else:
            conn.execute(update(totals).where(totals.c.id == row).values(n=totals.c.n + d))


def rebuild(conn: Connection) -> None:
    """Count every document's findings anew (after a bulk copy that bypassed the sessions)."""
    tallies, totals = table_of(FindingTally), table_of(FindingTotal)
    conn.execute(delete(tallies))
    conn.execute(delete(totals))
    conn.execute(insert(tallies).from_select(["document_id", *KEY, "n"], _counted()))
    cols = [tallies.c[k] for k in KEY]
    conn.execute(insert(totals).from_select([*KEY, "n"], select(*cols, func.sum(tallies.c.n)).group_by(*cols)))
    if conn.dialect.name == "postgresql":
        conn.execute(text("analyze finding_tallies"))
        conn.execute(text("analyze finding_totals"))
