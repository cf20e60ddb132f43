"""Family C and E, the words of a disclosure as a reviewer reads them: punctuation and template residue,
reasons that do not explain the change they are given for, comparison years, 密级 marks on cited
documents, a unit whose tables carry another body's 功能科目, and a higher level's words copied into its 说明."""

from __future__ import annotations

import re

from ..extract.text_rules import nospace
from ..vocab.enums import Level, ValueKind
from .rule import rule
from .view import DocView

# (kind, pattern, what it is): each kind reported once per document with its places
_FLAWS = (
    ("标点重复或错用", re.compile(r"。[。；，、]|；[。；]|，[。，]|、[。，；]|。;|;。"), "标点重复或错用"),
    (
        "模板用语未改",
        re.compile(r"增加[（(]减少[)）]|增[（(]减[)）]|增长[（(]下降[)）]|上升[（(]下降[)）]|增加持平"),
        "“增加（减少）”等模板用语未按实际改写",
    ),
    ("原因未写", re.compile(r"(?:主要)?原因(?:是|为|主要是)[：:]?\s*[。；]"), "“主要原因是”后没有写明原因"),
    (
        "填表说明未删",
        re.compile(r"各单位请?根据实际情况|从上述绩效指标中选择|一个项目一张表|填表说明[：:]|请据实填写"),
        "表样的填表说明未删除",
    ),
    (
        "示例文字未删",
        re.compile(r"[（(]元/人[·.]?(?:小时|天|次)等[)）]|[（(]如[：:]?(?:元|万元|个|人|次|%)[、/][^）)]{0,12}等[)）]"),
        "表样的示例文字未删除",
    ),
)


@rule(
    "E10",
    "文字与标点瑕疵、表样残留",
    family="E",
    severity="info",
    compares="说明和表外文字中的重复标点（“。；”“。。”）、未改写的模板用语（“增加（减少）”“主要原因是。”）、未删除的填表说明（“各单位请根据实际情况……”“一个项目一张表”）和示例文字",
    applies="全文；同一类问题每份文档汇总为一条，列出出现次数和首处原文",
    message="{what}，共{count}处，如：“{snippet}”。",
    suggestion="建议逐处核改（{what}），公开文本不应保留表样说明和模板用语。",
    value_kind=ValueKind.quantity,
)
def flaws(view: DocView):
    lines = [(ln, re.sub(r"\s+", "", ln.text)) for ln in view.doc.narrative]  # not NFKC: full-width marks count
    for kind, rx, what in _FLAWS:
        hits = [(ln, t, m) for ln, t in lines if (m := rx.search(t))]
        if not hits:
            continue
        ln, t, m = hits[0]
        yield dict(
            page=ln.page,
            line=ln.line,
            file=view.file_of(ln),
            table_title="说明",
            what=what,
            count=len(hits),
            snippet=t[max(0, m.start() - 18) : m.end() + 12],
            value=float(len(hits)),
            money_unit="处",
            row_name=kind,
            evidence={"claim": kind, "lines": [h[0].location for h in hits[:30]]},
        )


_UP = re.compile(r"增加|增长|上升|提高|新增|增设|扩大|上涨|调增|提标|调标|增人|增编|增多|纳入|划入|新成立|调整")
_DOWN = re.compile(
    r"减少|下降|降低|低于|压缩|压减|缩减|削减|核减|调减|退休|调离|减员|取消|节约|严控|从严|过紧日子|"
    r"[无未不没]|完成|结束|到期|少于|下调"
)
# the reason of an increase that names only savings, of a decrease that names only growth
_ONLY_DOWN = re.compile(r"压缩|压减|缩减|削减|核减|调减|厉行节约|过紧日子|严控")
_ONLY_UP = re.compile(r"新增|增加|提高|上涨|扩大|增设")
_CHANGE_REASON = re.compile(
    r"比(?:上年|上一年|20\d\d年)[^，。；]{0,16}?(增加|增长|上升|减少|下降|降低)[^。；]{0,40}?"
    r"(?:主要)?(?:变动)?原因(?:是|为|主要是|在于)[：:]?(?P<reason>[^。；]{4,120})"
)


@rule(
    "C08",
    "增减原因与增减方向矛盾",
    family="C",
    severity="warn",
    compares="说明中“比上年增加（减少）……主要原因是……”的原因与增减方向：增加只给出压缩、减少、退休等原因，减少只给出新增、提高等原因",
    applies="说明写明增减方向和原因、原因中只有与该方向相反的用词时",
    message="说明称比上年{dir_zh}，所述原因却只有{against}方面的内容（“{reason}”），原因未能说明{dir_zh}。",
    suggestion="建议重写{dir_zh}的原因，说明造成{dir_zh}的具体因素（项目、人员、标准的变化）。",
)
def reason_against_direction(view: DocView):
    for p in view.paragraphs:
        for m in _CHANGE_REASON.finditer(p.text):
            up = m.group(1) in ("增加", "增长", "上升")
            reason = m.group("reason")
            against, same = (_ONLY_DOWN, _UP) if up else (_ONLY_UP, _DOWN)
            if against.search(reason) and not same.search(reason) and not re.search(r"但|而|同时|另|一是|其一", reason):
                yield dict(
                    page=p.page,
                    line=p.line,
                    file=view.file_of(p),
                    table_title="说明",
                    dir_zh="增加" if up else "减少",
                    against="减少、压缩" if up else "增加、新增",
                    reason=reason[:60],
                    evidence={"claim": m.group(0)[:200]},
                )


_ADMIN_CHANGE = re.compile(
    r"机关运行经费(?:[^。]|。(?=[）)])){0,300}?(增加|减少|增长|下降)[^。]{0,30}?[。，；]?[^。]{0,6}?原因(?:是|为|主要是)?[：:]?"
    r"(?P<reason>[^。]{4,100})"
)
_PERSONNEL_WORDS = re.compile(r"工资|津贴|补贴|绩效|奖金|社保|社会保障缴费|养老保险|医疗保险|职业年金|公积金|人员经费")
_PUBLIC_WORDS = re.compile(
    r"办公|会议|差旅|水电|物业|培训|公用|维修|维护|车辆|印刷|邮电|取暖|租赁|劳务|委托|接待|人数|人员(增加|减少)|定额|"
    r"工会|交通|福利费|新成立|新设|划入|划转|机构|单位"
)


@rule(
    "C11",
    "机关运行经费增减原因与其定义不符",
    family="C",
    severity="warn",
    compares="说明中机关运行经费增减的原因与机关运行经费的定义（基本支出中的日常公用经费，不含工资福利等人员经费）",
    applies="说明写明机关运行经费增减原因、原因只涉及工资、津贴补贴、社会保险等人员经费因素时",
    message="说明以“{reason}”解释机关运行经费{dir_zh}，但机关运行经费是公用经费，不含工资福利等人员经费。",
    suggestion="建议核实机关运行经费的口径和增减原因，按办公、会议、差旅、水电物业等公用经费的变化说明原因。",
)
def admin_reason_personnel(view: DocView):
    for p in view.paragraphs:
        m = _ADMIN_CHANGE.search(p.text)
        if m and _PERSONNEL_WORDS.search(m.group("reason")) and not _PUBLIC_WORDS.search(m.group("reason")):
            yield dict(
                page=p.page,
                line=p.line,
                file=view.file_of(p),
                table_title="说明",
                reason=m.group("reason")[:50],
                dir_zh=m.group(1),
                row_name="机关运行经费",
                evidence={"claim": m.group(0)[:200]},
            )
            return


_SAME_YEAR = re.compile(
    r"(?:比|较|与)(20\d\d)年(?:度)?(?:同口径|年初)?(?:预算|预算数|预算安排)?(?:相比)?[^，。；]{0,6}?(增加|减少|增长|下降|持平|相同)"
)


@rule(
    "E11",
    "说明的比较年度为本年",
    family="E",
    severity="warn",
    compares="说明中“比20XX年增加（减少）”的年度与文档的预算年度",
    applies="预算文档；比较的年度与本年相同（应为上年），多为沿用上年文本时未改年份；每份文档汇总为一条",
    message="本文档为{year}年预算，说明却称“{snippet}”（共{count}处），比较的年度应为{prev}年。",
    suggestion="建议核实说明中的比较年度，更正为{prev}年。",
    value_kind=ValueKind.year,
)
def same_year_comparison(view: DocView):
    y = view.doc.year
    if not y or view.doc.stage != "budget":
        return
    hits = []
    for p in view.paragraphs:
        if any(int(x) > y for x in re.findall(r"(20\d\d)年", p.text)):
            continue  # the paragraph speaks of a later year: the document's own year is in doubt
        hits += [(p, m) for m in _SAME_YEAR.finditer(p.text) if int(m.group(1)) == y]
    if hits:
        p, m = hits[0]
        yield dict(
            page=p.page,
            line=p.line,
            file=view.file_of(p),
            table_title="说明",
            year=y,
            prev=y - 1,
            snippet=m.group(0),
            count=len(hits),
            value=float(y),
            expected=float(y - 1),
            money_unit="年",
            evidence={"claim": p.text[:200], "places": [h[0].page or h[0].line for h in hits]},
        )


_SECRET = re.compile(r"(?:绝密|机密|秘密)\s*(?:★|\d{1,2}\s*年|[（(]\d{1,2}年[)）])")


@rule(
    "E12",
    "公开文本引用的文件带有密级标志",
    family="E",
    severity="warn",
    compares="说明和绩效目标表中引用文件时出现的密级标志（“秘密10年”“机密★”）",
    applies="全文；带密级的文件不应在公开文本中引用其标志（定密文件是否可公开引用应经审查）",
    message="公开文本引用文件时带有密级标志“{token}”：“{snippet}”。",
    suggestion="建议核实所引文件的密级及其能否公开引用，删除公开文本中的密级标志。",
)
def secrecy_marks(view: DocView):
    texts = [(ln.text, ln.page, ln.line, ln.location) for ln in view.doc.narrative if "密" in ln.text]
    texts += [
        (v, f.location.get("page"), f.location.get("line"), f.location)
        for f in view.doc.forms
        for v in f.info.values()
        if "密" in v
    ]
    for t, page, line, where in texts:
        m = _SECRET.search(nospace(t))
        if m:
            s = nospace(t)
            yield dict(
                page=page,
                line=line,
                file=view.file_of(where),
                table_title="说明",
                token=m.group(0),
                snippet=s[max(0, m.start() - 20) : m.end() + 20],
                evidence={"claim": m.group(0)},
            )
            return


# the 款 of 201 一般公共服务 that belong to one body each (a 人大 does not spend on 政协事务)
_OWN_KUAN = (
    ("20101", "人大事务", re.compile(r"人民代表大会|人大")),
    ("20102", "政协事务", re.compile(r"政协|政治协商")),
)


@rule(
    "E13",
    "功能科目与单位性质不符",
    family="E",
    severity="warn",
    compares="单位名称（人大、政协）与其报表中属于另一机关的功能科目（20101人大事务、20102政协事务）",
    applies="单位名称表明是人大或政协机关、报表列有另一机关专属的款级科目且有金额时",
    message="{unit}的{table}列有科目{row_code}“{row_name}”{value}{unit_money}，该科目属于{owner}，与本单位性质不符。",
    suggestion="建议核实科目{row_code}的使用是否正确，按支出的实际功能调整到本单位的科目。",
)
def foreign_function_codes(view: DocView):
    unit = nospace(view.doc.unit or "")
    mine = [code for code, _, rx in _OWN_KUAN if rx.search(unit)]
    if len(mine) != 1:
        return
    for code, zh, _rx in _OWN_KUAN:
        if code in mine:
            continue
        for t in view.doc.tables:
            r = next((r for r in t.rows if r.code == code and any(r.values.values())), None)
            if r is not None:
                v = next(v for v in r.values.values() if v)
                yield dict(
                    view.at(t, r),
                    unit=view.doc.unit,
                    value=v,
                    unit_money=t.money_unit or "",
                    owner=f"{zh}（{'政协机关' if code == '20102' else '人大机关'}）",
                )
                return


# the words of a higher level's template, by the level of the unit that copied them (extract/place.py's levels)
_HIGHER_LEVEL = {
    Level.city.value: re.compile(r"省直(?:部门|单位)|省[^，。；、\d]{0,10}机关(?:内设|共设|设)\d+个"),
    "区县级": re.compile(r"省直(?:部门|单位)|市直(?:部门|单位)|[省市][^，。；、\d县区]{0,10}机关(?:内设|共设|设)\d+个"),
}


@rule(
    "E15",
    "说明中的层级称谓与本单位不符",
    family="E",
    severity="warn",
    compares="说明（含名词解释、机构设置）中描述本单位时所用的层级称谓（“省直部门”“市…机关设N个内设机构”）与本单位的层级（单位名称或封面）",
    applies="本单位为市级或区县级，说明用上级的称谓描述本单位或其经费时（常见于照抄上级的模板）；引用上级文件、上级代表的经费不算",
    message="{unit}是{level}单位，说明中却写作“{said}”{more}：“{sentence}”。",
    suggestion="建议核实并改为本单位的称谓，删除照抄的上级模板文字。",
    value_kind=ValueKind.quantity,
)
def higher_level_wording(view: DocView):
    from ..extract.place import document_place

    level = document_place(view.doc)["level"]
    rx = _HIGHER_LEVEL.get(level or "")
    if rx is None:
        return
    hits = [(p, m) for p in view.paragraphs for m in [rx.search(nospace(p.text))] if m]
    if hits:
        p, m = hits[0]
        text = nospace(p.text)
        yield dict(
            page=p.page,
            line=p.line,
            file=view.file_of(p),
            table_title="说明",
            unit=view.doc.unit,
            level=level,
            said=m.group(0),
            more=f"等{len(hits)}处" if len(hits) > 1 else "",
            sentence=text[max(0, m.start() - 20) : m.end() + 30],
            value=float(len(hits)),
            money_unit="处",
            evidence={"claim": m.group(0)},
        )
