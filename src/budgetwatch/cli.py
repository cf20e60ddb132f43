"""The `budgetwatch` command."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from .errors import BudgetwatchError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="budgetwatch — 人大预算联网监督系统: read, store and check budget disclosures.")
console = Console()
err = Console(stderr=True)


@app.callback()
def main() -> None:
    """budgetwatch — 人大预算联网监督系统."""


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]budgetwatch: error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def extract(files: list[Path] = typer.Argument(..., help="one document: its file(s)"),
            as_json: bool = typer.Option(False, "--json", help="print the canonical JSON")):
    """Print the canonical extraction of one document (several files = one document)."""
    from .extract import extract_files
    try:
        doc = extract_files(files)
    except BudgetwatchError as e:
        fail(str(e))
    if as_json:
        sys.stdout.write(json.dumps(doc.to_dict(), ensure_ascii=False, indent=1) + "\n")
        return
    console.print(f"[bold]{doc.unit or '（未识别单位）'}[/] {doc.year or ''} "
                  f"{'决算' if doc.stage == 'final' else '预算'} "
                  f"{ {'department': '部门', 'unit': '单位'}.get(doc.scope, '')}")
    t = RichTable("位置", "表", "种类", "单位", "行数")
    for tb in doc.tables:
        loc = tb.location.get("page") or tb.location.get("line")
        t.add_row(str(loc), tb.title, tb.kind, tb.money_unit or "", "空表" if tb.empty else str(len(tb.rows)))
    console.print(t)
    console.print(f"绩效目标表 {len(doc.forms)} 张，指标 {sum(len(f.indicators) for f in doc.forms)} 条")


if __name__ == "__main__":
    app()
