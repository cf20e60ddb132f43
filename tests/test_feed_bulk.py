"""The PostgreSQL bulk path of payments (feed/bulk.py: COPY as text, validated in SQL against lookups of the
distinct texts) stores exactly what the row-by-row path stores — every column of every payment, the units, the
rejects with their messages and rows as sent — on a synthetic year whose rows carry the odd and bad values real
exports do; and a file COPY would read otherwise takes the row-by-row path."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from budgetwatch.extract import extract_files
from budgetwatch.feed import bulk, load as load_mod
from budgetwatch.feed.load_files import load_files
from budgetwatch.feed.model import Agency, FeedBatch, FeedReject, Payment
from budgetwatch.feed.synth_pay import generate
from budgetwatch.store.db import open_db

from conftest import PG_OK, PG_URL, _reset_pg, seed

XING = "141123000"
pytestmark = pytest.mark.skipif(not PG_OK, reason="PostgreSQL not reachable")

# (column, value) put into every 10th payment in turn; the comment says what the loader must make of it
ODD = [
    ("PAY_CERT_ID", "  {id}\u3000"),  # stripped (white space of any kind)
    ("PAYEE_ACCT_NAME", "\u3000张三 "),  # a person, stripped
    ("XPAY_AMT", "1,234.50"),
    ("XPAY_AMT", ""),  # the voucher's amount then
    ("PAY_AMT", "(12.50)"),  # with XPAY_AMT below: not looked at
    ("XPAY_AMT", "5."),
    ("XPAY_AMT", "1.230"),
    ("XPAY_AMT", "12.345"),  # E_AMOUNT: finer than the 分
    ("XPAY_AMT", "abc"),  # E_AMOUNT
    ("XPAY_AMT", " 100.00 "),
    ("XPAY_AMT", "-12.5"),  # plain: cast in SQL
    ("XPAY_AMT", "1234567890123456"),  # 16 digits: not plain, parsed in Python
    ("XPAY_AMT", "１２.５"),  # full-width digits: not plain
    ("XPAY_DATE", ""),  # the voucher's date then
    ("XPAY_DATE", "2023年6月28日"),
    ("XPAY_DATE", "20230628"),
    ("XPAY_DATE", "2023-02-30"),  # E_DATE
    ("XPAY_DATE", "2030-01-01"),  # E_DATE: not in the year
    ("EXP_FUNC_CODE", "9990101"),  # E_CODE
    ("EXP_FUNC_CODE", "2010101 行政运行"),
    ("EXP_FUNC_CODE", ""),  # E_REQUIRED
    ("DEP_BGT_ECO_CODE", "[30201]办公费"),
    ("DEP_BGT_ECO_CODE", "办公费"),  # a name only: no code, no reject
    ("DEP_BGT_ECO_CODE", "99999"),  # E_CODE
    ("AGENCY_CODE", ""),  # a key from the unit's name
    ("IS_DELETED", "是"),
    ("IS_DELETED", "maybe"),  # E_VALUE
    ("MOF_DIV_CODE", "140522000"),  # E_REGION
    ("FISCAL_YEAR", "2022"),  # E_YEAR
    ("PAY_CERT_ID", "X" * 45),  # E_VALUE: too long
    ("PAYEE_ACCT_NAME", "某" * 301),  # E_LENGTH: longer than the column holds
    ("PAY_CERT_NO", "N" * 41),  # E_LENGTH: a text the bulk path strips in SQL
    ("PAY_CERT_ID", "{first}"),  # E_DUP
    ("PAY_CERT_ID", ""),  # a key from the content
    ("USE_DES", 'a, "quoted" purpose'),
    ("PAYEE_ACCT_NO", "6222 0000 1234 5678"),
    ("UPDATE_TIME", "2023-06-28T10:11"),
    ("UPDATE_TIME", "bad"),  # E_DATE
]


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    return odd_year(tmp_path_factory.mktemp("bulk"), ODD)


def odd_year(out: Path, odd: list[tuple[str, str]]) -> Path:
    """A synthetic year whose every 10th payment carries the next of the `odd` values."""
    generate(extract_files([seed("000")]), out, region=XING, region_name="兴县", seed=3)
    with open(out / "PAY_VOUCHER_BILL.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    for n, row in enumerate(body):
        if n % 10 == 5:
            col, value = odd[(n // 10) % len(odd)]
            row[header.index(col)] = value.format(id=row[0], first=body[0][0])
    with open(out / "PAY_VOUCHER_BILL.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *body])
    return out


def _stored(url: str, folder: Path, monkeypatch, bulk_on: bool) -> tuple[dict, list[bool]]:
    """A fresh database, the year loaded; every stored column but ids (and whether the bulk path took it)."""
    _reset_pg(create_engine(PG_URL))
    monkeypatch.setenv("BUDGETWATCH_FEED_SALT", "a salt for both")  # else one made per database
    used: list[bool] = []
    real = bulk.load_copied

    def spy(loader, part):
        done = real(loader, part) if bulk_on else False
        if part.table == "payments":
            used.append(done)
        return done

    monkeypatch.setattr(load_mod, "load_copied", spy)
    engine = open_db(url)
    rep = load_files(engine, [folder], region=XING, year=2023)
    out = {"report": (rep.status, rep.rows_in, rep.rows_loaded, rep.rows_rejected, rep.tables)}
    out.update(stored_rows(engine))
    with engine.connect() as c:
        assert c.execute(select(FeedBatch.__table__.c.status)).scalar() == "partial"
    engine.dispose()
    return out, used


def stored_rows(engine) -> dict:
    """Every stored payment and unit (all columns but ids), the rejects in order, the units' order."""
    out = {}
    with engine.connect() as c:
        for model, skip in ((Payment, {"id", "batch_id"}), (Agency, {"id", "batch_id", "unit_id"})):
            t = model.__table__
            cols = [col for col in t.c if col.name not in skip]
            out[t.name] = sorted(tuple(str(v) for v in r) for r in c.execute(select(*cols)))
        r = FeedReject.__table__
        q = select(r.c.source_table, r.c.file, r.c.row_no, r.c.field, r.c.code, r.c.message_zh, r.c.raw)
        out["rejects"] = [tuple(x) for x in c.execute(q.order_by(r.c.id))]
        out["agency_order"] = list(c.scalars(select(Agency.__table__.c.agency_code).order_by(Agency.__table__.c.id)))
    return out


@pytest.mark.parametrize("files", [1, 2])
def test_bulk_path_stores_what_the_row_path_stores(year, tmp_path, monkeypatch, files):
    """One payments file; or two that overlap (a row of the second repeats one of the first: E_DUP naming it)."""
    if files == 2:
        folder = tmp_path / "two"
        folder.mkdir()
        for f in year.iterdir():
            if f.name != "PAY_VOUCHER_BILL.csv":
                (folder / f.name).write_bytes(f.read_bytes())
        lines = (year / "PAY_VOUCHER_BILL.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        half = len(lines) // 2
        (folder / "PAY_VOUCHER_BILL_1.csv").write_text("".join(lines[:half]), encoding="utf-8")
        (folder / "PAY_VOUCHER_BILL_2.csv").write_text("".join([lines[0], *lines[half - 3 :]]), encoding="utf-8")
        year = folder
    bulked, used = _stored(PG_URL, year, monkeypatch, bulk_on=True)
    assert used == [True] * files
    rowwise, used = _stored(PG_URL, year, monkeypatch, bulk_on=False)
    assert used == [False] * files
    assert bulked == rowwise
    codes = {x[4] for x in bulked["rejects"]}
    assert codes == {"E_AMOUNT", "E_DATE", "E_CODE", "E_REQUIRED", "E_VALUE", "E_LENGTH", "E_REGION", "E_YEAR", "E_DUP"}
    assert any(a.startswith("n:") for a in bulked["agency_order"])
    assert len(bulked["payments"]) > 900


@pytest.mark.parametrize(
    "spoil",
    [
        lambda text: text.replace("\n", "\n" + ",".join(["\u3000"] * 28) + "\n", 2),  # blank rows: not numbered
        lambda text: text.replace(",津贴补贴,2023", ',a"b津贴补贴,2023', 1),  # a quote inside an unquoted field
        lambda text: text + "\\.\n",  # COPY's end-of-data line
        lambda text: text + "B9,N9,141123000\n",  # a short row
        lambda text: text.replace(",津贴补贴,2023", ",津贴\x1f补贴,2023", 1),  # the separator of the joined key
    ],
    ids=["blank-row", "inner-quote", "end-mark", "short-row", "key-separator"],
)
def test_files_copy_would_read_otherwise_take_the_row_path(year, tmp_path, monkeypatch, spoil):
    folder = tmp_path / "y"
    folder.mkdir()
    for f in year.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    bill = folder / "PAY_VOUCHER_BILL.csv"
    text = bill.read_text(encoding="utf-8")
    spoilt = spoil(text)
    assert spoilt != text
    bill.write_text(spoilt, encoding="utf-8")
    bulked, used = _stored(PG_URL, folder, monkeypatch, bulk_on=True)
    assert used == [False]  # declined, and nothing of its attempt left behind:
    rowwise, _ = _stored(PG_URL, folder, monkeypatch, bulk_on=False)
    assert bulked == rowwise
