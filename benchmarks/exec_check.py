"""`check --feed` (family G) on a synthetic region of ~1 million payments (100 units), SQLite and PostgreSQL,
against one plain aggregate over the same rows as baseline; then the execution pages' latency on that data
(p50/p95 sequential, p95 with concurrent clients, without and with the response cache; target p95 < 100 ms).

The region is built from one synthetic year of sample 000 (`feed synth`, loaded by the real loader), copied
in SQL to `--units` agencies with each payment repeated `--copies` times at a tenth of its amount (the unit's
totals, profile and rules' answers stay those of the synthetic year).

    python benchmarks/exec_check.py [--db URL] [--units 100] [--copies 10] [--pages] [--requests 30]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
REGION, YEAR = "141123000", 2023


def build(engine, units: int, copies: int) -> int:
    from budgetwatch.extract import extract_files
    from budgetwatch.feed.load_files import load_files
    from budgetwatch.feed.model import BudgetLine, Payment, PaymentApplication
    from budgetwatch.feed.synth_pay import generate

    folder = Path(tempfile.mkdtemp()) / "feed"
    doc = extract_files([next((ROOT / "samples").glob("000_*"))])
    generate(doc, folder, region=REGION, region_name="兴县", seed=1, anomalies=("A2", "A3", "A6"))
    rep = load_files(engine, [folder], region=REGION, year=YEAR)
    assert rep.status == "loaded", rep.status
    numbers = " union all ".join(f"select {i} as n" for i in range(2, units + 1))
    copy = " union all ".join(f"select {i} as k" for i in range(1, copies + 1))
    with engine.begin() as c:

        def clone(table, renames: dict[str, str], extra_from: str = "", where: str = ""):
            cols = [col.name for col in table.columns if col.name != "id"]
            sel = [renames.get(col, col) for col in cols]
            c.execute(
                text(
                    f"insert into {table.name} ({', '.join(cols)}) select {', '.join(sel)} from {table.name} t "
                    f"cross join ({numbers}) u {extra_from} where t.region_code = :r {where}"
                ),
                {"r": REGION},
            )

        unit = (
            "lpad(cast(u.n as varchar), 3, '0')"
            if engine.dialect.name == "postgresql"
            else "substr('00' || u.n, -3, 3)"
        )
        agency = {"agency_code": unit}
        clone(BudgetLine.__table__, {**agency, "src_id": f"t.src_id || '-' || {unit}"})
        c.execute(
            text(
                "insert into agencies (region_code, fiscal_year, agency_code, agency_name) "
                f"select region_code, fiscal_year, {unit}, agency_name || {unit} from agencies t "
                f"cross join ({numbers}) u where t.region_code = :r"
            ),
            {"r": REGION},
        )
        # payments: each repeated `copies` times at a tenth (the first copy keeps the remainder: totals exact)
        p = Payment.__table__
        cols = [col.name for col in p.columns if col.name != "id"]
        amount = (
            "case when v.k = 1 then t.amount - round(t.amount / {0}, 2) * ({0} - 1) else round(t.amount / {0}, 2) end"
        )
        ren = {
            **agency,
            "src_id": f"t.src_id || '-' || {unit} || '-' || v.k",
            "line_src_id": f"t.line_src_id || '-' || {unit}",
            "amount": amount.format(copies),
        }
        allunits = f"select 1 as n union all {numbers}"
        c.execute(
            text("create temporary table pay_template as select * from payments where region_code = :r"), {"r": REGION}
        )
        c.execute(text("delete from payments where region_code = :r"), {"r": REGION})
        unit_all = unit.replace("u.n", "u.n")
        ren = {k: v.replace("{unit}", unit_all) for k, v in ren.items()}
        sel = [ren.get(col, f"t.{col}") for col in cols]
        sel = [s if s.startswith(("t.", "case", "lpad", "substr")) or "||" in s else f"t.{s}" for s in sel]
        c.execute(
            text(
                f"insert into payments ({', '.join(cols)}) select {', '.join(sel)} from pay_template t "
                f"cross join ({allunits}) u cross join ({copy}) v"
            )
        )
        c.execute(
            text(
                "update payments set agency_code = '001', line_src_id = substr(line_src_id, 1, "
                "length(line_src_id) - 4) where region_code = :r and agency_code = '001'"
            ),
            {"r": REGION},
        )
        c.execute(text("drop table pay_template"))
        del PaymentApplication
        n = c.execute(text("select count(*) from payments where region_code = :r"), {"r": REGION}).scalar()
    with engine.begin() as c:
        c.execute(text("analyze"))
    return n


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--pages", action="store_true", help="also measure the execution pages")
    ap.add_argument("--requests", type=int, default=30)
    ap.add_argument("--clients", type=int, default=10)
    a = ap.parse_args(argv)
    from budgetwatch.execution.run import check_feed
    from budgetwatch.store.db import open_db

    db = a.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'exec-bench.db'}"
    engine = open_db(db)
    with engine.connect() as c:
        have = c.execute(text("select count(*) from payments where region_code = :r"), {"r": REGION}).scalar()
    if not have:
        t = time.perf_counter()
        have = build(engine, a.units, a.copies)
        print(f"built {have:,} payments for {a.units} units in {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    with engine.connect() as c:
        c.execute(
            text(
                "select agency_code, sum(amount), count(*) from payments where region_code = :r and "
                "fiscal_year = :y and is_deleted = :d group by agency_code"
            ),
            {"r": REGION, "y": YEAR, "d": False},
        ).all()
    base = time.perf_counter() - t
    timings = []
    for as_of in (date(YEAR, 6, 30), date(YEAR, 12, 31)):
        t = time.perf_counter()
        res = check_feed(engine, REGION, YEAR, as_of)
        timings.append((as_of, time.perf_counter() - t, len(res.findings)))
    target = 15 if engine.dialect.name == "postgresql" else 30
    print(f"{engine.dialect.name}: {have:,} payments; baseline (one GROUP BY over them) {base:.2f} s")
    for as_of, s, n in timings:
        print(
            f"  check --feed as of {as_of}: {s:.2f} s = {s / base:.1f}× baseline, {n} findings "
            f"(target ≤ {target} s: {'ok' if s <= target else 'MISSED'})"
        )
    if a.pages:
        pages(db, a.requests, a.clients)


def pages(db: str, requests: int, clients: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import httpx
    from web_latency import measure, start

    units = [f"{i:03d}" for i in (1, 2, 17, 50, 99)]
    urls = {
        "/health (baseline)": ["/health"],
        "执行总览": [f"/execution/{REGION}/{YEAR}", f"/execution/{REGION}/{YEAR}?as_of={YEAR}-06-30"],
        "单位执行": [f"/execution/{REGION}/{YEAR}/units/{u}" for u in units],
        "指标支付": [f"/execution/{REGION}/{YEAR}/lines/{YEAR}001P00070-{u}" for u in units[1:]],
        "收款人": [f"/execution/{REGION}/{YEAR}/payees", f"/execution/{REGION}/{YEAR}/payees?agency=017"],
        "执行预警": [f"/execution/{REGION}/{YEAR}/findings", f"/execution/{REGION}/{YEAR}/findings?rule=G06"],
    }
    for cache in (False, True):
        srv, base = start(db, 2, cache)
        try:
            if cache:
                with httpx.Client(base_url=base, timeout=120) as c:
                    for us in urls.values():
                        for u in us:
                            c.get(u)
            out = measure(base, urls, requests, clients)
        finally:
            srv.terminate()
            srv.wait(20)
        print(
            f"pages {'with' if cache else 'without'} the response cache (p50 / p95 sequential, p95 {clients} clients, ms):"
        )
        for name, (p50, p95, c95, n) in out.items():
            print(f"  {name:12s} {p50:7.1f} {p95:7.1f} {c95:7.1f}  ({n} URLs){'' if p95 < 100 else '  > 100 ms'}")


if __name__ == "__main__":
    main()
