"""Family C — the 说明 against the tables and against itself: quoted amounts, shares, changes on
the previous year and their wording, breakdowns after 其中, the 三公 changes."""

from __future__ import annotations

import re

from ..vocab.claims import CLAIM_ZH
from ..vocab.classes import RENAMED_CLASSES
from ..vocab.enums import ValueKind
from ..vocab.units import TO_WAN, UNIT_PATTERN
from .claims import AMOUNT_RX, KINDS, Claim, document_claims
from .facts import collect
from .rule import rule
from .view import DocView

_KIND_RX = dict(KINDS)


def claims(view: DocView) -> list[Claim]:
    if "_claims" not in view.__dict__:
        view.__dict__["_claims"] = document_claims(view)
    return view.__dict__["_claims"]


def facts(view: DocView):
    if "_facts" not in view.__dict__:
        view.__dict__["_facts"] = collect(view)
    return view.__dict__["_facts"]


def claim_tol(c: Claim) -> float:
    if c.amount == 0:
        return 0.0  # a printed 0 is nothing, not a rounded figure
    return 0.5 * 10**-c.decimals * TO_WAN[c.unit]


def _where(view: DocView, c: Claim, unit: str = "万元") -> dict:
    return {
        "page": c.page,
        "line": c.line,
        "file": view.file_of(view.paragraphs[c.paragraph]) if c.paragraph < len(view.paragraphs) else view.file,
        "money_unit": unit,
        "table_title": "说明",
        "sentence": c.sentence[:120],
        "evidence": {"claim": c.sentence[:200]},
    }


_GENERIC = (
    r"(?:20\d\d年度?|本年度?|当年|全年|本部门|本单位|部门|单位|我单位|我部门|财政|预算|拨款|资金|安排|"
    r"合计|总计|总额|共计|共|为|是|数|了|的|其中|主要包括|包括|具体为|此外|年初|全部|当年|本级|汇总|总体|情况)*"
)


def _clean_label(c: Claim, unit: str | None) -> bool:
    """The label names the figure itself (2023年度预算收入总计…, 基本支出…), not a purpose, a project or
    an item that merely contains the word (会议费预算支出, 委托业务费财政拨款预算总额)."""
    if c.kind is None or c.previous:
        return False
    label = c.label.replace(unit, "") if unit else c.label
    label = re.sub(r"[“”\"（）()\s]", "", label)
    matches = list(re.finditer(_KIND_RX[c.kind], label))
    if not matches:
        return False
    m = matches[-1]
    head, tail = label[: m.start()], label[m.end() :]
    return (
        bool(re.fullmatch(_GENERIC, head))
        and len(tail) <= 10
        and bool(
            re.fullmatch(
                r"(?:收入|支出|经费|费|预算|拨款|资金|安排|合计|总计|总额|为|数|是|共|了|的|当年|本年|财政|金额|支出预算|收入预算)*",
                tail,
            )
        )
    )


_SPECIFIC = re.compile(r"[（(]\d{3,7}[)）]|[（(](类|款|项)[)）]")


_COMPOSITES = ("admin_operating", "procurement", "personnel", "public", "project")
# a project's own figures (its 自评 report's 上年结转, its funds) are never the department's totals
_ABOUT_PROJECTS = re.compile(
    r"绩效目标|绩效管理|绩效评价|绩效自评|项目自评|自评(报告|结果|得分)|本项目|该项目|项目资金|"
    r"项目(预算|总投资|实施|执行)|项目\d+个|\d+个项目|"
    r"(?<!经)费预算总额|"  # 深圳水务: 污水处理费预算总额…，其中：一般公共预算… — one charge's sources, not the totals
    r"专项转移支付(支出)?预算"  # 深圳: 上级专项转移支付支出预算…（其中…为政府性基金预算…）— that part's sources
)


def _once(seen: dict, key, rx: re.Pattern, text: str | None = None) -> bool:
    """`rx` searched once per sentence or paragraph, not once per claim in it."""
    if (key, rx) not in seen:
        seen[key, rx] = bool(rx.search(key if text is None else text))
    return seen[key, rx]


@rule(
    "C01",
    "说明中的金额与报表一致",
    family="C",
    severity="error",
    compares="说明中引用的收支总计、各项收入、基本/项目支出、人员/公用经费、“三公”经费及各项、机关运行经费、各类支出金额与报表对应数字（按元/万元换算）",
    applies="说明中的金额能明确对应到报表中的某一数字时；同一口径有多种列法时（含或不含上年结转，收入或按资金来源列示的支出），与任一相符即可；只差末位一个单位的（截尾而非四舍五入）视为同一数字",
    message="说明称{label_zh}为{value}万元，而{other}为{expected}万元，相差{difference}万元。原文：“{sentence}”",
    suggestion="建议核实说明中{label_zh}的金额，使之与{other}一致。",
)
def narrative_amounts(view: DocView):
    fs = facts(view)
    cs = claims(view)
    seen: dict = {}
    first: dict[str, Claim] = {}  # each sentence's first claim (a search of all earlier claims is quadratic)
    for c in cs:
        first.setdefault(c.sentence, c)
    for c in cs:
        head = first[c.sentence] if first[c.sentence] is not c else None
        if head is not None and head.kind in _COMPOSITES and head.kind != c.kind:
            continue  # 机关运行经费…其中：公务接待费2万元: a part of that figure, not the 三公 item
        key = ("class:" + c.class_name) if c.class_name else (c.kind if _clean_label(c, view.doc.unit) else None)
        if not key or key not in fs or c.previous or _once(seen, c.sentence, _ABOUT_PROJECTS):
            continue
        if not c.class_name and _once(seen, c.paragraph, _SPECIFIC, view.paragraphs[c.paragraph].text):
            continue  # a sentence about one 科目 (（302）, （类）): its 人员经费/公用经费 are not the totals
        cands = fs[key]
        if any(abs(c.amount - f.value) <= claim_tol(c) + f.tolerance for f in cands):
            continue
        best = min(cands, key=lambda f: abs(c.amount - f.value))
        diff = c.amount - best.value
        if abs(diff) <= 10**-c.decimals * TO_WAN[c.unit] + best.tolerance + 1e-9:
            continue  # one unit of the last printed digit (93,664.78 for 936,647,884.3元): truncated, the same figure
        zh = c.class_name + "支出" if c.class_name else CLAIM_ZH.get(c.kind or "", c.kind or "")
        yield dict(
            _where(view, c),
            value=c.amount,
            expected=best.value,
            difference=diff,
            other=best.label,
            label_zh=zh,
            row_name=zh,
            confidence=0.8,
        )


MIN_BASE = 1e-6  # 万元 (a hundredth of a 元): a smaller base is a misreading, and its square underflows to 0


def _share_tol(c: Claim, den: float, den_tol: float) -> float:
    return 0.5 * 10**-c.share_decimals + 100 * (claim_tol(c) / den + c.amount * den_tol / den**2)


_OF = re.compile(r"占(?P<of>[^，,；;。%％\d]{0,20})")


@rule(
    "C02",
    "说明中的占比计算正确",
    family="C",
    severity="error",
    compares="说明中“占X%”的比例与所述金额除以其总额（同句或同段的总额，或“占”后所指的报表数）重新计算的比例",
    applies="金额后紧跟“占X%”时；考虑金额与百分比各自的舍入误差，只差末位一个单位的（截尾）不报告；项目自评所涉资金不与报表总额比较；某一资金专节中的“占支出总额”也可指该资金的总额",
    message="说明称{label}{amount_zh}万元占{share}%，按{base_label}{base}万元计算应为{expected_pct}%。原文：“{sentence}”",
    suggestion="建议重新计算并更正说明中{label}的占比。",
    value_kind=ValueKind.ratio,
)
def narrative_shares(view: DocView):
    cs = claims(view)
    fs = facts(view)
    seen: dict = {}
    totals: dict[int, list] = {}  # the paragraph's amounts so far (not a search of all earlier claims)
    for c in cs:
        if c.share is None and c.amount > MIN_BASE and not c.previous:
            totals.setdefault(c.paragraph, []).append((c.amount, claim_tol(c), c.label or "总额"))
        if c.share is None:
            continue
        dens = list(totals.get(c.paragraph, []))
        m = _OF.search(c.sentence[c.sentence.find(c.printed) :] if c.printed in c.sentence else "")
        if m and not _once(seen, c.sentence, _ABOUT_PROJECTS):  # 自评 projects' funds: not the tables' totals
            for kind, pat in KINDS:
                if re.search(pat, m.group("of")):
                    kinds = [kind]
                    if kind in _WHOLES and (fund := _section_fund(view, c.paragraph)):
                        kinds.append(fund)  # 支出总额 in 关于一般公共预算支出表的说明: or that fund's total
                    dens += [
                        (f.value, f.tolerance, f.label) for k in kinds for f in fs.get(k, []) if f.value > MIN_BASE
                    ]
                    break
        if not dens:
            continue
        if c.amount == 0 and c.share == 0:
            continue
        if any(abs(100 * c.amount / d - c.share) <= _share_tol(c, d, dt) for d, dt, _ in dens):
            continue
        d, dt, lab = min(dens, key=lambda x: abs(100 * c.amount / x[0] - c.share))
        exp = 100 * c.amount / d
        if abs(c.share - exp) <= 10**-c.share_decimals + _share_tol(c, d, dt):
            continue  # the last digit truncated or mis-rounded (80.92% for 80.913%): the same share
        yield dict(
            _where(view, c, "%"),
            value=c.share,
            expected=round(exp, 4),
            difference=round(c.share - exp, 4),
            label=c.label,
            amount_zh=c.printed if c.unit == "万元" else f"{c.amount:,.2f}",
            share=c.share,
            base=f"{d:,.2f}",
            base_label=lab,
            expected_pct=f"{exp:.2f}",
        )


_WHOLES = ("expenditure_total", "income_total")
_FUND_OF_SECTION = (("gpb", re.compile(r"一般公共预算")), ("gf", re.compile(r"政府性基金")))
_SECTION_REACH = 40  # paragraphs, as the walk up it replaces: a heading further up is not taken as the paragraph's


def _section_fund(view: DocView, paragraph: int) -> str | None:
    """The fund a 说明 section is about, from its heading (五、关于一般公共预算支出表的说明 → gpb), else None."""
    s = view.section_of(paragraph)
    if s is None or paragraph - s.start >= _SECTION_REACH:
        return None
    named = [k for k, rx in _FUND_OF_SECTION if rx.search(s.heading[:40])]
    return named[0] if len(named) == 1 else None


def _with_earlier(cs: list[Claim]):
    """Each claim with the earlier claims of its sentence that are not the previous year's, in order
    (kept per sentence as we go: a search of all earlier claims is quadratic in a long 说明). The list is
    extended after the caller's step: use it before asking for the next claim."""
    seen: dict[str, list[Claim]] = {}
    for c in cs:
        earlier = seen.setdefault(c.sentence, [])
        yield c, earlier
        if not c.previous:
            earlier.append(c)


@rule(
    "C03",
    "说明中的同比增减计算正确",
    family="C",
    severity="error",
    compares="说明中“比上年增加（减少）D万元，增长（下降）P%”：P 与 D÷(本年数∓D) 重新计算的百分比；增减方向与数额是否矛盾",
    applies="同一句中给出本年金额、增减额和增减率时（只给出其中两项时只检验方向）；只差末位一个单位的（截尾）不报告",
    message="说明称{label}{amount_zh}万元，比上年{dir_zh}{delta}万元、{dir_zh}{pct}%，按上年{prev}万元计算应为{expected_pct}%。原文：“{sentence}”",
    suggestion="建议重新计算并更正说明中{label}的同比增减率。",
    value_kind=ValueKind.ratio,
)
def narrative_changes(view: DocView):
    for c, earlier in _with_earlier(claims(view)):
        if c.change_amount is None or c.change_pct is None or c.change_dir not in ("up", "down") or c.previous:
            continue
        # the change may belong to the sentence's total rather than the last item listed before it
        bases = [c] + earlier[::-1]
        fits, first = False, None
        for b in bases:
            prev = b.amount - c.change_amount if c.change_dir == "up" else b.amount + c.change_amount
            if prev <= 0:
                continue
            exp = 100 * c.change_amount / prev
            ea = claim_tol(b) + 0.5 * 10**-c.change_amount_decimals
            tol = 0.5 * 10**-c.change_pct_decimals + 100 * (ea / prev + c.change_amount * ea / prev**2)
            # within the rounding, or the last digit truncated (10.15% for 10.158%): the same change
            if abs(abs(c.change_pct) - exp) <= max(tol, 1.5 * 10**-c.change_pct_decimals):
                fits = True
                break
            first = first or (prev, exp)
        if not fits and first:
            prev, exp = first
            zh = "增加" if c.change_dir == "up" else "减少"
            yield dict(
                _where(view, c, "%"),
                value=c.change_pct,
                expected=round(exp, 4),
                difference=round(abs(c.change_pct) - exp, 4),
                label=c.label,
                amount_zh=c.printed,
                dir_zh=zh,
                delta=f"{c.change_amount:,.2f}",
                pct=c.change_pct,
                prev=f"{prev:,.2f}",
                expected_pct=f"{exp:.2f}",
            )


@rule(
    "C04",
    "增减表述与数额矛盾",
    family="C",
    severity="error",
    compares="说明中“增加/减少/持平”的表述与其金额：持平却有增减额，增加后上年数为负，本年为零却“增加”",
    applies="说明中给出增减方向和增减额时",
    message="说明称{label}{amount_zh}万元，{problem}。原文：“{sentence}”",
    suggestion="建议核实说明中{label}与上年比较的表述，使方向与数额一致。",
)
def narrative_direction(view: DocView):
    for c, earlier in _with_earlier(claims(view)):
        if c.previous or c.change_dir is None:
            continue
        problem = None
        # the change may belong to the sentence's total (收入总计X，其中…上年结转Y，比上年增加D)
        bases = [c] + earlier
        if (
            c.change_dir == "up"
            and c.change_amount is not None
            and all(c.change_amount > b.amount + claim_tol(b) for b in bases)
        ):
            problem = f"却称比上年增加{c.change_amount:,.2f}万元（上年数将为负数）"
        elif c.change_dir in ("up", "down") and c.change_amount == 0 and c.change_pct not in (None, 0):
            problem = "增减额为零却称有增减"
        if problem:
            yield dict(_where(view, c), value=c.amount, label=c.label, amount_zh=c.printed, problem=problem)


_QIZHONG = re.compile(r"其中[：:，,]?")


def _breakdowns(view: DocView):
    """(headline claim, item claims) for each 'A万元…其中：a、b、c' in a paragraph."""
    cs = claims(view)
    by_par: dict[int, list[Claim]] = {}
    for c in cs:
        by_par.setdefault(c.paragraph, []).append(c)
    for i, p in enumerate(view.paragraphs):
        pcs = by_par.get(i, [])
        if len(pcs) < 3:
            continue
        text = p.text
        for m in _QIZHONG.finditer(text):
            head_text, rest = text[: m.start()], text[m.end() :]
            sentence_start = head_text[head_text.rfind("。") + 1 :]
            nested = bool(re.search(r"包括[：:]|主要用于[：:]?|具体(为|如下)[：:]", sentence_start))
            end, whole_at = _list_end(rest, head_text.endswith(("（", "(")), nested)
            seg = rest[:end]
            found = _amounts_outside_changes(seg)
            for a, b in zip(found, found[1:]):  # a list runs while each item's own label is short
                label = re.split(r"[，,；;、]", seg[a.end() : b.start()])[-1]
                if len(label.strip()) > 24:
                    seg = seg[: a.end()]
                    break
            n_before = len(_amounts_outside_changes(head_text))
            n_items = len(_amounts_outside_changes(seg))
            if n_before == 0 or n_items < 2 or _not_a_partition(head_text, seg, found):
                continue
            # the headline is the last amount before 其中; when 其中 opens a sentence, the first amount of the
            # sentence before may be the whole instead (收入为…1,506.80万元，基金0万元。其中：当年…)
            before = pcs[:n_before]
            items = pcs[n_before : n_before + n_items]
            if not before or len(items) != n_items:
                continue
            heads = [before[-1]]
            amounts = _amounts_outside_changes(head_text)
            if len(amounts) >= 2 and re.fullmatch(r"[，,、\s]*", head_text[amounts[-2].end() : amounts[-1].start()]):
                heads.insert(
                    0, before[-2]
                )  # 100151.38万元，102374.45万元，其中: two figures, no word between (本年, 上年)
            if re.search(r"[。；;]\s*$", head_text):
                start = max(head_text[:-1].rfind("。"), head_text[:-1].rfind("；"))
                n_prev = len(_amounts_outside_changes(head_text[: start + 1])) if start >= 0 else 0
                if n_prev < n_before:
                    heads.insert(0, before[n_prev])
            lists = [items]
            if (
                whole_at is not None
                and len(pcs) > n_before + n_items
                and len(_amounts_outside_changes(rest[:whole_at])) == n_items + 1
            ):
                lists.append(pcs[n_before : n_before + n_items + 1])  # that part, split again, ends the list
            yield heads, lists


def _not_a_partition(head_text: str, seg: str, found: list) -> bool:
    """A 其中 whose list is not the parts of the amount before it: the list opens with a sub-total of its own
    (其中一般公共预算拨款政府采购0万元：货物0万元、… — 重庆), a part is split again in parentheses (公务用车购置及
    运行维护费583.16万元（购置费198万元…） — 广州), or a change stands between the amount and 其中 (996.33万元，
    较上年增加212.77万元，其中：2021年度…、2022年度… — the list explains the change over two years)."""
    if found and re.match(r"\s*[：:]", seg[found[0].end() :]):
        return True
    if re.search(r"[（(][^）)]*\d[^）)]*[）)]", seg):
        return True
    heads = _amounts_outside_changes(head_text)
    return bool(heads) and bool(re.search(r"[较比]上年|同比", head_text[heads[-1].end() :]))


def _list_end(rest: str, parenthesised: bool, nested: bool = False) -> tuple[int, int | None]:
    """Where the list after 其中 ends: the sentence end, a closing parenthesis when the list opened
    one, the next 其中, a ；that starts a new total (…；本年支出总计…, or …；财政拨款支出X万元，其中…), or the first ；when the 其中 sits
    inside an outer list (主要包括：A…，其中…；B…；C…). Second: where the list would end if a ；X万元，其中… were its
    last part, split in turn (…；公务用车购置和运行维护费7.5万元，其中：购置费…), else None."""
    stops = [len(rest)]
    whole_at = None
    for pat in (
        (r"。(?![）)]|[\d,.]+\s*(?:" + UNIT_PATTERN + "))", r"其中")
        + ((r"[）)]",) if parenthesised else ())
        + ((r"[；;]",) if nested else ())
    ):
        m = re.search(pat, rest)
        if m:
            stops.append(m.start())
    for m in re.finditer(r"[；;]", rest):
        nxt = AMOUNT_RX.search(rest, m.end())
        if not nxt:
            continue
        total = re.search(
            r"总计|合计|总额|总预算|^\s*(\d+[.、．]|[（(][一二三四五六七八九十\d]+[)）])", rest[m.end() : nxt.start()]
        )
        split = re.match(r"[，,]?\s*其中", rest[nxt.end() :])  # …；本部门财政拨款支出30,331.26万元，其中：a new whole
        if total or split:
            stops.append(m.start())
            whole_at = None if total else (m.start(), nxt.end())
            break
    end = min(stops)
    return end, (whole_at[1] if whole_at is not None and end == whole_at[0] else None)


def _amounts_outside_changes(s: str) -> list:
    out = []
    for m in AMOUNT_RX.finditer(s):
        before = s[: m.start()]
        if re.search(r"(增加|减少|增长|下降|上升|降低)(了)?\s*$", before):
            continue
        out.append(m)
    return out


@rule(
    "C05",
    "说明中“其中”各项之和与总额一致",
    family="C",
    severity="warn",
    compares="说明中“总额A万元，其中：a、b、c…”所列各项之和与总额A",
    applies="“其中”后列出两项及以上金额时；各项之和大于总额为错误，小于总额可能是只列举了部分，作为警告（列举以“等”结尾的不比较）",
    message="说明称{label}{value}万元，其中所列各项之和为{expected}万元，相差{difference}万元。原文：“{sentence}”",
    suggestion="建议核实说明中{label}及其各组成部分的金额，确保各项之和与总额一致。",
)
def narrative_breakdowns(view: DocView):
    for heads, lists in _breakdowns(view):
        if any(_adds_up(items, heads) for items in lists[1:]):
            continue
        items = lists[0]
        s = sum(it.amount for it in items)
        if _adds_up(items, heads) or _some_subset_adds_up(items, heads):
            continue
        head = heads[0]
        if s < head.amount and _ends_with_etc(items[-1]):
            continue  # …其中：A 0.7万元，B 56.25万元等: the list says it names only some parts
        sev = "error" if s > head.amount else "warn"
        yield dict(
            _where(view, head),
            severity=sev,
            value=head.amount,
            expected=s,
            difference=head.amount - s,
            label=head.label,
            confidence=0.9 if sev == "error" else 0.6,
        )


def _adds_up(items, heads) -> bool:
    s, tol = sum(c.amount for c in items), sum(claim_tol(c) for c in items)
    return any(abs(s - h.amount) <= tol + claim_tol(h) for h in heads)


def _ends_with_etc(c: Claim) -> bool:
    at = c.sentence.find(c.printed)
    return at >= 0 and bool(re.match(r"\s*(?:" + UNIT_PATTERN + r")\s*等(?![于同])", c.sentence[at + len(c.printed) :]))


def _some_subset_adds_up(items, heads) -> bool:
    """Lists that are not a partition (资产合计 = 流动资产 + 固定资产净值, with 原值 and 折旧 beside them)."""
    from itertools import combinations

    if len(items) > 10:
        return False
    for n in range(2, len(items)):
        for combo in combinations(items, n):
            s = sum(c.amount for c in combo)
            tol = sum(claim_tol(c) for c in combo)
            if any(abs(s - h.amount) <= tol + claim_tol(h) for h in heads):
                return True
    return False


_TP_ITEMS = ("three_public_abroad", "three_public_reception", "three_public_car")
_TP_CAR_PARTS = ("three_public_car_purchase", "three_public_car_running")


def _signed(c: Claim) -> float | None:
    if c.change_dir == "same":
        return 0.0
    if c.change_dir in ("up", "down") and c.change_amount is not None:
        return c.change_amount if c.change_dir == "up" else -c.change_amount
    return None


@rule(
    "C06",
    "“三公”经费增减与各项增减相符",
    family="C",
    severity="error",
    compares="说明中“三公”经费总额比上年的增减额与因公出国（境）费、公务接待费、公务用车购置及运行费各项增减额之和",
    applies="说明同时给出“三公”经费总额和各项与上年比较的增减（含“与上年相同”）时",
    message="说明称“三公”经费比上年{total_zh}，而各项增减之和为{items_zh}，两者不符。原文：“{sentence}”",
    suggestion="建议核实“三公”经费及各项与上年比较的增减额，确保总额增减等于各项增减之和。",
)
def three_public_changes(view: DocView):
    cs = [c for c in claims(view) if c.kind and c.kind.startswith("three_public") and not c.previous]
    total = next((c for c in cs if c.kind == "three_public" and _signed(c) is not None), None)
    if total is None or (t := _signed(total)) is None:
        return
    near = [c for c in cs if abs(c.paragraph - total.paragraph) <= 3]
    got: dict[str, float] = {}  # each item's first signed change near the total's
    for c in near:
        if c.kind in _TP_ITEMS + _TP_CAR_PARTS and (signed := _signed(c)) is not None:
            got.setdefault(c.kind, signed)
    car: float | None = None
    if "three_public_car" not in got and all(k in got for k in _TP_CAR_PARTS):
        car = got["three_public_car_purchase"] + got["three_public_car_running"]
    elif "three_public_car" in got:
        car = got["three_public_car"]
    if car is None or not all(k in got for k in _TP_ITEMS[:2]):
        return
    items = got["three_public_abroad"] + got["three_public_reception"] + car
    tol = 0.5 * 10**-total.change_amount_decimals * 4
    if abs(items - t) > tol:
        fmt = lambda v: "持平" if v == 0 else (f"增加{v:,.2f}万元" if v > 0 else f"减少{-v:,.2f}万元")
        yield dict(
            _where(view, total),
            value=t,
            expected=items,
            difference=t - items,
            total_zh=fmt(t),
            items_zh=fmt(items),
            row_name="“三公”经费",
        )


# 政府收支分类科目 类 renamed in the 2019 (and 2018) editions: the old name beside the new one
RENAMED = RENAMED_CLASSES


@rule(
    "C07",
    "说明与报表的科目名称不一致",
    family="C",
    severity="warn",
    compares="说明中的功能分类“类”名称与报表中同一科目的名称（如说明仍用“医疗卫生与计划生育支出”，报表已是“卫生健康支出”）",
    applies="说明使用了已更名的旧科目名称，而本文档的报表使用新名称时",
    message="说明使用旧科目名称“{old}支出”，而报表中该科目为“{new}支出”。原文：“{sentence}”",
    suggestion="建议按当年《政府收支分类科目》将说明中的“{old}支出”改为“{new}支出”，与报表一致。",
)
def renamed_classes(view: DocView):
    from .view import name_of

    printed = {name_of(r) for t in view.doc.tables for r in t.rows}
    seen = set()
    for c in claims(view):
        new = RENAMED.get(c.class_name or "")
        if new and c.class_name and c.class_name not in seen and any(new in n for n in printed):
            seen.add(c.class_name)
            yield dict(_where(view, c), old=c.class_name, new=new, row_name=c.class_name + "支出")
