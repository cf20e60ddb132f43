"""The response cache: answers are shared by worker processes through a folder on disk, kept while the
data stays the same, and retired when documents, findings or decisions change (here or in another process)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import text

from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.web.app import create_app

from conftest import SAMPLES, seed


def _two_workers(tmp_path, monkeypatch):
    """Two apps on one database and one cache folder: what `serve --workers 2` runs."""
    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "answers"))
    db = f"sqlite:///{tmp_path / 'bw.db'}"
    a = create_app(db)
    ingest(a.state.engine, [seed("000"), seed("001")])
    check_versions(a.state.engine)
    return a, create_app(db)


def test_an_answer_computed_by_one_worker_is_served_by_the_other(tmp_path, monkeypatch):
    a, b = _two_workers(tmp_path, monkeypatch)
    with TestClient(a) as ca, TestClient(b) as cb:
        first = ca.get("/api/documents").json()
        # a change the cache cannot see (no new version, finding or decision): only a cached answer keeps the old name
        with a.state.engine.begin() as c:
            c.execute(text("update document_versions set unit_name = 'renamed' where id = 1"))
        assert cb.get("/api/documents").json() == first
        assert any(f.is_file() for f in (tmp_path / "answers").rglob("*"))


def test_a_decision_retires_every_workers_answers(tmp_path, monkeypatch):
    a, b = _two_workers(tmp_path, monkeypatch)
    with TestClient(a) as ca, TestClient(b) as cb:
        open_before = cb.get("/api/findings?status=open").json()["total"]
        f = ca.get("/api/findings").json()["items"][0]
        assert (
            ca.post(
                f"/api/findings/{f['id']}/decision",
                json={"status": "dismissed", "reason": "口径已说明", "by": "预算工委"},
            ).status_code
            == 200
        )
        time.sleep(1.1)  # the other worker reads the data's token at most once a second
        assert cb.get("/api/findings?status=open").json()["total"] == open_before - 1


def test_documents_ingested_by_another_process_appear(tmp_path, monkeypatch):
    a, b = _two_workers(tmp_path, monkeypatch)
    with TestClient(b) as cb:
        assert cb.get("/api/documents").json()["total"] == 2
        ingest(a.state.engine, [seed("002")])  # the CLI, say, on the same database
        time.sleep(1.1)
        assert cb.get("/api/documents").json()["total"] == 3
        assert len([p for p in (tmp_path / "answers").iterdir() if p.is_dir()]) == 1  # old answers removed


def test_without_the_cache_nothing_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "answers"))
    app = create_app(f"sqlite:///{tmp_path / 'bw.db'}", cache=False)
    ingest(app.state.engine, [SAMPLES])
    with TestClient(app) as c:
        assert c.get("/api/documents").json()["total"] == 3
    assert not (tmp_path / "answers").exists()


def test_serve_with_two_workers_answers_on_one_port(tmp_path):
    """`serve --workers 2`: two uvicorn processes on one port, the database migrated before they start."""
    import socket
    import subprocess
    import sys

    import httpx

    db = f"sqlite:///{tmp_path / 'bw.db'}"
    subprocess.run(
        [sys.executable, "-m", "budgetwatch", "ingest", str(SAMPLES), "--db", db], check=True, capture_output=True
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**__import__("os").environ, "BUDGETWATCH_CACHE_DIR": str(tmp_path / "answers")}
    srv = subprocess.Popen(
        [sys.executable, "-m", "budgetwatch", "serve", "--db", db, "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        for _ in range(150):
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        totals = {httpx.get(f"http://127.0.0.1:{port}/api/documents", timeout=10).json()["total"] for _ in range(6)}
        assert totals == {3}
    finally:
        srv.terminate()
        srv.wait(20)


def test_a_database_emptied_and_filled_again_is_not_answered_from_the_cache(tmp_path, monkeypatch):
    """The same ids can come back after a reset (here: the same two seeds, ingested in the other order)."""
    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "answers"))
    db = tmp_path / "bw.db"

    def serve_units(order):
        app = create_app(f"sqlite:///{db}")
        ingest(app.state.engine, order)
        with TestClient(app) as c:
            units = [d["unit"] for d in sorted(c.get("/api/documents").json()["items"], key=lambda d: d["id"])]
        app.state.engine.dispose()
        return units

    first = serve_units([seed("000"), seed("001")])
    for f in tmp_path.glob("bw.db*"):
        f.unlink()
    assert serve_units([seed("001"), seed("000")]) == first[::-1]


def test_a_server_restarted_on_other_code_does_not_answer_from_the_old_code_s_cache(tmp_path, monkeypatch):
    """The data is the same but the code is not (an upgrade): the folder the old code filled is not served."""
    import budgetwatch.web.cache as cache

    a, _ = _two_workers(tmp_path, monkeypatch)
    with TestClient(a) as ca:
        first = ca.get("/api/documents").json()
        with a.state.engine.begin() as c:  # a change the token cannot see: only a cached answer keeps the old name
            c.execute(text("update document_versions set unit_name = 'renamed' where id = 1"))
        assert ca.get("/api/documents").json() == first
    monkeypatch.setattr(cache, "CODE_STAMP", cache.CODE_STAMP + "-upgraded")
    with TestClient(create_app(f"sqlite:///{tmp_path / 'bw.db'}")) as cb:
        units = {d["unit"] for d in cb.get("/api/documents").json()["items"]}
    assert "renamed" in units


def test_the_code_stamp_changes_with_a_file_of_the_package(tmp_path):
    import budgetwatch.web.cache as cache

    (tmp_path / "page.html").write_text("<p>1</p>")
    before = cache.code_stamp(tmp_path)
    (tmp_path / "page.html").write_text("<p>22</p>")
    assert cache.code_stamp(tmp_path) != before
