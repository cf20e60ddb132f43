"""Each domain name is said once, in budgetwatch.vocab: a literal elsewhere that restates one of its sets
(the money units, the total-row names, the stage or severity labels …) fails here, and vocab/ itself
imports nothing else of budgetwatch."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import budgetwatch
from budgetwatch.vocab import claims, classes, columns, enums, kinds, units

ROOT = Path(budgetwatch.__file__).parent
VOCAB = ROOT / "vocab"

# concept → its members; a literal made only of two or more members restates the concept
CONCEPTS: dict[str, set[str]] = {
    "money units": set(units.YUAN_PER),
    "total-row names": {*units.TOTAL_NAMES, *units.GRAND_TOTAL_NAMES, *units.UNIT_TOTAL_NAMES},
    "carry-over words": set(units.CARRYOVER_HEADER_WORDS),
    "table kind names": set(kinds.KIND_ZH.values()),
    "column labels": set(columns.COLUMN_ZH.values()),
    "claim names": set(claims.CLAIM_ZH.values()),
    "功能分类 类": {*classes.CLASS_NAMES, *classes.FUNCTION_CLASSES.values()},
    "经济分类 类": set(classes.DEPARTMENT_ECONOMIC_CLASSES.values()),
    "经济分类 款": {*classes.DEPARTMENT_ECONOMIC_ITEMS.values(), *classes.ECONOMIC_ROW_NAMES},
    "三公 items": {i.zh for i in classes.THREE_PUBLIC_ITEMS} | set(classes.THREE_PUBLIC),
    **{
        f"{e.__name__} values": {m.value for m in e}
        for e in (
            enums.Stage,
            enums.Scope,
            enums.Level,
            enums.Severity,
            enums.Status,
            enums.BatchStatus,
            enums.WarningLevel,
        )
    },
    **{
        f"{e.__name__} labels": {m.zh for m in e}
        for e in (
            enums.Stage,
            enums.Scope,
            enums.Severity,
            enums.Family,
            enums.Status,
            enums.BatchStatus,
            enums.WarningLevel,
        )
    },
}


# concepts also looked for as a group inside a longer pattern: the ones whose copies had come to disagree
IN_PATTERNS = {"money units", "total-row names", "carry-over words"}


def _strings(elts) -> list[str]:
    return [e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]


def stated_groups(node: ast.AST, inner: bool = True) -> list[list[str]]:
    """The groups of words a literal states: a tuple/list/set of strings only; a dict's keys, and its values;
    a string that is nothing but an alternation (合计|总计), or a group of one in a pattern (单位：(亿元|万元|元))."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        words = _strings(node.elts)
        return [words] if len(words) == len(node.elts) else []
    if isinstance(node, ast.Dict):
        return [_strings(node.keys), _strings(node.values)]
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and "|" in node.value:
        body = re.sub(r"^\^?\((?:\?:)?([^()]*)\)\$?$", r"\1", node.value)  # ^(a|b)$ → a|b
        whole = body if "(" not in body else ""
        groups = [whole, *(re.findall(r"\((?:\?:)?([^()]*\|[^()]*)\)", node.value) if inner else [])]
        return [[re.sub(r"^\^|\$$", "", p) for p in g.split("|")] for g in groups if g]
    return []


def restatements(source: str) -> list[tuple[int, str, list[str]]]:
    out = []
    for node in ast.walk(ast.parse(source)):
        for concept, members in CONCEPTS.items():
            for words in stated_groups(node, inner=concept in IN_PATTERNS):
                if len(set(words)) >= 2 and set(words) <= members:
                    out.append((node.lineno, concept, words))
    return out


def test_the_detector_sees_a_restated_concept():
    """The check itself: each of the shapes the old copies had is caught, and ordinary literals are not."""
    caught = restatements(
        'TO_WAN = {"元": 1e-4, "万元": 1.0, "亿元": 1e4}\n'
        'TOTAL = re.compile(r"^(合计|总计|小计)$")\n'
        'UNIT = re.compile(r"单位\\s*[:：]\\s*(亿元|万元|元)")\n'
        'STAGE_ZH = {"budget": "预算", "final": "决算"}\n'
        'def f(stage: Literal["budget", "final"]): ...\n'
        'ORDER = {"error": 0, "warn": 1, "info": 2}\n'
    )
    assert {c for _, c, _ in caught} >= {
        "money units",
        "total-row names",
        "Stage values",
        "Stage labels",
        "Severity values",
    }
    assert restatements('x = ("合计",)\ny = re.compile(r"合计|其中|以下")\nz = {"a": "预算"}\n') == []


# packages still restating some of these, to read vocab/ once their own re-layout (issue 11) has landed.
# Each must still hold a restatement (a fixed one fails here until it is deleted); never add to it.
PENDING: set[str] = set()


def test_each_concept_is_defined_only_in_vocab():
    found, pending = [], set()
    for path in sorted(ROOT.rglob("*.py")):
        if VOCAB in path.parents:
            continue
        package = path.relative_to(ROOT).parts[0]
        for line, concept, words in restatements(path.read_text(encoding="utf-8")):
            if package in PENDING:
                pending.add(package)
            else:
                found.append(f"{path.relative_to(ROOT)}:{line} restates {concept} {words}")
    assert not found, "read these from budgetwatch.vocab:\n" + "\n".join(found)
    assert pending == PENDING, f"no restatement left in {PENDING - pending}: delete it from PENDING"


def test_vocab_imports_nothing_else_of_budgetwatch():
    for path in VOCAB.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1 and not (node.module or "").startswith("budgetwatch"), (path.name, node.module)
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("budgetwatch") for a in node.names), path.name


def test_vocab_tables_are_consistent():
    """The title rules name known kinds; every key figure, column and claim named has a label; the units
    convert exactly (千元 included, which the 说明 reader's old table lacked)."""
    assert {k for k, _, _ in kinds.TITLE_RULES} <= set(kinds.BY_KEY)
    assert (
        units.TO_WAN["千元"] == 0.1
        and units.TO_WAN["亿元"] == 10000
        and set(units.DISCLOSED_UNITS) <= set(units.TO_WAN)
    )
    assert all(classes.class_stem(n) in classes.CLASS_NAMES for n in classes.FUNCTION_CLASSES.values())
    assert set(classes.RENAMED_CLASSES.values()) <= set(classes.CLASS_BY_CODE.values())
    assert enums.Stage("final").zh == "决算" and enums.labels(enums.Severity) == {
        "error": "错误",
        "warn": "警告",
        "info": "提示",
    }


def test_the_three_public_items_are_one_definition_read_by_each_place():
    """A 三公 item printed as a column label (the extractor), a row of the 三公 table (the A/B rules) and a row the
    feed's matching reads all name the same item of vocab/classes.THREE_PUBLIC_ITEMS, with its 经济分类 code."""
    from budgetwatch.checks.arithmetic import three_public_items
    from budgetwatch.extract.three_public import item_of
    from budgetwatch.feed.econ import three_public_item
    from budgetwatch.model import Row, Table

    printed = {  # as disclosures print them (labels of a 三公 table printed across, rows of one printed down)
        "abroad": "1.因公出国（境）费",
        "reception": "3.公务接待费",
        "running": "（2）公务用车运行维护费",
        "purchase": "（1）公务用车购置费",
        "car": "2.公务用车购置及运行费",
    }
    names = [i.key for i in classes.THREE_PUBLIC_ITEMS]
    assert sorted(names) == sorted(printed)
    rows = [Row(code=None, name=printed[k], values={"total": 1.0}) for k in names]
    table = Table(
        kind="three_public",
        title="“三公”经费支出表",
        money_unit="万元",
        columns=["total"],
        rows=rows,
        location={"page": 1},
    )

    class View:  # what three_public_items reads of a DocView: nothing but the table
        pass

    _, found = three_public_items(View(), table)
    for item in classes.THREE_PUBLIC_ITEMS:
        label = printed[item.key].lstrip("0123456789.（）()")
        assert item_of(label, [label]) == item.zh, item.key
        assert found[item.key].name == printed[item.key], item.key
        assert three_public_item(printed[item.key]) == item.code, item.key
        if item.code:
            assert classes.THREE_PUBLIC[item.code] == classes.DEPARTMENT_ECONOMIC_ITEMS[item.code]
