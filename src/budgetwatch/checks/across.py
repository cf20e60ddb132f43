"""Family F — across documents: the same unit's previous year (its 说明's changes, its 上年 figures) and
peer units of the same year and stage. Warnings, each with the figures that justify it."""

from __future__ import annotations

from bisect import bisect_left
from contextlib import contextmanager
from contextvars import ContextVar

from ..model import KEY_FIGURES, Document
from ..vocab.enums import ValueKind
from .facts import collect
from .narrative import claims
from .rule import rule
from .view import DocView, Neighbour


def previous(view: DocView):
    """The same unit's document of the year before, same stage (the newest version given)."""
    d = view.doc
    if not d.year:
        return None
    cands = [h for h in view.history if h.unit == d.unit and h.stage == d.stage and h.year == d.year - 1]
    return cands[-1] if cands else None


def _first(fs: dict, kind: str):
    found = fs.get(kind) or []
    return found[0] if found else None


_BATCH: ContextVar[dict | None] = ContextVar("budgetwatch_facts_batch", default=None)


@contextmanager
def batch():
    """Within one check run the documents do not change: each neighbour's facts are read once, not once
    per document that compares itself with it."""
    token = _BATCH.set({})
    try:
        yield
    finally:
        _BATCH.reset(token)


def neighbour(doc: Document | Neighbour) -> Neighbour:
    """A document given whole (a test, a Spark task) as a neighbour: its key figures from its table facts."""
    if isinstance(doc, Neighbour):
        return doc
    fs = _facts(doc)
    return Neighbour(doc.unit, doc.year, doc.stage, {k: f.value if (f := _first(fs, k)) else None for k in KEY_FIGURES})


def _facts(doc) -> dict:
    """Table facts of another document (this one's come from `narrative.facts`, computed once per view)."""
    memo = _BATCH.get()
    if memo is None:
        return collect(DocView(doc))
    hit = memo.get(id(doc))
    if hit is None or hit[0] is not doc:
        hit = memo[id(doc)] = (doc, collect(DocView(doc)))
    return hit[1]


@rule(
    "F01",
    "说明所述同比增减与上年文档不符",
    family="F",
    severity="warn",
    compares="本年说明中收入总计、支出总计、“三公”经费“比上年增加（减少）D万元”与本年报表数减去上年同一单位文档报表数",
    applies="库中有同一单位上一年度同阶段（预算或决算）文档时；上年数可能经过调整，作为警告",
    message="说明称{label_zh}比上年{dir_zh}{delta}万元，而本年{current}万元与上年文档的{prev}万元相差{actual}万元。原文：“{sentence}”",
    suggestion="建议核实{label_zh}的上年比较口径和增减额，与上年公开的数据相衔接（口径调整应予说明）。",
)
def yoy_against_previous(view: DocView):
    prev = previous(view)
    if prev is None:
        return
    from .narrative import _where, facts

    now_fs = facts(view)
    for kind in ("income_total", "expenditure_total", "three_public"):
        now_f, prev_v, zh = _first(now_fs, kind), prev.figures.get(kind), KEY_FIGURES[kind]
        if now_f is None or prev_v is None:
            continue
        cs = claims(view)
        for i, c in enumerate(cs):
            if c.change_amount is None and c.change_dir != "same" or c.previous:
                continue
            # the change belongs to the sentence's figure of this kind (收入总计…，其中…，比上年增加…)
            base = next(
                (
                    o
                    for o in cs[: i + 1]
                    if o.sentence == c.sentence
                    and o.kind == kind
                    and not o.previous
                    and abs(o.amount - now_f.value) <= 0.01
                ),
                None,
            )
            if base is None:
                continue
            said = (
                0.0
                if c.change_dir == "same"
                else (c.change_amount if c.change_dir == "up" else -(c.change_amount or 0.0))
            )
            actual = now_f.value - prev_v
            if abs(said - actual) > 0.011 + 0.5 * 10**-c.change_amount_decimals:
                yield dict(
                    _where(view, base),
                    value=said,
                    expected=round(actual, 6),
                    difference=round(said - actual, 6),
                    label_zh=zh,
                    dir_zh={"up": "增加", "down": "减少", "same": "持平"}[c.change_dir or ""],
                    delta=f"{c.change_amount or 0:,.2f}",
                    current=f"{now_f.value:,.2f}",
                    prev=f"{prev_v:,.2f}",
                    actual=f"{actual:,.2f}",
                    evidence={"claim": c.sentence[:200], "previous_document": f"{prev.unit} {prev.year}"},
                )
            break


@rule(
    "F02",
    "“三公”经费比上年增长",
    family="F",
    severity="warn",
    compares="本年“三公”经费合计与同一单位上一年度文档的“三公”经费合计",
    applies="库中有同一单位上一年度同阶段文档、两年都列示“三公”经费时；中央要求“三公”经费只减不增",
    message="“三公”经费合计{current}万元，比上年文档的{prev}万元增加{delta}万元（{pct}%）。",
    suggestion="建议关注“三公”经费增长的原因，说明中应当说明增长的理由。",
)
def three_public_growth(view: DocView):
    prev = previous(view)
    if prev is None:
        return
    from .narrative import facts

    a, b = _first(facts(view), "three_public"), prev.figures.get("three_public")
    if a is None or b is None or a.value <= b + 0.005:
        return
    pct = 100 * (a.value - b) / b if b else float("inf")
    yield dict(
        view.at(a.table, a.row, a.key, wan=True),
        value=a.value,
        expected=b,
        difference=round(a.value - b, 6),
        current=f"{a.value:,.2f}",
        prev=f"{b:,.2f}",
        delta=f"{a.value - b:,.2f}",
        pct=f"{pct:.1f}" if b else "—",
        evidence={"previous_document": f"{prev.unit} {prev.year}"},
    )


@rule(
    "F03",
    "上年结转占比明显高于同类单位",
    family="F",
    severity="info",
    compares="上年结转占收入总计的比例与同年度同阶段其他单位的中位数",
    applies="库中同年度同阶段至少有5个其他单位时；占比超过20%且超过同类中位数两倍。结转过大提示执行偏慢",
    message="上年结转{carry}万元，占收入总计{total}万元的{share}%，同年度{n}个同类单位的中位数为{median}%。",
    suggestion="建议关注上年结转资金较多的原因，督促加快预算执行。",
    value_kind=ValueKind.ratio,
)
def carryover_vs_peers(view: DocView):
    from .narrative import facts

    fs = facts(view)
    c, t = _first(fs, "carryover"), _first(fs, "income_total")
    if not (c and t and t.value > 0):
        return
    n, med = _peer_median(view)
    if n < 5:
        return
    sh = 100 * c.value / t.value
    if sh > 20 and sh > 2 * med:
        yield dict(
            view.at(c.table, c.row, c.key, wan=True),
            value=round(sh, 2),
            expected=round(med, 2),
            difference=round(sh - med, 2),
            money_unit="%",
            carry=f"{c.value:,.2f}",
            total=f"{t.value:,.2f}",
            share=f"{sh:.2f}",
            median=f"{med:.2f}",
            n=n,
        )


def _peer_median(view: DocView) -> tuple[int, float]:
    """How many documents of other units of the year and stage have a carry-over share, and its median among
    them (0 below five): as counted beside the stored figures, or from the list of peers."""
    if view.peer_shares is not None:
        return view.peer_shares.others, view.peer_shares.median or 0.0
    shares, own = _shares(view.peers)
    mine = own.get(view.doc.unit, [])
    n = len(shares) - len(mine)  # other units' documents only
    return n, _median_without(shares, mine) if n >= 5 else 0.0


def _shares(peers: list[Neighbour]) -> tuple[list[float], dict]:
    """The peers' carry-over shares sorted, and each unit's own, computed once for a list of peers however many
    documents compare with it (`check --all` gives every document of a year and stage the same list)."""
    memo = _BATCH.get()
    hit = memo.get(("shares", id(peers))) if memo is not None else None
    if hit is not None and hit[0] is peers:
        return hit[1]
    by_unit: dict = {}
    for p in peers:
        carry, total = p.figures.get("carryover"), p.figures.get("income_total")
        if carry is not None and total is not None and total > 0:
            by_unit.setdefault(p.unit, []).append(100 * carry / total)
    out = (sorted(v for vs in by_unit.values() for v in vs), by_unit)
    if memo is not None:
        memo[("shares", id(peers))] = (peers, out)
    return out


def _median_without(ordered: list[float], removed: list[float]) -> float:
    """statistics.median of `ordered` (sorted) less the values `removed` (each one of its elements), without
    copying it: the k-th remaining element found by stepping over the removed positions."""
    gone: list[int] = []
    for v in sorted(removed):
        i = bisect_left(ordered, v)
        while i in gone:
            i += 1
        gone.append(i)
    gone.sort()

    def at(k: int) -> float:
        for g in gone:
            if g <= k:
                k += 1
        return ordered[k]

    n = len(ordered) - len(gone)
    return at(n // 2) if n % 2 else (at(n // 2 - 1) + at(n // 2)) / 2
