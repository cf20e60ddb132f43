"""Family F compares a document with the stored key figures of the others, never with the documents
themselves (issue 18): checking one document reads that one document, whatever else is stored, and finds
what comparing with the whole documents finds."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from budgetwatch import pipeline
from budgetwatch.checks import run_checks
from budgetwatch.checks.across import neighbour
from budgetwatch.checks.view import Neighbour
from budgetwatch.model import KEY_FIGURES
from budgetwatch.pipeline import check, ingest
from budgetwatch.store.repository import load_version
from budgetwatch.store.schema import CellRecord, KeyFigures, RowRecord, TableRecord, Version

from conftest import SAMPLES


def test_checking_one_document_reads_only_that_document(engine, monkeypatch):
    ingest(engine, [SAMPLES], check=True)
    with Session(engine) as s:
        versions = list(s.scalars(select(Version).order_by(Version.id)))
        assert len(versions) >= 3 and s.scalar(select(KeyFigures.version_id).limit(1)) is not None
    read = []
    monkeypatch.setattr(pipeline, "load_version", lambda s, vid: read.append(vid) or load_version(s, vid))
    found = check(engine, [versions[0].document_id])
    assert read == [versions[0].id] and list(found) == [versions[0].id]


def test_key_figures_stand_for_the_documents_they_were_read_from(engine):
    """The samples' stored key figures are the figures family F reads off the documents, and comparing with
    them finds what comparing with the whole documents finds."""
    ingest(engine, [SAMPLES], check=True)
    with Session(engine) as s:
        versions = list(s.scalars(select(Version).order_by(Version.id)))
        docs = [load_version(s, v.id) for v in versions]
        stored = [
            Neighbour(v.unit_name, v.year, v.stage, {k: getattr(s.get(KeyFigures, v.id), k) for k in KEY_FIGURES})
            for v in versions
        ]
    for d, n in zip(docs, stored):
        read = neighbour(d)
        assert (read.unit, read.year, read.stage) == (n.unit, n.year, n.stage)
        assert all(
            read.figures[k] == pytest.approx(n.figures[k], abs=1e-6) for k in KEY_FIGURES if read.figures[k] is not None
        )
        assert {k for k in KEY_FIGURES if read.figures[k] is None} == {k for k in KEY_FIGURES if n.figures[k] is None}
    assert sum(v is not None for n in stored for v in n.figures.values()) > len(stored)  # real figures, not blanks
    whole = [(f.rule, f.fingerprint, f.message) for f in run_checks(docs[0], history=docs[1:], peers=docs[1:])]
    kept = [(f.rule, f.fingerprint, f.message) for f in run_checks(docs[0], history=stored[1:], peers=stored[1:])]
    assert whole == kept


def _peer(s, doc_id: int, unit: str | None, year, stage, figures: dict) -> None:
    """A stored newest version of another document with these key figures (and nothing else: what F03 reads)."""
    from budgetwatch.store.schema import DocumentRecord

    s.add(DocumentRecord(id=doc_id, key=f"peer-{doc_id}|{year}|{stage}", year=year, stage=stage, scope="department"))
    v = Version(
        document_id=doc_id,
        number=1,
        content_sha256=f"{doc_id:064d}",
        format="text",
        schema="budgetwatch.extraction/v1",
        unit_name=unit,
        year=year,
        stage=stage,
        scope="department",
        latest=True,
    )
    s.add(v)
    s.flush()
    s.add(KeyFigures(version_id=v.id, document_id=doc_id, year=year, stage=stage, latest=True, classes={}, **figures))


def test_one_document_checked_among_many_counts_its_peers_as_the_list_does(engine):
    """F03 with one document checked: its peers' count and median of carry-over shares counted beside the
    stored figures (store/figures.peer_shares) are those the list of peers gives (checks/across.py), as peers
    are added one by one — odd and even counts, a peer of the document's own unit (left out), one without a
    carry-over, one with no income — and the findings of `check` are those of run_checks with the list."""
    from budgetwatch.checks.across import _peer_median
    from budgetwatch.checks.view import DocView, PeerShares
    from budgetwatch.store.figures import peer_shares

    ingest(engine, [SAMPLES], check=True)
    with Session(engine) as s:
        v = s.scalars(select(Version).order_by(Version.id)).first()
        base = {k: getattr(s.get(KeyFigures, v.id), k) for k in KEY_FIGURES}
        assert base["carryover"] and base["income_total"]
        # the document's 上年结转 raised to 500 万元 in the stored 收支总表 (as tests/rule_cases.py's F03 case)
        carry = s.scalars(
            select(CellRecord)
            .join(RowRecord, RowRecord.id == CellRecord.row_id)
            .join(TableRecord, TableRecord.id == RowRecord.table_id)
            .where(
                TableRecord.version_id == v.id,
                TableRecord.kind == "summary",
                RowRecord.name.like("%上年结转"),
                RowRecord.side == "income",
                CellRecord.column_key == "total",
            )
        ).all()
        assert len(carry) == 1
        carry[0].amount = 500.0
        s.commit()
        doc = load_version(s, v.id)
        top = 1000 + (s.scalar(select(func.max(Version.document_id))) or 0)
    odd = [(v.unit_name, 1.0), ("无结转单位", None), ("无收入单位", 0.0)]
    others = [(f"同类单位{i}", 1 + i / 7) for i in range(9)]
    for n, (unit, scale) in enumerate(odd + others):
        with Session(engine) as s:
            figures = dict(base)
            if scale is None:
                figures["carryover"] = None
            elif scale == 0.0:
                figures["income_total"] = 0.0
            else:
                figures["carryover"] = base["carryover"] * scale * (1 + n % 3) ** 2
            _peer(s, top + n, unit, v.year, v.stage, figures)
            s.commit()
        with Session(engine) as s:
            listed = [
                Neighbour(u, y, st, {k: getattr(f, k) for k in KEY_FIGURES})
                for u, y, st, f in s.execute(
                    select(Version.unit_name, Version.year, Version.stage, KeyFigures)
                    .join(KeyFigures, KeyFigures.version_id == Version.id)
                    .where(Version.latest, Version.year == v.year, Version.stage == v.stage)
                ).all()
            ]
            by_list = _peer_median(DocView(doc, peers=listed))
            counted = peer_shares(s, v.year, v.stage, v.unit_name)
            assert counted[0] == by_list[0] == sum(1 for _, sc in others[: max(0, n - 2)]), n
            if counted[0] >= 5:
                assert counted[1] == pytest.approx(by_list[1], rel=1e-12), n
                assert _peer_median(DocView(doc, peer_shares=PeerShares(*counted))) == pytest.approx(by_list)
            with_list = [(f.rule, f.fingerprint, f.message) for f in run_checks(doc, peers=listed, only={"F03"})]
    assert with_list, "the document's carry-over share should stand out against these peers"
    stored = check(engine, [v.document_id])[v.id]
    assert [(f.rule, f.fingerprint, f.message) for f in stored if f.rule == "F03"] == with_list
