"""What cog writes into the docs, from the code itself (tests/test_docs.py runs `cog --check`).

Regenerate after a change: `cog -r -I tools README.md docs/rules.md docs/model.md`. Each doc holds its
generated parts between `[[[cog` … `[[[end]]]` markers; the text around them is written by hand.
"""
from __future__ import annotations

import re
from typing import Any

from typer.main import get_command

# Typer may bring click or its own copy of it: commands and parameters are told apart by their attributes
Command = Any


def rules() -> str:
    """docs/rules.md: the rule catalogue (also `budgetwatch rules --markdown`)."""
    from budgetwatch.checks.catalogue import catalogue_markdown
    text = catalogue_markdown()
    return text if text.endswith("\n") else text + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _metavar(option) -> str:
    """The choices where the help lists them (`json | csv | xlsx`), else the option's name."""
    choices = re.search(r"[\w-]+(?: \| [\w-]+)+(?=\s*$|\s*[(),;:，（])", option.help or "")
    if choices:
        return choices.group(0).replace(" | ", "|")
    return option.metavar or option.name.upper().rstrip("_")


def _usage(path: list[str], command: Command) -> str:
    parts = list(path)
    for p in command.params:
        if p.param_type_name == "argument":
            name = p.name.upper().rstrip("_") + ("..." if p.nargs == -1 else "")
            parts.append(name if p.required else f"[{name}]")
        elif p.param_type_name == "option" and not p.hidden and "--help" not in p.opts:
            flag = max(p.opts, key=len)
            if p.is_flag:
                text = flag if not p.secondary_opts else f"{flag}/{max(p.secondary_opts, key=len)}"
            else:
                text = f"{flag} {_metavar(p)}"
            parts.append(text if p.required else f"[{text}]")
    return " ".join(parts)


def _summary(command: Command) -> str:
    text = (command.help or "").strip()
    first = re.split(r"\n\s*\n", text)[0]           # the first paragraph: Chinese, then English
    return re.sub(r"\\(\[)", r"\1", " ".join(first.split()))   # rich markup escapes (budgetwatch\[spark])


def _commands(group: Command, path: list[str]):
    for name, command in group.commands.items():
        if command.hidden:
            continue
        if hasattr(command, "commands"):
            yield from _commands(command, [*path, name])
        else:
            yield [*path, name], command


def commands(groups: tuple[str, ...] | None = None, skip: tuple[str, ...] = ()) -> str:
    """The README's command tables, from the Typer app: every command with its arguments and options and the
    first paragraph of its help. `groups` keeps the commands under those sub-apps, `skip` leaves them out."""
    from budgetwatch.cli import app
    root = get_command(app)
    out = ["| command | what it does |", "|---|---|"]
    for path, command in _commands(root, ["budgetwatch"]):
        group = path[1] if len(path) > 2 else None
        if (groups is not None and group not in groups) or group in skip:
            continue
        out.append(f"| `{_cell(_usage(path, command))}` | {_cell(_summary(command))} |")
    return "\n".join(out) + "\n"
