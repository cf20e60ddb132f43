"""Family E — completeness and form: the tables the document's own 目录 (or the national table set)
requires, notes on empty tables, required 说明 sections, year consistency, template residue,
malformed figures, 部门/单位 wording."""

from __future__ import annotations

import re

from ..extract.text_rules import nospace
from ..extract.vocabulary import classify_title
from ..vocab.enums import ValueKind
from ..vocab.kinds import CORE_KINDS as CORE, KIND_ZH
from ..vocab.units import UNIT_PATTERN
from .rule import rule
from .view import DocView

_TOC_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|（[一二三四五六七八九十]+）)?(.+?表(?:[（(].*[)）])?)(?:[.…·\s\d]*)$"
)


def toc_kinds(view: DocView) -> list[tuple[str, str]]:
    """(kind, title) of the tables listed in the document's 目录."""
    lines = view.doc.narrative
    start = next((i for i, ln in enumerate(lines[:400]) if nospace(ln.text) in ("目录", "目 录")), None)
    if start is None:
        return []
    out: list[tuple[str, str]] = []
    for ln in lines[start + 1 : start + 100]:
        t = nospace(ln.text)
        if re.match(r"^第[一二三四五六七八九十]部分.*(说明|名词|附件)", t) and out:
            continue
        m = _TOC_ITEM.match(re.sub(r"[.…·]{2,}.*$", "", t))
        if m:
            kind = classify_title(m.group(1))
            if kind and kind not in ("other", "project_form", "unit_performance"):
                out.append((kind, m.group(1)))
    return out


@rule(
    "E01",
    "缺少应公开的报表",
    family="E",
    severity="error",
    compares="文档找到的报表与其目录所列报表（无目录时与全国统一的部门预算公开报表：收支总表、收入总表、支出总表、财政拨款收支总表、一般公共预算支出表、一般公共预算基本支出表、“三公”经费支出表、政府性基金预算支出表）",
    applies="含报表的预算、决算公开文档；目录列出的报表缺失为错误，按全国统一表样推断的缺失为警告",
    message="{why}未找到“{kind_zh}”{title_zh}。",
    suggestion="建议补充公开“{kind_zh}”；如无数据，应列示空表并说明。",
)
def missing_tables(view: DocView):
    found = {t.kind for t in view.doc.tables}
    if not view.doc.tables:
        return
    toc = toc_kinds(view)
    if toc:
        for kind, title in dict((k, t) for k, t in toc).items():
            if kind not in found:
                yield dict(
                    page=None,
                    line=None,
                    file=view.file,
                    table_kind=kind,
                    kind_zh=KIND_ZH.get(kind, kind),
                    title_zh=f"（目录列有《{title}》）",
                    why="目录列出的报表中，",
                    evidence={"claim": title},
                )
        return
    if len(found & set(CORE)) < 4:
        return  # a tables file of another shape (or a partial extract): no basis to require the set
    for kind in CORE:
        if kind not in found:
            yield dict(
                severity="warn",
                file=view.file,
                table_kind=kind,
                kind_zh=KIND_ZH[kind],
                title_zh="",
                why="按部门预算公开统一表样，",
                confidence=0.6,
            )


_FUND = {"gf_expenditure": "政府性基金", "gf_income": "政府性基金", "soe": "国有资本经营", "three_public": "三公"}
_EMPTY_WORDS = re.compile(
    r"空表|表为空|无数据|没有|无[^，。；]{0,12}(收入|支出|收支|预算|安排|经费)|未安排|不涉及|未发生|无发生|"
    r"本表无|如无数|无该项|无此项"
)


_CLAUSE_END = re.compile(r"[。；]")


def _notes_near(view: DocView, t) -> list[str]:
    """Lines printed with the table: on its page (PDF), or within the lines after its title (text)."""
    page, line = t.location.get("page"), t.location.get("line")
    if page is not None:
        return [ln.text for ln in view.doc.narrative if ln.page == page and ln.file == t.location.get("file")]
    if line is not None:
        return [ln.text for ln in view.doc.narrative if ln.line is not None and line <= ln.line <= line + 40]
    return []


@rule(
    "E02",
    "空表未作说明",
    family="E",
    severity="warn",
    compares="没有数据的报表与表内或说明中的空表说明（“本表为空表”“无政府性基金预算财政拨款安排”等）",
    applies="政府性基金、国有资本经营预算、“三公”经费等没有数据的报表",
    message="{table}没有数据，{what_said}。",
    suggestion="按《地方预决算公开操作规程》，没有数据的表格应当列出空表并说明，建议补充“本部门无{fund}预算财政拨款安排，故本表为空表”等说明。",
)
def empty_without_note(view: DocView):
    text = nospace(view.text)
    for t in view.doc.tables:
        fund = _FUND.get(t.kind)
        if not fund:
            continue
        if any(v for r in t.rows for v in r.values.values()):
            continue
        said = [s for s in _CLAUSE_END.split(text) if fund in s]  # a findall of [^。；]*X[^。；]* is quadratic
        note = any(_EMPTY_WORDS.search(s) for s in said) or any(_EMPTY_WORDS.search(n) for n in _notes_near(view, t))
        if not note and not (t.empty and t.rows):
            zero = any(re.search(r"为0(?![.\d])|(?<![\d.])0(\.0+)?万?元", s) for s in said)
            # a 说明 that gives the fund as 0 says why the table is empty only by implication: a hint, worded so
            what_said = f"说明只写明{fund}金额为0，未说明本表为空表" if zero else "但表中和说明中都没有找到空表说明"
            yield dict(
                view.at(t),
                fund=fund,
                what_said=what_said,
                severity="info" if zero else None,
                confidence=0.6 if zero else 0.9,
            )


_TITLE_YEAR = re.compile(r"(20\d\d)\s*年")


@rule(
    "E03",
    "报表年度与文档年度不一致",
    family="E",
    severity="warn",
    compares="报表标题中的年度与文档的预算（决算）年度",
    applies="标题印有年度的报表",
    message="{table}标题中的年度为{value_year}年，而文档为{doc_year}年{stage_zh}。",
    suggestion="建议核实{table}的年度，更正为{doc_year}年。",
    value_kind=ValueKind.year,
)
def title_years(view: DocView):
    y = view.doc.year
    if not y:
        return
    for t in view.doc.tables:
        m = _TITLE_YEAR.search(t.title or "")
        if m and int(m.group(1)) != y:
            yield dict(
                view.at(t),
                value=float(m.group(1)),
                expected=float(y),
                value_year=m.group(1),
                doc_year=y,
                money_unit="年",
                stage_zh="预算" if view.doc.stage == "budget" else "决算",
            )


_RESIDUE = re.compile(r"XX|ＸＸ|××|xx单位|\{[^}]{1,8}\}|待填写|请填写|此处填写|（略）|TBD")


@rule(
    "E04",
    "模板残留",
    family="E",
    severity="warn",
    compares="说明和报表中的占位符（XX、××、{单位}、待填写、请填写……）",
    applies="全文",
    message="发现模板占位符“{token}”：“{snippet}”。",
    suggestion="建议删除或填写模板占位符“{token}”。",
)
def template_residue(view: DocView):
    for ln in view.doc.narrative:
        m = _RESIDUE.search(ln.text)
        if m and not re.search(r"[A-Za-z]{3,}", ln.text[max(0, m.start() - 3) : m.end() + 3]):
            yield dict(
                page=ln.page,
                line=ln.line,
                file=view.file_of(ln),
                table_title="说明",
                token=m.group(0),
                snippet=ln.text[max(0, m.start() - 20) : m.end() + 20],
                evidence={"claim": ln.text[:120]},
            )


_MALFORMED = re.compile(
    r"(?<![\d.])\d{1,3}(?:,\d{3})*\.\d+\.\d+\s*(?:"
    + UNIT_PATTERN
    + r")|\d,\d{1,2}(?!\d)[.,]\d+\s*(?:"
    + UNIT_PATTERN
    + ")"
)


@rule(
    "E05",
    "说明中的数字书写错误",
    family="E",
    severity="error",
    compares="说明中的金额写法（多个小数点、千位分隔错位）",
    applies="说明全文",
    message="说明中的金额“{token}”书写有误，无法确定其数值。",
    suggestion="建议核实并更正说明中的金额“{token}”。",
)
def malformed_numbers(view: DocView):
    for p in view.paragraphs:
        for m in _MALFORMED.finditer(p.text):
            yield dict(
                page=p.page,
                line=p.line,
                file=view.file_of(p),
                table_title="说明",
                token=m.group(0),
                evidence={"claim": p.text[max(0, m.start() - 40) : m.end() + 20]},
            )


_SECTIONS = (
    ("三公", "“三公”经费"),
    ("机关运行经费", "机关运行经费"),
    ("政府采购", "政府采购"),
    ("国有资产", "国有资产占用"),
    ("绩效", "预算绩效"),
)


@rule(
    "E06",
    "说明缺少规定的内容",
    family="E",
    severity="warn",
    compares="说明是否涉及“三公”经费、机关运行经费、政府采购、国有资产占用、预算绩效等规定事项",
    applies="附有说明（至少二十段文字）的预算文档",
    message="说明中没有找到关于{section}的内容。",
    suggestion="按《预算法》和《地方预决算公开操作规程》，建议在说明中补充{section}情况。",
)
def missing_sections(view: DocView):
    prose = [p for p in view.paragraphs if len(p.text) >= 40]
    text = view.text
    if view.doc.stage != "budget" or len(prose) < 10 or not re.search(r"情况说明|部门概况|单位概况|主要职[能责]", text):
        return  # a tables file whose 说明 is published elsewhere has nothing to miss
    for key, zh in _SECTIONS:
        if key not in text:
            yield dict(file=view.file, table_title="说明", section=zh, evidence={"claim": zh})


@rule(
    "E07",
    "部门预算与单位预算用语混用",
    family="E",
    severity="info",
    compares="文档范围（部门预算或单位预算）与说明中“部门预算”“单位预算”的用语",
    applies="封面或标题写明是单位预算的文档",
    message="本文档为单位预算，说明中却有{count}处使用“部门预算”，如：“{snippet}”。",
    suggestion="建议统一使用“单位预算”的表述。",
)
def scope_wording(view: DocView):
    if view.doc.scope != "unit":
        return
    hits = [
        p for p in view.paragraphs if re.search(r"部门预算(?!支出)(?!经济分类)", p.text) and "单位预算" not in p.text
    ]
    if hits:
        p = hits[0]
        i = p.text.find("部门预算")
        yield dict(
            page=p.page,
            line=p.line,
            file=view.file_of(p),
            table_title="说明",
            count=len(hits),
            snippet=p.text[max(0, i - 20) : i + 20],
        )


_ANNOTATION = re.compile(r"^[\u4e00-\u9fa5]{2,4}\s*\d{1,2}[.．]\d{1,2}[.．]?$")


@rule(
    "E08",
    "批注或签名残留",
    family="E",
    severity="warn",
    compares="正文中单独成行的“姓名 + 日期”（如“张三 3.30”），即审核签注、批注的残留",
    applies="说明与报表之外的文字",
    message="发现{count}处疑似审核签名或批注残留，如“{snippet}”。",
    suggestion="建议删除公开文本中的审核签名、批注等内部处理痕迹。",
    value_kind=ValueKind.quantity,
)
def annotations_left(view: DocView):
    hits = [ln for ln in view.doc.narrative if _ANNOTATION.match(nospace(ln.text))]
    if hits:
        first = hits[0]
        yield dict(
            page=first.page,
            line=first.line,
            file=view.file_of(first),
            table_title="说明",
            count=len(hits),
            snippet=first.text.strip(),
            value=float(len(hits)),
            money_unit="处",
            evidence={"lines": [ln.location for ln in hits[:20]]},
        )


_QUOTA_TOTAL = re.compile(r"(?:核定|人员|在职人员)?编制(?:数|总数|共)?(\d{1,6})(?:人|名)")
_QUOTA_KIND = re.compile(r"(行政|事业|工勤|参公|参照公务员法管理)(?:人员)?编制(\d{1,6})(?:人|名)")
_ACTUAL = re.compile(r"(?:实有|实际在职|在职|在编)(?:人员|在职人员|在编人员|职工)?(?:总数|人数)?(\d{1,6})(?:人|名)")


_IN_POST = re.compile(r"在职(?:人员|职工)?(?:总数|人数)?(\d{1,6})(?:人|名)")
_HEADCOUNT = re.compile(r"实有(?:人员|人数)?(\d{1,6})(?:人|名)")


def _form_count(f, actual: bool) -> int | None:
    """The 整体支出绩效目标表 header's staff in post (actual) or approved establishment (编制)."""
    for k, v in f.info.items():
        if ("编制" not in k and re.search("在职|实有|总数", k)) if actual else "编制" in k:
            m = re.match(r"\d+", v)
            return int(m.group()) if m else None
    return None


def staff_in_post(view: DocView) -> int | None:
    """The unit's staff in post (在职), for per-head figures: the 整体支出绩效目标表 header, else the 说明's
    在职…N人, else its 实有…N人 (which may include retirees, so only as a last resort)."""
    for f in view.doc.forms:
        n = _form_count(f, actual=True)
        if n is not None:
            return n
    text = re.sub(r"[ \t\u3000]+", "", view.text)
    for rx in (_IN_POST, _HEADCOUNT):
        m = rx.search(text)
        if m:
            return int(m.group(1))
    return None


def staffing(view: DocView) -> tuple[int, int, str] | None:
    """(核定编制, 实有人数, where it is said) from the 整体绩效目标表 header or the 概况, or None."""
    for f in view.doc.forms:
        quota, actual = _form_count(f, actual=False), _form_count(f, actual=True)
        if quota is not None and actual is not None:
            return quota, actual, "整体支出绩效目标表"
    for p in view.paragraphs:
        if "编制" not in p.text:
            continue
        a = _ACTUAL.search(p.text)
        kinds = {k: int(n) for k, n in _QUOTA_KIND.findall(p.text)}
        total = next(
            (
                int(m.group(1))
                for m in _QUOTA_TOTAL.finditer(p.text)
                if not re.search(r"(行政|事业|工勤|参公|管理)$", p.text[: m.start()])
            ),
            None,
        )
        quota = total if total is not None else (sum(kinds.values()) if kinds else None)
        if a and quota:
            return quota, int(a.group(1)), p.text[:80]
    return None


@rule(
    "E09",
    "实有人数超过核定编制",
    family="E",
    severity="warn",
    compares="概况或整体支出绩效目标表中的实有（在职）人数与核定编制数",
    applies="文档同时给出核定编制数和实有（在职）人数时",
    message="实有（在职）人数{actual}人，超过核定编制{quota}人（多{over}人）。出处：{where}",
    suggestion="建议说明实有人数超过核定编制的原因，并核实人员经费的测算口径。",
    value_kind=ValueKind.quantity,
)
def over_quota(view: DocView):
    s = staffing(view)
    if s and s[1] > s[0]:
        quota, actual, where = s
        yield dict(
            file=view.file,
            table_title="说明",
            value=float(actual),
            expected=float(quota),
            difference=float(actual - quota),
            money_unit="人",
            quota=quota,
            actual=actual,
            over=actual - quota,
            where=where,
            evidence={"claim": where},
        )
