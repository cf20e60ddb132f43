"""The PostgreSQL direct path of payments (feed/direct.py: validated in the loader, COPYed straight into payments)
stores exactly what the row-by-row path stores — every column of every payment with its 指标 link, the units, the
rejects with their messages and rows as sent — for a payments file loaded after its year's lines, on the odd and bad
values of tests/test_feed_bulk.py; a file with a key twice, or a region-year with payments stored, is left to the
other paths with nothing of the attempt kept; a crash mid-COPY keeps nothing of the batch."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from budgetwatch.feed import direct, load as load_mod
from budgetwatch.feed.load_files import load_files
from budgetwatch.feed.model import FeedBatch, Payment
from budgetwatch.store.db import open_db
from test_feed_bulk import ODD, odd_year, stored_rows

from conftest import PG_OK, PG_URL, _reset_pg

XING = "141123000"
LINES = ("BA_BGT_INFO.csv", "BA_BGT_ADJSUB.csv")
pytestmark = pytest.mark.skipif(not PG_OK, reason="PostgreSQL not reachable")


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """The odd values but the repeated key."""
    return odd_year(tmp_path_factory.mktemp("direct"), [o for o in ODD if o[1] != "{first}"])


@pytest.fixture(scope="module")
def year_dup(tmp_path_factory):
    return odd_year(tmp_path_factory.mktemp("direct_dup"), ODD)


def _stored(folder: Path, monkeypatch, direct_on: bool, bulk_on: bool = False, before=()) -> tuple[dict, list]:
    """A fresh database, the year's lines loaded, then (after the batches `before`) its payments file; every stored
    column but ids, and whether the direct path took the file."""
    _reset_pg(create_engine(PG_URL))
    monkeypatch.setenv("BUDGETWATCH_FEED_SALT", "a salt for both")
    used: list[bool] = []
    real_direct, real_bulk = direct.load_direct, load_mod.load_copied

    def spy(loader, part, n):
        done = real_direct(loader, part, n) if direct_on else False
        if part.table == "payments":
            used.append(done)
        return done

    monkeypatch.setattr(load_mod, "load_direct", spy)
    monkeypatch.setattr(load_mod, "load_copied", real_bulk if bulk_on else lambda loader, part: False)
    engine = open_db(PG_URL)
    load_files(engine, [folder / f for f in LINES], region=XING, year=2023)
    for paths in before:
        load_files(engine, paths, region=XING, year=2023)
    used.clear()
    rep = load_files(engine, [folder / "PAY_VOUCHER_BILL.csv"], region=XING, year=2023)
    out = {"report": (rep.status, rep.rows_in, rep.rows_loaded, rep.rows_unchanged, rep.rows_rejected, rep.tables)}
    out.update(stored_rows(engine))
    engine.dispose()
    return out, used


def test_direct_path_stores_what_the_row_path_stores(year, monkeypatch):
    direct_, used = _stored(year, monkeypatch, direct_on=True)
    assert used == [True]
    rowwise, used = _stored(year, monkeypatch, direct_on=False)
    assert used == [False]
    assert direct_ == rowwise
    codes = {x[4] for x in direct_["rejects"]}
    assert codes == {"E_AMOUNT", "E_DATE", "E_CODE", "E_REQUIRED", "E_VALUE", "E_LENGTH", "E_REGION", "E_YEAR"}
    matches = {p[Payment.__table__.c.keys().index("line_match") - 1] for p in direct_["payments"]}
    assert {"attributes", "none"} <= matches  # linked to their lines in the loader, and not
    assert len(direct_["payments"]) > 900


@pytest.mark.parametrize("bulk_on", [False, True])
def test_a_repeated_key_leaves_the_file_to_the_other_paths(year_dup, monkeypatch, bulk_on):
    tried, used = _stored(year_dup, monkeypatch, direct_on=True, bulk_on=bulk_on)
    assert used == [False]  # declined at the repeated key, and nothing of its attempt left behind:
    rowwise, _ = _stored(year_dup, monkeypatch, direct_on=False)
    assert tried == rowwise
    assert "E_DUP" in {x[4] for x in tried["rejects"]}


def test_stored_payments_leave_the_file_to_the_other_paths(year, tmp_path, monkeypatch):
    """A re-load of overlapping rows is the upsert's: the rows already stored updated, not inserted again."""
    lines = (year / "PAY_VOUCHER_BILL.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "PAY_VOUCHER_BILL_first.csv").write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    before = ([tmp_path / "PAY_VOUCHER_BILL_first.csv"],)
    tried, used = _stored(year, monkeypatch, direct_on=True, before=before)
    assert used == [False]
    rowwise, _ = _stored(year, monkeypatch, direct_on=False, before=before)
    assert tried == rowwise
    assert tried["report"][3] > 400  # the first half unchanged


@pytest.mark.parametrize(
    "spoil",
    [
        lambda text: text.replace("\n", "\n" + ",".join(["\u3000"] * 28) + "\n", 2),  # blank rows: not numbered
        lambda text: text.replace(",津贴补贴,2023", ',a"b津贴补贴,2023', 1),  # a quote inside an unquoted field
        lambda text: text + "B9,N9,141123000\n",  # a short row
        lambda text: text.replace(",津贴补贴,2023", ",津贴\\补贴\t,2023", 1),  # COPY's escape and delimiter
    ],
    ids=["blank-row", "inner-quote", "short-row", "escapes"],
)
def test_files_read_as_the_row_path_reads_them(year, tmp_path, monkeypatch, spoil):
    folder = tmp_path / "y"
    shutil.copytree(year, folder)
    bill = folder / "PAY_VOUCHER_BILL.csv"
    text = bill.read_text(encoding="utf-8")
    spoilt = spoil(text)
    assert spoilt != text
    bill.write_text(spoilt, encoding="utf-8")
    direct_, used = _stored(folder, monkeypatch, direct_on=True)
    assert used == [True]
    rowwise, _ = _stored(folder, monkeypatch, direct_on=False)
    assert direct_ == rowwise


def test_a_crash_mid_copy_keeps_nothing_of_the_batch(year, monkeypatch):
    _reset_pg(create_engine(PG_URL))
    engine = open_db(PG_URL)
    load_files(engine, [year / f for f in LINES], region=XING, year=2023)
    monkeypatch.setattr(direct, "CHUNK", 100)
    real = direct._Direct._link
    calls = []

    def crash(self, values):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("injected")
        real(self, values)

    monkeypatch.setattr(direct._Direct, "_link", crash)
    with pytest.raises(RuntimeError, match="injected"):
        load_files(engine, [year / "PAY_VOUCHER_BILL.csv"], region=XING, year=2023)
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(Payment.__table__)).scalar() == 0
        assert c.execute(select(func.count()).select_from(FeedBatch.__table__)).scalar() == 1  # the lines'
    engine.dispose()
