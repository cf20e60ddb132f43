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
    from budgetwatch.catalogue import catalogue_markdown

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
    first = re.split(r"\n\s*\n", text)[0]  # the first paragraph: Chinese, then English
    return re.sub(r"\\(\[)", r"\1", " ".join(first.split()))  # rich markup escapes (budgetwatch\[spark])


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


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _codes(values) -> str:
    return ", ".join(f"`{v}`" for v in values)


def kinds() -> str:
    """docs/model.md: the table kinds (vocab/kinds.py)."""
    from budgetwatch.vocab.kinds import KINDS

    flags = {"coded": "coded (类/款/项)", "function": "功能分类", "economic": "经济分类", "core": "core"}
    return _md_table(
        ["key", "中文", "rows"],
        [[f"`{k.key}`", k.zh or "—", ", ".join(v for f, v in flags.items() if getattr(k, f)) or "—"] for k in KINDS],
    )


def columns() -> str:
    """docs/model.md: the column keys and the header words they are read from (vocab/columns.py)."""
    from budgetwatch.vocab.columns import COLUMNS

    return _md_table(
        ["key", "中文", "read from headers containing", "income source"],
        [
            [f"`{c.key}`", c.zh or "— (not a value key)", "、".join(c.synonyms), "yes" if c.source else ""]
            for c in COLUMNS
        ],
    )


def enums() -> str:
    """docs/model.md: every enumeration with its values and Chinese labels (vocab/enums.py)."""
    from budgetwatch.vocab import enums as module

    out = []
    for name, enum in vars(module).items():
        if isinstance(enum, type) and issubclass(enum, module.Labelled) and enum is not module.Labelled:
            doc = " ".join((enum.__doc__ or "").split()) if enum.__doc__ != module.Labelled.__doc__ else ""
            values = " · ".join(f"`{m.value}` {m.zh}" if m.zh != m.value else f"`{m.value}`" for m in enum)
            out.append(f"- **{name}**: {values}{' — ' + doc if doc else ''}")
    return "\n".join(out) + "\n"


def units() -> str:
    """docs/model.md: the money units (vocab/units.py)."""
    from budgetwatch.vocab import units as u

    return (
        "\n".join(
            [
                "- money units, in 元: "
                + " · ".join(f"{k} = {v:,}" for k, v in u.YUAN_PER.items())
                + "; every comparison is made in 万元",
                f"- units a disclosure prints: {'、'.join(u.DISCLOSED_UNITS)}",
                f"- total rows: {'、'.join(u.TOTAL_NAMES)}; grand totals: {'、'.join(u.GRAND_TOTAL_NAMES)}; "
                f"a unit's total: {'、'.join(u.UNIT_TOTAL_NAMES)}",
                f"- 上年结转 is also printed as: {'、'.join(w for w in u.CARRYOVER_HEADER_WORDS if w != '上年结转')}",
            ]
        )
        + "\n"
    )


def claims() -> str:
    """docs/model.md: what a 说明 sentence can say an amount is (vocab/claims.py)."""
    from budgetwatch.vocab.claims import CLAIM_KINDS

    return _md_table(
        ["claim kind", "中文", "read from words matching"],
        [[f"`{k.key}`", k.zh or "—", f"`{k.pattern}`"] for k in CLAIM_KINDS],
    )


def _field_comments(cls) -> dict[str, str]:
    """The comment at the end of each field's line in the class's source."""
    import inspect

    out = {}
    for line in inspect.getsource(cls).splitlines():
        m = re.match(r"\s+(\w+): [^#=]+(?:=[^#]*)?#\s*(.+)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def model() -> str:
    """docs/model.md: each model type's one field list (model.py), with the comment its line carries."""
    import dataclasses
    import inspect

    from budgetwatch import model as m

    types = [
        c
        for c in vars(m).values()
        if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == m.__name__
    ]
    out = []
    for cls in sorted(types, key=lambda c: inspect.getsourcelines(c)[1]):  # in the order model.py declares them
        doc = (cls.__doc__ or "").strip()
        out += [f"### {cls.__name__}", ""]
        if doc and not doc.startswith(cls.__name__ + "("):
            out += [" ".join(doc.split()), ""]
        notes = _field_comments(cls)
        out.append(
            _md_table(
                ["field", "type", "note"],
                [[f"`{f.name}`", f"`{f.type}`", notes.get(f.name, "")] for f in dataclasses.fields(cls)],
            )
        )
    return "\n".join(out)


def json_shape() -> str:
    """docs/model.md: the canonical JSON of a small document built from the model (values for show, keys and
    nesting as `Document.to_dict()` writes them)."""
    import json

    from budgetwatch import model as m

    row = m.Row(
        name="一般公共服务支出",
        code="201",
        values={"total": 1319.13, "basic": 1006.8},
        page=3,
        printed={"total": "1,319.13", "basic": "1,006.80"},
        boxes={"total": [412.5, 210.1, 460.2, 221.3]},
    )
    table = m.Table(
        kind="expenditure",
        title="支出总表",
        money_unit="万元",
        location={"page": 3},
        columns=["total", "basic"],
        rows=[row],
    )
    form = m.Form(
        project="2023年党建工作经费",
        amount=10.0,
        money_unit="万元",
        location={"page": 12},
        indicators=[m.Indicator(level1="产出指标", level2="数量指标", name="培训人次", value="≥100人次", page=12)],
    )
    doc = m.Document(
        unit="某县人大常委会办公室",
        year=2023,
        stage="budget",
        scope="department",
        format="pdf",
        files=[m.SourceFile(name="某县人大2023年部门预算.pdf", sha256="…")],
        tables=[table],
        forms=[form],
        narrative=[m.TextLine(text="2023年收入预算1,506.80万元。", page=2)],
    )
    return "```json\n" + json.dumps(doc.to_dict(), ensure_ascii=False, indent=2) + "\n```\n"
