"""Family G (执行监控) on synthetic feeds of the sample disclosures: every seeded anomaly of `feed synth` (A1–A7,
U1) and of execution/synth_extra.py (X05–X16) is found by its rule on its subject; clean synthetic years give no G
finding at 30 June nor at 31 December; thresholds come from the rule, a settings file and the admin table;
decisions survive re-runs. A representative subset runs on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from budgetwatch.execution.queries import stored_findings
from budgetwatch.execution.run import check_feed, decide, evaluate
from budgetwatch.execution.settings import set_threshold
from budgetwatch.execution.synth_extra import generate_extra
from budgetwatch.feed.load_files import load_files
from budgetwatch.feed.model import FundBalance
from budgetwatch.feed.synth_pay import generate
from budgetwatch.pipeline import ingest
from budgetwatch.store.db import open_db
from budgetwatch.store.repository import latest_versions, load_version

from conftest import seed
from rule_cases import FEED_CASES

REGIONS = {"000": ("141123000", "兴县", 2023), "001": ("140522000", "阳城县", 2025)}


def _doc(engine, stem):
    ingest(engine, [seed(stem)])
    with Session(engine) as s:
        return load_version(s, latest_versions(s)[-1].id)


def _feed(engine, tmp_path, stem, anomalies=(), extra=(), seed_no=3, scenario="normal", agency="001", doc=None):
    region, name, year = REGIONS[stem]
    doc = doc or _doc(engine, stem)
    out = tmp_path / f"feed-{agency}"
    if extra:
        m = generate_extra(
            doc, out, region=region, region_name=name, seed=seed_no, anomalies=anomalies, extra=extra, agency=agency
        )
    else:
        m = generate(
            doc,
            out,
            region=region,
            region_name=name,
            seed=seed_no,
            anomalies=anomalies,
            scenario=scenario,
            agency=agency,
        )
    rep = load_files(engine, [out], region=region, year=year)
    assert rep.status == "loaded", [r.to_dict() for r in rep.rejects[:5]]
    return m


def _subjects(f) -> set:
    e = f.evidence
    return {
        str(v)
        for v in (
            e.get("subject_id"),
            e.get("line_src_id"),
            e.get("payment_src_id"),
            e.get("payee"),
            e.get("agency_code"),
            f.row_code,
        )
        if v
    }


def _expected(a) -> set:
    s = a["subject"]
    return {str(v) for v in s.values() if v} | ({a["parameters"]["payee"]} if "payee" in a["parameters"] else set())


@pytest.fixture
def sqlite_engine(tmp_path):
    return open_db(f"sqlite:///{tmp_path}/exec.sqlite")


SEEDED = [c for c in FEED_CASES if c.rule.startswith("G") and not c.anomaly.startswith(("X", "F"))]
EXTRA = [c for c in FEED_CASES if c.rule.startswith("G") and c.anomaly.startswith("X")]


@pytest.mark.parametrize(
    "stem,case", [(stem, c) for c in SEEDED for stem in c.stems], ids=lambda x: x if isinstance(x, str) else x.anomaly
)
def test_each_seeded_anomaly_is_found_by_its_rule(sqlite_engine, tmp_path, stem, case):
    region, _, year = REGIONS[stem]
    m = _feed(sqlite_engine, tmp_path, stem, (case.anomaly,))
    (a,) = m["anomalies"]
    rule = "G18" if a["rule"] == "match" else a["rule"]
    assert rule == case.rule  # the row (tests/rule_cases.py) names the rule the generator seeds for
    found = check_feed(sqlite_engine, region, year, date(year, 12, 31)).findings
    hits = [f for f in found if f.rule == rule]
    assert hits, [(f.rule, f.message) for f in found]
    assert any(_subjects(f) & _expected(a) for f in hits), (a, [(f.rule, f.evidence) for f in hits])
    # the anomaly's consequences only (the row's `also`): a payment beyond the 指标 also over-runs its 功能 and
    # 经济 (G04 red), a project never paid is also behind 序时进度 (G01)
    allowed = {rule, *case.also}
    assert {f.rule for f in found} <= allowed, [(f.rule, f.message) for f in found]
    f = hits[0]
    assert f.family == "G" and f.message and f.suggestion and f.evidence["as_of"] == f"{year}-12-31"


@pytest.mark.parametrize("case", EXTRA, ids=lambda c: c.anomaly)
def test_each_extra_anomaly_is_found_by_its_rule(sqlite_engine, tmp_path, case):
    region, _, year = REGIONS["000"]
    m = _feed(sqlite_engine, tmp_path, "000", extra=(case.anomaly,))
    with sqlite_engine.begin() as c:  # the 人大 approval date the X14/X15 anomalies are measured from
        set_threshold(c, region, "G15", "approval_date", m["approval_date"], by="test")
    (a,) = m["anomalies"]
    assert a["rule"] == case.rule
    found = check_feed(sqlite_engine, region, year, date(year, 12, 31)).findings
    hits = [f for f in found if f.rule == a["rule"]]
    assert any(_subjects(f) & _expected(a) for f in hits), (a, [(f.rule, f.message) for f in found])
    # X13's 预备费 is a 功能 项 the unit's disclosure does not have (G18, the row's `also`); X14's transfer is
    # not 提前下达 (G14 info)
    assert {f.rule for f in found} <= {a["rule"], *case.also}, [(f.rule, f.message) for f in found]


@pytest.mark.parametrize("stem,seeds", [("000", 50), ("001", 10)])
def test_clean_synthetic_years_give_no_g_finding_mid_year_nor_at_year_end(sqlite_engine, tmp_path, stem, seeds):
    """Each seed a region of its own (a township code under the county: the loader links payments per region),
    all matched to the one stored disclosure: nothing at 30 June, 30 September or 31 December."""
    county, name, year = REGIONS[stem]
    doc = _doc(sqlite_engine, stem)
    for i in range(seeds):
        region = county[:6] + f"{i + 1:03d}"
        out = tmp_path / f"seed{i}"
        generate(doc, out, region=region, region_name=name, seed=i)
        assert load_files(sqlite_engine, [out], region=region, year=year).status == "loaded"
        check_feed(sqlite_engine, region, year, date(year, 12, 31))  # matching (family R) and a first run
        with sqlite_engine.connect() as c:
            for d in (date(year, 6, 30), date(year, 9, 30), date(year, 12, 31)):
                found = evaluate(c, region, year, d)
                assert found == [], (i, d, [(f.rule, f.message) for f in found[:10]])


def test_slow_year_is_behind_schedule_at_30_june(sqlite_engine, tmp_path):
    region, _, year = REGIONS["000"]
    _feed(sqlite_engine, tmp_path, "000", scenario="slow")
    found = check_feed(sqlite_engine, region, year, date(year, 6, 30)).findings
    g01 = [f for f in found if f.rule == "G01"]
    assert g01 and all(f.evidence["time_share"] == 0.5 for f in g01)
    assert any(f.evidence["level"] == "red" for f in g01)
    assert not [f for f in check_feed(sqlite_engine, region, year, date(year, 5, 31)).findings if f.rule == "G01"]


def test_balances_larger_than_carryover(sqlite_engine, tmp_path):
    region, _, year = REGIONS["000"]
    _feed(sqlite_engine, tmp_path, "000")
    assert not [f for f in check_feed(sqlite_engine, region, year, date(year, 12, 31)).findings if f.rule == "G12"]
    with sqlite_engine.begin() as c:
        batch = c.exec_driver_sql("select max(id) from feed_batches").scalar()
        c.execute(
            insert(FundBalance.__table__).values(
                region_code=region,
                fiscal_year=year,
                src_id="BAL1",
                agency_code="001",
                fund="财政",
                approve_amt=Decimal("1000000"),
                carryover_amt=Decimal("250000"),
                balance_amt=Decimal("300000"),
                batch_id=batch,
            )
        )
    g12 = {
        f.evidence["aspect"]
        for f in check_feed(sqlite_engine, region, year, date(year, 12, 31)).findings
        if f.rule == "G12"
    }
    assert g12 == {"balance", "share"}


def test_thresholds_from_the_settings_file_and_the_admin_table(sqlite_engine, tmp_path, monkeypatch):
    region, _, year = REGIONS["000"]
    _feed(sqlite_engine, tmp_path, "000", extra=("X05",))
    end = date(year, 12, 31)
    assert [f.rule for f in check_feed(sqlite_engine, region, year, end).findings] == ["G05"]
    toml = tmp_path / "budgetwatch.toml"
    toml.write_text(f"[regions.{region}.rules.G05]\nlimit = 5000000\nunit_share = 0.5\n", encoding="utf-8")
    monkeypatch.setenv("BUDGETWATCH_SETTINGS", str(toml))
    assert check_feed(sqlite_engine, region, year, end).findings == []
    with sqlite_engine.begin() as c:  # the table overrides the file
        set_threshold(c, region, "G05", "limit", 1000000, by="admin")
        set_threshold(c, region, "G05", "unit_share", 0.1, by="admin")
    assert [f.rule for f in check_feed(sqlite_engine, region, year, end).findings] == ["G05"]


def test_decisions_survive_reruns_and_later_dates(sqlite_engine, tmp_path):
    region, _, year = REGIONS["000"]
    _feed(sqlite_engine, tmp_path, "000", ("A3",))
    check_feed(sqlite_engine, region, year, date(year, 9, 30))
    with sqlite_engine.begin() as c:
        (f,) = stored_findings(c, region, year)
        decide(c, f["id"], "dismissed", "同一合同分期付款", "审查员")
    check_feed(sqlite_engine, region, year, date(year, 12, 31))
    with sqlite_engine.connect() as c:
        (g,) = stored_findings(c, region, year)
        assert (g["fingerprint"], g["status"], g["reason"]) == (f["fingerprint"], "dismissed", "同一合同分期付款")
        assert g["as_of"] == f"{year}-12-31" and g["id"] != f["id"]
        assert [x["status"] for x in stored_findings(c, region, year, as_of=date(year, 9, 30))] == ["dismissed"]


@pytest.mark.parametrize("anomaly,rule", [("A2", "G03"), ("A3", "G06"), ("A6", "G09"), ("U1", "G18")])
def test_rules_on_both_databases(engine, tmp_path, anomaly, rule):
    region, _, year = REGIONS["000"]
    _feed(engine, tmp_path, "000", (anomaly,))
    found = check_feed(engine, region, year, date(year, 12, 31)).findings
    assert rule in {f.rule for f in found}
    with engine.connect() as c:
        assert evaluate(c, region, year, date(year, 6, 30), only={"G01", "G02", "G05", "G06", "G07", "G10"}) == []


def test_check_feed_command(tmp_path):
    db = f"sqlite:///{tmp_path}/cli.sqlite"
    engine = open_db(db)
    region, _, year = REGIONS["000"]
    _feed(engine, tmp_path, "000", ("A6",))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "budgetwatch",
            "check",
            "--feed",
            "--region",
            region,
            "--year",
            str(year),
            "--as-of",
            f"{year}-12-31",
            "--db",
            db,
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "G09" in run.stdout and "三公" in run.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "budgetwatch",
            "check",
            "--feed",
            "--region",
            region,
            "--year",
            str(year),
            "--as-of",
            "2023-13-01",
            "--db",
            db,
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and "--as-of" in bad.stderr


FINALS = [c for c in FEED_CASES if c.anomaly.startswith("F")]
CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


@pytest.mark.parametrize("case", FINALS, ids=lambda c: c.id)
def test_final_accounts_against_the_feed(engine, tmp_path, case):
    """G17 on a real 部门决算 (its 7-digit 项 rows as printed) and a feed of its year: each 项 a line of its 决算
    amount, paid in full by December — silent at 31 December (and before it). Then one 项's line raised by 30%
    (an adjustment) and another 项 paid 5% short: exactly those two findings, on those 项."""
    path = CORPUS / f"{case.stems[0]}.pdf"
    if not path.is_file():
        pytest.skip(f"{path.name}: the corpus is not here")
    from budgetwatch.feed.disclosed import read_disclosed

    ingest(engine, [path])
    with Session(engine) as s:
        v = latest_versions(s)[-1]
        doc, place = load_version(s, v.id), v.region
    d = read_disclosed(doc)
    assert doc.stage == "final" and place and len(d.functions) >= 5
    year, region, agency = d.year, "310107000", "901001"
    items = sorted(d.functions, key=lambda i: -i.amount)
    big, other = items[0], items[1]
    lines = [
        [f"L{i:03d}", agency, d.unit, it.code, "", "", f"{it.amount:.2f}", f"{year}-01-20"]
        for i, it in enumerate(items)
    ]
    pays = [
        [
            f"P{i:03d}",
            f"N{i:03d}",
            agency,
            it.code,
            "",
            f"{it.amount:.2f}",
            f"{year}-12-{10 + i % 15:02d}",
            "某某公司",
            f"L{i:03d}",
        ]
        for i, it in enumerate(items)
    ]
    feed = tmp_path / "feed"
    feed.mkdir()
    _write_csv(
        feed / "BA_BGT_INFO.csv",
        ["BGT_ID", "AGENCY_CODE", "AGENCY_NAME", "EXP_FUNC_CODE", "DEP_BGT_ECO_CODE", "PRO_NAME", "AMOUNT", "DOC_DATE"],
        lines,
    )
    pay_header = [
        "PAY_CERT_ID",
        "PAY_CERT_NO",
        "AGENCY_CODE",
        "EXP_FUNC_CODE",
        "DEP_BGT_ECO_CODE",
        "PAY_AMT",
        "VOU_DATE",
        "PAYEE_ACCT_NAME",
        "BGT_ID",
    ]
    _write_csv(feed / "PAY_VOUCHER_BILL.csv", pay_header, pays)
    assert load_files(engine, [feed], region=region, year=year, region_name=place).status == "loaded"

    def g17(day):
        return [f for f in check_feed(engine, region, year, day).findings if f.rule == "G17"]

    assert g17(date(year, 12, 31)) == [] and g17(date(year, 6, 30)) == []
    bump = (big.amount * Decimal("0.3")).quantize(Decimal("0.01"))
    _write_csv(
        tmp_path / "BA_BGT_ADJSUB.csv",
        ["ADJ_SUB_ID", "BGT_ID", "ADD_AMOUNT", "ADJ_DATE"],
        [["A1", "L000", f"{bump:.2f}", f"{year}-07-01"]],
    )
    short = (other.amount * Decimal("0.95")).quantize(Decimal("0.01"))
    _write_csv(
        tmp_path / "PAY_VOUCHER_BILL_2.csv",
        pay_header,
        [["P001", "N001", agency, other.code, "", f"{short:.2f}", f"{year}-12-11", "某某公司", "L001"]],
    )
    for f in ("BA_BGT_ADJSUB.csv", "PAY_VOUCHER_BILL_2.csv"):
        assert load_files(engine, [tmp_path / f], region=region, year=year).status == "loaded"
    got = sorted((f.row_code, f.evidence["aspect"], f.value, f.expected) for f in g17(date(year, 12, 31)))
    assert got == sorted(
        [
            (big.code, "deviation", float(big.amount), float(big.amount + bump)),
            (other.code, "paid", float(short), float(other.amount)),
        ]
    ), got
    assert all(f.evidence["version_id"] == v.id for f in g17(date(year, 12, 31)))
