"""Earlier years' wording: 一般预算 for 一般公共预算, 基金预算 for 政府性基金预算 (no page of the corpora prints
it, so a small converted-text disclosure in the seeds' format shows it)."""

from __future__ import annotations

from budgetwatch.extract import extract_files

DOC = """# 某县审计局2014年部门预算

## 2014年部门收入总表

部门名称：某县审计局

单位：万元

科目编码	科目名称	合计	一般预算拨款	基金预算拨款
合计		150.00	120.00	30.00
201	一般公共服务支出	150.00	120.00	30.00

## 2014年一般预算支出表

部门名称：某县审计局

单位：万元

科目编码	科目名称	合计	基本支出	项目支出
合计		120.00	100.00	20.00
201	一般公共服务支出	120.00	100.00	20.00

## 2014年基金预算支出表

部门名称：某县审计局

单位：万元

科目编码	科目名称	合计
合计		30.00
212	城乡社区支出	30.00
"""


def test_older_wording_reads_as_todays(tmp_path):
    p = tmp_path / "older.txt"
    p.write_text(DOC, encoding="utf-8")
    doc = extract_files([p])
    kinds = [t.kind for t in doc.tables]
    assert kinds == ["income", "gpb_expenditure", "gf_expenditure"]
    inc = doc.tables[0]
    assert inc.rows[0].values == {"total": 150.0, "gpb": 120.0, "gf": 30.0}
