"""Every rule: a pass on real rows where the document is consistent, and a fail — a defect the
document really has (confirmed on the page), or one figure of a real document changed. The cases are the rows
of tests/rule_cases.py; what a row cannot say (a rule's behaviour beyond one pass and one fail) is a test here."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from budgetwatch.catalogue import RULES
from budgetwatch.checks import run_checks
from budgetwatch.checks.rule import Rule
from budgetwatch.extract.document import extract_files

from conftest import CORPUS, CORPUS_WIDE, seed
from rule_cases import FEED_CASES, HANGZHOU, MISSING, MISSING_AT_MOST, XINFANG, RuleCase, row, rule_cases, table

_cache: dict[str, object] = {}


def doc(name: str):
    if name not in _cache:
        path = seed(name) if len(name) == 3 else CORPUS / name
        if len(name) != 3 and not path.exists():
            path = CORPUS_WIDE / name  # the wide corpus (documents without gold)
        if not path.exists():
            pytest.skip(f"{path} is absent: the real documents live in ../shared")
        _cache[name] = extract_files([path])
    return copy.deepcopy(_cache[name])


def hits(d, rule, **kw):
    return [f for f in run_checks(d, only={rule}, **kw) if f.rule == rule]


RULE_CASES: list[RuleCase] = rule_cases(doc)


def _shown(fs) -> list:
    return [(f.row_code, f.row_name, f.page, f.value, f.expected, f.severity, f.message) for f in fs]


def _matches(f, case: RuleCase) -> bool:
    return all(getattr(f, k) == v for k, v in case.want.items()) and all(w in f.message for w in case.says)


@pytest.mark.parametrize("case", RULE_CASES, ids=lambda c: c.id)
def test_rule_case(case: RuleCase):
    if case.passes:
        assert not hits(doc(case.passes), case.rule, **(case.given() if case.given else {})), (
            f"{case.rule} speaks on {case.passes}"
        )
    if not case.fails:
        return
    d = doc(case.fails)
    kw = case.given() if case.given else {}
    if case.change:
        case.change(d, kw)
    fs = hits(d, case.rule, **kw)
    if case.n is None:
        assert fs, f"{case.rule} is silent on {case.fails}"
    else:
        assert len(fs) == case.n, _shown(fs)
    assert any(_matches(f, case) for f in fs), (case.want, case.says, _shown(fs))
    if case.holds:
        assert case.holds(fs, d), _shown(fs)
    if case.fix:
        case.fix(d, kw)
        assert not hits(d, case.rule, **kw), _shown(hits(d, case.rule, **kw))


def test_every_rule_has_a_pass_and_a_fail_case_or_says_why_not():
    passes = {c.rule for c in RULE_CASES if c.passes or c.fix}
    fails = {c.rule for c in RULE_CASES if c.fails}
    covered = passes & fails | {c.rule for c in FEED_CASES}  # a feed row is both (rule_cases.FeedCase)
    assert all(RULES[c.rule].family in "GR" for c in FEED_CASES)
    assert sorted(set(RULES) - covered - set(MISSING)) == [], "a rule without a pass and a fail row in RULE_CASES"
    assert sorted(set(MISSING) & covered) == [], "covered now: delete from MISSING and lower MISSING_AT_MOST"
    assert sorted(set(MISSING) - set(RULES)) == [], "MISSING names no rule"
    assert sorted({c.rule for c in [*RULE_CASES, *FEED_CASES]} - set(RULES)) == [], "a row names no rule"
    assert len(MISSING) <= MISSING_AT_MOST, "MISSING only shrinks"
    assert all(reason.strip() for reason in MISSING.values())


def test_every_template_parses_and_names_fields():
    """Each rule's message and suggestion is a str.format template whose placeholders are plain names (a typo
    like `{row code}`, `{0}` or a lone brace fails here even for a rule whose fail case is not reached)."""
    import string

    for r in RULES.values():
        for template in (r.message, r.suggestion):
            names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
            assert all(n.isidentifier() for n in names), (r.id, template)


def test_message_templates_are_strict_under_test():
    """A placeholder of a rule's message that the finding lacks fails the test that reaches it (conftest sets
    BUDGETWATCH_STRICT_TEMPLATES), so a typo in a template cannot print as a gap in a 审查意见."""
    a01 = RULES["A01"]
    careless = Rule(**{**a01.__dict__, "message": a01.message + "（{no_such_field}）"})
    good = dict(
        table="支出总表",
        name="合计",
        column_zh="合计",
        parts_zh="基本支出+项目支出",
        value=1.0,
        expected=2.0,
        difference=-1.0,
        money_unit="万元",
    )
    assert "支出总表" in a01.finding(**good).message
    with pytest.raises(KeyError, match="no_such_field"):
        careless.finding(**good)


def test_reconciliation_rules_need_the_feed_and_are_silent_on_a_document_alone():
    """R01–R04 compare the 联网 feed with a disclosure (tests/test_feed_reconcile.py); a document alone gives none."""
    d = doc("000")
    assert [r for r in RULES if RULES[r].family == "R"] == ["R01", "R02", "R03", "R04"]
    assert not [f for f in run_checks(d) if f.family == "R"]


def test_A10_a_secrecy_note_makes_the_gap_a_hint():
    d = doc(HANGZHOU)  # the gap of 199.00 is a 警告 (RULE_CASES) until the 说明 says projects were withheld
    d.narrative[0] = replace(d.narrative[0], text="涉密项目已按规定予以剔除，不予公开。")
    (g,) = hits(d, "A10")
    assert g.severity == "info" and "涉密" in g.message and g.value == 106512.0
    row(table(d, "projects"), r"^ 合计$").values["total"] = 106313.0
    assert not hits(d, "A10")


def test_D06_D07_one_finding_per_form_and_strict_zero():
    d = doc("002")
    (f,) = [x for x in hits(d, "D07") if "网络维护" in x.row_name]
    assert f.value == 3 and len(f.evidence["indicators"]) == 3 and "政府采购率" in f.message
    form = next(x for x in d.forms if "网络维护" in x.project)
    form.indicators[0].value = ">0%"  # strictly positive: a real constraint
    assert len(next(x for x in hits(d, "D07") if "网络维护" in x.row_name).evidence["indicators"]) == 3
    form.indicators[0].value = "≥0%"
    assert len(next(x for x in hits(d, "D07") if "网络维护" in x.row_name).evidence["indicators"]) == 4


def test_D11_complaints_are_a_satisfaction_proxy():
    d = doc("001")
    assert not hits(d, "D11")
    form = next(f for f in d.forms if any("满意" in (i.level1 or "") for i in f.indicators) and f.project)
    ind = next(i for i in form.indicators if "满意" in (i.level1 or ""))
    ind.name, ind.value = "群众有效信访举报次数", "≤3次"
    assert not hits(d, "D11")
    for name in ("12345诉求件数", "因未及时支付合同款造成的纠纷"):  # 福州 特警队训练经费, 综合工作经费
        ind.name = name
        assert not hits(d, "D11")
    ind.name = "代表联络站个数"
    assert hits(d, "D11")


def test_C01_project_figures_are_not_the_departments():
    d = doc("000")
    assert not hits(d, "C01")
    d.narrative.append(replace(d.narrative[-1], text="该项目上年结转5.00万元，本年预算安排10.00万元。"))
    assert not hits(d, "C01")
    # 深圳水务局 2026 p12: one charge's sources, not the department's 一般公共预算
    charge = "2026年污水处理费预算总额153.85万元，分别从一般公共预算与政府性基金列支，其中：一般公共预算117.92万元。"
    d.narrative.append(replace(d.narrative[-1], text=charge))
    assert not hits(d, "C01")
    d.narrative.append(replace(d.narrative[-1], text="2023年度上年结转5.00万元。"))
    assert hits(d, "C01")


def test_D09_per_item_caps_and_total_cost_are_not_summed():
    d = doc("002")
    form = next(f for f in d.forms if f.project == "人大名录编纂、印发经费")  # 15.00万元, 印刷成本 ≤15万元
    cost = next(i for i in form.indicators if i.name == "印刷成本")
    form.indicators.append(replace(cost, name="项目总成本", value="≤15万元"))  # the whole of the parts
    form.indicators.append(replace(cost, name="单个名录编印成本", value="≤2万元"))  # one item's cap
    assert not hits(d, "D09")
    form.indicators.append(replace(cost, name="名录设计成本", value="≤1万元"))
    assert not hits(d, "D09")  # parts may be listed beside 总成本: 总成本 is what is compared
    form.indicators = [i for i in form.indicators if i.name != "项目总成本"]
    (f,) = hits(d, "D09")  # 印刷 15 + 设计 1 = 16 > 15
    assert f.value == 16
    # 北京 预算13表: 项目预算控制数 ≤139.99 beside 科研类差旅费 ≤10.225 of a 140万元 project is the whole again
    form.indicators.append(replace(cost, name="项目预算控制数", value="≤15万元"))
    assert not hits(d, "D09")
    # 烟台 实施公车统管 (18万元): 经费总量控制 ≤18万元 beside 成本控制 ≤18万元 — the whole, said twice
    form.indicators = [i for i in form.indicators if i.name != "项目预算控制数"]
    form.indicators.append(replace(cost, name="经费总量控制", value="≤15万元"))
    assert not hits(d, "D09")


def test_A00_a_doubtful_reading_gives_one_hint_instead_of_a_cascade():
    d = doc("000")
    assert not hits(d, "A00") and all(t.read_quality is None for t in d.tables)
    # a digit dropped from the only 款 of a 类 (as a font's repeated glyphs were lost): 1,319.13 → 139.13
    from budgetwatch.extract.quality import mark

    t = table(d, "expenditure")
    r = row(t, r"^20101 ")
    r.values["total"], r.printed["total"] = 139.13, "139.13"
    from budgetwatch.checks.arithmetic import hierarchy
    from budgetwatch.checks.view import DocView

    assert list(hierarchy(DocView(d)))  # the rule alone: 错误 on 201 = Σ款 in each column
    assert not hits(d, "A02")  # run as a check: held back, the table's reading is doubtful
    mark(d.tables)
    assert t.read_quality == "doubtful" and "一位数字" in t.quality_reason
    (f,) = hits(d, "A00")
    assert f.severity == "info" and "本表读取可能有误" in f.message and f.table_title == t.title
    everything = run_checks(d)
    assert not [x for x in everything if x.family == "A" and x.rule != "A00" and x.table_title == t.title]
    # 西安 2022 表5 (xian-d8b69a4ecb p46): 786781502.8 printed for parts of 786781502.82 is rounded, not a digit lost
    r.values["total"], r.printed["total"] = 1319.1, "1319.1"
    row(t, r"^2010101 ").values["total"] += 0.02  # the parts: 1,319.15, one decimal printed for the whole
    mark(d.tables)
    assert t.read_quality is None
    # RULE_CASES: the real defect of 长春市信访局 (2 rows of 基本支出 off) is not a doubtful reading


def test_A00_sums_off_by_their_parts_rounding_are_no_doubtful_reading():
    # 烟台市民政局 2026 公开表10 基本支出预算情况表 (pp23–25): 301 工资福利支出 767.54 over nine parts adding to
    # 767.56, 303 305.78 over six adding to 305.80 — each part rounded to the cent, read right. The one sum off
    # beyond rounding is the document's own: 差旅费 printed 4.50 | 4.50 | 5.50, so 302's 一般公共预算 116.37 is
    # not its parts' 117.37 — an 错误 of A02, not held back as a doubtful reading
    d = doc("yantai-9985949a8e.pdf")
    (t,) = [t for t in d.tables if t.kind == "basic_economic"]
    assert t.location["page"] == 23 and t.read_quality is None
    assert row(t, r"^301 ").values["total"] == 767.54 and row(t, r"^303 ").values["total"] == 305.78
    (f,) = hits(d, "A02")
    assert f.severity == "error" and "116.37" in f.message and "117.37" in f.message
    assert not hits(d, "A00")


def test_execution_rules_need_the_feed_and_are_silent_on_a_document_alone():
    """G01–G18 run on the 联网 feed as of a date (tests/test_execution.py: a pass and a fail test each; G17 with a
    stored 部门决算); a document alone gives none."""
    d = doc("000")
    g = [r for r in RULES if RULES[r].family == "G"]
    assert g == [f"G{i:02d}" for i in range(1, 19)]
    assert all(RULES[r].thresholds or r == "G18" for r in g)
    assert not [f for f in run_checks(d) if f.family == "G"]


def test_A02_a_code_printed_again_under_itself_is_one_line():
    """无锡发改委 2025 p18: 219 援助其他地区支出 502.00 / 21999 其他支出 502.00 / 21999 其他支出 502.00 — the 项 printed
    with its 款's code. The 类 is not short of, nor twice, its 款; the amounts agree."""
    d = doc("000")
    t = next(t for t in d.tables if t.kind == "expenditure")
    r = next(r for r in t.rows if r.code == "2210201")
    assert not hits(d, "A02")
    r.code = "22102"  # 221 → 22102 45.05 → "22102" 45.05
    assert not hits(d, "A02")
    r.values = {k: v + 1 for k, v in r.values.items()}  # a second 22102 of other amounts is a second child
    assert hits(d, "A02")


def test_C05_a_list_ends_where_a_new_whole_opens_its_own():
    """西安 2022 (xian-bc39882dbe p10): 财政拨款收入30,331.26万元，其中：一般公共预算拨款收入30,331.26万元，…；本部门
    当年财政拨款支出30,331.26万元，其中：… — the 支出 is the next whole, not a second part of the 收入."""
    d = doc("000")
    i = next(i for i, ln in enumerate(d.narrative) if "2023年度财政拨款收支总预算" in ln.text)
    d.narrative[i] = replace(
        d.narrative[i],
        text="本部门当年财政拨款收入1,486.80万元，其中：一般公共预算拨款收入1,486.80万元，较上年增加452.37万元，"
        "主要原因是新增项目；本部门当年财政拨款支出1,486.80万元，其中：一般公共预算拨款支出1,486.80万元。",
    )
    assert not hits(d, "C05")
    short = "其中：一般公共预算拨款收入1,400.80万元、政府性基金预算拨款收入6.00万元，"
    d.narrative[i] = replace(
        d.narrative[i], text=d.narrative[i].text.replace("其中：一般公共预算拨款收入1,486.80万元，", short)
    )
    (f,) = hits(d, "C05")  # its own list still adds up to its own whole, or is reported
    assert f.value == 1486.80 and f.expected == pytest.approx(1406.80)


def test_D03_the_same_project_of_two_units_is_not_a_duplicate():
    """烟台水利局 2026 (yantai-9380e7dc65 pp. 48, 56): 实施公车统管费用 3.00万元 for 河长制服务中心 and for another
    centre — two units' own forms; the same form printed again is one 实施单位's."""
    d = doc("001")
    assert d.forms[1].info.get("实施单位") == "阳城县人民代表大会常务委员会办公室"
    again = copy.deepcopy(d.forms[1])
    again.location = {"line": 1185}
    d.forms.append(again)
    assert hits(d, "D03")
    again.info["实施单位"] = "阳城县人大代表联络服务中心"
    assert not hits(d, "D03")


def test_C05_lists_that_are_not_the_parts_of_the_amount_before_them():
    """重庆 p3: …947万元：货物47万元、工程0万元、服务900万元；其中一般公共预算拨款政府采购0万元：货物0万元、… —
    a sub-total opening its own list; 广州 p101: a part split again in parentheses; 西安 p32: 996.33万元，较上年增加
    212.77万元，其中：2021年度…、2022年度… — the list is about the change."""
    d = doc("000")
    i = next(i for i, ln in enumerate(d.narrative) if "2023年度财政拨款收支总预算" in ln.text)
    for text in (
        "采购预算总额151.54万元：货物151.54万元、工程0万元；其中一般公共预算拨款采购151.54万元：货物151.54万元、工程0万元。",
        "“三公”经费2.00万元，其中：公务接待费0.00万元，公务用车购置及运行费2.00万元（购置费0.00万元，运行维护费2.00万元）。",
        "公用经费60.54万元，较上年增加6.52万元，其中：2022年办公费3.00万元、福利费9.00万元，2023年办公费2.00万元。",
    ):
        d.narrative[i] = replace(d.narrative[i], text=text)
        assert not hits(d, "C05"), text
    d.narrative[i] = replace(d.narrative[i], text="公用经费60.54万元，其中：办公费3.00万元、福利费9.00万元。")
    assert hits(d, "C05")


def test_C03_a_last_digit_truncated_is_the_same_change():
    """江苏省检察院 2019 p25: 增长10.15% for 2,228.78 / 21,940.96 = 10.158% — truncated, not another figure."""
    d = doc("000")
    assert not hits(d, "C03")  # 472.37 / 1,034.43 = 45.665%: printed 45.66%
    i = next(i for i, ln in enumerate(d.narrative) if "增加45.66%" in ln.text)
    d.narrative[i] = replace(d.narrative[i], text=d.narrative[i].text.replace("增加45.66%", "增加45.65%"))
    assert not hits(d, "C03")
    d.narrative[i] = replace(d.narrative[i], text=d.narrative[i].text.replace("增加45.65%", "增加45.60%"))
    assert hits(d, "C03")


def test_the_parts_of_the_narrative_read_once():
    """国家信访局 p19: 2014099 3,623.98万元，占部门支出总额的22.00% sits in 五、关于一般公共预算支出表的说明 — the
    part the view reads once from the 说明's 一、二、… headings; a paragraph above the first heading is in none."""
    from budgetwatch.checks.view import DocView

    view = DocView(doc(XINFANG))
    i = next(i for i, p in enumerate(view.paragraphs) if "占部门支出总额的22.00%" in p.text)
    part = view.section_of(i)
    assert part is not None and "一般公共预算支出" in part.heading and part.heading.startswith("五、")
    assert [s.start for s in view.sections] == sorted(s.start for s in view.sections)
    assert view.section_of(view.sections[0].start - 1) is None
