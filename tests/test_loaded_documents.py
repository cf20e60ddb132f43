"""The documents a server process keeps read (repository.load_version_cached): the most recently used, within
a budget of what they hold, so that the garbage collector's full passes — which walk every object kept and stop
the process — stay short however many documents the database holds (issue 18)."""

from __future__ import annotations

import gc
import threading

import pytest
from sqlalchemy.orm import Session

from budgetwatch.extract import extract_files
from budgetwatch.pipeline import ingest
from budgetwatch.store import repository
from budgetwatch.store.repository import latest_versions, load_version, load_version_cached, save_version

from conftest import CORPUS, SAMPLES, needs_corpus


@pytest.fixture
def versions(engine):
    ingest(engine, [SAMPLES], check=False)
    repository.forget_loaded()
    with Session(engine) as s:
        ids = [v.id for v in latest_versions(s)]
    yield ids
    repository.forget_loaded()


def _kept() -> list[int]:
    return [key[1] for key in repository._LOADED]


def test_a_document_read_again_is_the_one_kept(engine, versions):
    with Session(engine) as s:
        first = load_version_cached(s, versions[0])
        assert load_version_cached(s, versions[0]) is first
        assert first.to_dict() == load_version(s, versions[0]).to_dict()


def test_the_least_recently_used_leave_first_and_the_budget_holds(engine, versions, monkeypatch):
    assert len(versions) >= 3
    with Session(engine) as s:
        weights = {v: repository.weight(load_version(s, v)) for v in versions}
        a, b, c = versions[:3]
        monkeypatch.setattr(repository, "LOADED_WEIGHT", weights[a] + weights[b] + weights[c] - 1)
        load_version_cached(s, a)
        load_version_cached(s, b)
        load_version_cached(s, a)  # a used again: b is now the oldest
        load_version_cached(s, c)  # three do not fit: b leaves, not a
        assert _kept() == [a, c]
        assert repository._loaded_weight == weights[a] + weights[c] <= repository.LOADED_WEIGHT
        monkeypatch.setattr(repository, "LOADED_WEIGHT", min(weights.values()) - 1)
        heavy = load_version_cached(s, b)  # heavier than the whole budget: answered, not kept
        assert heavy.to_dict() == load_version(s, b).to_dict()
        assert b not in _kept() and repository._loaded_weight <= repository.LOADED_WEIGHT


def test_threads_sharing_the_documents_read_never_fail(engine, versions, monkeypatch):
    """A server answers in several threads: one evicting a document another is about to use again raises
    nothing, and the budget holds."""
    with Session(engine) as s:
        budget = max(repository.weight(load_version(s, v)) for v in versions) + 1
    monkeypatch.setattr(repository, "LOADED_WEIGHT", budget)  # about one document: constant eviction
    errors: list[BaseException] = []

    def reader(offset: int) -> None:
        try:
            with Session(engine) as s:
                for i in range(30):
                    load_version_cached(s, versions[(i + offset) % len(versions)])
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert repository._loaded_weight == sum(w for _, w in repository._LOADED.values()) <= budget


@needs_corpus
def test_a_kept_documents_boxes_are_not_walked_by_the_collector(engine):
    """A figure's box comes back as a tuple of floats, which the collector stops tracking (with the dict
    holding them): half of what a PDF document kept had the full passes walk."""
    doc = extract_files([CORPUS / "shanghai-shi-zhongyiwenxianguan-2026-danwei-yusuan.pdf"])
    with Session(engine) as s:
        v = save_version(s, doc)
        s.commit()
        loaded = load_version(s, v.id)
    gc.collect()
    rows = [r for t in loaded.tables for r in t.rows if r.boxes]
    assert len(rows) > 50
    assert not any(gc.is_tracked(b) for r in rows for b in r.boxes.values())
    assert not any(gc.is_tracked(r.boxes) for r in rows)
    assert loaded.to_dict() == doc.to_dict()  # the JSON still writes each box as a list
