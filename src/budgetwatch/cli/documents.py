"""The commands on documents: extract, debug-page, ingest, list, export, check, decide, undo; serve, spark, rules."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer
from rich.table import Table as RichTable

from ..errors import BudgetwatchError, NotFound
from ..vocab.enums import Severity
from .common import (
    SCOPE,
    SEVERITY_COLOUR,
    STAGE,
    DbOption,
    _open,
    app,
    console,
    decision_mark,
    err,
    fail,
    severity_counts,
)


@app.command()
def extract(
    files: list[Path] = typer.Argument(..., help="一份文档的文件 (one document: its file(s))"),
    as_json: bool = typer.Option(False, "--json", help="输出标准 JSON (print the canonical JSON)"),
):
    """提取：打印一份文档的标准化提取结果（多个文件为同一文档）。Print the canonical extraction of one document."""
    from ..extract import extract_files

    try:
        doc = extract_files(files)
    except BudgetwatchError as e:
        fail(e)
    except Exception as e:  # a reading the extractor did not foresee: still one line, never a traceback
        fail(f"{files[0]}: cannot extract: {type(e).__name__}: {(str(e).splitlines() or [''])[0][:300]}")
    if as_json:
        sys.stdout.write(json.dumps(doc.to_dict(), ensure_ascii=False, indent=1) + "\n")
        return
    console.print(
        f"[bold]{doc.unit or '（未识别单位）'}[/] {doc.year or ''} {STAGE.get(doc.stage, '')} "
        f"{SCOPE.get(doc.scope, '')}"
    )
    t = RichTable("位置", "表", "种类", "金额单位", "行数")
    for tb in doc.tables:
        loc = tb.location.get("page") or tb.location.get("line")
        t.add_row(str(loc), tb.title, tb.kind, tb.money_unit or "", "空表" if tb.empty else str(len(tb.rows)))
    console.print(t)
    console.print(f"绩效目标表 {len(doc.forms)} 张，指标 {sum(len(f.indicators) for f in doc.forms)} 条")


@app.command("debug-page")
def debug_page(
    file: Path = typer.Argument(..., help="PDF 文件 (a PDF)"),
    page: int = typer.Option(..., "--page", "-p", min=1, help="页码，从 1 起 (1-based page number)"),
    out: Path | None = typer.Option(None, "--out", "-o", help="PNG 文件，默认 <文件名>-p<页码>.png"),
    scale: float = typer.Option(2.0, "--scale", min=0.25, max=8, help="每点像素数 (pixels per point)"),
):
    """版面调试：在渲染的页面上画出字符框、表格线、识别出的网格和单元格（PNG）。
    Draw the glyph boxes, rulings, grid and cells the reader finds on one PDF page over the rendered page."""
    from ..read.debug_page import debug_page as draw

    target = out or Path(f"{file.stem}-p{page}.png")
    try:
        d = draw(file, page, target, scale)
    except BudgetwatchError as e:
        fail(e)
    console.print(
        f"wrote {target} ({d.size[0]}×{d.size[1]} px): {d.glyphs} glyphs (grey), {d.rulings} rulings (red), "
        f"{len(d.grids)} grids (green), {len(d.cells)} cells (blue)",
        highlight=False,
    )


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="文件或文件夹，递归查找 (files or folders, searched recursively)"),
    db: str | None = DbOption,
    no_check: bool = typer.Option(False, "--no-check", help="只入库，不检查 (store only; do not run the checks)"),
    workers: int = typer.Option(
        0,
        "--workers",
        "-j",
        min=0,
        max=64,
        help="读取进程数，0 为按 CPU 数 (reader processes; 0: one per CPU, at most 4)",
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="另打印完整的问题清单 (also print every finding)"),
):
    """入库：存入数据库（每份文档一个事务，个别失败不影响其余），随后检查，打印一张汇总表。
    Store documents (one transaction each; the batch goes on past failures), check them, print one summary table."""
    from ..pipeline import candidate_files, ingest as run_ingest
    from .output import file_progress, ingest_table, ingest_totals

    engine = _open(db)
    n_files = sum(len(fs) for fs in candidate_files(paths).values())
    if not n_files:
        fail(f"{', '.join(map(str, paths))}: no disclosure files found")
    with file_progress(err, n_files) as tick:  # a new document is checked before it is kept
        readers = workers or min(os.cpu_count() or 1, 4)
        summary = run_ingest(
            engine, paths, progress=tick, check=not no_check, workers=readers if n_files > 2 else 1
        )  # a pool pays off from a few files on
    from ..access.audit import cli_record

    cli_record(
        engine,
        "upload",
        "ingest",
        None,
        {
            "paths": [str(p) for p in paths],
            "ingested": summary.count("ingested"),
            "unchanged": summary.count("unchanged"),
            "failed": summary.count("failed"),
        },
    )
    results: dict = {}
    if not no_check:
        from sqlalchemy.orm import Session

        from ..pipeline import check as check_versions
        from ..store.findings import load_findings

        with Session(engine) as s:
            results = load_findings(
                s, [o.version_id for o in summary.outcomes if o.status == "ingested" and o.version_id]
            )
        unchanged = sorted({o.document_id for o in summary.outcomes if o.status == "unchanged" and o.document_id})
        if unchanged:
            results.update(check_versions(engine, unchanged))
    console.print(ingest_table(engine, summary, results))
    console.print(ingest_totals(summary, results), highlight=False, soft_wrap=True)
    for o in summary.failed:
        said = f" ({o.code.zh})" if o.code else ""  # the kind of refusal, beside the line naming the file
        err.print(f"[red]failed{said}:[/] {o.message}", highlight=False, soft_wrap=True)
    if verbose and results:
        _print_findings(engine, results)
    if summary.failed:
        raise typer.Exit(1)


@app.command("list")
def list_documents(db: str | None = DbOption):
    """列表：数据库中的文档（各取最新版本）。List the documents stored (newest version of each)."""
    from sqlalchemy.orm import Session

    from ..store.repository import latest_versions

    engine = _open(db)
    t = RichTable("id", "单位", "年度", "阶段", "口径", "版本", "表", "文件")
    with Session(engine) as s:
        for v in latest_versions(s):
            t.add_row(
                str(v.document_id),
                v.unit_name or "",
                str(v.year or ""),
                STAGE.get(v.stage, ""),
                SCOPE.get(v.scope, ""),
                str(v.number),
                str(len(v.tables)),
                ", ".join(f.name for f in v.files),
            )
    console.print(t)


def _output_options(fmt: str, formats: tuple[str, ...], documents, all_: bool, out) -> None:
    if fmt not in formats:
        fail(f"--format {fmt}: choose {', '.join(formats[:-1])} or {formats[-1]}")
    if not documents and not all_:
        fail("name document ids or give --all")
    if fmt == "xlsx" and out is None:
        fail("--format xlsx needs --out FILE")


def _chosen_versions(engine, documents, all_: bool) -> dict[int, int]:
    """{document id: newest version id} of the documents named (all with --all); unknown ids fail."""
    from sqlalchemy.orm import Session

    from ..store.repository import latest_versions

    with Session(engine) as s:
        versions = {v.document_id: v.id for v in latest_versions(s)}
    ids = sorted(versions) if all_ else list(documents)
    missing = [i for i in ids if i not in versions]
    if missing:
        fail(f"no document with id {', '.join(map(str, missing))}")
    return {i: versions[i] for i in ids}


@app.command()
def export(
    documents: list[int] = typer.Argument(None, help="文档 id，见 budgetwatch list (document ids)"),
    all_: bool = typer.Option(False, "--all", help="全部文档 (every document)"),
    fmt: str = typer.Option("json", "--format", "-f", help="json | csv | xlsx"),
    out: Path | None = typer.Option(None, "--out", "-o", help="输出文件，默认标准输出 (file to write; default stdout)"),
    lang: str = typer.Option("en", "--lang", help="CSV 列名语言 en | zh (CSV column headings)"),
    db: str | None = DbOption,
):
    """导出：标准 JSON、CSV（每个数字一行）或 XLSX（每表一页）。Export as canonical JSON, CSV (one row per cell) or XLSX."""
    from sqlalchemy.orm import Session

    from ..export import to_csv, to_json, to_xlsx
    from ..export.writers import atomic_write
    from ..store.repository import load_version

    _output_options(fmt, ("json", "csv", "xlsx"), documents, all_, out)
    engine = _open(db)
    chosen = _chosen_versions(engine, documents, all_)
    ids = list(chosen)
    with Session(engine) as s:
        docs = [load_version(s, chosen[i]) for i in ids]
    if fmt == "json":
        data = to_json(docs).encode()
    elif fmt == "csv":
        if lang not in ("en", "zh"):
            fail(f"--lang {lang}: choose en or zh")
        data = to_csv(docs, ids, lang).encode("utf-8")
    else:
        data = to_xlsx(docs)
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        atomic_write(out, data)
        console.print(f"wrote {out} ({len(docs)} document(s))")


def _groups(engine, results) -> list:
    from sqlalchemy.orm import Session

    from ..store.schema import Version

    out = []
    with Session(engine) as s:
        for vid, fs in results.items():
            v = s.get_one(Version, vid)
            label = f"{v.unit_name or '（未识别单位）'} {v.year or ''}年{STAGE.get(v.stage, '')}"
            out.append(
                (
                    {
                        "id": v.document_id,
                        "version": v.number,
                        "label": label,
                        "unit": v.unit_name,
                        "year": v.year,
                        "stage": v.stage,
                        "files": [f.name for f in v.files],
                    },
                    fs,
                )
            )
    return out


def _print_findings(engine, results) -> None:
    for meta, fs in _groups(engine, results):
        _, said = severity_counts(f.severity for f in fs)
        console.print(f"\n[bold]问题清单 · {meta['label']}[/] (id {meta['id']}) — {said}", highlight=False)
        for sev in Severity:
            for f in (f for f in fs if f.severity == sev):
                mark = decision_mark(f.status)
                console.print(
                    f"  [{SEVERITY_COLOUR[sev]}]{sev.zh}[/] {f.rule} #{f.id} {f.location}{mark}\n    {f.message}",
                    highlight=False,
                    soft_wrap=True,
                )


@app.command()
def check(
    documents: list[int] = typer.Argument(None, help="文档 id，见 budgetwatch list (document ids)"),
    all_: bool = typer.Option(False, "--all", help="全部文档 (every document)"),
    fmt: str = typer.Option("text", "--format", "-f", help="text | json | csv | xlsx"),
    out: Path | None = typer.Option(None, "--out", "-o", help="输出文件，默认标准输出 (file to write; default stdout)"),
    feed: bool = typer.Option(
        False, "--feed", help="检查联网数据（G 类执行监控） (check the 联网 feed instead of documents)"
    ),
    region: str | None = typer.Option(None, "--region", help="--feed: 9位财政区划代码 (9-digit region code)"),
    year: int | None = typer.Option(None, "--year", help="--feed: 预算年度 (fiscal year)"),
    as_of: str | None = typer.Option(None, "--as-of", help="--feed: 截至日期 YYYY-MM-DD (as of this date)"),
    db: str | None = DbOption,
):
    """检查（预警）：检查已入库的文档，保存并打印问题清单。Run the checks, store the findings, print the 问题清单."""
    if feed:
        from .execution import check_feed_command

        return check_feed_command(region, year, as_of, fmt, out, db)
    from ..export.findings import findings_csv, findings_json, findings_xlsx
    from ..export.writers import atomic_write
    from ..pipeline import check as check_versions

    _output_options(fmt, ("text", "json", "csv", "xlsx"), documents, all_, out)
    engine = _open(db)
    results = check_versions(engine, list(_chosen_versions(engine, documents, all_)))  # unknown ids fail first
    if fmt == "text":
        _print_findings(engine, results)
        return
    groups = _groups(engine, results)
    data = {
        "json": lambda: findings_json(groups).encode(),
        "csv": lambda: findings_csv(groups).encode("utf-8"),
        "xlsx": lambda: findings_xlsx(groups),
    }[fmt]()
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        atomic_write(out, data)
        console.print(f"wrote {out} ({sum(len(fs) for _, fs in groups)} finding(s))")


@app.command()
def decide(
    finding: int = typer.Argument(..., help="问题编号，问题清单中的 #N (finding id)"),
    status: str = typer.Argument(..., help="accepted（确认）| dismissed（排除）"),
    reason: str = typer.Option(..., "--reason", "-r", help="理由，随处理结果保存 (why)"),
    by: str = typer.Option(..., "--by", help="审查人 (who decides)"),
    db: str | None = DbOption,
):
    """处理问题：确认或排除一条问题，重新检查和新版本中保留。Accept or dismiss a finding; kept across re-checks."""
    from sqlalchemy.orm import Session

    from ..store.findings import STATUSES, decide as store_decide

    if status not in STATUSES:
        fail(f"status {status}: choose accepted or dismissed")
    engine = _open(db)
    with Session(engine) as s:
        try:
            f = store_decide(s, finding, status, reason, by)
        except NotFound as e:
            fail(str(e))
        s.commit()
    from ..access.audit import cli_record

    cli_record(engine, "decide", "finding", finding, {"status": status, "reason": reason, "by": by})
    console.print(f"#{finding} {f.rule} → {status}（{reason}，{by}）")


@app.command()
def undo(
    finding: int = typer.Argument(..., help="问题编号 (finding id)"),
    by: str = typer.Option(..., "--by", help="审查人 (who takes it back)"),
    reason: str | None = typer.Option(None, "--reason", "-r", help="理由 (why)"),
    db: str | None = DbOption,
):
    """撤销处理：收回对一条问题的最近一次处理，此前的处理（或待处理）恢复。Undo the latest decision."""
    from sqlalchemy.orm import Session

    from ..store.findings import undo as store_undo

    engine = _open(db)
    with Session(engine) as s:
        try:
            f = store_undo(s, finding, by, reason)
        except NotFound as e:
            fail(str(e))
        except ValueError as e:
            fail(str(e))
        s.commit()
    console.print(f"#{finding} {f.rule} → {f.status}（{by} 撤销）", highlight=False)


MAX_DEFAULT_WORKERS = 8  # each worker holds up to HANDLER_THREADS + 2 connections: 8 stay inside PostgreSQL's 100
WORKER_HEALTHCHECK_SECONDS = 60


def default_workers() -> int:
    """One server process per core this process may run on (every worker serves pages, runs jobs from the
    shared queue and shares the response cache's folder), at most MAX_DEFAULT_WORKERS."""
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="监听地址 (address to listen on)"),
    port: int = typer.Option(8000, help="端口 (port)"),
    db: str | None = DbOption,
    workers: int | None = typer.Option(
        None,
        min=1,
        max=64,
        help=f"工作进程数，默认为本机 CPU 核数（至多 {MAX_DEFAULT_WORKERS}）"
        f" (worker processes; default: the cores this process may use, at most {MAX_DEFAULT_WORKERS})",
    ),
    cache: bool = typer.Option(True, help="缓存 GET 结果直到数据变化 (keep GET answers until the data changes)"),
):
    """网页服务：中文网页和 JSON API (FastAPI + uvicorn)，与命令行同一数据库。Serve the web UI and the JSON API."""
    import os

    import uvicorn

    from ..access.settings import auth_on, is_loopback
    from ..store.db import resolve_url
    from ..web.app import create_app
    from .output import listen

    if not is_loopback(host) and not auth_on():
        fail(f"--host {host}: serving beyond this machine needs BUDGETWATCH_AUTH=on (login and roles)")
    workers = workers or default_workers()
    try:
        socks = listen(host, port, workers)  # bound before anything says the service is up
    except ValueError as e:
        fail(str(e))
    try:
        application = create_app(db, cache=cache, serving=True)  # also migrates the database before any worker starts
    except BudgetwatchError as e:
        fail(e)
    except Exception as e:
        fail(f"{db or 'database'}: cannot open database: {type(e).__name__}: {str(e).splitlines()[0]}")
    from ..web.protocol import HTTP as http

    if workers == 1:
        config = uvicorn.Config(application, host=host, port=port, log_level="warning", http=http)
    else:
        os.environ["BUDGETWATCH_DB"] = resolve_url(db)
        os.environ["BUDGETWATCH_CACHE"] = "1" if cache else "0"
        config = uvicorn.Config(
            "budgetwatch.web.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            http=http,
            # the supervisor kills a worker silent this long: one busy reading an upload must not look hung
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )
    console.print(f"budgetwatch 服务已启动: http://{host}:{port}/  (API: http://{host}:{port}/docs)", soft_wrap=True)
    if workers == 1:
        uvicorn.Server(config).run(sockets=socks)
    else:
        from ..web.workers import SpreadMultiprocess

        SpreadMultiprocess(config, socks).run()


@app.command()
def spark(
    paths: list[Path] = typer.Argument(..., help="文件或文件夹 (files or folders, searched recursively)"),
    out: Path = typer.Option(..., "--out", "-o", help="Parquet 输出文件夹 (folder for the Parquet datasets)"),
    master: str = typer.Option("local[*]", help="Spark master (local[*], spark://host:7077, yarn …)"),
    partitions: int | None = typer.Option(None, min=1, help="任务数 (tasks; default: one per file, at most 1024)"),
):
    """分布式处理：在 PySpark 上读取、提取、检查（需 budgetwatch\\[spark] 扩展），结果写为 Parquet。
    Read, extract and check on PySpark; write documents, cells, findings and failures as Parquet."""
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:
        fail("spark needs PySpark: pip install 'budgetwatch[spark]'")
    from ..scale.spark import run

    if out.exists() and any(out.iterdir()) and not (out / "documents").exists():
        fail(f"{out}: exists and is not an earlier output of budgetwatch spark")
    inputs: list[str | Path] = list(paths)
    try:
        counts = run(inputs, out, master=master, partitions=partitions)
    except ValueError as e:
        fail(str(e))
    failed = counts.pop("failed")
    console.print("wrote " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f" under {out}")
    for message in failed:
        err.print(f"failed: {message}")
    if counts.get("failures"):
        raise typer.Exit(1)


@app.command()
def rules(markdown: bool = typer.Option(False, "--markdown", help="输出 Markdown (print the catalogue as Markdown)")):
    """规则目录：每条检查规则的类别、严重程度、比较内容和适用条件。The rule catalogue."""
    from ..catalogue import RULES, catalogue_markdown
    from ..checks.rule import FAMILIES, SEVERITY_ZH

    if markdown:
        sys.stdout.write(catalogue_markdown())
        return
    t = RichTable("规则", "名称", "类别", "严重程度", "比较内容")
    for r in RULES.values():
        t.add_row(r.id, r.title, FAMILIES[r.family], SEVERITY_ZH[r.severity], r.compares)
    console.print(t)
