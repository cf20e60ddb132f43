"""Feed loading speed: rows/s for N synthetic payments (PAY_VOUCHER_BILL.csv, default 1,000,000) through
`feed load` (read, validate, upsert, link to 指标) into SQLite and PostgreSQL, against a baseline measured in the
same run on the same rows: a plain executemany INSERT (SQLite) / COPY (PostgreSQL) of the already-parsed rows into
an empty copy of the payments table. Memory: the peak RSS of each load, in a child process, for the first N/4 and all
N rows beside the same lines (flat when the loader streams). Target: ≥ 50,000 rows/s on PostgreSQL.

With --against REF the same rows are also loaded by the loader of git revision REF (its src/ taken with
`git archive`, run in its own child process), and the ratio new/old is printed: the speed-up measured in one run,
beside the baseline. Besides wall time each load reports CPU seconds — the loading process's and, on PostgreSQL,
its server backend's (from /proc: the server runs on this machine) — which a machine shared with other work
disturbs far less; the load average is printed before and after. On PostgreSQL the WAL the load wrote and the
server settings a write of this size depends on are printed too (at the default 128MB of shared_buffers a million
payments and their indexes no longer fit: the write then costs more per row than at a quarter of the rows), and the
server CPU split by step (STEPS: the statements' shares read from /proc around them; the rest — COPY, the key
scan, the lookups, the commit — is "read"; the direct path's COPY into payments is "payments").

    python benchmarks/feed_load.py [--rows 1000000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/bw_feed]
                                   [--against REF] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION, YEAR = "141123000", 2023
# the server settings a million-payment write depends on (the table and its indexes outgrow the default buffers)
PG_SHOWN = "WHERE name IN ('shared_buffers', 'max_wal_size', 'wal_buffers', 'synchronous_commit')"
# the server CPU split: a statement's step by how it begins (feed/bulk.py, feed/stage.py); the rest is "read"
STEPS = (
    ("staging", "INSERT INTO feed_stage_"),
    ("duplicates", "SELECT s._row_no, s._file, s.src_id"),
    ("payments", "INSERT INTO payments"),
    ("payments", "UPDATE payments"),
    ("payments", "COPY payments"),  # the direct path (feed/direct.py): the server's side of the COPY
)


def make_feed(folder: Path, rows: int) -> Path:
    """A synthetic year of sample 000 made into a city's: the one unit's year (72 lines, ~1,000 payments, 33 payees)
    copied as many times as `rows` needs, each copy a unit of its own — its code, name, lines and payees its own
    (the 工资统发专户 and the like stay shared) — so that 1,000,000 payments come from ~960 units with ~69,000 lines
    and ~30,000 payees, the cardinalities a city's 一体化 export has; one unit repeated would make every index a few
    long runs of duplicates. Returns the folder of the lines file (BA_BGT_INFO.csv); generation is not timed."""
    from budgetwatch.extract import extract_files
    from budgetwatch.feed.synth_pay import generate

    base = folder / "year"
    generate(
        extract_files([next((ROOT / "samples").glob("000_*.txt"))]), base, region=REGION, region_name="兴县", seed=1
    )
    pays, pay_header = _read(base / "PAY_VOUCHER_BILL.csv")
    lines, line_header = _read(base / "BA_BGT_INFO.csv")
    units = -(-rows // len(pays))
    out = folder / "big" / "PAY_VOUCHER_BILL.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    shared = {name for name, n in Counter(r[pay_header.index("PAYEE_ACCT_NAME")] for r in pays).items() if n > 100}
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(pay_header)
        for i in range(rows):
            u, row = divmod(i, len(pays))
            row = _unit(pays[row], pay_header, u)
            row[0] = f"B{i:09d}"
            row[1] = f"N{i:09d}"
            name = pay_header.index("PAYEE_ACCT_NAME")
            if row[name] not in shared:
                row[name] = f"{row[name]}{u:04d}"
            w.writerow(row)
    city = folder / "lines"
    city.mkdir()
    with open(city / "BA_BGT_INFO.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(line_header)
        for u in range(units):
            for row in lines:
                row = _unit(row, line_header, u)
                row[0] = f"{row[0]}U{u:04d}"
                w.writerow(row)
    return city


def _head(path: Path, out: Path, rows: int) -> None:
    """The first `rows` payments of a file: for the memory at N/4 rows, beside the same city's lines (the same
    units, lines and payees known), so that only the row count differs."""
    out.parent.mkdir(parents=True)
    with open(path, encoding="utf-8", newline="") as f, open(out, "w", encoding="utf-8", newline="") as w:
        for _ in range(rows + 1):
            w.write(f.readline())


def _read(path: Path) -> tuple[list[list[str]], list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        return list(r), header


def _unit(row: list[str], header: list[str], u: int) -> list[str]:
    """The row as unit number u's: its own code and name."""
    row = list(row)
    row[header.index("AGENCY_CODE")] = f"{u:06d}"
    row[header.index("AGENCY_NAME")] = f"{row[header.index('AGENCY_NAME')]}{u:04d}"
    return row


def child_load(url: str, lines_dir: str, big: str) -> None:
    """In a fresh process: lines first (not timed), then the payments file; prints JSON with the timing."""
    from budgetwatch.feed.load_files import load_files
    from budgetwatch.store.db import open_db

    engine = open_db(url)
    load_files(engine, [Path(lines_dir) / "BA_BGT_INFO.csv"], region=REGION, year=YEAR)
    backend = []
    if engine.dialect.name == "postgresql":
        from sqlalchemy import event

        engine.dispose()
        event.listen(engine, "connect", lambda dbapi, _rec: backend.append(dbapi.info.backend_pid))
    cpu, t = time.process_time(), time.perf_counter()
    server, wal, settings = 0.0, None, {}
    with engine.connect() as c:  # the connection the load will take from the pool
        server = backend_cpu(backend)
        if backend:
            wal = c.exec_driver_sql("SELECT pg_current_wal_insert_lsn()").scalar()
            shown = c.exec_driver_sql(f"SELECT name, current_setting(name) FROM pg_settings {PG_SHOWN}")
            settings = {name: value for name, value in shown}
    steps, undo = split_steps(backend)
    rep = load_files(engine, [Path(big)], region=REGION, year=YEAR)
    dt, cpu = time.perf_counter() - t, time.process_time() - cpu
    server = backend_cpu(backend) - server if backend else 0.0
    undo()
    steps = {"read": server - sum(steps.values()), **steps}  # the rest: COPY, key scan, lookups, commit
    if wal is not None:
        with engine.connect() as c:
            wal = c.exec_driver_sql(f"SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '{wal}')").scalar()
    print(
        json.dumps(
            {
                "rows": rep.rows_loaded,
                "status": rep.status,
                "seconds": dt,
                "cpu": cpu,
                "server_cpu": server,
                "wal_mb": float(wal) / 2**20 if wal is not None else None,
                "settings": settings,
                "maxrss_mb": peak_mb(),
                "steps": {k: v for k, v in steps.items() if v},
            }
        )
    )


def split_steps(backend: list[int]) -> tuple[dict[str, float], Callable[[], None]]:
    """Server CPU seconds of the load's statements by step (STEPS), summed around each statement psycopg executes
    on the load's connection (`backend` holds its pid once it connects); `undo` ends the counting."""
    import psycopg

    steps = dict.fromkeys([name for name, _start in STEPS], 0.0)
    execute = psycopg.Cursor.execute

    def timed(cur, query, params=None, **kw):
        q = str(query).lstrip()
        step = next((name for name, start in STEPS if q.startswith(start)), None)
        if step is None or not backend or cur.connection.info.backend_pid != backend[-1]:
            return execute(cur, query, params, **kw)
        before = backend_cpu(backend)
        try:
            return execute(cur, query, params, **kw)
        finally:
            steps[step] += backend_cpu(backend) - before

    @contextmanager
    def timed_copy(cur, statement, *args, **kw):
        step = next((name for name, start in STEPS if str(statement).lstrip().startswith(start)), None)
        mine = step is not None and backend and cur.connection.info.backend_pid == backend[-1]
        before = backend_cpu(backend) if mine else 0.0
        with copy(cur, statement, *args, **kw) as cp:
            yield cp
        if mine:
            steps[step] += backend_cpu(backend) - before

    def undo() -> None:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
        psycopg.Cursor.copy = copy  # type: ignore[method-assign]

    copy = psycopg.Cursor.copy
    psycopg.Cursor.execute = timed  # type: ignore[method-assign]
    psycopg.Cursor.copy = timed_copy  # type: ignore[method-assign]
    return steps, undo


def backend_cpu(pids: list[int]) -> float:
    """User + system CPU seconds of the PostgreSQL backend serving this process (its pid from the connection)."""
    if not pids:
        return 0.0
    with open(f"/proc/{pids[-1]}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_mb() -> float:
    """This process's peak RSS: VmHWM, which starts afresh at exec (ru_maxrss can carry the parent's peak over
    an exec on Linux: here the parent holds the baseline's rows)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(url: str, big: Path) -> tuple[int, float]:
    """The same rows, parsed by the same reader but not validated, into an empty table: COPY / executemany."""
    from sqlalchemy import create_engine, text

    rows = []
    with open(big, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        idx = [
            header.index(k)
            for k in (
                "PAY_CERT_ID",
                "AGENCY_CODE",
                "EXP_FUNC_CODE",
                "DEP_BGT_ECO_CODE",
                "PAY_AMT",
                "VOU_DATE",
                "PAYEE_ACCT_NAME",
                "USE_DES",
            )
        ]
        for row in r:
            rows.append(tuple(row[i] for i in idx))
    engine = create_engine(url)
    ddl = (
        "CREATE TABLE bench_payments (src_id varchar(40), agency_code varchar(40), exp_func_code varchar(7), "
        "dep_eco_code varchar(5), amount numeric(18,2), pay_date date, payee_name varchar(300), purpose text)"
    )
    with engine.begin() as c:
        c.execute(text("DROP TABLE IF EXISTS bench_payments"))
        c.execute(text(ddl))
    t = time.perf_counter()
    with engine.begin() as c:
        raw = c.connection.driver_connection
        if engine.dialect.name == "postgresql":
            with raw.cursor() as cur, cur.copy("COPY bench_payments FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
        else:
            raw.executemany("INSERT INTO bench_payments VALUES (?,?,?,?,?,?,?,?)", rows)
    dt = time.perf_counter() - t
    with engine.begin() as c:
        c.execute(text("DROP TABLE bench_payments"))
    engine.dispose()
    return len(rows), dt


def fresh(url: str, tmp: Path, name: str) -> str:
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp / (name + '.db')}"
    from sqlalchemy import create_engine, text

    with create_engine(url).begin() as c:
        c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    return url


def old_source(ref: str, tmp: Path) -> Path:
    """src/ of git revision `ref`, unpacked under tmp."""
    out = tmp / "old"
    out.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out / "src"


def run_child(url: str, lines: Path, big: Path, src: Path = ROOT / "src") -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    r = subprocess.run(
        [sys.executable, __file__, "--child", url, str(lines), str(big)],
        capture_output=True,
        check=False,
        text=True,
        env=env,
    )
    if r.returncode:
        raise SystemExit(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument(
        "--pg", default=os.environ.get("BUDGETWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/bw_feed")
    )
    ap.add_argument("--child", nargs=3)
    ap.add_argument("--against", help="a git revision whose loader is measured on the same rows")
    ap.add_argument("--only", choices=("sqlite", "postgresql"))
    a = ap.parse_args()
    if a.child:
        return child_load(*a.child)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        quarter = tmp / "quarter"
        lines = make_feed(tmp, a.rows)
        _head(tmp / "big" / "PAY_VOUCHER_BILL.csv", quarter / "big" / "PAY_VOUCHER_BILL.csv", a.rows // 4)
        big = tmp / "big"
        old = old_source(a.against, tmp) if a.against else None
        print(f"load average before: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} CPUs", flush=True)
        for name, url in (("SQLite", "sqlite"), ("PostgreSQL", a.pg)):
            if a.only and name.lower() != a.only:
                continue
            small = run_child(fresh(url, tmp, "small"), lines, quarter / "big")
            full = run_child(fresh(url, tmp, "full"), lines, big)
            n, base_s = baseline(fresh(url, tmp, "base"), big / "PAY_VOUCHER_BILL.csv")
            rate, base_rate = full["rows"] / full["seconds"], n / base_s
            print(
                f"{name:10s} feed load {full['rows']:>9,} payments: {rate:>9,.0f} rows/s "
                f"({full['seconds']:.1f} s; CPU {_cpu(full)}) · baseline "
                f"{'COPY' if name == 'PostgreSQL' else 'executemany'} {base_rate:>9,.0f} rows/s · ratio "
                f"{rate / base_rate:.2f} · peak RSS {small['maxrss_mb']:.0f} MB at {small['rows']:,} rows, "
                f"{full['maxrss_mb']:.0f} MB at {full['rows']:,}",
                flush=True,
            )
            if full.get("wal_mb") is not None:
                shown = ", ".join(f"{k} {v}" for k, v in sorted(full["settings"].items()))
                print(f"{'':10s} WAL written {full['wal_mb']:,.0f} MB; server {shown}", flush=True)
                print(f"{'':10s} server CPU by step: {_steps(full)}", flush=True)
            if old is not None:
                was = run_child(fresh(url, tmp, "old"), lines, big, old)
                print(
                    f"{'':10s} {a.against}: {was['rows'] / was['seconds']:>9,.0f} rows/s ({was['seconds']:.1f} s; "
                    f"CPU {_cpu(was)}) · speed-up {was['seconds'] / full['seconds']:.1f}× in wall time, "
                    f"{_total(was) / _total(full):.1f}× in CPU · peak RSS {was['maxrss_mb']:.0f} MB",
                    flush=True,
                )
                print(f"{'':10s} {a.against}: server CPU by step: {_steps(was)}", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)", flush=True)


def _total(r: dict) -> float:
    return r["cpu"] + r["server_cpu"]


def _steps(r: dict) -> str:
    return " · ".join(f"{name} {seconds:.1f} s" for name, seconds in r.get("steps", {}).items())


def _cpu(r: dict) -> str:
    server = f" + server {r['server_cpu']:.1f} s" if r["server_cpu"] else ""
    return f"loader {r['cpu']:.1f} s{server}"


if __name__ == "__main__":
    main()
