"""Running family G over a region-year as of a date, keeping the findings (execution_findings, one set per as-of
date, so a month can be compared with the month before) and reviewers' decisions (execution_decisions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection, Engine

from ..checks.rule import RULES, SEVERITIES, Finding
from ..errors import NotFound
from ..feed.model import ExecutionFinding, FeedBatch, Payment
from ..feed.reconcile import finding_row
from ..store.schema import table_of
from ..vocab.enums import DECISIONS
from .common import fingerprint
from .model import ExecutionDecision
from .view import FeedView

STATUSES = DECISIONS


@dataclass
class Result:
    region: str
    year: int
    as_of: date
    findings: list[Finding] = field(default_factory=list)


def default_as_of(conn: Connection, region: str, year: int) -> date:
    """The newest batch's as-of date, else the last payment's date, else 31 December."""
    b, p = FeedBatch.__table__, Payment.__table__
    d = conn.execute(select(func.max(b.c.as_of)).where(b.c.region_code == region, b.c.fiscal_year == year)).scalar()
    d = (
        d
        or conn.execute(
            select(func.max(p.c.pay_date)).where(p.c.region_code == region, p.c.fiscal_year == year)
        ).scalar()
    )
    return d or date(year, 12, 31)


def g_rules(only: set[str] | None = None):
    return [r for r in RULES.values() if r.family == "G" and (not only or r.id in only)]


def evaluate(
    conn: Connection,
    region: str,
    year: int,
    as_of: date,
    agency: str | None = None,
    only: set[str] | None = None,
    keep_figures: bool = False,
) -> list[Finding]:
    """The family G findings (not stored), most severe first; `keep_figures` also keeps the pages' figures."""
    view = FeedView(conn, region, year, as_of, agency)
    out = []
    try:
        for r in g_rules(only):
            out.extend(r.run(view))
        if keep_figures:
            from .figures import store_figures

            store_figures(view)
    finally:
        view.close()
    order = {s: i for i, s in enumerate(SEVERITIES)}
    out.sort(
        key=lambda f: (
            order[f.severity],
            f.rule,
            f.evidence.get("agency_code") or "",
            f.evidence.get("subject_id") or "",
        )
    )
    return out


def exec_fingerprint(f: Finding) -> str:
    e = f.evidence
    return fingerprint(f.rule, e.get("subject_type"), e.get("subject_id"), e.get("aspect"))


def check_feed(
    engine: Engine, region: str, year: int, as_of: date | None = None, *, reconcile: bool = True, store: bool = True
) -> Result:
    """Match the feed to the disclosures (family R, which the 三公 and 科目 rules read), then run family G as of
    `as_of` and replace the G findings kept for that date."""
    if reconcile:
        from ..feed.reconcile import reconcile as run_r

        run_r(engine, region, year, as_of)
    with engine.begin() as conn:
        as_of = as_of or default_as_of(conn, region, year)
        res = Result(region, year, as_of, evaluate(conn, region, year, as_of, keep_figures=store))
        if store:
            e = table_of(ExecutionFinding)
            conn.execute(
                delete(e).where(
                    e.c.region_code == region, e.c.fiscal_year == year, e.c.family == "G", e.c.as_of == as_of
                )
            )
            rows = [_row(f, region, year, as_of) for f in res.findings]
            if rows:
                conn.execute(e.insert(), rows)
    return res


def _row(f: Finding, region: str, year: int, as_of: date) -> dict:
    e = f.evidence
    return finding_row(
        f,
        region_code=region,
        fiscal_year=year,
        agency_code=e.get("agency_code"),
        as_of=as_of,
        version_id=e.get("version_id"),
        family="G",
        fingerprint=exec_fingerprint(f),
        subject_type=e.get("subject_type"),
        subject_id=str(e.get("subject_id"))[:100],
    )


def decide(conn: Connection, finding_id: int, status: str, reason: str | None, by: str | None) -> dict:
    """确认 (accepted) or 排除 (dismissed) an execution finding; kept by (region, fingerprint)."""
    from ..store.schema import utcnow

    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    e, d = table_of(ExecutionFinding), table_of(ExecutionDecision)
    rec = conn.execute(select(e).where(e.c.id == finding_id)).first()
    if rec is None:
        raise NotFound("execution finding", [finding_id])
    conn.execute(delete(d).where(d.c.region_code == rec.region_code, d.c.fingerprint == rec.fingerprint))
    conn.execute(
        d.insert().values(
            region_code=rec.region_code,
            fingerprint=rec.fingerprint,
            status=status,
            reason=reason,
            decided_by=by,
            decided_at=utcnow(),
        )
    )
    return {"id": finding_id, "rule": rec.rule, "status": status, "reason": reason, "by": by}


def decisions(conn: Connection, region: str) -> dict[str, dict]:
    d = ExecutionDecision.__table__
    return {r.fingerprint: dict(r._mapping) for r in conn.execute(select(d).where(d.c.region_code == region))}
