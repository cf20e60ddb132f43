"""Web latency with the whole corpus ingested: p50/p95 of 总览, 文档, 问题 and the main API endpoints,
sequential and with 20 concurrent clients, against a real uvicorn server in its own process(es).

Each endpoint is asked for many different answers (every document, every unit, every rule's findings, several
searches), taken in turn, so the numbers are not one answer repeated. Two servers are measured in one run:
without the response cache (every answer computed: the honest cost) and with it (what users see when pages
are asked again before the data changes). /health is the baseline (the server's own floor).
Target: p95 < 100 ms.

With `--scale K` the database is measured as it is (without the cache), then every document is copied K
times inside it (benchmarks/scale_db.py: 53 documents → 53 × (K + 1) in a minute or two, no file read again)
and measured again with the same URLs: the table prints both and the ratio — of p95 and of the server's CPU
per request (its processes' CPU time from /proc over the sequential requests). The point of issue 18 is
that the ratio stays near 1.

    python benchmarks/web_latency.py [--db sqlite:///path.db] [--requests 40] [--clients 20] [--workers 2]
    python benchmarks/web_latency.py --db postgresql+psycopg://…/bench --scale 400
    python benchmarks/web_latency.py --db postgresql+psycopg://…/bench --against postgresql+psycopg://…/small

With `--against SMALL` nothing is copied: SMALL and the database of `--db` (made earlier with --scale or
benchmarks/scale_db.py) are measured as they are, in that order, and printed the same way.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent


def pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))] * 1000


def start(db: str, workers: int | None, cache: bool, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """`serve` in its own process on a free port, with `workers` processes (None: serve's default); `env`
    (optional) is its environment, e.g. a PYTHONPATH naming another commit's sources to measure against."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the server runs in its own process, as in production: the clients' threads must not share its GIL
    srv = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "budgetwatch",
            "serve",
            "--db",
            db,
            "--port",
            str(port),
            *(["--workers", str(workers)] if workers else []),
            "--cache" if cache else "--no-cache",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(base + "/health", timeout=1)
            return srv, base
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def endpoints(client: httpx.Client, only: list[str] | None = None) -> dict[str, list[str]]:
    """The URLs asked per endpoint; with `only`, the endpoints whose name contains one of its texts."""
    every = _endpoints(client)
    return {k: v for k, v in every.items() if not only or k.startswith("/health") or any(t in k for t in only)}


def _endpoints(client: httpx.Client) -> dict[str, list[str]]:
    docs = client.get("/api/documents?limit=500").json()["items"]
    units = sorted({d["unit"] for d in docs if d["unit"]})
    years = sorted({d["year"] for d in docs if d["year"]})
    rules = [r["id"] for r in client.get("/api/rules").json()]
    words = ["信息", "培训", "系统", "维修", "建设", "办案", "会议", "设备", "服务", "保障"]
    ids = [d["id"] for d in docs]
    return {
        "/health (baseline)": ["/health"],
        "总览 /": ["/"] + [f"/?year={y}" for y in years] + [f"/?level={lv}" for lv in ("省级", "市级", "区县级")],
        "文档 /documents/{id}": [f"/documents/{i}" for i in ids],
        "问题 /findings": ["/findings"] + [f"/findings?rule={r}" for r in rules],
        "单位 /units/{u}": ["/units/" + quote(u) for u in units],
        "比较 /compare": [f"/compare?year={y}&stage={s}" for y in years for s in ("budget", "final")],
        "/api/documents": ["/api/documents"] + [f"/api/documents?year={y}" for y in years],
        "/api/documents/{id}": [f"/api/documents/{i}" for i in ids],
        "/api/findings": [f"/api/findings?rule={r}" for r in rules],
        "/api/projects?q=": ["/api/projects?q=" + quote(w) for w in words],
        "单位 /units": ["/units"],
        "/api/compare": [f"/api/compare?year={y}&sort=three_public" for y in years],
        "项目 /projects?q=": ["/projects?q=" + quote(w) for w in ("培训费", "办公设备", "信息化建设", "会议")],
    }


def _proc_cpu() -> tuple[dict[int, int], dict[int, float]]:
    """({pid: parent pid}, {pid: CPU seconds used so far}) of every process, from /proc."""
    parent, cpu = {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                fields = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(d)], cpu[int(d)] = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
    return parent, cpu


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by process `pid` and every process below it (uvicorn's workers)."""
    parent, cpu = _proc_cpu()
    ours, grew = {pid}, True
    while grew:
        more = {p for p, pp in parent.items() if pp in ours} - ours
        grew, ours = bool(more), ours | more
    return sum(cpu.get(p, 0) for p in ours)


class DatabaseCpu:
    """The CPU the PostgreSQL backends serving the server's database use (the server's connections, not this
    one): a request's cost is its Python and its SQL. None on SQLite (in the server's own process)."""

    def __init__(self, db: str):
        from sqlalchemy import create_engine

        self.engine = create_engine(db, isolation_level="AUTOCOMMIT") if db.startswith("postgresql") else None

    def __call__(self) -> dict[int, float]:
        if self.engine is None:
            return {}
        from sqlalchemy import text

        with self.engine.connect() as c:
            pids = set(
                c.scalars(
                    text(
                        "select pid from pg_stat_activity where datname = current_database() "
                        "and pid <> pg_backend_pid() and backend_type = 'client backend'"
                    )
                )
            )
        cpu = _proc_cpu()[1]
        return {p: cpu[p] for p in pids if p in cpu}

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(t - before.get(p, 0.0) for p, t in after.items())

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def burst(base: str, todo: list[str], clients: int) -> tuple[list[float], int]:
    """`todo` asked by `clients` concurrent clients (one keep-alive connection each, like browsers), from a
    process of their own on one asyncio loop speaking plain HTTP/1.1: client threads sharing this process's GIL
    (and, on two cores, the server's CPU) measured the benchmark more than the server, and so did httpx — its
    clients took 2.2 s of CPU for 400 /health answers in 2.4 s, one of the machine's two cores. A load generator
    must be cheap beside what it measures (as wrk and h2load are). (seconds per request, how many failed)"""
    out = subprocess.run(
        [sys.executable, __file__, "--burst", base, "--clients", str(clients)],
        input=json.dumps(todo),
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(out.stdout)
    return got["times"], got["failed"]


async def _get(reader, writer, host: str, path: str) -> tuple[int, bool]:
    """One GET on a keep-alive connection, its whole body read: (status, whether the server keeps it open)."""
    writer.write(f"GET {quote(path, safe='/?=&%:+,;')} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower().split("\r\n")
    fields = dict(line.split(":", 1) for line in head[1:] if ":" in line)
    if "content-length" in fields:
        await reader.readexactly(int(fields["content-length"]))
    elif "chunked" in fields.get("transfer-encoding", ""):
        while size := int((await reader.readline()).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    return int(head[0].split()[1]), "close" not in fields.get("connection", "")


async def _burst(base: str, todo: list[str], clients: int) -> dict:
    import asyncio
    from urllib.parse import urlsplit

    times = [0.0] * len(todo)
    failed = 0
    where = urlsplit(base)
    connect = lambda: asyncio.open_connection(where.hostname, where.port)  # noqa: E731
    # connected before the clock starts, as a browser's keep-alive connection is
    pool = [await connect() for _ in range(clients)]

    async def client(k: int) -> None:
        nonlocal failed
        reader, writer = pool[k]
        for i in range(k, len(todo), clients):
            t = time.perf_counter()
            try:
                status, open_ = await _get(reader, writer, where.netloc, todo[i])
                failed += status != 200
                if not open_:
                    writer.close()
                    reader, writer = await connect()
            except (OSError, asyncio.IncompleteReadError, ValueError):
                failed += 1
                writer.close()
                reader, writer = await connect()
            times[i] = time.perf_counter() - t
        writer.close()

    await asyncio.gather(*(client(k) for k in range(clients)))
    return {"times": times, "failed": failed}


def measure(
    base: str,
    urls: dict[str, list[str]],
    requests: int,
    clients: int,
    server_pid: int | None = None,
    db: str = "",
    each: int = 10,
) -> dict:
    """Per endpoint: (p50, p95 sequential, p95 concurrent, URLs, server CPU ms per sequential request, failed,
    per concurrent request, database CPU ms per sequential request, per concurrent request)."""
    client = httpx.Client(base_url=base, timeout=120)
    database = DatabaseCpu(db)
    out = {}
    for name, us in urls.items():
        cycle = itertools.cycle(us)
        seq = []
        cpu0, db0 = tree_cpu(server_pid) if server_pid else 0.0, database()
        for _ in range(requests):
            u = next(cycle)
            t = time.perf_counter()
            r = client.get(u)
            seq.append(time.perf_counter() - t)
            assert r.status_code == 200, (u, r.status_code)
        cpu = (tree_cpu(server_pid) - cpu0) / requests * 1000 if server_pid else None
        db1 = database()
        dbcpu = database.spent(db0, db1) / requests * 1000
        todo = [next(cycle) for _ in range(clients * each)]
        cpu1 = tree_cpu(server_pid) if server_pid else 0.0
        conc, failed = burst(base, todo, clients)
        ccpu = (tree_cpu(server_pid) - cpu1) / len(todo) * 1000 if server_pid else None
        dbccpu = database.spent(db1, database()) / len(todo) * 1000
        out[name] = (pct(seq, 0.5), pct(seq, 0.95), pct(conc, 0.95), len(us), cpu, failed, ccpu, dbcpu, dbccpu)
    client.close()
    database.close()
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument(
        "--each", type=int, default=10, help="requests per concurrent client (the p95 of 20 × 5 swung with the VM)"
    )
    ap.add_argument("--workers", type=int, default=2, help="server worker processes (the machine has 2 cores)")
    ap.add_argument("--scale", type=int, default=0, help="then copy every document this many times and measure again")
    ap.add_argument(
        "--against", help="a small database to measure first (e.g. the one --db was copied from): no copy is made"
    )
    ap.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="measure only the endpoints whose name contains TEXT (repeatable)",
    )
    ap.add_argument("--burst", metavar="BASE", help=argparse.SUPPRESS)  # the concurrent clients' own process
    a = ap.parse_args(argv)
    if a.burst:
        import asyncio

        print(json.dumps(asyncio.run(_burst(a.burst, json.loads(sys.stdin.read()), a.clients))))
        return
    db = a.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    from sqlalchemy import func, select

    from budgetwatch.pipeline import check as check_versions, ingest
    from budgetwatch.store.db import open_db
    from budgetwatch.store.schema import Version

    engine = open_db(db)
    with engine.connect() as c:
        empty = not c.scalar(select(func.count(Version.id)))
    if empty:  # a database given is used as it is; an empty one gets the corpus
        t = time.perf_counter()
        ingest(engine, [ROOT / "samples", ROOT.parent / "shared" / "corpus"])
        check_versions(engine)
        print(f"ingested and checked the corpus in {time.perf_counter() - t:.0f} s")
    engine.dispose()
    if a.scale or a.against:
        return scaled(db, a)
    results = {}
    for cache in (False, True):
        srv, base = start(db, a.workers, cache)
        try:
            with httpx.Client(base_url=base, timeout=120) as c:
                urls = endpoints(c, a.only)
            if cache:  # the cached server's first answer to each URL is computed: ask each once first
                with httpx.Client(base_url=base, timeout=120) as c:
                    for us in urls.values():
                        for u in us:
                            c.get(u)
            results[cache] = measure(base, urls, a.requests, a.clients, each=a.each)
        finally:
            srv.terminate()
            srv.wait(20)
    print(
        f"{a.workers} worker process(es); {a.requests} sequential requests and {a.clients} clients × {a.each} per endpoint,"
        f" taken in turn over the endpoint's URLs"
    )
    print(
        f"{'endpoint':24} {'URLs':>5} | {'no cache: p50':>13} {'p95':>7} {f'{a.clients}c p95':>8} |"
        f" {'cached: p50':>11} {'p95':>7} {f'{a.clients}c p95':>8}   (ms)"
    )
    worst = {False: 0.0, True: 0.0}
    for name in results[False]:
        n = results[False][name][3]
        row = []
        for cache in (False, True):
            p50, p95, c95 = results[cache][name][:3]
            row.append(f"{p50:13.1f} {p95:7.1f} {c95:8.1f}" if not cache else f"{p50:11.1f} {p95:7.1f} {c95:8.1f}")
            if not name.startswith("/health"):
                worst[cache] = max(worst[cache], p95, c95)
        print(f"{name:24} {n:5} | {row[0]} | {row[1]}")
    for cache, label in ((False, "without the cache"), (True, "with the cache")):
        print(
            f"largest p95 {label} (sequential and {a.clients} clients): {worst[cache]:.1f} ms — target < 100 ms: "
            f"{'met' if worst[cache] < 100 else 'NOT met'}"
        )


def analyzed(db: str) -> None:
    """PostgreSQL: the planner's statistics brought up to date, as autovacuum keeps them on a server (where it is
    off, as on a test machine, a database filled by ingest has none, and its plans are not a server's)."""
    if not db.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(db, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text("analyze"))
    engine.dispose()


def stolen() -> tuple[int, int]:
    """(steal, all) CPU ticks of the machine so far (/proc/stat): time a virtual machine's cores were taken by
    its host. A run with much of it measured the neighbours: its figures swing, however quiet this machine."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (ticks[7] if len(ticks) > 7 else 0), sum(ticks[:8])


def _steal_share(before: tuple[int, int]) -> float:
    now = stolen()
    return 100 * (now[0] - before[0]) / max(1, now[1] - before[1])


def _measured(db: str, a, urls=None):
    analyzed(db)
    srv, base = start(db, a.workers, False)
    try:
        if urls is None:
            with httpx.Client(base_url=base, timeout=120) as c:
                urls = endpoints(c, a.only)
        with httpx.Client(base_url=base, timeout=120) as c:  # each URL once first: process caches warm
            for us in urls.values():
                for u in us:
                    c.get(u)
        return urls, measure(base, urls, a.requests, a.clients, srv.pid, db, a.each)
    finally:
        srv.terminate()
        srv.wait(20)


def scaled(db: str, a) -> None:
    """The same URLs at the database's size and after copying its documents `a.scale` times."""
    import sys as _sys

    from sqlalchemy import func, select

    from budgetwatch.store.db import open_db
    from budgetwatch.store.schema import DocumentRecord

    _sys.path.insert(0, str(Path(__file__).parent))
    from scale_db import clone

    def documents(url: str) -> int:
        engine = open_db(url)
        with engine.connect() as c:
            n = c.scalar(select(func.count(DocumentRecord.id)))
        engine.dispose()
        return n

    if a.against:  # two databases as they are: the small one first, then this one, with the same URLs
        small, large = documents(a.against), documents(db)
        t0 = stolen()
        urls, before = _measured(a.against, a)
    else:
        small = documents(db)
        t0 = stolen()
        urls, before = _measured(db, a)
        engine = open_db(db)
        t = time.perf_counter()
        large = clone(engine, a.scale)
        print(f"copied {small} documents {a.scale} times → {large} documents in {time.perf_counter() - t:.0f} s")
        engine.dispose()
    steal_small, t1 = _steal_share(t0), stolen()
    _, after = _measured(db, a, urls)
    steal_large = _steal_share(t1)
    print(
        f"{db.split(':')[0]}, {a.workers} worker process(es), no response cache; {a.requests} sequential requests and "
        f"{a.clients} clients × {a.each} per endpoint (asyncio, in a process of their own); CPU ms per request: the server's "
        f"processes sequentially (CPU) and concurrently (cCPU), the database's backends sequentially (DB) and "
        f"concurrently (cDB); load average now {os.getloadavg()[0]:.1f}; CPU time stolen by the VM's host "
        f"{steal_small:.1f}% ({small} documents) and {steal_large:.1f}% ({large})"
    )
    print(
        f"{'endpoint':24} | {small:>6} docs: p50    p95 {a.clients}c p95   CPU  cCPU    DB   cDB | {large:>6} docs: p50"
        f"    p95 {a.clients}c p95   CPU  cCPU    DB   cDB | ratio p95   CPU CPU+DB failed"
    )
    for name in before:
        b, big = before[name], after[name]
        row = " | ".join(
            f"{x[0]:16.1f} {x[1]:6.1f} {x[2]:7.1f} {x[4]:5.1f} {x[6]:5.1f} {x[7]:5.1f} {x[8]:5.1f}" for x in (b, big)
        )
        both = (big[4] + big[7]) / (b[4] + b[7]) if b[4] + b[7] else float("nan")
        ratio = f"{big[1] / b[1]:9.2f} {big[4] / b[4] if b[4] else float('nan'):5.2f} {both:6.2f}"
        print(f"{name:24} | {row} | {ratio} {big[5]:6}")


if __name__ == "__main__":
    main()
