"""Web latency with the whole corpus ingested: p50/p95 of 总览, 文档, 问题 and the main API endpoints,
sequential and with 20 concurrent clients, against a real uvicorn server; /health measured in the same
run as the baseline (the server's own floor). Target: p95 < 100 ms.

    python benchmarks/web_latency.py [--db sqlite:///path.db] [--requests 30] [--clients 20]
"""
from __future__ import annotations

import argparse
import socket
import tempfile
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent


def p(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))] * 1000


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--requests", type=int, default=30)
    ap.add_argument("--clients", type=int, default=20)
    a = ap.parse_args(argv)
    from budgetwatch.store.findings import check_versions
    from budgetwatch.store.ingest import ingest
    from budgetwatch.web.app import create_app
    db = a.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    app = create_app(db)
    if not a.db:
        t = time.perf_counter()
        ingest(app.state.engine, [ROOT / "samples", ROOT / "tests" / "data" / "corpus"])
        check_versions(app.state.engine)
        print(f"ingested and checked the corpus in {time.perf_counter() - t:.0f} s")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the server runs in its own process, as in production: the clients' threads must not share its GIL
    srv = subprocess.Popen([sys.executable, "-m", "budgetwatch", "serve", "--db", db, "--port", str(port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(base + "/health", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    client = httpx.Client(base_url=base, timeout=60)
    docs = client.get("/api/documents?limit=500").json()["items"]
    big = max(docs, key=lambda d: sum(d["findings"].values()))
    unit = next(d["unit"] for d in docs if d["unit"])
    urls = {"/health (baseline)": "/health", "总览 /": "/", "文档 /documents/{id}": f"/documents/{big['id']}",
            "问题 /findings": "/findings", "单位 /units/{u}": "/units/" + quote(unit),
            "比较 /compare": f"/compare?year={docs[0]['year']}", "/api/documents": "/api/documents",
            "/api/documents/{id}": f"/api/documents/{big['id']}", "/api/findings": "/api/findings?severity=error",
            "/api/projects?q=": "/api/projects?q=" + quote("信息")}
    cold = {}
    for name, u in urls.items():   # the first answer is computed; later ones come from the response cache
        t = time.perf_counter()
        client.get(u)
        cold[name] = (time.perf_counter() - t) * 1000
    print(f"{'endpoint':28} {'cold':>9} {'seq p50':>9} {'seq p95':>9} {'20c p95':>9}  (ms)")
    worst = 0.0
    for name, u in urls.items():
        seq = []
        for _ in range(a.requests):
            t = time.perf_counter()
            r = client.get(u)
            seq.append(time.perf_counter() - t)
            assert r.status_code == 200, (u, r.status_code)

        clients = [httpx.Client(base_url=base, timeout=60) for _ in range(a.clients)]   # keep-alive, like browsers

        def one(i):
            t = time.perf_counter()
            clients[i % a.clients].get(u)
            return time.perf_counter() - t
        with ThreadPoolExecutor(a.clients) as pool:
            conc = list(pool.map(one, range(a.clients * 5)))
        for c in clients:
            c.close()
        print(f"{name:28} {cold[name]:9.1f} {p(seq, .5):9.1f} {p(seq, .95):9.1f} {p(conc, .95):9.1f}")
        if not name.startswith("/health"):
            worst = max(worst, p(seq, .95), p(conc, .95))
    print(f"largest p95 (sequential and {a.clients} clients) {worst:.1f} ms — target < 100 ms: "
          f"{'met' if worst < 100 else 'NOT met'}; slowest cold answer {max(cold.values()):.1f} ms")
    srv.terminate()
    srv.wait(10)


if __name__ == "__main__":
    main()
