"""What a new user hits in the first hour (issue 16): the README's install serves page crops, lists page on
with their filters, downloads are downloads, exported files are readable by others, `serve` fails in one
line on a bad or busy port, the first command is short, help in Chinese with -h and --version, `ingest`
shows progress and one summary, .ci/run decides on what is present, dependencies are what the code imports."""

from __future__ import annotations

import ast
import csv
import io
import os
import re
import socket
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.web.app import create_app

from conftest import CORPUS, ROOT, SAMPLES, needs_corpus

BW = [sys.executable, "-m", "budgetwatch"]


def run(*args, **kw):
    return subprocess.run(BW + list(args), capture_output=True, text=True, timeout=300, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def client(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'bw.db'}")
    ingest(app.state.engine, [SAMPLES])
    check_versions(app.state.engine)
    with TestClient(app) as c:
        yield c


def test_overview_pages_keep_their_filters(client):
    page = client.get("/?level=区县级&limit=1").text
    nxt = re.search(r'<a rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "level=" in nxt and "offset=1" in nxt
    second = client.get(nxt).text
    assert second.count('class="doc-link"') == 1 and 'rel="prev"' in second
    assert client.get(nxt + "&format=json").json()["offset"] == 1


def test_projects_downloads_without_a_search_are_files(client):
    for fmt in ("csv", "xlsx"):
        r = client.get(f"/projects?format={fmt}")
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"], fmt
    rows = list(csv.reader(io.StringIO(client.get("/projects?format=csv").content.decode("utf-8-sig"))))
    assert rows == [["来源", "项目", "金额", "金额单位", "单位", "年度", "文档id", "匹配的指标"]]
    assert load_workbook(io.BytesIO(client.get("/projects?format=xlsx").content)).worksheets[0]["A1"].value == "来源"


def test_written_files_follow_the_umask(tmp_path):
    from budgetwatch.export.writers import atomic_write

    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.csv", b"x")
        os.umask(0o027)
        atomic_write(tmp_path / "b.csv", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.csv").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b.csv").stat().st_mode) == 0o640
    db = f"sqlite:///{tmp_path / 'bw.db'}"
    assert run("ingest", str(SAMPLES), "--db", db, "--no-check").returncode == 0
    out = tmp_path / "out" / "问题清单.xlsx"
    assert (
        run(
            "check", "--all", "--format", "xlsx", "--out", str(out), "--db", db, preexec_fn=lambda: os.umask(0o022)
        ).returncode
        == 0
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_serve_refuses_a_bad_or_busy_port_in_one_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'bw.db'}"
    r = run("serve", "--port", "99999", "--db", db)
    assert r.returncode != 0 and "服务已启动" not in r.stdout
    assert len(r.stderr.strip().splitlines()) == 1 and "99999" in r.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run("serve", "--port", str(port), "--db", db)
    assert r.returncode != 0 and "服务已启动" not in r.stdout
    assert len(r.stderr.strip().splitlines()) == 1 and "端口已被占用" in r.stderr


def test_serve_says_it_is_up_when_it_answers(tmp_path):
    port = free_port()
    srv = subprocess.Popen(
        BW + ["serve", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'bw.db'}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = srv.stdout.readline()
        assert "服务已启动" in line and f":{port}/" in line
        # the socket was bound before the line: a connection now is queued, not refused
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=60).json() == {"ok": True}
    finally:
        srv.terminate()
        srv.wait(20)


def _children(pid: int) -> list[int]:
    out = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat_file.parent.name))
    return out


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a worker follows its supervisor on Linux only")
def test_serve_s_workers_end_with_it_even_when_it_is_killed(tmp_path):
    """`serve` runs several worker processes (by default one per core): killed with -9, it takes them with it
    — no orphan keeps answering on the port, and the same port serves again at once."""
    import signal
    import time

    port, db = free_port(), f"sqlite:///{tmp_path / 'bw.db'}"
    srv = subprocess.Popen(
        BW + ["serve", "--port", str(port), "--db", db, "--workers", "2"], stdout=subprocess.PIPE, text=True
    )
    workers: list[int] = []
    try:
        assert "服务已启动" in srv.stdout.readline()
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=60).json() == {"ok": True}
        workers += [c for c in _children(srv.pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()]
        assert len(workers) == 2, workers
        srv.send_signal(signal.SIGKILL)
        srv.wait(20)
        deadline = time.monotonic() + 30
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_running(w) for w in workers)
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
    finally:
        if srv.poll() is None:
            srv.kill()
        srv.wait(20)
        for w in filter(_running, workers):  # orphans of a failed run: not left behind
            os.kill(w, signal.SIGKILL)


def test_readme_first_command_prints_few_lines_before_the_url(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```bash\n(.+?)\n```", readme, re.S).group(1)
    assert "budgetwatch ingest samples" in first and first.rstrip().endswith("budgetwatch serve")
    r = run("ingest", str(SAMPLES), "--db", f"sqlite:///{tmp_path / 'bw.db'}", cwd=ROOT)
    assert r.returncode == 0
    lines = [ln for ln in (r.stdout + r.stderr).splitlines() if ln.strip()]
    assert len(lines) <= 15, "\n".join(lines)
    assert "入库结果" in r.stdout and "兴县" in r.stdout and "错误" in r.stdout


def test_cli_help_is_chinese_with_h_and_version():
    from budgetwatch import __version__

    for args in (["-h"], ["--help"]):
        r = run(*args)
        assert r.returncode == 0 and "入库" in r.stdout and "命令" in r.stdout
    r = run("ingest", "-h")
    assert r.returncode == 0 and "文件或文件夹" in r.stdout and "--verbose" in r.stdout
    for args in (["--version"], ["-V"]):
        r = run(*args)
        assert r.returncode == 0 and r.stdout.strip() == f"budgetwatch {__version__}"


def test_ingest_prints_progress_and_one_summary_not_every_finding(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):  # twelve files: the samples changed a little (each in its own folder: no pairing)
        src = sorted(SAMPLES.glob("*.txt"))[i % 3]
        sub = folder / f"d{i:02d}"
        sub.mkdir()
        text = src.read_text(encoding="utf-8") + f"\n附注 {i}\n"
        (sub / src.name).write_text(text, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'bw.db'}"
    r = run("ingest", str(folder), "--db", db)  # stderr is a pipe: plain progress lines
    assert r.returncode == 0
    progress = [ln for ln in r.stderr.splitlines() if ln.startswith("入库 ")]
    assert 2 <= len(progress) <= 13 and progress[-1] == "入库 12/12 个文件"
    assert r.stdout.count("入库结果") == 1 and "问题清单 ·" not in r.stdout and "新入库 12" in r.stdout
    assert len(r.stdout.splitlines()) < 12 * 3 + 15
    verbose = run("ingest", str(folder), "--db", db, "--verbose")
    # the twelve files are versions of three documents (same unit, year, stage): a 问题清单 for each
    assert "未变 12" in verbose.stdout and verbose.stdout.count("问题清单 ·") == 3


def test_ci_script_sees_a_present_font_every_time():
    """`fc-list | grep -q` under pipefail fails now and then (SIGPIPE): the check must not race."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "grep -q" not in script.split("have_cjk_font()")[1].split("}")[0]
    assert re.search(r"pytest -n \"?\$WORKERS", script) and 'WORKERS="${BUDGETWATCH_TEST_WORKERS:-2}"' in script
    if subprocess.run("fc-list | grep -ci 'wenquanyi\\|noto.*cjk'", shell=True, capture_output=True).returncode:
        pytest.skip("no CJK font on this machine")
    func = re.search(r"have_cjk_font\(\) \{.*?\n\}", script, re.S).group(0)
    r = subprocess.run(
        [
            "bash",
            "-c",
            f"set -euo pipefail\n{func}\nfor i in $(seq 1 30); do have_cjk_font || {{ echo missed; exit 1; }}; done",
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name = lambda req: re.split(r"[\[<>=!~ ;]", req, maxsplit=1)[0].lower().replace("_", "-")
    base = {name(r) for r in project["dependencies"]}
    extras = {name(r) for reqs in project["optional-dependencies"].values() for r in reqs}
    return base, extras


def _imported_distributions() -> dict[str, set[str]]:
    """{distribution: modules importing it} for every third-party import under src/budgetwatch."""
    from importlib.metadata import packages_distributions

    dists = packages_distributions()
    out: dict[str, set[str]] = {}
    for path in (ROOT / "src" / "budgetwatch").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.module and not node.level
                else []
            )
            for n in names:
                top = n.split(".")[0]
                if top in sys.stdlib_module_names or top == "budgetwatch":
                    continue
                for d in dists.get(top, [top]):
                    out.setdefault(d.lower().replace("_", "-"), set()).add(path.name)
    return out


def test_every_import_is_declared_and_every_dependency_used():
    base, extras = _declared()
    imported = _imported_distributions()
    missing = {d: sorted(m) for d, m in imported.items() if d not in base | extras | {"psycopg-binary"}}
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
    needed_unimported = {"python-multipart", "jinja2"}  # FastAPI's form parser and templates load them
    unused = base - set(imported) - needed_unimported
    assert not unused, f"declared but never imported: {unused}"
    assert "pillow" in base and "psycopg" not in base and "psycopg" in extras


def test_a_postgresql_url_without_the_driver_says_which_extra(monkeypatch):
    from budgetwatch.errors import BudgetwatchError
    from budgetwatch.store.db import make_engine

    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(BudgetwatchError, match=r"budgetwatch\[postgres\]"):
        make_engine("postgresql://postgres@127.0.0.1:5432/x")


def test_pdf_report_finds_chromium_on_the_path_or_says_how(tmp_path, monkeypatch, client):
    from fastapi import HTTPException

    from budgetwatch.web.reports import find_chromium

    real = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)
    monkeypatch.delenv("BUDGETWATCH_CHROMIUM", raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(HTTPException) as e:
        find_chromium()
    assert e.value.status_code == 501 and "BUDGETWATCH_CHROMIUM" in e.value.detail
    r = client.get("/documents/1/report.pdf")
    assert r.status_code == 501 and "chromium" in r.text
    if real:
        (bin_dir / "google-chrome").symlink_to(real)
        assert find_chromium() == str(bin_dir / "google-chrome")
        monkeypatch.setenv("BUDGETWATCH_CHROMIUM", str(tmp_path / "nope"))
        with pytest.raises(HTTPException) as e:
            find_chromium()
        assert "nope" in e.value.detail


@needs_corpus
def test_install_without_extras_serves_a_page_crop(tmp_path):
    """The README's install on a fresh venv (no extras: no psycopg, no OCR, no Spark) reads a PDF and
    serves the crop of a figure's page; a PostgreSQL URL gets the one-line hint. Uses pip's cache."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py, bw = venv / "bin" / "python", venv / "bin" / "budgetwatch"
    r = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert r.returncode == 0, r.stderr[-2000:]
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    assert subprocess.run([str(py), "-c", "import psycopg"], capture_output=True, env=clean).returncode != 0
    pg = subprocess.run(
        [str(bw), "list", "--db", "postgresql://postgres@127.0.0.1/x"], capture_output=True, text=True, env=clean
    )
    assert pg.returncode != 0 and "budgetwatch[postgres]" in pg.stderr and len(pg.stderr.strip().splitlines()) == 1
    pdf = CORPUS / "shanghai-putuo-shangwuwei-2025-yusuan.pdf"
    db = f"sqlite:///{tmp_path / 'bw.db'}"
    assert (
        subprocess.run(
            [str(bw), "ingest", str(pdf), "--db", db, "--no-check"], env=clean, capture_output=True, timeout=600
        ).returncode
        == 0
    )
    port = free_port()
    srv = subprocess.Popen(
        [str(bw), "serve", "--port", str(port), "--db", db],
        env=clean,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert "服务已启动" in srv.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        doc = httpx.get(f"{base}/api/documents/1", timeout=60).json()["document"]
        ti, ri = next((ti, ri) for ti, t in enumerate(doc["tables"]) for ri, r in enumerate(t["rows"]) if r["values"])
        row = httpx.get(f"{base}/api/documents/1/tables/{ti}/rows/{ri}", timeout=60).json()
        link = next(v for v in row["source"].values() if v)
        crop = httpx.get(base + link, timeout=60)
        assert crop.status_code == 200 and crop.headers["content-type"] == "image/png"
        assert crop.content.startswith(b"\x89PNG")
    finally:
        srv.terminate()
        srv.wait(20)
