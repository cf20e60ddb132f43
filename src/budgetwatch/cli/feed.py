"""`budgetwatch feed …`: receive the finance bureau's data (联网) — load files, generate a synthetic year, list
batches and their rejects."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import typer
from rich.table import Table as RichTable

from ..vocab.enums import BatchStatus, labels
from .common import DbOption, _open, as_of_day, console, err, fail

app = typer.Typer(no_args_is_help=True, help="联网数据: the finance bureau's 指标, 调整 and 支付 (docs/feed.md).")
STATUS_ZH = labels(BatchStatus)
REGION = typer.Option(..., "--region", help="9-digit 财政区划 code, e.g. 141123000")


def print_report(rep, limit: int = 20) -> None:
    style = {
        BatchStatus.loaded: "green",
        BatchStatus.partial: "yellow",
        BatchStatus.rejected: "red",
        BatchStatus.repeat: "cyan",
    }[rep.status]
    console.print(
        f"批次 #{rep.batch_id} [{style}]{STATUS_ZH[rep.status]}[/] {rep.region} {rep.year}年"
        f"{'（合成数据）' if rep.synthetic else ''}: 收到 {rep.rows_in} 行，入库/更新 {rep.rows_loaded}，"
        f"未变 {rep.rows_unchanged}，拒收 {rep.rows_rejected}"
    )
    TABLE = {"lines": "指标", "adjustments": "调整", "applications": "支付申请", "payments": "支付"}
    if rep.tables:
        console.print(
            "  "
            + " · ".join(
                f"{TABLE.get(n, n)} {c.get('valid', 0)}（新/改 {c.get('loaded', 0)}，"
                f"未变 {c.get('unchanged', 0)}，拒收 {c.get('rejected', 0)}）"
                for n, c in rep.tables.items()
            ),
            highlight=False,
        )
    if rep.rejects:
        r = RichTable("文件", "行", "字段", "原因", "说明", title=f"拒收明细（前{min(limit, len(rep.rejects))}条）")
        for x in rep.rejects[:limit]:
            d = x.to_dict()
            r.add_row(
                d["file"] or d["table"], str(d["row_no"] or "整个文件"), d["field"] or "", d["reason"], d["message"]
            )
        console.print(r)


@app.command("load")
def load(
    paths: list[Path] = typer.Argument(..., help="CSV/XLSX files or folders of them"),
    region: str = REGION,
    year: int = typer.Option(..., "--year", min=1990, max=2100),
    as_of: str | None = typer.Option(None, "--as-of", help="data as of this date (YYYY-MM-DD)"),
    preset: str = typer.Option("auto", "--preset", help="column names: auto | yth | legacy | zh"),
    region_name: str | None = typer.Option(None, "--region-name", help="the region's name, e.g. 兴县"),
    db: str | None = DbOption,
):
    """Load a batch of exported files in one transaction; print its report and rejected rows.
    Exit code 1 when the batch is refused whole."""
    from ..feed.codes import Bad
    from ..feed.load_files import load_files

    if preset not in ("auto", "yth", "legacy", "zh"):
        fail(f"--preset {preset}: one of auto, yth, legacy, zh")
    for p in paths:
        if not p.exists():
            fail(f"{p}: no such file or folder")
    engine = _open(db)
    try:
        rep = load_files(
            engine, paths, region=region, year=year, as_of=as_of_day(as_of), preset=preset, region_name=region_name
        )
    except Bad as e:
        fail(f"{e.message}")
    print_report(rep)
    if rep.status == "rejected":
        raise typer.Exit(1)
    _reconcile(engine, rep.region, year, as_of_day(as_of))
    if rep.status != "repeat":
        from .execution import run_after_load

        run_after_load(engine, rep.region, year, as_of_day(as_of))  # 执行监控 (family G) on what was loaded


def _reconcile(engine, region: str, year: int, as_of=None) -> None:
    """Match the feed's units to the stored disclosures and print the 对账 findings (family R)."""
    from ..feed.reconcile import reconcile

    out = reconcile(engine, region, year, as_of)
    matched = [a for a in out.agencies if a["unit_id"]]
    console.print(f"对账：{len(matched)}/{len(out.agencies)} 个单位与已入库的公开预算匹配，{len(out.findings)} 个问题")
    for f in out.findings[:20]:
        console.print(f"  [{'red' if f.severity == 'error' else 'yellow'}]{f.rule}[/] {f.message}", highlight=False)


@app.command("reconcile")
def reconcile_cmd(
    region: str = REGION,
    year: int = typer.Option(..., "--year", min=1990, max=2100),
    as_of: str | None = typer.Option(None, "--as-of"),
    db: str | None = DbOption,
):
    """Reconcile a region-year's feed with the stored disclosures again (family R findings)."""
    from ..feed.codes import Bad, region_code

    try:
        region = region_code(region)
    except Bad as e:
        fail(e.message)
    _reconcile(_open(db), region, year, as_of_day(as_of))


@app.command("pull")
def pull_cmd(
    url_env: str = typer.Option(
        ..., "--url-env", help="environment variable holding the finance database's read-only SQLAlchemy URL"
    ),
    region: str = REGION,
    year: int = typer.Option(..., "--year", min=1990, max=2100),
    preset: str = typer.Option("yth", "--preset", help="column names of the views: yth | legacy | zh"),
    full: bool = typer.Option(False, "--full", help="ignore the watermark: read every row"),
    db: str | None = DbOption,
):
    """Pull the views BA_BGT_INFO, BA_BGT_ADJSUB, PAY_VOUCHER, PAY_VOUCHER_BILL over a read-only link (SELECT only),
    since the last pull's newest UPDATE_TIME (minus 2 days), as one batch."""
    from ..feed.codes import Bad, region_code
    from ..feed.pull import ReadOnlyViolation, pull

    try:
        region = region_code(region)
    except Bad as e:
        fail(e.message)
    engine = _open(db)
    try:
        rep, mark = pull(engine, url_env=url_env, region=region, year=year, preset=preset, full=full)
    except Bad as e:
        fail(e.message)
    except ReadOnlyViolation as e:
        fail(str(e))
    except Exception as e:  # unreachable server, bad URL, missing driver
        fail(f"${url_env}: cannot read the finance database: {type(e).__name__}: {str(e).splitlines()[0]}")
    print_report(rep)
    console.print(f"水位线（最新 UPDATE_TIME）：{mark or '无'}")
    if rep.status == "rejected":
        raise typer.Exit(1)
    _reconcile(engine, region, year)


@app.command("synth")
def synth(
    source: str = typer.Option(..., "--from", help="a stored document id, or a disclosure file"),
    out: Path = typer.Option(..., "--out", help="folder for the CSVs and manifest.json"),
    region: str = REGION,
    seed: int = typer.Option(0, "--seed"),
    anomalies: str = typer.Option("none", "--anomalies", help="none | all | a list like A1,A3,R2"),
    scenario: str = typer.Option("normal", "--scenario", help="normal | slow"),
    agency: str = typer.Option("001", "--agency", help="the 单位编码 the feed gives the unit"),
    region_name: str | None = typer.Option(None, "--region-name", help="default: the disclosure's place"),
    encoding: str = typer.Option("utf-8", "--encoding", help="utf-8 | gbk"),
    db: str | None = DbOption,
):
    """Generate a synthetic year of 指标, 调整 and 支付 from a disclosed 部门预算, in the 一体化 CSV layout, with a
    manifest of the seeded anomalies (A1–A7 execution, R1–R4 reconciliation, U1 unmatched payment)."""
    from ..extract.place import document_place
    from ..feed.codes import Bad, region_code
    from ..feed.synth import CannotSynthesise
    from ..feed.synth_pay import ALL_ANOMALIES, generate

    try:
        region = region_code(region)
    except Bad as e:
        fail(e.message)
    chosen = (
        ()
        if anomalies == "none"
        else ALL_ANOMALIES
        if anomalies == "all"
        else tuple(a.strip().upper() for a in anomalies.split(",") if a.strip())
    )
    unknown = [a for a in chosen if a not in ALL_ANOMALIES]
    if unknown:
        fail(f"--anomalies: unknown {', '.join(unknown)} (known: {', '.join(ALL_ANOMALIES)})")
    if scenario not in ("normal", "slow"):
        fail(f"--scenario {scenario}: normal or slow")
    doc, src = _source_document(source, db)
    name = region_name or document_place(doc).get("region") or region
    try:
        m = generate(
            doc,
            out,
            region=region,
            region_name=name,
            agency=agency,
            seed=seed,
            anomalies=chosen,
            scenario=scenario,
            source=src,
            encoding=encoding,
        )
    except CannotSynthesise as e:
        fail(f"{source}: {e}")
    inv = m["invariants"]
    console.print(
        f"合成联网数据 {m['region_name']}（{region}）{m['fiscal_year']}年 → {out}: 指标 {inv['lines']} 条，"
        f"调整 {inv['adjustments']} 条，支付 {inv['payments']} 笔；项目分配"
        f"{'精确' if inv['projects_exact'] else '近似（公开数据本身不平：' + str(inv['function_gaps']) + '）'}"
    )
    if m["anomalies"]:
        console.print(
            "  植入的异常（manifest.json）：" + "、".join(f"{a['id']}{a['type']}" for a in m["anomalies"]),
            highlight=False,
        )


def _source_document(source: str, db: str | None):
    from ..extract.document import sha256_file

    if source.isdigit():
        from sqlalchemy.orm import Session

        from ..store.newest import newest_version
        from ..store.repository import load_version

        engine = _open(db)
        with Session(engine) as s:
            v = newest_version(s, int(source))
            if v is None:
                fail(f"no document with id {source} (see `budgetwatch list`)")
            return load_version(s, v.id), {"document_id": v.document_id, "version_id": v.id, "sha256": v.content_sha256}
    from ..errors import BudgetwatchError
    from ..extract import extract_files

    path = Path(source)
    if not path.is_file():
        fail(f"{source}: neither a document id nor a file")
    try:
        return extract_files([path]), {"file": path.name, "sha256": sha256_file(path)}
    except BudgetwatchError as e:
        fail(e)


@app.command("batches")
def batches(
    region: str | None = typer.Option(None, "--region"),
    year: int | None = typer.Option(None, "--year"),
    db: str | None = DbOption,
):
    """The batches received, newest first, with their status and counts."""
    from ..feed.queries import batch_list

    engine = _open(db)
    with engine.connect() as c:
        rows = batch_list(c, region, year)
    t = RichTable("批次", "区划", "年度", "来源", "截至", "状态", "收到", "入库", "未变", "拒收", "合成")
    for b in rows:
        t.add_row(
            str(b["id"]),
            b["region_code"],
            str(b["fiscal_year"]),
            b["source"],
            str(b["as_of"] or ""),
            STATUS_ZH.get(b["status"], b["status"]),
            str(b["rows_in"]),
            str(b["rows_loaded"]),
            str(b["rows_unchanged"]),
            str(b["rows_rejected"]),
            "是" if b["synthetic"] else "",
        )
    console.print(t)


@app.command("rejects")
def rejects(
    batch: int = typer.Argument(..., help="batch id (see `feed batches`)"),
    as_csv: bool = typer.Option(False, "--csv", help="print CSV (every reject)"),
    db: str | None = DbOption,
):
    """A batch's rejected rows with their typed reasons."""
    from ..feed.queries import REJECT_COLUMNS, reject_rows

    engine = _open(db)
    with engine.connect() as c:
        rows = reject_rows(c, batch)
    if as_csv:
        w = csv.writer(sys.stdout)
        w.writerow(REJECT_COLUMNS.values())
        for r in rows:
            w.writerow([r[k] if r[k] is not None else "" for k in REJECT_COLUMNS])
        return
    t = RichTable(*REJECT_COLUMNS.values())
    for r in rows:
        t.add_row(*[str(r[k]) if r[k] is not None else "" for k in REJECT_COLUMNS])
    console.print(t)
    if not rows:
        err.print(f"batch {batch}: no rejects")
