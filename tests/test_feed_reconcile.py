"""Family R: a synthetic feed of a stored disclosure reconciles with it to the 分 (no finding), and each seeded
reconciliation anomaly gives exactly its finding, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from conftest import seed

from budgetwatch.feed.load_files import load_files
from budgetwatch.feed.model import Agency, FeedLink
from budgetwatch.feed.reconcile import reconcile
from budgetwatch.feed.synth_pay import generate
from budgetwatch.store.ingest import ingest
from budgetwatch.store.repository import latest_versions, load_version
from sqlalchemy.orm import Session

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
    assert [a["match"] for a in out.agencies] == ["name"]
    assert out.findings == [], [f.message for f in out.findings]
    with engine.connect() as c:
        kinds = {k for (k,) in c.execute(select(FeedLink.__table__.c.kind))}
        assert {"function", "project", "three_public"} <= kinds
        assert c.execute(select(Agency.__table__.c.unit_id)).scalar() is not None


@pytest.mark.parametrize("anomaly,rule", [("R1", "R01"), ("R2", "R02"), ("R3", "R03"), ("R4", "R04")])
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
    assert f.page or f.line or rule == "R02"     # where the disclosure prints it


def test_findings_are_kept_and_a_rerun_replaces_them(engine, tmp_path):
    from budgetwatch.feed.reconcile import stored_findings
    _run(engine, tmp_path, "000", ("R1", "R4"))
    first = stored_findings(engine, "141123000", 2023, family="R")
    assert sorted(f["rule"] for f in first) == ["R01", "R04"]
    reconcile(engine, "141123000", 2023)
    again = stored_findings(engine, "141123000", 2023, family="R")
    assert [(f["rule"], f["fingerprint"], f["value"]) for f in again] == \
        [(f["rule"], f["fingerprint"], f["value"]) for f in first]
    assert json.dumps(again, ensure_ascii=False, default=str)
