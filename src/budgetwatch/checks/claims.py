"""The 说明's figures as structured claims: what a sentence says an amount is, its share, its change
on the previous year (amount, percentage, direction), and the breakdowns it lists after 其中.

A claim keeps the sentence and where it was printed, so a finding can quote it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..extract.text_rules import decimals, strip_enum
from ..vocab.claims import CLAIM_RULES
from ..vocab.classes import CLASS_NAMES, class_stem
from ..vocab.units import TO_WAN, UNIT_PATTERN
from .view import DocView

# not inside a figure (1,234.5): a comma right after a word (8辆，144万元) opens one
_AMOUNT = r"(?<![\d.])(?<!\d[,，])(?P<amount>-?\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>" + UNIT_PATTERN + ")"
AMOUNT_RX = re.compile(_AMOUNT)
PCT_RX = re.compile(r"(?P<pct>-?\d+(?:\.\d+)?)\s*[%％]")
_CLAUSE_BREAK = re.compile(r"[，,；;。：:、]")
_CHANGE = re.compile(
    r"(?:比|较|与|同)(?:上年|去年|上一年|20\d\d年)[^，,；;。]{0,12}?(?P<dir>增加|减少|增长|下降|上升|降低|持平|相同|相比)"
)
_SENTENCE = re.compile(r"[^。；;]+[。；;]?")

KINDS = CLAIM_RULES  # (kind, label pattern), first match wins (vocab/claims.py)
_PREVIOUS = re.compile(r"上年(?!结转|结余|财政拨款结转|实户)|去年|上一年|同口径|年初预算")


@dataclass
class Claim:
    kind: str | None  # what the amount is (see KINDS), None when the label says nothing known
    label: str  # the words before the amount in its clause
    amount: float  # in 万元
    printed: str
    unit: str
    decimals: int
    sentence: str
    paragraph: int
    page: int | None
    line: int | None
    share: float | None = None  # 占X% right after the amount
    share_decimals: int = 2
    change_dir: str | None = None  # 增加 / 减少 / 持平 on the previous year
    change_amount: float | None = None
    change_amount_decimals: int = 2
    change_pct: float | None = None
    change_pct_decimals: int = 2
    previous: bool = False  # the figure is the previous year's
    position: int = 0  # order within the sentence
    class_name: str | None = None  # a 功能分类 类 the label names
    extra: dict = field(default_factory=dict)

    @property
    def location(self) -> dict:
        return {"page": self.page} if self.page is not None else {"line": self.line}


def _label(before: str) -> str:
    parts = _CLAUSE_BREAK.split(before)
    label = parts[-1] if parts else before
    if len(label) < 2 and len(parts) > 1:
        label = parts[-2] + label
    return label.strip()


def _kind(label: str) -> str | None:
    for kind, pat in KINDS:
        if re.search(pat, label):
            return kind
    return None


_CLASS_LEAD = re.compile(r"^(主要(用于)?|其中|包括|用于|以下方面)")
_QUOTES = re.compile(r"[“”\"‘’「」『』《》]")
_SUBJECT_WORD = re.compile(r"(?:功能)?(?:分类)?(?:科目|类)$")  # “教育支出”科目, 教育支出类


def class_named(label: str) -> str | None:
    """The 功能分类 类 a claim's label names, without its trailing 支出: 教育支出, 用于教育支出, and as a 科目
    quoted in a list (1.“教育支出”科目) — its enumeration, quotes and the word 科目 are no part of the name."""
    name = _CLASS_LEAD.sub("", strip_enum(label.strip()))
    name = _SUBJECT_WORD.sub("", _QUOTES.sub("", name))
    stem = class_stem(name)
    return stem if stem in CLASS_NAMES else None


MAX_FIGURE = 1e14  # 万元: a thousand times any budget printed; beyond it a "figure" is a misreading
_REST = 400  # what follows an amount that can still speak of it (a change, a share)


def sentence_claims(text: str, paragraph: int, page, line) -> list[Claim]:
    out: list[Claim] = []
    for sm in _SENTENCE.finditer(text):
        s = sm.group(0)
        pos = 0
        matches = list(AMOUNT_RX.finditer(s))
        for i, m in enumerate(matches):
            before = s[matches[i - 1].end() if i else 0 : m.start()]
            label = _label(before)
            if re.search(
                r"(比|较)(上年|去年|20\d\d年)?[^，,；;。]{0,8}(增加|减少|增长|下降|上升|降低)\s*$", before
            ) or re.search(r"(增加|减少|增长|下降|上升|降低)(了)?\s*$", before):
                continue  # a change amount: attached to the claim before it below
            printed = m.group("amount").replace("，", ",")
            try:
                value = float(printed.replace(",", "")) * TO_WAN[m.group("unit")]
            except ValueError:
                continue
            if not abs(value) < MAX_FIGURE:
                continue  # a 200-digit "amount" is no figure (and its square overflows the tolerances)
            c = Claim(
                kind=_kind(label),
                label=label,
                amount=value,
                printed=printed,
                unit=m.group("unit"),
                decimals=decimals(printed),
                sentence=s.strip(),
                paragraph=paragraph,
                page=page,
                line=line,
                previous=bool(_PREVIOUS.search(label)),
                position=pos,
            )
            c.class_name = class_named(label)
            pos += 1
            after = s[m.end() : matches[i + 1].start() if i + 1 < len(matches) else len(s)]
            _read_after(c, after, s[m.end() : m.end() + _REST])  # bounded: a long sentence stays linear
            out.append(c)
    return out


def _read_after(c: Claim, after: str, rest: str) -> None:
    """Share (占X%) and change on the previous year (比上年增加D万元，增长P%) printed after the amount."""
    sm = re.match(r"^[，,\s]*(?:占[^，,；;。%％\d]{0,16}?)(?P<pct>\d+(?:\.\d+)?)\s*[%％]", after)
    if sm:
        c.share = float(sm.group("pct"))
        c.share_decimals = decimals(sm.group("pct"))
    seg = re.split(r"[；;。]", rest, maxsplit=1)[0]
    cm = _CHANGE.search(seg[:60])
    if not cm:
        return
    head = seg[: cm.start()]
    if AMOUNT_RX.search(head) and not re.search(r"^[，,\s]*(占[^，,；;。]{0,20})?$", head):
        return  # another amount in between: the change belongs to that one
    d = cm.group("dir")
    tail = seg[cm.end() :]
    if d in ("持平", "相同"):
        c.change_dir, c.change_amount = "same", 0.0
        return
    if d == "相比":
        dm = re.search(r"(增加|减少|增长|下降|上升|降低|持平|相同)", tail[:16])
        if not dm:
            return
        d = dm.group(1)
        tail = tail[dm.end() :]
        if d in ("持平", "相同"):
            c.change_dir, c.change_amount = "same", 0.0
            return
    c.change_dir = "up" if d in ("增加", "增长", "上升") else "down"
    am = re.match(r"^[了\s]*" + _AMOUNT, tail)
    if am:
        printed = am.group("amount").replace("，", ",")
        c.change_amount = min(float(printed.replace(",", "")) * TO_WAN[am.group("unit")], MAX_FIGURE)
        c.change_amount_decimals = decimals(printed)
        tail = tail[am.end() :]
    pm = re.match(
        r"^[，,\s]*(?:同比)?(?:增加|减少|增长|下降|上升|降低)?(?:了)?\s*(?P<pct>-?\d+(?:\.\d+)?)\s*[%％]", tail
    )
    if pm:
        c.change_pct = float(pm.group("pct"))
        c.change_pct_decimals = decimals(pm.group("pct"))


def document_claims(view: DocView) -> list[Claim]:
    out: list[Claim] = []
    for i, p in enumerate(view.paragraphs):
        if "：" in p.text[:2] or len(p.text) < 8:
            continue
        out.extend(sentence_claims(p.text, i, p.page, p.line))
    return out
