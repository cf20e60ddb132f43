"""Family R: a synthetic feed of a stored disclosure reconciles with it to the 分 (no finding), and each seeded
reconciliation anomaly gives exactly its finding, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from budgetwatch.extract import extract_files
from budgetwatch.feed.load_files import load_files
from budgetwatch.feed.match import printed_codes
from budgetwatch.feed.model import Agency, FeedLink
from budgetwatch.feed.reconcile import reconcile
from budgetwatch.feed.synth_pay import generate
from budgetwatch.pipeline import ingest
from budgetwatch.store.repository import latest_versions, load_version

from conftest import seed
from rule_cases import FEED_CASES

REGIONS = {"000": ("141123000", "兴县", 2023), "001": ("140522000", "阳城县", 2025)}


def _stored(engine, stem):
    ingest(engine, [seed(stem)])
    with Session(engine) as s:
        v = latest_versions(s)[-1]
        return load_version(s, v.id)


def _run(engine, tmp_path, stem, anomalies=()):
    region, name, year = REGIONS[stem]
    doc = _stored(engine, stem)
    m = generate(doc, tmp_path / "feed", region=region, region_name=name, seed=11, anomalies=anomalies)
    rep = load_files(engine, [tmp_path / "feed"], region=region, year=year)
    assert rep.status == "loaded"
    return m, reconcile(engine, region, year)


@pytest.mark.parametrize("stem", ["000", "001"])
def test_a_clean_synthetic_feed_reconciles_with_its_disclosure(engine, tmp_path, stem):
    m, out = _run(engine, tmp_path, stem)
    # the feed's agency code (001) is the department code 000 prints (主管部门及代码 001-…); 001 prints 003
    printed = printed_codes(extract_files([seed(stem)]))
    assert [a["match"] for a in out.agencies] == [
        "code" if [a["agency_code"] for a in out.agencies][0] in printed else "name"
    ]
    assert out.findings == [], [f.message for f in out.findings]
    with engine.connect() as c:
        kinds = {k for (k,) in c.execute(select(FeedLink.__table__.c.kind))}
        assert {"function", "project", "three_public"} <= kinds
        assert c.execute(select(Agency.__table__.c.unit_id)).scalar() is not None


@pytest.mark.parametrize("anomaly,rule", [(c.anomaly, c.rule) for c in FEED_CASES if c.rule.startswith("R")])
def test_each_seeded_reconciliation_anomaly_gives_exactly_its_finding(engine, tmp_path, anomaly, rule):
    m, out = _run(engine, tmp_path, "000", (anomaly,))
    (a,) = m["anomalies"]
    assert [f.rule for f in out.findings] == [rule], [f.message for f in out.findings]
    (f,) = out.findings
    subject = a["subject"]
    if rule == "R01":
        assert f.row_code == subject["exp_func_code"]
        assert Decimal(str(f.difference)) == Decimal(a["parameters"]["extra"])
    elif rule in ("R02", "R03"):
        assert f.row_name == subject["pro_name"]
    else:
        assert f.row_code == subject["dep_eco_code"]
        assert Decimal(str(f.difference)) == Decimal(a["parameters"]["moved"])
    assert f.family == "R" and f.message and f.suggestion and f.evidence["version_id"]
    assert f.page or f.line or rule == "R02"  # where the disclosure prints it


def test_findings_are_kept_and_a_rerun_replaces_them(engine, tmp_path):
    from budgetwatch.feed.reconcile import stored_findings

    _run(engine, tmp_path, "000", ("R1", "R4"))
    first = stored_findings(engine, "141123000", 2023, family="R")
    assert sorted(f["rule"] for f in first) == ["R01", "R04"]
    reconcile(engine, "141123000", 2023)
    again = stored_findings(engine, "141123000", 2023, family="R")
    assert [(f["rule"], f["fingerprint"], f["value"]) for f in again] == [
        (f["rule"], f["fingerprint"], f["value"]) for f in first
    ]
    assert json.dumps(again, ensure_ascii=False, default=str)


def test_readme_chain_ingests_synthesises_loads_and_reconciles(tmp_path):
    """The README's first command without `serve`: the samples, a synthetic feed of 兴县 with every anomaly, loaded
    and reconciled; the 联网数据 pages then show the batch, the unit and its lines linked to the disclosure."""
    import subprocess
    import sys

    db = f"sqlite:///{tmp_path / 'bw.db'}"
    run = lambda *a: subprocess.run([sys.executable, "-m", "budgetwatch", *a], capture_output=True, text=True)  # noqa: E731
    assert run("ingest", str(seed("000").parent), "--db", db).returncode == 0
    r = run(
        "feed",
        "synth",
        "--from",
        str(seed("000")),
        "--region",
        "141123000",
        "--seed",
        "1",
        "--anomalies",
        "all",
        "--out",
        str(tmp_path / "feed"),
    )
    assert r.returncode == 0 and "项目分配精确" in r.stdout, r.stderr
    r = run("feed", "load", str(tmp_path / "feed"), "--region", "141123000", "--year", "2023", "--db", db)
    assert r.returncode == 0, r.stderr
    assert "合成数据" in r.stdout and "对账：1/1 个单位" in r.stdout and "4 个问题" in r.stdout
    assert [x for x in ("R01", "R02", "R03", "R04") if x in r.stdout] == ["R01", "R02", "R03", "R04"]
    from fastapi.testclient import TestClient

    from budgetwatch.web.app import create_app

    with TestClient(create_app(db, cache=False)) as c:
        assert "141123000" in c.get("/feed").text
        page = c.get("/feed/141123000/2023").text
        assert "兴县" in page and "合成数据" in page and "R04" in page
        # the load's output went to a pipe: each reconciliation finding's sentence printed whole, on one line
        said = [
            f["message"] for f in c.get("/feed/141123000/2023?format=json").json()["findings"] if f["family"] == "R"
        ]
        assert len(said) == 4 and [m for m in said if m not in r.stdout] == []
        lines = c.get("/api/feed/regions/141123000/2023/units/001").json()["lines"]
        linked = [ln for ln in lines if any(k["kind"] == "function" for k in ln["links"])]
        assert len(linked) == len(lines) and all(k["document_id"] for ln in lines for k in ln["links"])
        assert any(Decimal(ln["paid"]) > Decimal(ln["current"]) for ln in lines)  # A2 paid 112%
        html = c.get("/feed/141123000/2023/units/001").text
        assert "公开预算中的对应行" in html and "#c-" in html
        assert c.get("/feed/141123000/2023/units/001?format=csv").status_code == 200
