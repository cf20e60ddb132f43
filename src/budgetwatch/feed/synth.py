"""`feed synth`: a realistic synthetic year of 指标 derived from one disclosed 部门预算 (lines here; adjustments and
payments in synth_pay.py), written in the 一体化 CSV layout with a manifest of what was seeded.

The 指标 match the disclosure: projects are assigned to the 功能 项 whose project column they fill by exact
subset sums at the printed precision (a bitset dynamic programme, names as tie-break), and each 项's basic money
is spread over the 基本支出 经济 items by iterative proportional fitting with each 项's row exact to the 分 — so
Σ 指标 by 项 equals the disclosed 项 (where the disclosure's own rows add up) and the 三公 items equal the 三公 table.
Everything synthetic says so: the batch is marked synthetic (manifest.json), payee names come from Faker.
"""

from __future__ import annotations

import difflib
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from math import gcd

from ..vocab.classes import DEPARTMENT_ECONOMIC_ITEMS, THREE_PUBLIC, THREE_PUBLIC_CODE
from .codes import normalise_name
from .disclosed import Disclosed, Item, code_of, read_disclosed
from .econ import gov_code

CENT = Decimal("0.01")
ZERO = Decimal(0)
# a 项's basic money goes to the 经济 items it is for (养老 → 养老保险缴费 …)
HOME = {
    "2080505": {"30108"},
    "2080506": {"30109"},
    "2101101": {"30110"},
    "2101102": {"30110"},
    "2101103": {"30111"},
    "2210201": {"30113"},
    "2082702": {"30112"},
    "2080501": {"30301", "30302"},
}
PROJECT_ECO = (
    ("会议", "30215"),
    ("培训", "30216"),
    ("维修", "30213"),
    ("设备", "31002"),
    ("电脑", "31002"),
    ("桌椅", "31002"),
    ("平台", "31007"),
    ("系统", "31007"),
    ("软件", "31007"),
    ("运维", "30227"),
    ("服务费", "30227"),
    ("补贴", "30399"),
    ("慰问", "30399"),
    ("调研", "30211"),
    ("视察", "30211"),
)
THREE_PUBLIC_WORDS = {  # the purposes a synthetic payment of each 三公 item gives
    THREE_PUBLIC_CODE[k]: words
    for k, words in {
        "abroad": ("出国", "考察", "出访"),
        "reception": ("接待",),
        "running": ("公务用车", "车辆"),
        "purchase": ("购车", "车辆购置"),
    }.items()
}
LINE_ANOMALIES = ("R1", "R2", "R3", "R4")


@dataclass
class Line:
    src_id: str
    func: Item
    eco: str
    amount: Decimal
    pro_name: str | None = None
    pro_code: str | None = None

    @property
    def is_project(self) -> bool:
        return self.pro_name is not None


@dataclass
class Plan:
    disclosed: Disclosed
    lines: list[Line] = field(default_factory=list)
    gaps: dict[str, str] = field(default_factory=dict)  # 项 code → feed − disclosed (元), where not exact
    exact_projects: bool = True
    anomalies: list[dict] = field(default_factory=list)


class CannotSynthesise(ValueError):
    pass


def _units(amounts: list[Decimal]) -> tuple[int, list[int]]:
    """The printed precision as an integer unit (gcd of all amounts in 分) and the amounts in it."""
    cents = [int(a * 100) for a in amounts]
    g = 0
    for c in cents:
        g = gcd(g, c)
    g = g or 1
    return g, [c // g for c in cents]


def _subset(values: list[int], target: int) -> list[int] | None:
    """Indices of values summing exactly to target (bitset DP, walking back the first item that reached it)."""
    if target <= 0:
        return [] if target == 0 else None
    mask = (1 << (target + 1)) - 1
    reach = [1]
    for v in values:
        reach.append((reach[-1] | (reach[-1] << v)) & mask)
    if not reach[-1] >> target & 1:
        return None
    out, t = [], target
    for i in range(len(values), 0, -1):
        if not reach[i - 1] >> t & 1:
            out.append(i - 1)
            t -= values[i - 1]
    return out if t == 0 else None


def assign_projects(d: Disclosed, rng: random.Random) -> tuple[dict[str, list[Item]], dict[str, Decimal]]:
    """{项 code: its projects}, {项 code: leftover gap in 元} — exact where the printed figures allow."""
    targets = sorted([f for f in d.functions if f.project > 0], key=lambda f: (f.project, f.code))
    projects = list(d.projects)
    unit, _ = _units([f.project for f in targets] + [p.amount for p in projects])
    best: tuple[tuple[int, Decimal], dict[str, list[Item]], dict[str, Decimal]] | None = None
    for attempt in range(50):
        order = targets if attempt == 0 else rng.sample(targets, len(targets))
        left = list(projects)
        out: dict[str, list[Item]] = {code_of(f): [] for f in targets}
        failed = []
        for f in order:
            similar = sorted(left, key=lambda p: -difflib.SequenceMatcher(None, normalise_name(p.name), f.name).ratio())
            single = [p for p in similar if p.amount == f.project]
            if single:
                chosen = [single[0]]
            else:
                idx = _subset([int(p.amount * 100) // unit for p in similar], int(f.project * 100) // unit)
                if idx is None:
                    failed.append(f)
                    continue
                chosen = [similar[i] for i in idx]
            out[code_of(f)] = chosen
            for p in chosen:
                left.remove(p)
        if not failed and not left:
            return out, {}
        # leftovers: each project to the unfilled 项 with most room; the room left is the gap
        room = {code_of(f): f.project for f in (failed or targets)}
        for c in room:
            room[c] -= sum((p.amount for p in out[c]), ZERO)
        for p in sorted(left, key=lambda p: -p.amount):
            code = max(room, key=lambda c: (room[c], c))
            out[code].append(p)
            room[code] -= p.amount
        gaps = {c: -r for c, r in room.items() if r}
        score = (len(failed), sum((abs(g) for g in gaps.values()), ZERO))
        if best is None or score < best[0]:
            best = (score, out, gaps)
    assert best is not None  # the first of the 50 attempts sets it
    return best[1], best[2]


def _ipf(rows: list[Decimal], cols: list[Decimal], allowed: list[list[bool]], rounds: int = 200) -> list[list[float]]:
    m = [[float(c) if ok else 0.0 for c, ok in zip(cols, allow)] for allow in allowed]
    for _ in range(rounds):
        for i, target in enumerate(rows):
            s = sum(m[i])
            if s:
                m[i] = [x * float(target) / s for x in m[i]]
        for j, target in enumerate(cols):
            s = sum(m[i][j] for i in range(len(rows)))
            if s:
                for i in range(len(rows)):
                    m[i][j] *= float(target) / s
    for i, target in enumerate(rows):  # rows exact last: they are what the disclosure prints per 项
        s = sum(m[i])
        if s:
            m[i] = [x * float(target) / s for x in m[i]]
    return m


def _round_row(cells: list[float], total: Decimal) -> list[Decimal]:
    """Cells to the 分, the row exact (largest remainders get the spare 分)."""
    floors = [Decimal(str(c)).quantize(CENT, ROUND_DOWN) for c in cells]
    spare = int((total - sum(floors, ZERO)) * 100)
    order = sorted(range(len(cells)), key=lambda j: -(Decimal(str(cells[j])) - floors[j]))
    for j in order[: max(spare, 0)]:
        floors[j] += CENT
    if spare < 0:  # float error the other way: the largest cell gives the 分 back
        floors[max(range(len(cells)), key=lambda j: floors[j])] += spare * CENT
    return floors


def spread_basic(d: Disclosed) -> list[tuple[Item, str, Decimal]]:
    """(项, 经济 code, 元) cells of the basic money; rows exact, 三公 columns exact, others approximate."""
    rows = [f for f in d.functions if f.basic > 0]
    cols = [e for e in d.economic if e.amount > 0]
    if not rows:
        return []
    if not cols:
        return [(f, "30299", f.basic) for f in rows]
    homes = {c for f in rows for c in HOME.get(code_of(f), ()) if any(e.code == c for e in cols)}
    allowed = []
    for f in rows:
        own = HOME.get(code_of(f), set()) & {e.code for e in cols}
        allow = [e.code in own if own else e.code not in homes for e in cols]
        allowed.append(allow if any(allow) else [True] * len(cols))
    m = _ipf([f.basic for f in rows], [e.amount for e in cols], allowed)
    cells = [_round_row(r, f.basic) for r, f in zip(m, rows)]
    for j, e in enumerate(cols):  # 三公 items exact: the difference moves within one row
        if e.code not in THREE_PUBLIC:
            continue
        delta = e.amount - sum((cells[i][j] for i in range(len(rows))), ZERO)
        i = max(range(len(rows)), key=lambda i: cells[i][j])
        other = max(
            (k for k in range(len(cols)) if cols[k].code not in THREE_PUBLIC), key=lambda k: cells[i][k], default=None
        )
        if delta and other is not None and cells[i][other] >= delta:
            cells[i][j] += delta
            cells[i][other] -= delta
    out: list[tuple[Item, str, Decimal]] = []
    for i, f in enumerate(rows):
        small = ZERO
        big = max(range(len(cols)), key=lambda j: cells[i][j])
        for j, e in enumerate(cols):
            v = cells[i][j]
            if 0 < v < 500 and j != big and e.code not in THREE_PUBLIC:
                small += v
            elif v > 0:
                out.append((f, code_of(e), v))
        for k, (func, eco, amount) in enumerate(out):
            if func is f and eco == cols[big].code:
                out[k] = (func, eco, amount + small)
    return out


def project_eco(name: str) -> str:
    for word, code in PROJECT_ECO:
        if word in name:
            return code
    return "30299"


def plan_lines(doc, *, seed: int = 0, agency: str = "001", anomalies: tuple[str, ...] = ()) -> Plan:
    d = read_disclosed(doc)
    if not d.functions:
        raise CannotSynthesise("该公开文件没有可用的一般公共预算支出（功能分类）表：无法生成指标")
    year = d.year or date.today().year
    rng = random.Random(seed)
    plan = Plan(d)
    by_func, gaps = assign_projects(d, rng)
    plan.exact_projects = not gaps
    n = 0

    def new_id(kind: str) -> str:
        nonlocal n
        n += 1
        return f"{year}{agency}{kind}{n:05d}"

    for f, eco, amount in spread_basic(d):
        plan.lines.append(Line(new_id("B"), f, eco, amount))
    funcs = {f.code: f for f in d.functions}
    for code, projects in sorted(by_func.items()):
        lines = [
            Line(new_id("P"), funcs[code], project_eco(p.name), p.amount, p.name, f"{year}{agency}{i:04d}")
            for i, p in enumerate(projects, start=len(plan.lines))
        ]
        if code in gaps:  # the disclosure's own rows do not add up: the 项 stays exact, the project absorbs it
            biggest = max(lines, key=lambda ln: ln.amount)
            biggest.amount -= gaps[code]
            plan.gaps[code] = str(gaps[code])
        plan.lines += lines
    _three_public_in_projects(plan, new_id)
    for a in anomalies:
        if a in LINE_ANOMALIES:
            got = globals()[f"_anomaly_{a}"](plan, new_id, rng)
            if got:
                plan.anomalies.append(got)
    return plan


def _three_public_in_projects(plan: Plan, new_id) -> None:
    """三公 items the basic lines do not cover are in projects (因公出国 in a 考察 project): the project of that
    amount with a matching name, else a part of the largest project, gets the 三公 经济 code."""
    for item in plan.disclosed.three_public:
        code = code_of(item)
        have = sum((ln.amount for ln in plan.lines if ln.eco == code), ZERO)
        need = item.amount - have
        if need <= 0:
            continue
        projects = [ln for ln in plan.lines if ln.is_project and ln.eco not in THREE_PUBLIC]
        words = THREE_PUBLIC_WORDS[code]
        exact = [ln for ln in projects if ln.amount == need]
        exact.sort(key=lambda ln: not any(w in (ln.pro_name or "") for w in words))
        if exact:
            exact[0].eco = code
        elif projects:
            big = max(projects, key=lambda ln: ln.amount)
            if big.amount > need:
                big.amount -= need
                plan.lines.append(Line(new_id("P"), big.func, code, need, big.pro_name, big.pro_code))


def _pick_project_lines(plan: Plan) -> list[Line]:
    return sorted(
        (ln for ln in plan.lines if ln.is_project and ln.eco not in THREE_PUBLIC),
        key=lambda ln: (-ln.amount, ln.src_id),
    )


def _anomaly_R1(plan: Plan, new_id, rng) -> dict | None:
    """年初指标 ≠ the disclosed 项: an extra 办公费 line in the largest basic 项."""
    basic = [f for f in plan.disclosed.functions if f.basic > 0]
    if not basic:
        return None
    f = max(basic, key=lambda f: f.basic)
    extra = (f.basic * Decimal("0.035")).quantize(Decimal("1"))
    line = Line(new_id("B"), f, "30201", extra)
    plan.lines.append(line)
    return {
        "id": "R1",
        "type": "年初指标与公开预算不符",
        "rule": "R01",
        "subject": {"exp_func_code": f.code},
        "parameters": {"line_src_id": line.src_id, "extra": str(extra)},
    }


def _anomaly_R2(plan: Plan, new_id, rng) -> dict | None:
    """a feed project the disclosure does not list: part of a project's money under a new name, same 项."""
    lines = _pick_project_lines(plan)[4:] or _pick_project_lines(plan)
    if not lines:
        return None
    src = lines[-1] if len(lines) > 1 else lines[0]
    part = (src.amount * Decimal("0.4")).quantize(Decimal("1"))
    src.amount -= part
    name = f"{plan.disclosed.year}年应急处置专项经费"
    line = Line(new_id("P"), src.func, "30299", part, name, (src.pro_code or "") + "X")
    plan.lines.append(line)
    return {
        "id": "R2",
        "type": "指标中的项目未在公开的项目支出表中",
        "rule": "R02",
        "subject": {"pro_name": name, "line_src_id": line.src_id},
        "parameters": {"from": src.pro_name},
    }


def _anomaly_R3(plan: Plan, new_id, rng) -> dict | None:
    """a disclosed project missing from the feed: its money merged into another project of the same 项."""
    used = {a["parameters"].get("from") for a in plan.anomalies} | {
        a["subject"].get("pro_name") for a in plan.anomalies
    }
    lines = [ln for ln in _pick_project_lines(plan)[5:] if ln.pro_name not in used]
    names: dict[str | None, list[Line]] = {}
    for ln in plan.lines:
        if ln.is_project:
            names.setdefault(ln.pro_name, []).append(ln)
    for ln in reversed(lines):
        if len(names[ln.pro_name]) != 1:
            continue
        other = [o for o in lines if o.func.code == ln.func.code and o.pro_name != ln.pro_name]
        if other:
            into = other[0]
            into.amount += ln.amount
            plan.lines.remove(ln)
            return {
                "id": "R3",
                "type": "公开的项目在指标中不存在",
                "rule": "R03",
                "subject": {"pro_name": ln.pro_name},
                "parameters": {"merged_into": into.pro_name, "amount": str(ln.amount)},
            }
    return None


def _anomaly_R4(plan: Plan, new_id, rng) -> dict | None:
    """三公 指标 ≠ the disclosed 三公 table: money moved into a 三公 line from a non-三公 line of the same 项."""
    for code in (THREE_PUBLIC_CODE[k] for k in ("running", "reception", "abroad")):
        lines = [ln for ln in plan.lines if ln.eco == code]
        if not lines:
            continue
        target = lines[0]
        donors = [
            ln
            for ln in plan.lines
            if ln.func.code == target.func.code and ln.eco not in THREE_PUBLIC and ln.amount > 20000
        ]
        if not donors:
            continue
        donor = max(donors, key=lambda ln: ln.amount)
        moved = Decimal(8000)
        donor.amount -= moved
        target.amount += moved
        return {
            "id": "R4",
            "type": "三公经费指标与公开的三公表不符",
            "rule": "R04",
            "subject": {"dep_eco_code": code},
            "parameters": {"moved": str(moved), "from_line_src_id": donor.src_id, "line_src_id": target.src_id},
        }
    return None


def eco_name(code: str) -> str:
    return DEPARTMENT_ECONOMIC_ITEMS.get(code, "")


def gov_eco(code: str) -> str:
    return gov_code(code)
