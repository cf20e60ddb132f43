"""Server CPU per request, in-process: the main pages and endpoints of benchmarks/web_latency.py (the same URLs)
called through the ASGI app directly — no HTTP, no client sharing the process — with `time.process_time()`
around each call (the handler's thread included). Per URL the least of N calls, per endpoint the mean of its
URLs' least. Per-request CPU hardly depends on the database's size, so a few thousand documents
(`scale_db.py --copies 40`) stand for 20k, and the figures are steady enough to compare two versions of the code
(the server's own HTTP handling, ~0.3 ms a request, is left out; web_latency.py measures it all):

    python benchmarks/web_cpu.py --db URL [--rounds 20] [--per 10] [--only TEXT]
    PYTHONPATH=../other-tree/src python benchmarks/web_cpu.py --db URL --json before.json
    python benchmarks/web_cpu.py --db URL --against before.json

A document's pages are asked with the documents kept read (load_version_cached) forgotten first, as
web_latency's cycle over 500 documents misses them, and again with the document kept ("… kept").
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

sys.path.insert(0, str(Path(__file__).parent))


def _scope(url: str) -> dict:
    parts = urlsplit(url)
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(parts.path),
        "raw_path": quote(parts.path, safe="/%").encode(),
        "root_path": "",
        "query_string": quote(parts.query, safe="=&%+,;:/").encode(),  # as a client sends it
        "headers": [(b"host", b"localhost"), (b"accept", b"text/html")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }


async def ask(app, url: str) -> tuple[int, bytes]:
    """(status, body) of a GET of `url` answered by the ASGI `app`."""
    got: dict = {"status": 0, "body": []}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            got["status"] = message["status"]
        elif message["type"] == "http.response.body":
            got["body"].append(message.get("body", b""))

    await app(_scope(url), receive, send)
    return got["status"], b"".join(got["body"])


class _Json:
    def __init__(self, body: bytes):
        self.body = body

    def json(self):
        return json.loads(self.body)


async def _urls(app, per: int, only: list[str] | None) -> dict[str, list[str]]:
    from web_latency import _endpoints

    answers: dict[str, bytes] = {}

    class Client:  # web_latency._endpoints asks for the documents and rules: answered from what was read
        def get(self, url):
            return _Json(answers[url])

    for url in ("/api/documents?limit=500", "/api/rules"):
        answers[url] = (await ask(app, url))[1]
    every = _endpoints(Client())  # type: ignore[arg-type]
    out = {}
    for name, us in every.items():
        if only and not name.startswith("/health") and not any(t in name for t in only):
            continue
        step = max(1, len(us) // per)
        out[name] = us[::step][:per]
        if "{id}" in name:
            out[name + " kept"] = out[name]
    return out


async def measure(db: str, rounds: int, per: int, only: list[str] | None) -> dict[str, float]:
    """{endpoint: CPU ms per request} (mean over its URLs of the least of `rounds` calls)."""
    from budgetwatch.store.repository import forget_loaded
    from budgetwatch.web.app import create_app

    app = create_app(db, cache=False)
    urls = await _urls(app, per, only)
    for _ in range(2):  # every URL answered before: SQL compiled, templates loaded, code run once
        for us in urls.values():
            for u in us:
                status, _ = await ask(app, u)
                assert status == 200, (u, status)
    gc.collect()
    gc.freeze()
    least: dict[str, dict[str, float]] = {name: {} for name in urls}
    for _ in range(rounds):
        for name, us in urls.items():
            for u in us:
                if name.endswith("{id}"):
                    forget_loaded()
                elif name.endswith(" kept"):
                    await ask(app, u)
                t = time.process_time()
                await ask(app, u)
                spent = time.process_time() - t
                least[name][u] = min(spent, least[name].get(u, spent))
    return {name: 1000 * statistics.mean(by_url.values()) for name, by_url in least.items()}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--rounds", type=int, default=20, help="calls per URL (the least counts)")
    ap.add_argument("--per", type=int, default=10, help="URLs per endpoint at most, spread over its list")
    ap.add_argument("--only", action="append", metavar="TEXT", help="the endpoints whose name contains TEXT")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--against", help="figures written earlier with --json: printed beside these, with the change")
    a = ap.parse_args(argv)
    got = asyncio.run(measure(a.db, a.rounds, a.per, a.only))
    if a.json:
        Path(a.json).write_text(json.dumps(got, ensure_ascii=False, indent=1))
    before = json.loads(Path(a.against).read_text()) if a.against else {}
    print(f"in-process CPU ms per request, the least of {a.rounds} calls per URL, mean over the endpoint's URLs")
    print(f"{'endpoint':28} {'before':>7} {'now':>7} {'change':>7}" if before else f"{'endpoint':28} {'now':>7}")
    for name, ms in got.items():
        if name in before:
            print(f"{name:28} {before[name]:7.2f} {ms:7.2f} {100 * (ms / before[name] - 1):6.0f}%")
        else:
            print(f"{name:28} {ms:7.2f}")


if __name__ == "__main__":
    main()
