"""Scale-out on PySpark (local[2], a real JVM): the same documents, figures and findings as the in-process
pipeline, written as Parquet; split disclosures paired in the second stage; refused files reported."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter

import pytest

from budgetwatch.checks import run_checks
from budgetwatch.extract import extract_files
from budgetwatch.pipeline import discover

from conftest import CORPUS, SAMPLES, needs_corpus

pytestmark = needs_corpus


def read(dataset) -> list[dict]:
    """A Parquet dataset read back with DuckDB (as an analyst would query it)."""
    import duckdb

    rel = duckdb.sql(f"select * from read_parquet('{dataset}/**/*.parquet', hive_partitioning = true)")
    return [dict(zip(rel.columns, row)) for row in rel.fetchall()]


def _java() -> bool:
    return shutil.which("java") is not None


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    if not _java():
        if os.environ.get("CI"):
            pytest.fail("a Java runtime is required in CI for the Spark tests")
        pytest.skip("no Java runtime")
    base = tmp_path_factory.mktemp("spark")
    folder = base / "in"
    shutil.copytree(SAMPLES, folder)
    for name in ("beijing-shi-sifaju-2026-yusuan.part1-text.pdf", "beijing-shi-sifaju-2026-yusuan.part2-tables.pdf"):
        shutil.copy(CORPUS / name, folder / name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n not really a pdf")
    out = base / "out"
    done = subprocess.run(
        [sys.executable, "-m", "budgetwatch", "spark", str(folder), "--out", str(out), "--master", "local[2]"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return folder, out, done


def test_spark_writes_what_the_in_process_pipeline_finds(output):
    folder, out, done = output
    assert done.returncode == 1, done.stderr[-2000:]  # broken.pdf was refused; the run went on
    assert "failed: " in done.stderr and "broken.pdf" in done.stderr
    docs = read(out / "documents")
    expected = [extract_files(g) for g in discover([folder]) if not g[0].name.startswith("broken")]
    assert sorted(d["unit"] for d in docs) == sorted(d.unit for d in expected)
    paired = next(d for d in docs if len(d["files"]) == 2)
    assert paired["unit"] == "北京市司法局" and all("beijing-shi-sifaju" in f for f in paired["files"])
    cells = read(out / "cells")
    assert len(cells) == sum(len(r.values) for d in expected for t in d.tables for r in t.rows)
    xing = next(d for d in docs if d["unit"] == "兴县人民代表大会常务委员会办公室")
    assert xing["income_total"] == 1506.8 and xing["region"] == "兴县" and xing["staff"] == 28
    # families A–E here; F, against the other documents, is test_spark_cluster's
    findings = Counter((f["key"].split("|")[0], f["rule"]) for f in read(out / "findings") if f["family"] != "F")
    here = Counter((d.unit, f.rule) for d in expected for f in run_checks(d) if f.family != "F")
    assert findings == here and findings[("兴县人民代表大会常务委员会办公室", "C06")] == 1
    failures = read(out / "failures")
    assert len(failures) == 1 and failures[0]["files"][0].endswith("broken.pdf")


def test_spark_writes_each_year_and_region_in_a_folder_of_its_own(output):
    folder, out, done = output
    docs = read(out / "documents")
    for name in ("documents", "cells", "findings"):
        written = {p.parent.relative_to(out / name) for p in (out / name).rglob("*.parquet")}
        expected = {f"year={d['year']}/region={d['region']}" for d in docs}
        assert {str(w) for w in written} <= expected and len(written) >= 2, (name, written)
        for where in written:  # one file each: the records were gathered by partition before the write
            assert len(list((out / name / where).glob("*.parquet"))) == 1
    cells = read(out / "cells")
    xing = next(d for d in docs if d["unit"] == "兴县人民代表大会常务委员会办公室")
    assert {(c["year"], c["region"]) for c in cells if c["key"] == xing["key"]} == {(xing["year"], "兴县")}
