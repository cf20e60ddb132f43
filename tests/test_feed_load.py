"""The 联网 feed: a synthetic year generated from the sample disclosures, loaded through the real loader into
SQLite and PostgreSQL; re-loads, typed rejects, refused batches and a crash mid-load."""

from __future__ import annotations

import csv
import filecmp
import json
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from budgetwatch.extract import extract_files
from budgetwatch.feed import load as load_mod
from budgetwatch.feed.disclosed import read_disclosed
from budgetwatch.feed.load_files import load_files
from budgetwatch.feed.model import (
    Agency,
    BudgetAdjustment,
    BudgetLine,
    FeedBatch,
    FeedReject,
    Payment,
    PaymentApplication,
)
from budgetwatch.feed.synth_pay import ALL_ANOMALIES, generate
from budgetwatch.store.schema import Region

from conftest import seed

XING = "141123000"  # 兴县 (山西吕梁)
YANG = "140522000"  # 阳城县 (山西晋城)


def _csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def doc000():
    return extract_files([seed("000")])


@pytest.fixture(scope="module")
def year000(tmp_path_factory, doc000):
    out = tmp_path_factory.mktemp("synth000")
    generate(doc000, out, region=XING, region_name="兴县", seed=7, anomalies=ALL_ANOMALIES)
    return out


def _snapshot(engine) -> dict:
    with engine.connect() as c:
        return {
            t.__tablename__: sorted(tuple(str(v) for v in r) for r in c.execute(select(t.__table__)))
            for t in (BudgetLine, BudgetAdjustment, PaymentApplication, Payment, Agency)
        }


@pytest.mark.parametrize("stem,region", [("000", XING), ("001", YANG)])
def test_synthetic_lines_add_up_to_the_disclosed_functions_and_three_public(tmp_path, stem, region):
    doc = extract_files([seed(stem)])
    m = generate(doc, tmp_path, region=region, region_name="x", seed=3)
    d = read_disclosed(doc)
    by_func, by_eco = defaultdict(Decimal), defaultdict(Decimal)
    for r in _csv(tmp_path / "BA_BGT_INFO.csv"):
        by_func[r["EXP_FUNC_CODE"]] += Decimal(r["AMOUNT"])
        by_eco[r["DEP_BGT_ECO_CODE"]] += Decimal(r["AMOUNT"])
    assert {f.code: f.amount for f in d.functions} == dict(by_func)  # to the 分, every 项
    assert d.three_public and all(by_eco[i.code] == i.amount for i in d.three_public)
    # 000's printed projects fill its 项 exactly; 001's own rows are 0.01 万元 apart (560.76 vs 560.75)
    assert m["invariants"]["projects_exact"] is (stem == "000")
    assert m["invariants"]["function_gaps"] == ({} if stem == "000" else {"2010108": "100.00"})
    assert m["synthetic"] is True and m["anomalies"] == []


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path, doc000):
    for name, s in (("a", 5), ("b", 5), ("c", 6)):
        generate(doc000, tmp_path / name, region=XING, region_name="兴县", seed=s, anomalies=ALL_ANOMALIES)
    files = ["BA_BGT_INFO.csv", "BA_BGT_ADJSUB.csv", "PAY_VOUCHER.csv", "PAY_VOUCHER_BILL.csv", "manifest.json"]
    assert filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", files, shallow=False)[0] == files
    assert not filecmp.cmp(
        tmp_path / "a" / "PAY_VOUCHER_BILL.csv", tmp_path / "c" / "PAY_VOUCHER_BILL.csv", shallow=False
    )


def test_manifest_lists_every_anomaly_on_its_subject(year000):
    m = json.loads((year000 / "manifest.json").read_text(encoding="utf-8"))
    assert [a["id"] for a in m["anomalies"]] == sorted(ALL_ANOMALIES)
    lines = {r["BGT_ID"]: r for r in _csv(year000 / "BA_BGT_INFO.csv")}
    pays = _csv(year000 / "PAY_VOUCHER_BILL.csv")
    by = {a["id"]: a for a in m["anomalies"]}
    a2 = by["A2"]["subject"]["line_src_id"]  # paid 112% of its line
    paid = sum(
        Decimal(p["PAY_AMT"])
        for p in pays
        if p["PRO_CODE"] == lines[a2]["PRO_CODE"] and p["DEP_BGT_ECO_CODE"] == lines[a2]["DEP_BGT_ECO_CODE"]
    )
    assert paid > Decimal(lines[a2]["AMOUNT"]) * Decimal("1.1")
    a5 = lines[by["A5"]["subject"]["line_src_id"]]  # an unexecuted project
    assert Decimal(a5["AMOUNT"]) >= 100000 and not any(p["PRO_NAME"] == a5["PRO_NAME"] for p in pays)
    a3 = by["A3"]["parameters"]  # four payments just under 50,000 to one payee
    split = [p for p in pays if p["PAYEE_ACCT_NAME"] == a3["payee"]]
    assert len(split) == 4 and all(49600 <= Decimal(p["PAY_AMT"]) < 50000 for p in split)


def test_load_round_trip_links_payments_and_marks_the_batch_synthetic(engine, year000):
    rep = load_files(engine, [year000], region=XING, year=2023)
    assert rep.status == "loaded" and rep.rows_rejected == 0 and rep.synthetic
    counts = {
        t: len(_csv(year000 / f))
        for t, f in (
            ("lines", "BA_BGT_INFO.csv"),
            ("payments", "PAY_VOUCHER_BILL.csv"),
            ("adjustments", "BA_BGT_ADJSUB.csv"),
            ("applications", "PAY_VOUCHER.csv"),
        )
    }
    assert {t: c["loaded"] for t, c in rep.tables.items()} == counts
    m = json.loads((year000 / "manifest.json").read_text(encoding="utf-8"))
    ghost = next(a for a in m["anomalies"] if a["id"] == "U1")["subject"]["pay_cert_id"]
    with engine.connect() as c:
        p = Payment.__table__
        matches = dict(c.execute(select(p.c.line_match, func.count()).group_by(p.c.line_match)).all())
        assert matches == {"app": counts["payments"] - 1, "none": 1}
        assert c.execute(select(p.c.src_id).where(p.c.line_match == "none")).scalar() == ghost
        total = c.execute(select(func.sum(BudgetLine.__table__.c.amount))).scalar()
        assert total == sum(Decimal(r["AMOUNT"]) for r in _csv(year000 / "BA_BGT_INFO.csv"))
        assert isinstance(total, Decimal)
        acct = c.execute(select(p.c.payee_account_tail, p.c.payee_account_hash)).first()
        assert len(acct.payee_account_tail) == 4 and len(acct.payee_account_hash) == 64
        r = c.execute(select(Region.__table__).where(Region.__table__.c.code == XING)).first()
        assert (r.name, r.level, r.parent_code, r.aliases) == ("兴县", "县", "141100000", ["兴县"])
        assert (
            c.execute(select(Region.__table__.c.level).where(Region.__table__.c.code == "140000000")).scalar() == "省"
        )
        assert c.execute(select(FeedBatch.__table__.c.synthetic)).scalar() is True


def test_reloading_the_same_rows_changes_nothing(engine, year000, tmp_path):
    load_files(engine, [year000], region=XING, year=2023)
    before = _snapshot(engine)
    again = load_files(engine, [year000], region=XING, year=2023)
    assert again.status == "repeat"
    # the same payments in another delivery: a new batch, every row unchanged
    (tmp_path / "PAY_VOUCHER_BILL_0630.csv").write_bytes((year000 / "PAY_VOUCHER_BILL.csv").read_bytes())
    rep = load_files(engine, [tmp_path / "PAY_VOUCHER_BILL_0630.csv"], region=XING, year=2023)
    assert rep.status == "loaded" and rep.rows_loaded == 0 and rep.rows_unchanged == rep.rows_in > 1000
    assert _snapshot(engine) == before
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(FeedBatch.__table__)).scalar() == 2


def _write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


LINE_HEADER = [
    "BGT_ID",
    "AGENCY_CODE",
    "AGENCY_NAME",
    "EXP_FUNC_CODE",
    "DEP_BGT_ECO_CODE",
    "PRO_NAME",
    "AMOUNT",
    "DOC_DATE",
]


def _good_lines(n: int) -> list[list[str]]:
    return [
        [f"L{i:03d}", "001", "兴县人大办", "2010101", "30201", "", f"{1000 + i}.50", "2023-01-20"] for i in range(n)
    ]


def test_bad_rows_get_exactly_their_typed_rejects(engine, tmp_path):
    rows = _good_lines(30) + [
        ["L900", "001", "兴县人大办", "2010101", "30201", "", "12,3x4.00", "2023-01-20"],  # row 31 bad amount
        ["L901", "001", "兴县人大办", "9990101", "30201", "", "100.00", "2023-01-20"],  # row 32 unknown code
        ["L902", "001", "兴县人大办", "2010101", "30201", "", "100.00", "2023-02-30"],  # row 33 bad date
        ["L005", "001", "兴县人大办", "2010101", "30201", "", "100.00", "2023-01-20"],  # row 34 duplicate id
        ["L903", "001", "兴县人大办", "2010101 行政运行", "[30201]办公费", "", "(12.50)", "20230120"],  # row 35 fine
    ]
    _write(tmp_path / "BA_BGT_INFO.csv", LINE_HEADER, rows)
    _write(
        tmp_path / "BA_BGT_ADJSUB.csv",
        ["ADJ_SUB_ID", "BGT_ID", "ADD_AMOUNT", "ADJ_DATE"],
        [["A1", "L001", "500.00", "2023-07-01"], ["A2", "NOPE", "500.00", "2023-07-01"]],
    )  # row 2 unknown line
    rep = load_files(engine, [tmp_path], region=XING, year=2023)
    assert rep.status == "partial"
    got = sorted((r.table, r.row_no, r.code, r.field) for r in rep.rejects)
    assert got == [
        ("adjustments", 2, "E_UNKNOWN_LINE", "line_src_id"),
        ("lines", 31, "E_AMOUNT", "amount"),
        ("lines", 32, "E_CODE", "exp_func"),
        ("lines", 33, "E_DATE", "doc_date"),
        ("lines", 34, "E_DUP", "src_id"),
    ]
    assert all(r.message for r in rep.rejects) and "2023-02-30" in next(
        r.message for r in rep.rejects if r.code == "E_DATE"
    )
    with engine.connect() as c:
        t = BudgetLine.__table__
        assert c.execute(select(func.count()).select_from(t)).scalar() == 31
        split = c.execute(
            select(t.c.exp_func_code, t.c.exp_func_name, t.c.dep_eco_code, t.c.dep_eco_name, t.c.amount).where(
                t.c.src_id == "L903"
            )
        ).one()
        assert split == ("2010101", "行政运行", "30201", "办公费", Decimal("-12.50"))
        assert c.execute(select(t.c.amount).where(t.c.src_id == "L005")).scalar() == Decimal("1005.50")
        stored = c.execute(select(FeedReject.__table__.c.code, FeedReject.__table__.c.message_zh)).all()
        assert sorted(x.code for x in stored) == sorted(x[2] for x in got)


def test_missing_column_and_wrong_encoding_refuse_the_batch_whole(engine, tmp_path):
    a = tmp_path / "a"
    a.mkdir()
    _write(a / "BA_BGT_INFO.csv", LINE_HEADER, _good_lines(5))
    _write(
        a / "PAY_VOUCHER_BILL.csv",
        ["PAY_CERT_ID", "AGENCY_CODE", "EXP_FUNC_CODE", "PAY_AMT"],
        [["P1", "001", "2010101", "10.00"]],
    )  # no date column
    rep = load_files(engine, [a], region=XING, year=2023)
    assert rep.status == "rejected"
    assert [(r.file, r.row_no, r.code) for r in rep.rejects] == [("PAY_VOUCHER_BILL.csv", None, "E_COLUMN")]
    assert "pay_date" in rep.rejects[0].message
    b = tmp_path / "b"
    b.mkdir()
    (b / "BA_BGT_INFO.csv").write_bytes(
        ",".join(LINE_HEADER).encode() + b"\nL1,001,\xff\xfe\x80\x80,2010101,30201,,1.00,\n"
    )
    rep = load_files(engine, [b], region=XING, year=2023)
    assert rep.status == "rejected" and [r.code for r in rep.rejects] == ["E_ENCODING"]
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(BudgetLine.__table__)).scalar() == 0
        batches = c.execute(select(FeedBatch.__table__.c.status, FeedBatch.__table__.c.rows_rejected)).all()
        assert [s for s, _ in batches] == ["rejected", "rejected"]


def test_gbk_file_loads_the_same_rows_as_utf8(engine, tmp_path, doc000):
    generate(doc000, tmp_path / "gbk", region=XING, region_name="兴县", seed=2, encoding="gbk")
    generate(doc000, tmp_path / "utf8", region=XING, region_name="兴县", seed=2)
    assert (tmp_path / "gbk" / "BA_BGT_INFO.csv").read_bytes() != (tmp_path / "utf8" / "BA_BGT_INFO.csv").read_bytes()
    first = load_files(engine, [tmp_path / "gbk"], region=XING, year=2023)
    before = _snapshot(engine)
    second = load_files(engine, [tmp_path / "utf8"], region=XING, year=2023)
    assert first.status == second.status == "loaded"
    assert second.rows_loaded == 0 and second.rows_unchanged == first.rows_in
    assert _snapshot(engine) == before


def test_mostly_invalid_batch_is_rejected_whole(engine, tmp_path):
    rows = _good_lines(3) + [[f"X{i}", "001", "", "2010101", "30201", "", "abc", ""] for i in range(5)]
    _write(tmp_path / "BA_BGT_INFO.csv", LINE_HEADER, rows)
    rep = load_files(engine, [tmp_path], region=XING, year=2023)
    assert rep.status == "rejected" and rep.rows_rejected == 5 and rep.rows_loaded == 0
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(BudgetLine.__table__)).scalar() == 0
        assert c.execute(select(func.count()).select_from(FeedReject.__table__)).scalar() == 5


@pytest.mark.parametrize("where", ["staging", "upsert"])
def test_a_crash_mid_load_leaves_nothing_of_the_batch(engine, year000, monkeypatch, where):
    """A crash while the payments are staged (row by row, or by the PostgreSQL bulk path), or while they are
    written into their table after the lines, adjustments and applications were."""
    calls = {"n": 0}
    if where == "staging":
        monkeypatch.setattr(load_mod._Loader, "_flush", _crash_on_payments(load_mod._Loader._flush, calls))
        monkeypatch.setattr(load_mod, "load_copied", _crash_on_payments(load_mod.load_copied, calls))
    else:
        monkeypatch.setattr(load_mod.Stage, "upsert", _crash_on_payments(load_mod.Stage.upsert, calls))
    with pytest.raises(RuntimeError, match="injected"):
        load_files(engine, [year000], region=XING, year=2023)
    assert calls["n"] >= 4  # lines, adjustments and applications were staged (or written) before it
    with engine.connect() as c:
        for t in (FeedBatch, BudgetLine, BudgetAdjustment, PaymentApplication, Payment, Region):
            assert c.execute(select(func.count()).select_from(t.__table__)).scalar() == 0, t.__tablename__


def _crash_on_payments(real, calls):
    def crashing(self, *args):
        calls["n"] += 1
        if (args[0].table if args else self.table) == "payments":
            raise RuntimeError("injected crash")
        return real(self, *args)

    return crashing


def test_cli_load_prints_rejects_and_exits_nonzero_when_refused(tmp_path):
    _write(tmp_path / "BA_BGT_INFO.csv", ["BGT_ID", "AMOUNT"], [["L1", "1.00"]])
    db = f"sqlite:///{tmp_path / 'x.db'}"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "budgetwatch",
            "feed",
            "load",
            str(tmp_path),
            "--region",
            XING,
            "--year",
            "2023",
            "--db",
            db,
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1, r.stderr
    assert "整批拒收" in r.stdout and "缺少必需的列" in r.stdout
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "budgetwatch",
            "feed",
            "load",
            str(tmp_path / "none.csv"),
            "--region",
            XING,
            "--year",
            "2023",
            "--db",
            db,
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "none.csv" in r.stderr
