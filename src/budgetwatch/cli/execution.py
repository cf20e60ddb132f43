"""`budgetwatch check --feed` and `budgetwatch exec …`: execution monitoring (family G) on the 联网 feed —
run the rules as of a date, list and decide execution findings, set a region's thresholds."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import typer
from rich.table import Table as RichTable

from ..errors import NotFound
from .common import SEVERITY_COLOUR, DbOption, _open, as_of_day, console, decision_mark, fail, severity_counts

app = typer.Typer(no_args_is_help=True, help="执行监控: family G rules on the 联网 feed (docs/execution.md).")
HEAD_COLUMNS = {"id": "编号", "rule": "规则", "severity": "严重程度", "level": "等级"}  # then the pages' detail columns


def _region(region: str | None) -> str:
    from ..feed.codes import Bad, region_code

    if not region:
        fail("--feed needs --region CODE and --year YYYY")
    try:
        return region_code(region)
    except Bad as e:
        fail(e.message)


def run_after_load(engine, region: str, year: int, as_of: date | None) -> None:
    """The hook `feed load` calls after its 对账 (family R): run family G on what was just loaded; print a summary."""
    from ..execution.run import check_feed

    res = check_feed(engine, region, year, as_of, reconcile=False)
    _, said = severity_counts(f.severity for f in res.findings)
    console.print(f"执行监控（截至{res.as_of}）: {said}（budgetwatch exec findings --region {region} --year {year}）")


def check_feed_command(region, year, as_of, fmt, out, db) -> None:
    from ..execution.queries import stored_findings
    from ..execution.run import check_feed
    from ..execution.settings import BadSetting

    region = _region(region)
    if year is None:
        fail("--feed needs --year YYYY")
    if fmt not in ("text", "json", "csv", "xlsx"):
        fail(f"--format {fmt}: one of text, json, csv, xlsx")
    engine = _open(db)
    try:
        res = check_feed(engine, region, year, as_of_day(as_of))
    except BadSetting as e:
        fail(str(e))
    with engine.connect() as c:
        rows = stored_findings(c, region, year, as_of=res.as_of)
    _emit(rows, fmt, out, f"执行监控 · {region} {year}年 截至{res.as_of}")


def _emit(rows: list[dict], fmt: str, out: Path | None, title: str) -> None:
    from ..web.downloads import table_response

    if fmt == "text":
        from ..checks.rule import SEVERITY_ZH

        _, said = severity_counts(r["severity"] for r in rows)
        console.print(f"[bold]{title}[/] — {said}", highlight=False)
        for r in rows:
            mark = decision_mark(r["status"])
            console.print(
                f"  [{SEVERITY_COLOUR[r['severity']]}]{SEVERITY_ZH[r['severity']]}[/] {r['rule']} #{r['id']} "
                f"{r['agency_code'] or ''}{mark}\n    {r['message']}",
                highlight=False,
                soft_wrap=True,
            )
        return
    if fmt == "json":
        data = json.dumps(rows, ensure_ascii=False, indent=1, default=str).encode()
    else:
        from ..execution.queries import FINDING_DETAIL_COLUMNS

        columns = {**HEAD_COLUMNS, **FINDING_DETAIL_COLUMNS}
        data = bytes(table_response(rows, columns, "execution-findings", fmt).body)
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        from ..export.writers import atomic_write

        atomic_write(out, data)
        console.print(f"wrote {out} ({len(rows)} finding(s))")


@app.command("check")
def check(
    region: str = typer.Option(..., "--region"),
    year: int = typer.Option(..., "--year"),
    as_of: str | None = typer.Option(None, "--as-of"),
    fmt: str = typer.Option("text", "--format", "-f", help="text | json | csv | xlsx"),
    out: Path | None = typer.Option(None, "--out", "-o"),
    db: str | None = DbOption,
):
    """Same as `budgetwatch check --feed`."""
    check_feed_command(region, year, as_of, fmt, out, db)


@app.command("findings")
def findings(
    region: str = typer.Option(..., "--region"),
    year: int = typer.Option(..., "--year"),
    rule: str | None = typer.Option(None, "--rule"),
    agency: str | None = typer.Option(None, "--agency"),
    fmt: str = typer.Option("text", "--format", "-f", help="text | json | csv | xlsx"),
    out: Path | None = typer.Option(None, "--out", "-o"),
    db: str | None = DbOption,
):
    """The execution findings kept for the newest as-of date, with reviewers' decisions."""
    from ..execution.queries import stored_findings

    engine = _open(db)
    with engine.connect() as c:
        rows = stored_findings(c, _region(region), year, rule=rule, agency=agency)
    _emit(rows, fmt, out, f"执行监控 · {region} {year}年")


@app.command("decide")
def decide(
    finding: int = typer.Argument(..., help="execution finding id (#N)"),
    status: str = typer.Argument(..., help="accepted | dismissed"),
    reason: str = typer.Option(..., "--reason", "-r"),
    by: str = typer.Option(..., "--by"),
    db: str | None = DbOption,
):
    """确认 or 排除 an execution finding; the decision is kept across re-runs and later dates."""
    from ..execution.run import STATUSES, decide as run_decide

    if status not in STATUSES:
        fail(f"status {status}: choose accepted or dismissed")
    engine = _open(db)
    with engine.begin() as c:
        try:
            d = run_decide(c, finding, status, reason, by)
        except NotFound as e:
            fail(str(e))
    console.print(f"#{finding} {d['rule']} → {status}（{reason}，{by}）")


@app.command("set")
def set_threshold(
    rule: str = typer.Argument(..., help="rule id, e.g. G01"),
    key: str = typer.Argument(..., help="threshold name (see budgetwatch exec thresholds)"),
    value: str = typer.Argument(..., help='JSON value: 0.2, 100000, ["301","303"], "2023-01-10"'),
    region: str = typer.Option("*", "--region", help="region code, or * for every region"),
    by: str | None = typer.Option(None, "--by"),
    db: str | None = DbOption,
):
    """Override a threshold for a region (kept in the rule_settings table)."""
    from ..execution.settings import BadSetting, set_threshold as store

    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = value
    engine = _open(db)
    try:
        with engine.begin() as c:
            store(c, region if region == "*" else _region(region), rule.upper(), key, parsed, by)
    except BadSetting as e:
        fail(str(e))
    console.print(f"{rule.upper()}.{key} = {parsed!r}（{region}）")


@app.command("thresholds")
def thresholds(region: str | None = typer.Option(None, "--region"), db: str | None = DbOption):
    """The thresholds in force for every family G rule (defaults, settings file, admin table)."""
    from ..execution.run import g_rules
    from ..execution.settings import BadSetting, thresholds as effective

    engine = _open(db)
    t = RichTable("规则", "名称", "阈值")
    try:
        with engine.connect() as c:
            for r in g_rules():
                th = effective(r.id, region, c)
                t.add_row(r.id, r.title, ", ".join(f"{k}={v}" for k, v in th.items()))
    except BadSetting as e:
        fail(str(e))
    console.print(t)
