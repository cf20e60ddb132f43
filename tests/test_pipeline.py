"""pipeline.ingest with reader processes stores what the sequential ingest stores: the same outcomes in the
same order (hence the same document ids), the same documents as exported JSON, the same findings — on real
documents, with a folder whose 说明 and tables were published as two files (paired after both are read)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from budgetwatch.export import to_json
from budgetwatch.pipeline import ingest
from budgetwatch.store.db import open_db
from budgetwatch.store.findings import load_findings
from budgetwatch.store.repository import latest_versions, load_version

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
PAIR = ("beijing-shi-sifaju-2026-yusuan.part1-text.pdf", "beijing-shi-sifaju-2026-yusuan.part2-tables.pdf")
ALONE = "guangdong-zhuhai-shangwuju-2026-yusuan.pdf"


def _stored(url: str):
    engine = open_db(url)
    with Session(engine) as s:
        versions = latest_versions(s)
        docs = to_json([load_version(s, v.id) for v in versions])
        found = load_findings(s, [v.id for v in versions])
        findings = sorted((v.document_id, f.rule, f.fingerprint) for v in versions for f in found[v.id])
    engine.dispose()
    return docs, findings


def test_reader_processes_store_what_the_sequential_ingest_stores(tmp_path):
    if not all((CORPUS / n).exists() for n in (*PAIR, ALONE)):
        pytest.skip("the corpus files of the test are not in ../shared/corpus")
    folder = tmp_path / "county"
    folder.mkdir()
    for name in (*PAIR, ALONE):
        (folder / name).symlink_to(CORPUS / name)
    bad = folder / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00" * 64)  # refused by the reader: one failed outcome, the rest goes on
    paths = [folder, ROOT / "samples"]
    runs = {}
    for workers in (1, 2):
        url = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        summary = ingest(open_db(url), paths, check=True, workers=workers)
        runs[workers] = ([(o.files, o.status, o.message, o.document_id) for o in summary.outcomes], _stored(url))
    seq, pool = runs[1], runs[2]
    assert pool[0] == seq[0]
    assert [o[0] for o in seq[0] if len(o[0]) == 2] == [[str(folder / n) for n in PAIR]]  # the pair became one
    assert [o[1] for o in seq[0]].count("failed") == 1
    assert pool[1] == seq[1] and seq[1][1]  # documents and findings


def test_a_second_ingest_with_readers_finds_everything_unchanged(tmp_path):
    if not (CORPUS / ALONE).exists():
        pytest.skip(f"{ALONE} not in ../shared/corpus")
    engine = open_db(f"sqlite:///{tmp_path / 'bw.db'}")
    paths = [CORPUS / ALONE, ROOT / "samples"]
    first = ingest(engine, paths, check=True, workers=2)
    again = ingest(engine, paths, check=True, workers=2)
    assert first.count("ingested") == len(first.outcomes) > 1
    assert [o.status for o in again.outcomes] == ["unchanged"] * len(first.outcomes)
    assert [o.document_id for o in again.outcomes] == [o.document_id for o in first.outcomes]
