"""Findings in the database. A finding keeps its id while its fingerprint holds: a re-check updates the
record in place and a new version of the document takes over its predecessor's record, so `#N` in a
report and /api/findings/N stay the same defect. Reviewers' decisions are kept by (document,
fingerprint) with their history (who, when, why) and can be undone."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ..errors import NotFound
from ..model import FINDING_AMOUNTS, FINDING_COLUMNS, Finding
from ..vocab.enums import DECISIONS
from .among import among, dialect_of
from .schema import DecisionEventRecord, DecisionRecord, FindingRecord, Version, utcnow
from .tallies import mark

STATUSES = DECISIONS
MAX_AMOUNT = 10**17  # the columns hold 18 digits before the point (NUMERIC(24, 6))


def _dec(v):
    """A finding's figure as stored; one too large for the column (a misread 200-digit amount) is kept
    in the finding's message only."""
    if v is None or not abs(v) < MAX_AMOUNT:
        return None
    return Decimal(str(round(v, 6)))


def _num(v):
    return None if v is None else float(v)


def _fields(f: Finding) -> dict:
    return (
        {k: getattr(f, k) for k in FINDING_COLUMNS}
        | {k: _dec(getattr(f, k)) for k in FINDING_AMOUNTS}
        | {"fingerprint": f.fingerprint, "evidence": f.evidence or {}}
    )


def save_findings(session: Session, version: Version, findings: list[Finding]) -> list[FindingRecord]:
    """Store a check run's findings on `version`. Each takes the record of the same fingerprint from this
    version (a re-check) or else from the newest earlier version of the document, keeping its id; the
    version's records no finding took are deleted, earlier versions' others stay as they were."""
    prior = session.scalars(
        select(FindingRecord)
        .join(Version, Version.id == FindingRecord.version_id)
        .where(Version.document_id == version.document_id, Version.number <= version.number)
        .order_by(Version.number.desc(), FindingRecord.id)
    ).all()
    free: dict[str, list[FindingRecord]] = {}
    for rec in prior:
        free.setdefault(rec.fingerprint, []).append(rec)
    now = utcnow()
    out = []
    for f in findings:
        taken = free.get(f.fingerprint)
        rec = taken.pop(0) if taken else FindingRecord()
        for k, v in _fields(f).items():
            setattr(rec, k, v)
        rec.version_id, rec.checked_at = version.id, now
        session.add(rec)
        out.append(rec)
    gone = [r.id for rs in free.values() for r in rs if r.version_id == version.id]
    if gone:
        session.execute(delete(FindingRecord).where(FindingRecord.id.in_(gone)))
    mark(session, documents=[version.document_id])  # the counts per facet: a Core delete is not seen by the ORM
    session.flush()
    return out


def to_finding(rec: Any, decision: Any = None) -> Finding:
    """A stored finding as the model's, with the reviewer's decision: `rec` a FindingRecord or a row of its
    columns by name, `decision` a DecisionRecord, a row of its columns by name, or None."""
    f = Finding(
        **{k: getattr(rec, k) for k in FINDING_COLUMNS},
        **{k: _num(getattr(rec, k)) for k in FINDING_AMOUNTS},
        evidence=dict(rec.evidence or {}),
        id=rec.id,
    )
    if decision is not None:
        f.status, f.reason = decision.status, decision.reason
        f.evidence = {
            **f.evidence,
            "decided_by": decision.decided_by,
            "decided_at": decision.decided_at.isoformat() if decision.decided_at else None,
        }
    return f


def load_findings(session: Session, version_ids: list[int]) -> dict[int, list[Finding]]:
    """Findings of the given versions (each with the reviewer's decision, if any), by version id."""
    if not version_ids:
        return {}
    # each version's document: from the session where it holds the version already (a 文档 page: one round trip
    # fewer), else read
    held = session.identity_map
    known = {vid: v.document_id for vid in version_ids if (v := held.get(identity_key(Version, vid)))}
    missing = [vid for vid in version_ids if vid not in known]
    if missing:
        known.update(
            (vid, did)
            for vid, did in session.execute(select(Version.id, Version.document_id).where(Version.id.in_(missing)))
        )
    # plain rows, not ORM objects (a document's hundreds of findings): to_finding reads fields by name
    reads = _finding_reads(dialect_of(session))
    decisions = {
        (d.document_id, d.fingerprint): d
        for d in session.execute(reads["decisions"], {"ids": list(set(known.values()))})
    }
    out: dict[int, list[Finding]] = {vid: [] for vid in version_ids}
    for rec in session.execute(reads["findings"], {"ids": list(version_ids)}):
        doc_id = known[rec.version_id]
        out[rec.version_id].append(to_finding(rec, decisions.get((doc_id, rec.fingerprint))))
    return out


@functools.cache
def _finding_reads(dialect: str) -> dict[str, Any]:
    """load_findings' statements, built once per dialect (store/among.py)."""
    D, F = DecisionRecord, FindingRecord
    fields = ("id", "version_id", "fingerprint", *FINDING_COLUMNS, *FINDING_AMOUNTS, "evidence")
    return {
        "decisions": select(D.document_id, D.fingerprint, D.status, D.reason, D.decided_by, D.decided_at).where(
            among(dialect, D.document_id, "ids")
        ),
        "findings": select(*(getattr(F, k) for k in fields)).where(among(dialect, F.version_id, "ids")).order_by(F.id),
    }


def _decision_of(session: Session, finding_id: int) -> tuple[FindingRecord, int, DecisionRecord | None]:
    rec = session.get(FindingRecord, finding_id)
    if rec is None:
        raise NotFound("finding", [finding_id])
    document_id = session.get_one(Version, rec.version_id).document_id
    d = session.scalars(
        select(DecisionRecord).where(
            DecisionRecord.document_id == document_id, DecisionRecord.fingerprint == rec.fingerprint
        )
    ).first()
    return rec, document_id, d


def decide(session: Session, finding_id: int, status: str, reason: str | None, by: str | None) -> Finding:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    rec, document_id, d = _decision_of(session, finding_id)
    if d is None:
        d = DecisionRecord(document_id=document_id, fingerprint=rec.fingerprint, status=status)
        session.add(d)
    d.status, d.reason, d.decided_by, d.decided_at = status, reason, by, utcnow()
    session.add(
        DecisionEventRecord(
            document_id=document_id,
            fingerprint=rec.fingerprint,
            action="decide",
            status=status,
            reason=reason,
            decided_by=by,
            decided_at=d.decided_at,
        )
    )
    session.flush()
    return to_finding(rec, d)


def _standing(events: list[DecisionEventRecord]) -> list[DecisionEventRecord]:
    """The decisions still in force, oldest first: each undo takes back the latest one."""
    stack: list[DecisionEventRecord] = []
    for e in events:
        if e.action == "undo":
            if stack:
                stack.pop()
        else:
            stack.append(e)
    return stack


def _events(session: Session, document_id: int, fingerprint: str) -> list[DecisionEventRecord]:
    return list(
        session.scalars(
            select(DecisionEventRecord)
            .where(DecisionEventRecord.document_id == document_id, DecisionEventRecord.fingerprint == fingerprint)
            .order_by(DecisionEventRecord.id)
        )
    )


def undo(session: Session, finding_id: int, by: str | None, reason: str | None = None) -> Finding:
    """Take back the latest decision on a finding: the one before it is in force again (or none: open).
    ValueError when there is nothing to undo."""
    rec, document_id, d = _decision_of(session, finding_id)
    standing = _standing(_events(session, document_id, rec.fingerprint))
    if d is None or not standing:
        raise ValueError(f"finding {finding_id} has no decision to undo")
    now = utcnow()
    session.add(
        DecisionEventRecord(
            document_id=document_id,
            fingerprint=rec.fingerprint,
            action="undo",
            reason=reason,
            decided_by=by,
            decided_at=now,
        )
    )
    previous = standing[-2] if len(standing) > 1 else None
    if previous is None:
        session.delete(d)
        d = None
    else:  # decided_at: when this state came back, so that caches keyed on decisions see the change
        assert previous.status is not None  # a standing event is a decision, which has a status
        d.status, d.reason, d.decided_by, d.decided_at = previous.status, previous.reason, previous.decided_by, now
    session.flush()
    return to_finding(rec, d)


def history(session: Session, finding_id: int) -> list[dict]:
    """Every decision and undo on a finding's defect (in this document, across versions), oldest first."""
    rec, document_id, _ = _decision_of(session, finding_id)
    return [
        {
            "action": e.action,
            "status": e.status,
            "reason": e.reason,
            "by": e.decided_by,
            "at": e.decided_at.isoformat() if e.decided_at else None,
        }
        for e in _events(session, document_id, rec.fingerprint)
    ]
