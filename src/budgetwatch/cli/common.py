"""What every command shares: the root Typer app with its help and --version, the consoles, the one-line
error (`fail`), the --db option and the database it opens, the severity colours and counts."""

from __future__ import annotations

from datetime import date
from typing import NoReturn

import typer
import typer.rich_utils
from rich.console import Console

from .. import __version__
from ..errors import BudgetwatchError
from ..vocab.enums import DECISIONS, Scope, Severity, Stage, Status, labels

typer.rich_utils.ARGUMENTS_PANEL_TITLE = "参数 Arguments"  # the help is Chinese first, English beside it
typer.rich_utils.OPTIONS_PANEL_TITLE = "选项 Options"
typer.rich_utils.COMMANDS_PANEL_TITLE = "命令 Commands"
HELP = (
    "budgetwatch — 人大预算联网监督系统：读取、入库、检查预算决算公开文件，提供网页、API、导出和审查报告。"
    "Reads, stores and checks budget disclosures; serves the web UI, API, exports and review reports."
)
app = typer.Typer(
    add_completion=False, no_args_is_help=True, help=HELP, context_settings={"help_option_names": ["-h", "--help"]}
)


def _console(stderr: bool = False) -> Console:
    """A terminal's own width; a log or a pipe gets wide lines that are never wrapped, so that a figure or a
    finding's sentence is not cut in two where it is pasted into an 审查意见."""
    c = Console(stderr=stderr)
    return c if c.is_terminal else Console(stderr=stderr, width=160, soft_wrap=True)


console = _console()
err = _console(stderr=True)

# looked up by a document's stage and scope, which may be unknown (None: no label)
STAGE: dict[str | None, str] = {k: v for k, v in labels(Stage).items()}
SCOPE: dict[str | None, str] = {k: v for k, v in labels(Scope).items()}
SEVERITY_COLOUR = {Severity.error: "red", Severity.warn: "yellow", Severity.info: "cyan"}


def severity_counts(severities) -> tuple[dict[str, int], str]:
    """Counts by severity of the given severities, and the line that says them (错误 2，警告 1，提示 0)."""
    seen = list(severities)
    counts = {s.value: seen.count(s) for s in Severity}
    return counts, "，".join(f"{s.zh} {counts[s]}" for s in Severity)


def decision_mark(status: str) -> str:
    """（已确认） after a finding a reviewer decided on; nothing for an open one."""
    return f"（{Status(status).zh}）" if status in DECISIONS else ""


DbOption = typer.Option(
    None, "--db", help="数据库 SQLAlchemy URL (database; default: $BUDGETWATCH_DB or sqlite:///budgetwatch.db)"
)


def _version(value: bool) -> None:
    if value:
        console.print(f"budgetwatch {__version__}", highlight=False)
        raise typer.Exit()


@app.callback(help=HELP)
def main(
    version: bool = typer.Option(
        False, "--version", "-V", callback=_version, is_eager=True, help="显示版本 (show the version)"
    ),
) -> None:
    import warnings

    def show(message, category, *_args, **_kw):  # one plain line, like the errors
        err.print(f"[yellow]budgetwatch: warning:[/] {message}", highlight=False, soft_wrap=True)

    warnings.showwarning = show


def fail(message: str | BudgetwatchError, code: int = 2) -> NoReturn:
    """The one line on stderr and the exit; an error with a code (errors.py) says its label too:
    `budgetwatch: error (加密文件): a.pdf: encrypted PDF …`."""
    from rich.markup import escape  # a message quoting `budgetwatch[postgres]` is text, not markup

    label = getattr(message, "label", None)
    said = f"error ({label}):" if label else "error:"
    err.print(f"[bold red]budgetwatch: {said}[/] {escape(str(message))}", highlight=False, soft_wrap=True, markup=True)
    raise typer.Exit(code)


def _open(db: str | None):
    from ..store.db import open_db

    try:
        return open_db(db)
    except BudgetwatchError as e:  # e.g. a PostgreSQL URL without the driver installed
        fail(e)
    except Exception as e:  # unreachable server, bad URL, unwritable file
        fail(f"{db or 'database'}: cannot open database: {type(e).__name__}: {str(e).splitlines()[0]}")


def as_of_day(text: str | None) -> date | None:
    """An --as-of option's date (YYYY-MM-DD), or none given."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of {text}: not a date (YYYY-MM-DD)")
