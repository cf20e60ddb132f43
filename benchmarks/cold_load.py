"""Cold-cache load: a real server (its own process, loopback only) with an empty response cache, and 50 clients
that start at once and each ask for their pages back-to-back (a bounded number of requests, a bounded time).
Prints the load's p50/p99, its errors (by status), and /health's latency during the run, probed every 100 ms,
against /health alone before the run as the baseline. Targets (issue 19): p99 < 500 ms, no error, /health
always answering.

Before the load, the server's CPU per cold URL: each URL asked once, in turn, of a server just started without the
response cache (cold: nothing of the process's own caches either), then once more (warm) — the server's CPU time
(every thread, from /proc) per answer, summed and the worst. A crowd's first wave waits about the sum, on a
loaded machine as on a quiet one, so this is the figure that does not depend on who else uses the machine.

With `--against REV` the same database is served by the sources of commit REV too (git archive, in a temporary
folder) and every figure is printed for both, old → new; the answer of every URL, and the JSON of every page
(its `?format=json` twin), is compared between the two, byte for byte.

    python benchmarks/cold_load.py [--db URL] [--clients 50] [--per-client 8] [--workers N] [--corpus 6]
                                   [--against main] [--repeat 3] [--no-load]
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_latency import ROOT, pct, start  # noqa: E402  (the server start and the percentile are shared)

from budgetwatch.cli.documents import default_workers  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def database(db: str | None, corpus: int) -> str:
    """The database given, or a fresh one with the samples and the first `corpus` corpus PDFs."""
    from budgetwatch.pipeline import ingest
    from budgetwatch.store.db import open_db

    if db:
        return db
    db = f"sqlite:///{Path(tempfile.mkdtemp()) / 'cold.db'}"
    engine = open_db(db)
    pdfs = sorted(p for p in CORPUS.glob("*.pdf") if ".part" not in p.name)[:corpus] if CORPUS.is_dir() else []
    t = time.perf_counter()
    summary = ingest(engine, [ROOT / "samples", *pdfs], check=True)
    print(f"ingested and checked {summary.count('ingested')} documents in {time.perf_counter() - t:.0f} s")
    engine.dispose()
    return db


def urls_of(db: str) -> list[str]:
    """Pages and API answers for every document, year and rule, read from the database (not the server,
    whose cache must stay cold)."""
    from sqlalchemy.orm import Session

    from budgetwatch.checks import RULES
    from budgetwatch.store.db import open_db
    from budgetwatch.store.repository import latest_versions

    engine = open_db(db)
    with Session(engine) as s:
        versions = latest_versions(s)
    engine.dispose()
    ids = [v.document_id for v in versions]
    years = sorted({v.year for v in versions if v.year})
    out = ["/", "/findings", "/api/documents", "/api/rules"]
    out += [f"/documents/{i}" for i in ids] + [f"/api/documents/{i}" for i in ids]
    out += [f"/?year={y}" for y in years] + [f"/api/documents?year={y}" for y in years]
    out += [f"/api/findings?rule={r}" for r in list(RULES)[:12]]
    return out


def probe_health(base: str, stop: threading.Event, out: list, fails: list) -> None:
    with httpx.Client(base_url=base, timeout=10) as c:
        while not stop.is_set():
            t = time.perf_counter()
            try:
                ok = c.get("/health").status_code == 200
            except httpx.HTTPError:
                ok = False
            (out if ok else fails).append(time.perf_counter() - t)
            stop.wait(0.1)


def run_load(base: str, urls: list[str], clients: int, per_client: int, deadline: float, spread: bool):
    """Each client asks for `per_client` URLs back-to-back: all in the same order (a crowd opening the same
    pages) or, with `spread`, each from its own offset (as many different cold pages at once as clients)."""
    times, errors = [], Counter()
    lock = threading.Lock()
    # the clients' CPU is counted from the start (their 50 httpx.Client, an SSL context each, cost more before it)
    begun: list[float] = []
    go = threading.Barrier(clients, action=lambda: begun.append(time.process_time()))

    def client(i: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as c:
            go.wait()
            for k in range(per_client):
                if time.monotonic() > deadline:
                    with lock:
                        errors["not sent (time bound)"] += 1
                    continue
                u = urls[((i if spread else 0) + k * (clients if spread else 1)) % len(urls)]
                t = time.perf_counter()
                try:
                    status = c.get(u).status_code
                except httpx.HTTPError as e:
                    status = type(e).__name__
                with lock:
                    times.append(time.perf_counter() - t)
                    if status != 200:
                        errors[str(status)] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return times, errors, time.process_time() - begun[0]


def code_at(rev: str) -> tuple[str, dict]:
    """The sources of commit `rev` in a temporary folder: (its short name, an environment whose PYTHONPATH
    makes `serve` run them)."""
    out = Path(tempfile.mkdtemp(prefix="bw-base-"))
    git = ["git", "-C", str(ROOT)]
    archive = subprocess.run([*git, "archive", rev, "src"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(out, filter="data")
    name = subprocess.run([*git, "rev-parse", "--short", rev], check=True, capture_output=True, text=True).stdout
    return name.strip(), {**os.environ, "PYTHONPATH": str(out / "src")}


def server_cpu(pid: int) -> float:
    """CPU seconds so far of every thread of process `pid` and of its children (uvicorn's workers), at the
    scheduler's nanosecond resolution (/proc/…/task/…/schedstat), not the clock ticks of /proc/…/stat."""
    pids, total = [pid], 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    pids.append(int(d))
            except OSError:
                continue
    for p in pids:
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except OSError:
                continue
    return total / 1e9


def json_twin(url: str) -> str:
    return url if url.startswith("/api") else url + ("&" if "?" in url else "?") + "format=json"


def cpu_per_url(db: str, urls: list[str], env: dict) -> tuple[dict[str, list[float]], dict[str, bytes]]:
    """{url: [cold, warm] CPU seconds of the server}, and {url: its answer} of every URL and its JSON twin,
    from a server just started without the response cache."""
    srv, base = start(db, 1, cache=False, env=env)
    try:
        last, t = server_cpu(srv.pid), time.monotonic()
        while time.monotonic() - t < 30:  # the start's own work (key figures filled in the background) first
            time.sleep(0.5)
            now = server_cpu(srv.pid)
            if now - last < 0.005:
                break
            last = now
        cost: dict[str, list[float]] = {u: [] for u in urls}
        with httpx.Client(base_url=base, timeout=60) as c:
            for _ in ("cold", "warm"):
                for u in urls:
                    before = server_cpu(srv.pid)
                    status = c.get(u).status_code
                    cost[u].append(server_cpu(srv.pid) - before)
                    if status != 200:
                        raise SystemExit(f"{u} answered {status}")
            # a page's links name the server (its port differs from one server to the next)
            every = dict.fromkeys([*urls, *map(json_twin, urls)])
            answers = {v: c.get(v).content.replace(base.encode(), b"http://server") for v in every}
    finally:
        srv.terminate()
        srv.wait(20)
    return cost, answers


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--per-client", type=int, default=8)
    ap.add_argument("--workers", type=int, help="server processes (default: serve's own, one per core)")
    ap.add_argument("--corpus", type=int, default=6, help="corpus PDFs in a fresh database (with the samples)")
    ap.add_argument("--seconds", type=float, default=300, help="time bound of the load")
    ap.add_argument("--repeat", type=int, default=1, help="servers per code for the CPU per URL (the least kept)")
    ap.add_argument("--top", type=int, default=8, help="how many of the costliest cold URLs to list")
    ap.add_argument("--against", metavar="REV", help="also measure the sources of this commit, on the same database")
    ap.add_argument("--no-load", action="store_true", help="the CPU per URL (and the comparison) only")
    a = ap.parse_args(argv)
    db = database(a.db, a.corpus)
    urls = urls_of(db)
    codes = [code_at(a.against)] if a.against else []
    codes.append(("this tree", {**os.environ, "PYTHONPATH": str(ROOT / "src")}))
    names = " → ".join(n for n, _ in codes)
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) at the start; figures: {names}")
    costs: list[dict[str, list[float]]] = [{} for _ in codes]
    answers: list[dict[str, bytes]] = [{} for _ in codes]
    for _ in range(a.repeat):  # the codes in turn, each URL's least CPU kept: others' load only adds
        for i, (_, env) in enumerate(codes):
            cost, answers[i] = cpu_per_url(db, urls, env)
            for u, c in cost.items():
                costs[i][u] = [min(x, y) for x, y in zip(costs[i].get(u, c), c)]
    print(
        f"\nserver CPU per URL, each asked once in turn ({len(urls)} URLs, no response cache"
        + (f"; each URL's least of {a.repeat} servers" if a.repeat > 1 else "")
        + "):"
    )
    for i, label in enumerate(("cold", "warm")):
        sums = [sum(c[u][i] for u in urls) for c in costs]
        worst = [max(urls, key=lambda u: c[u][i]) for c in costs]
        print(
            f"  {label}  sum {' → '.join(f'{x:.3f} s' for x in sums)}"
            + (f" ({sums[-1] / sums[0]:.2f}×)" if len(sums) > 1 else "")
            + "   worst "
            + " → ".join(f"{w} {c[w][i] * 1000:.0f} ms" for w, c in zip(worst, costs))
        )
    top = sorted(urls, key=lambda u: -costs[-1][u][0])[: a.top]
    print(f"  the {len(top)} costliest cold (cold / warm ms" + (", old → new" if len(costs) > 1 else "") + "):")
    for u in top:
        print(f"    {u:32} " + " → ".join(f"{c[u][0] * 1000:5.1f} / {c[u][1] * 1000:5.1f}" for c in costs))
    if len(answers) > 1:
        differ = [u for u in answers[-1] if answers[0][u] != answers[-1][u]]
        print(
            f"  HTML and JSON of the {len(urls)} URLs ({len(answers[-1])} answers): "
            + ("identical" if not differ else f"{len(differ)} differ: {differ}")
        )
    if a.no_load:
        return
    print(
        f"\n{a.clients} clients × {a.per_client} requests back-to-back over {len(urls)} URLs, a cold cache each "
        f"time, {a.workers or f'serve default: {default_workers()}'} worker(s)"
    )
    met = True
    for spread in (False, True):
        for name, env in codes:
            ok = measure(db, urls, a, spread, name, env)
            met = met and (ok or name != codes[-1][0])  # the target is this tree's: the old code's misses are not
    print(f"\nload average {os.getloadavg()[0]:.1f} (1 min) at the end")
    print(f"target p99 < 500 ms, no error, /health always answering ({codes[-1][0]}): {'met' if met else 'NOT met'}")


def measure(db: str, urls: list[str], a, spread: bool, name: str, env: dict) -> bool:
    """One load on a server just started with an empty response cache; True when the target is met."""
    env = {**env, "BUDGETWATCH_CACHE_DIR": tempfile.mkdtemp(prefix="bw-cold-cache-")}  # cold: nothing on disk
    srv, base = start(db, a.workers, cache=True, env=env)
    try:
        with httpx.Client(base_url=base, timeout=10) as c:  # baseline: /health alone
            alone = []
            for _ in range(100):
                t = time.perf_counter()
                c.get("/health")
                alone.append(time.perf_counter() - t)
        stop, during, health_fails = threading.Event(), [], []
        prober = threading.Thread(target=probe_health, args=(base, stop, during, health_fails))
        prober.start()
        t0, cpu0 = time.perf_counter(), server_cpu(srv.pid)
        times, errors, mine = run_load(base, urls, a.clients, a.per_client, time.monotonic() + a.seconds, spread)
        wall, cpu = time.perf_counter() - t0, server_cpu(srv.pid) - cpu0
        stop.set()
        prober.join()
    finally:
        srv.terminate()
        srv.wait(20)
    print(
        f"\n{'each client from its own URL (all pages cold at once)' if spread else 'all clients the same pages in the same order'}"
        f" [{name}]: {len(times)} answered in {wall:.1f} s, load average {os.getloadavg()[0]:.1f}"
        f"\n  CPU             server {cpu:.3f} s (every worker and thread), the clients {mine:.3f} s"
    )
    print(
        f"  load            p50 {pct(times, 0.5):7.1f} ms   p99 {pct(times, 0.99):7.1f} ms   max {max(times) * 1000:7.1f} ms"
    )
    print(
        f"  errors          {sum(errors.values())}"
        + (f" ({', '.join(f'{k}: {v}' for k, v in errors.items())})" if errors else "")
    )
    print(f"  /health alone   p50 {pct(alone, 0.5):7.1f} ms   p99 {pct(alone, 0.99):7.1f} ms")
    if during:
        print(
            f"  /health in load p50 {pct(during, 0.5):7.1f} ms   p99 {pct(during, 0.99):7.1f} ms   max "
            f"{max(during) * 1000:7.1f} ms   ({len(during)} probes, {len(health_fails)} unanswered; p99 "
            f"{pct(during, 0.99) / max(pct(alone, 0.99), 1e-3):.1f}× alone)"
        )
    else:
        print(f"  /health in load: no answer ({len(health_fails)} probes failed)")
    return bool(times) and pct(times, 0.99) < 500 and not errors and not health_fails


if __name__ == "__main__":
    main()
