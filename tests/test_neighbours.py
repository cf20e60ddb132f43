"""Family F compares a document with the stored key figures of the others, never with the documents
themselves (issue 18): checking one document reads that one document, whatever else is stored, and finds
what comparing with the whole documents finds."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from budgetwatch import pipeline
from budgetwatch.checks import run_checks
from budgetwatch.checks.across import neighbour
from budgetwatch.checks.view import Neighbour
from budgetwatch.model import KEY_FIGURES
from budgetwatch.pipeline import check, ingest
from budgetwatch.store.repository import load_version
from budgetwatch.store.schema import KeyFigures, Version

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
