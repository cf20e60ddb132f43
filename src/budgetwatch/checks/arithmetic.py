"""Family A — the arithmetic of every table: row totals, the 类/款/项 hierarchy, 合计 = Σ类,
the two sides of the summary tables, the 三公 items. A difference inside the rounding envelope
of the printed figures is not reported."""

from __future__ import annotations

import re

from ..extract.text_rules import ENUM, nospace, strip_enum
from ..model import Row
from ..vocab.classes import CLASS_BY_CODE, CLASS_NAMES, THREE_PUBLIC_ITEMS, class_stem
from ..vocab.columns import COLUMN_ZH, SOURCES
from .rule import rule
from .view import TOTAL_NAME, DocView, envelope, name_of

_SOURCE_X = re.compile(r"^x:.*(财政拨款|上级补助|附属单位上缴|非税|专项收入|用事业基金)")


def row_groups(t, v) -> list[tuple[str, tuple[str, ...]]]:
    """(whole, parts) that must add up in one row: 合计 = 基本 + 项目; 基本 = 人员 + 公用 (合计 = 人员 + 公用
    [+ 项目] where there is no 基本 column); in income tables 合计 = the sources, only when every value
    column is a known source (columns after 上年结转 break it down and are not further sources)."""
    out: list[tuple[str, tuple[str, ...]]] = []
    if "total" in v and "basic" in v and "project" in v:
        out.append(("total", ("basic", "project")))
    if "personnel" in v and "public" in v:
        if "basic" in t.columns:
            if "basic" in v:
                out.append(("basic", ("personnel", "public")))
        elif "total" in v:
            out.append(("total", ("personnel", "public") + (("project",) if "project" in t.columns else ())))
    if t.kind == "income" and "total" in v:
        cols = [c for c in t.columns if c != "total"]
        srcs = [c for c in cols if c in SOURCES or _SOURCE_X.match(c)]
        if srcs and len(srcs) == len(cols):
            if "carryover" in srcs:
                srcs = srcs[: srcs.index("carryover") + 1]
            parts = tuple(k for k in srcs if k in v)
            if len(parts) >= 2 or (parts and len(srcs) == 1):
                out.append(("total", parts))
    if t.kind == "fiscal_summary" and "total" in v and v.get("total") is not None:
        parts = tuple(k for k in ("gpb", "gf", "soe") if k in v)
        if len(parts) >= 2:
            out.append(("total", parts))
    if t.kind == "summary" and "total" in v and "current" in v and "carryover" in v:
        out.append(("total", ("current", "carryover")))
    return [(w, tuple(k for k in p if k in v)) for w, p in out]


@rule(
    "A01",
    "行内合计等于各分项之和",
    family="A",
    severity="error",
    compares="每一行的合计（基本支出）与其分项列（基本支出+项目支出、人员经费+公用经费、各收入来源）之和",
    applies="表中同时印有合计列和全部分项列时",
    message="{table}“{name}”行：{column_zh}为{value}{unit}，而{parts_zh}之和为{expected}{unit}，相差{difference}{unit}。",
    suggestion="建议核实{table}“{name}”行{column_zh}与{parts_zh}的数据，确保合计等于各分项之和。",
)
def row_parts(view: DocView):
    for t in view.doc.tables:
        for r in t.rows:
            v = r.values
            for whole, parts in row_groups(t, v):
                if row_identity_holds(t, r, whole, parts):
                    continue
                s = sum(v[k] for k in parts)
                yield dict(
                    view.at(t, r, whole),
                    value=v[whole],
                    expected=s,
                    difference=v[whole] - s,
                    column_zh=COLUMN_ZH.get(whole, whole),
                    parts_zh="+".join(COLUMN_ZH.get(k, k) for k in parts),
                )


def row_identity_holds(t, r, whole: str, parts: tuple[str, ...]) -> bool:
    """whole = Σ parts within the rounding envelope, reading the layout's variants: 合计 that also
    covers unclassified columns (单位预留机动经费, 结转下年), 合计 that leaves 上年结转 apart."""
    v = r.values
    s = sum(v[k] for k in parts)
    if abs(v[whole] - s) <= envelope([(r, k) for k in parts] + [(r, whole)]):
        return True
    extra = [k for k in v if k.startswith("x:") and not _NOT_A_PART.search(k)]
    if extra and abs(v[whole] - s - sum(v[k] for k in extra)) <= envelope([(r, k) for k in (*parts, *extra, whole)]):
        return True
    return _carryover_apart(t, r, whole, parts)


_NOT_A_PART = re.compile(r"上年|增减|增长|变动|比|%|％|20\d\d|合计|小计|其中")


def _carryover_apart(t, r, whole, parts) -> bool:
    """Many income tables print 上年结转 beside a 合计 that covers only 本年收入 (header 本年收入 › 合计):
    the layout, not a defect — when that reading adds up in every row, it is the table's rule."""
    if t.kind != "income" or "carryover" not in parts:
        return False
    rest = [k for k in parts if k != "carryover"]
    for row in t.rows:
        v = row.values
        if (
            whole in v
            and all(k in v for k in rest)
            and abs(v[whole] - sum(v[k] for k in rest)) > envelope([(row, k) for k in rest] + [(row, whole)])
        ):
            return False
    return True


def _value_keys(t):
    return [k for k in t.columns if not k.startswith("x:")]


def children(coded, i):
    """Rows printed under coded[i] whose nearest printed ancestor it is (3010201 under 301 without 30102). A code
    printed again right under itself (21999 其他支出 / 21999 其他支出: the 项 given its 款's code) is that row's
    line, not a second child: the misprinted code is E14's business, not two amounts."""
    r = coded[i]
    block: list[Row] = []
    for c in coded[i + 1 :]:
        if not (c.code.startswith(r.code) and len(c.code) > len(r.code)):
            break
        if block and block[-1].code == c.code and block[-1].values == c.values:
            continue
        block.append(c)
    codes = [c.code or "" for c in block]  # every coded row has one
    return [
        c
        for c, code in zip(block, codes)
        if not any(
            a is not c and len(a_code) < len(code) and code.startswith(a_code) for a, a_code in zip(block, codes)
        )
    ]


LEVEL_ZH = {3: "类", 5: "款", 7: "项"}


@rule(
    "A02",
    "类/款/项层级金额相符",
    family="A",
    severity="error",
    compares="上级科目（类、款）的金额与其下级科目（款、项）金额之和，逐列",
    applies="按功能分类或经济分类编码列示的表，上级科目及其下级科目都印出时",
    message="{table}科目{row_code}“{row_name}”{column_zh}为{value}{unit}，其下级科目之和为{expected}{unit}，相差{difference}{unit}。",
    suggestion="建议核实{table}科目{row_code}“{row_name}”及其下级科目的{column_zh}数据，确保上下级科目金额衔接一致。",
)
def hierarchy(view: DocView):
    for t in view.doc.tables:
        coded = [r for r in t.rows if r.code and r.code.isdigit() and not r.side]
        keys = _value_keys(t)
        for i, r in enumerate(coded):
            kids = children(coded, i)
            if not kids:
                continue
            for k in keys:
                if k not in r.values:
                    continue
                s = sum(c.values.get(k, 0.0) for c in kids)
                diff = r.values[k] - s
                if abs(diff) > envelope([(c, k) for c in kids] + [(r, k)]):
                    yield dict(
                        view.at(t, r, k),
                        value=r.values[k],
                        expected=s,
                        difference=diff,
                        column_zh=COLUMN_ZH.get(k, k),
                        evidence={"children": [c.code for c in kids]},
                    )


@rule(
    "A03",
    "合计等于各类之和",
    family="A",
    severity="error",
    compares="表的合计行与各“类”级科目之和，逐列",
    applies="按功能分类列示、印有合计行和类级科目的表",
    message="{table}合计行{column_zh}为{value}{unit}，各类级科目之和为{expected}{unit}，相差{difference}{unit}。",
    suggestion="建议核实{table}合计行与各类级科目的{column_zh}数据，确保合计等于各类之和。",
)
def total_is_sum_of_classes(view: DocView):
    for t in view.doc.tables:
        coded = [r for r in t.rows if r.code and r.code.isdigit() and not r.side]
        classes = [c for c in coded if len(c.code or "") == 3]
        totals = [r for r in t.rows if not r.code and r.name and TOTAL_NAME.match(name_of(r)) and not r.side]
        if not classes or not totals:
            continue
        whole = totals[0]
        for k in _value_keys(t):
            if k not in whole.values:
                continue
            s = sum(c.values.get(k, 0.0) for c in classes)
            diff = whole.values[k] - s
            if abs(diff) > envelope([(c, k) for c in classes] + [(whole, k)]):
                yield dict(
                    view.at(t, whole, k),
                    value=whole.values[k],
                    expected=s,
                    difference=diff,
                    column_zh=COLUMN_ZH.get(k, k),
                )


def _grand(t, side, block=None):
    rows = [
        r
        for r in t.rows
        if r.side == side and r.block == block and r.name and "总计" in nospace(r.name) and "total" in r.values
    ]
    return rows[-1] if rows else None


def _blocks(t, side):
    """The parts of one side: a 收支总表 may print 功能分类 and 经济分类 halves side by side."""
    return list(dict.fromkeys(r.block for r in t.rows if r.side == side))


@rule(
    "A04",
    "收支总表收入总计等于支出总计",
    family="A",
    severity="error",
    compares="收支总表、财政拨款收支总表的收入总计与支出总计",
    applies="印有收入总计和支出总计的两栏式总表",
    message="{table}收入总计为{value}{unit}，支出总计为{expected}{unit}，相差{difference}{unit}，收支不平衡。",
    suggestion="建议核实{table}收入总计与支出总计，确保收支平衡。",
)
def summary_balance(view: DocView):
    for t in view.tables("summary", "fiscal_summary"):
        inc, exp = _grand(t, "income"), _grand(t, "expenditure")
        if inc and exp:
            a, b = inc.values["total"], exp.values["total"]
            if abs(a - b) > envelope([(inc, "total"), (exp, "total")]):
                yield dict(view.at(t, inc, "total"), value=a, expected=b, difference=a - b)


def _top_level(rows):
    """Drop the rows that break down the row above them (上年结转 followed by 财政拨款结转 …):
    a row is a parent when the next rows add up to it."""
    out, i = [], 0
    while i < len(rows):
        r = rows[i]
        out.append(r)
        acc, j = 0.0, i + 1
        while j < len(rows) and i > 0:
            acc += rows[j].values["total"]
            j += 1
            if abs(acc - r.values["total"]) <= envelope([(x, "total") for x in rows[i:j]]):
                i = j - 1
                break
        i += 1
    return out


_SIDE_TOTAL = re.compile(r"^(本年收入合计|本年支出合计|收入合计|支出合计|本年收入小计|本年支出小计)$")


@rule(
    "A05",
    "总计等于本年合计加结转",
    family="A",
    severity="error",
    compares="收支总表每一栏的总计与“本年收入（支出）合计”及其下方各行（上年结转、结转下年、用事业基金弥补等）之和",
    applies="两栏式收支总表、财政拨款收支总表，本年合计行和总计行都印出时",
    message="{table}{side_zh}总计为{value}{unit}，而本年合计与结转等行之和为{expected}{unit}，相差{difference}{unit}。",
    suggestion="建议核实{table}{side_zh}的本年合计、结转结余与总计数据，确保总计=本年合计+结转结余。",
)
def summary_side(view: DocView):
    for t in view.tables("summary", "fiscal_summary"):
        for side, zh, block in [
            (s, z, b) for s, z in (("income", "收入栏"), ("expenditure", "支出栏")) for b in _blocks(t, s)
        ]:
            rows = [r for r in t.rows if r.side == side and r.block == block]
            grand = _grand(t, side, block)
            sub = next((i for i, r in enumerate(rows) if _SIDE_TOTAL.match(name_of(r)) and "total" in r.values), None)
            if grand is None or not sub:  # 本年合计 printed first heads its breakdown, not the carry-over rows
                continue
            gi = rows.index(grand)
            if gi <= sub:
                continue
            between = [r for r in rows[sub:gi] if "total" in r.values and not name_of(r).startswith("其中")]
            # rows enumerated under a carry-over row (一、一般公共预算 …) break it down: read both ways
            top = [r for r in between if not ENUM.match(name_of(r))]
            best: tuple[float, float] | None = None
            for group in (between, top, _top_level(between)):
                s = sum(r.values["total"] for r in group)
                diff = grand.values["total"] - s
                if abs(diff) <= envelope([(r, "total") for r in group] + [(grand, "total")]):
                    break
                best = best or (s, diff)
            else:
                if best is None:  # never: the loop sets it
                    continue
                yield dict(
                    view.at(t, grand, "total"),
                    value=grand.values["total"],
                    expected=best[0],
                    difference=best[1],
                    side_zh=zh,
                )


def three_public_items(view: DocView, t):
    items: dict[str, Row] = {}
    for item in THREE_PUBLIC_ITEMS:
        for r in t.rows:
            n = name_of(r)
            if re.search(item.row, n) and not (item.not_with and item.not_with in n):
                items.setdefault(item.key, r)
    # 合计 is the 三公 total; 总计 (printed where 会议费/培训费 are in the table too) covers more (spec)
    total = next((r for r in t.rows if name_of(r) == "合计"), None) or next(
        (r for r in t.rows if (TOTAL_NAME.match(name_of(r)) or "三公" in name_of(r)) and name_of(r) != "总计"), None
    )
    return total, items


@rule(
    "A06",
    "“三公”经费合计等于各项之和",
    family="A",
    severity="error",
    compares="“三公”经费合计与因公出国（境）费、公务用车购置及运行费、公务接待费之和；公务用车购置及运行费与购置费、运行维护费之和，逐列",
    applies="“三公”经费表印有合计和各项时",
    message="{table}“{name}”{column_zh}为{value}{unit}，{parts_zh}之和为{expected}{unit}，相差{difference}{unit}。",
    suggestion="建议核实{table}“三公”经费各项数据，确保合计等于各项之和。",
)
def three_public_sum(view: DocView):
    for t in view.tables("three_public"):
        total, it = three_public_items(view, t)
        groups = []
        # an item the table leaves out is zero: 合计 = the items it prints (at least two of them)
        car = [it["car"]] if "car" in it else [it[k] for k in ("purchase", "running") if k in it]
        items = [it[k] for k in ("abroad",) if k in it] + car + [it[k] for k in ("reception",) if k in it]
        if total is not None and len(items) >= 2 and total not in items:
            groups.append((total, items, "因公出国（境）费+公务用车购置及运行费+公务接待费"))
        if "car" in it and ("purchase" in it or "running" in it):
            groups.append((it["car"], [it[k] for k in ("purchase", "running") if k in it], "购置费+运行维护费"))
        for whole, parts, zh in groups:
            for k in _value_keys(t):
                if k not in whole.values or not any(k in p.values for p in parts):
                    continue  # (a column only the total prints: 三公经费合计 beside 当年预算 | 上年结转 blocks)
                s = sum(p.values.get(k, 0.0) for p in parts)
                diff = whole.values[k] - s
                if abs(diff) > envelope([(p, k) for p in parts] + [(whole, k)]):
                    yield dict(
                        view.at(t, whole, k),
                        value=whole.values[k],
                        expected=s,
                        difference=diff,
                        column_zh=COLUMN_ZH.get(k, k),
                        parts_zh=zh,
                    )


_CHANGE = re.compile(r"增减|变化|增长|比上年|差额|结余分配")


@rule(
    "A07",
    "预算金额为负数",
    family="A",
    severity="warn",
    compares="表中每个金额是否小于零",
    applies="预算表（决算表的结余分配等栏目可能为负，不适用）",
    message="{table}“{name}”{column_zh}为负数{value}{unit}。",
    suggestion="建议核实{table}“{name}”{column_zh}为负数的原因并予以说明。",
)
def negative(view: DocView):
    if view.doc.stage != "budget":
        return
    for t in view.doc.tables:
        for r in t.rows:
            if _CHANGE.search(name_of(r)):
                continue
            for k, v in r.values.items():
                if v < 0 and not k.startswith("x:"):
                    yield dict(view.at(t, r, k), value=v, column_zh=COLUMN_ZH.get(k, k))


def class_name(row) -> str | None:
    """The 类 a row names (一、一般公共服务支出 → 一般公共服务; code 205 without a name → 教育), or None."""
    if row.code and len(row.code) == 3 and not name_of(row):
        return CLASS_BY_CODE.get(row.code)
    n = strip_enum(name_of(row))
    n = class_stem(n)
    return n if n in CLASS_NAMES else None


def _classes(rows: list) -> list:
    """The 类 rows of an expenditure side. Where it lists 款/项 beneath each 类, a row named like a 类 right
    after a 类 of the same amount is that 类's own 款 (五、其他支出 7,647.43 → 其他支出 7,647.43 → 其他支出
    7,647.43; 援助其他地区支出 5,231.12 → 住房保障 5,231.12), not another 类."""
    at = [i for i, r in enumerate(rows) if class_name(r) and "total" in r.values]
    if not at or at[-1] - at[0] + 1 == len(at):  # the 类 alone, one after another: nothing beneath them
        return [rows[i] for i in at]
    named = set(at)
    return [rows[i] for i in at if not (i - 1 in named and rows[i - 1].values["total"] == rows[i].values["total"])]


@rule(
    "A08",
    "收支总表本年支出合计等于各类支出之和",
    family="A",
    severity="error",
    compares="收支总表、财政拨款收支总表支出栏的本年支出合计与各功能分类“类”级支出行之和",
    applies="支出栏按功能分类“类”列示并印有本年支出合计时",
    message="{table}本年支出合计为{value}{unit}，而各类支出之和为{expected}{unit}，相差{difference}{unit}。",
    suggestion="建议核实{table}支出栏各类支出与本年支出合计，确保合计等于各类之和。",
)
def summary_classes(view: DocView):
    for t in view.tables("summary", "fiscal_summary"):
        exp = [r for r in t.rows if r.side == "expenditure" and r.block is None]
        classes = _classes(exp)
        total = next(
            (r for r in exp if re.match(r"^本年支出合计$|^支出合计$", name_of(r)) and "total" in r.values), None
        )
        if total is None and not any(re.search("结转|结余", name_of(r)) and r.values.get("total") for r in exp):
            total = next((r for r in exp if re.match(r"^支出总计$", name_of(r)) and "total" in r.values), None)
        if len(classes) < 2 or total is None:
            continue
        s = sum(r.values["total"] for r in classes)
        diff = total.values["total"] - s
        if abs(diff) > envelope([(r, "total") for r in classes] + [(total, "total")]):
            yield dict(
                view.at(t, total, "total"),
                value=total.values["total"],
                expected=s,
                difference=diff,
                evidence={"classes": [r.name for r in classes]},
            )


_PERSONNEL_CLASSES = (("301", "工资福利支出"), ("303", "对个人和家庭的补助"))
_PUBLIC_CLASSES = (("302", "商品和服务支出"), ("310", "资本性支出"))


def _econ_class(r):
    for code, name in _PERSONNEL_CLASSES + _PUBLIC_CLASSES:
        if r.code == code or (not r.code and name_of(r) == name):
            return code
    return None


@rule(
    "A09",
    "人员经费与公用经费的经济分类构成",
    family="A",
    severity="warn",
    compares="基本支出经济分类表中工资福利支出（301）、对个人和家庭的补助（303）列入公用经费的金额，商品和服务支出（302）、资本性支出（310）列入人员经费的金额",
    applies="基本支出表分列人员经费、公用经费，某一类支出全部列入另一列时（疑似列错）；只有一部分列入另一列是各地定额口径的差异（交通补贴、工会经费按人头核定，湖南的“人员类”），不报告",
    message="{table}“{name}”（{row_code}）列入{column_zh}{value}{unit}，按通行口径{kind_zh}应属于{belongs}。",
    suggestion="建议核实“{name}”列入{column_zh}的依据，人员经费一般为工资福利支出和对个人和家庭的补助，公用经费为商品和服务支出等。",
)
def econ_composition(view: DocView):
    for t in view.tables("gpb_basic", "basic_economic"):
        for r in t.rows:
            cls = _econ_class(r)
            if cls is None:
                continue
            wrong = "public" if cls in ("301", "303") else "personnel"
            right = "personnel" if wrong == "public" else "public"
            v = r.values.get(wrong) or 0.0
            if v > 0 and not r.values.get(right):  # the whole class in the other column: the columns swapped
                yield dict(
                    view.at(t, r, wrong),
                    row_code=r.code or cls,
                    value=v,
                    column_zh=COLUMN_ZH[wrong],
                    kind_zh="该类支出",
                    belongs="人员经费" if wrong == "public" else "公用经费",
                )
