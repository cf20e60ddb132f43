"""The 审查报告 a 预算工委 hands to the 常委会: cover (issuing body, date, 内部资料), 总体情况, 主要问题 grouped by
rule, the 问题清单 annex with a wide 审查意见 column, dismissed findings only in their marked annex, page
numbers 第 X 页 共 Y 页 in the PDF, and a DOCX holding the same findings."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.store.findings import decide
from budgetwatch.web.app import create_app

from conftest import CORPUS, needs_corpus, seed


@pytest.fixture
def client(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'bw.db'}", cache=False)
    ingest(app.state.engine, [seed("000")])
    found = next(iter(check_versions(app.state.engine).values()))
    with Session(app.state.engine) as s:
        c06 = next(f for f in found if f.rule == "C06")
        decide(s, c06.id, "dismissed", "上年数经过调整，已核实", "王审查")
        s.commit()
    with TestClient(app) as c:
        c.found, c.dismissed = found, c06
        yield c


def test_report_has_cover_summary_groups_and_annexes(client):
    html = client.get("/documents/1/report.html?issuer=兴县人大常委会预算工作委员会").text
    today = date.today()
    assert (
        "内部资料" in html
        and "兴县人大常委会预算工作委员会" in html
        and f"{today.year}年{today.month}月{today.day}日" in html
    )
    assert "一、总体情况" in html and "二、主要问题" in html and "附件一：问题清单" in html
    groups = re.findall(r"<h3>（(.+?)）(.+?)（([A-F]\d\d)，(错误|警告|提示)，(\d+)条", html)
    rules = [g[2] for g in groups]
    assert len(rules) == len(set(rules)) and sum(int(g[4]) for g in groups) == len(client.found) - 1
    assert groups[0][3] == "错误" and groups[0][0] == "一"
    assert html.count('class="evidence"') == len(groups)
    # dismissed: out of the counts and the 问题清单, in 附件二 with its reason and who decided
    annex1, annex2 = html.split("附件一：问题清单")[1].split("附件二：已排除的问题")
    assert f"#{client.dismissed.id}<" not in annex1 and f"#{client.dismissed.id}<" in annex2
    assert "上年数经过调整，已核实" in annex2 and "王审查" in annex2 and "不计入报告统计" in annex2
    assert f"问题{len(client.found) - 1}条" in html and "排除1条" in html
    assert int(re.search(r"col\.opinion \{ width: (\d+)%", html).group(1)) >= 30


def test_report_pdf_pages_are_numbered_and_the_opinion_column_is_wide(client):
    import pypdfium2 as pdfium

    r = client.get("/documents/1/report.pdf")
    if r.status_code == 501:
        pytest.skip(r.json()["detail"])
    pdf = pdfium.PdfDocument(r.content)
    n = len(pdf)
    texts = [pdf[i].get_textpage().get_text_range() for i in range(n)]
    assert n >= 3 and "内部资料" in texts[0] and "第 1 页" not in texts[0]  # the cover is not numbered
    for i in range(1, n):
        assert f"第 {i + 1} 页 共 {n} 页" in texts[i].replace("\r\n", " ").replace("\n", " "), i
    # 审查意见 ≥ 30% of the text width: the heading's cell starts left of 70% of the page
    page = pdf[[i for i, t in enumerate(texts) if "附件一：问题清单" in t][0]]
    tp = page.get_textpage()
    found = tp.search("审查意见").get_next()
    assert found
    left = tp.get_charbox(found[0])[0]
    assert left < page.get_width() * 0.70


def test_report_docx_holds_the_same_findings(client):
    import docx

    r = client.get("/documents/1/report.docx")
    assert r.status_code == 200 and r.headers["content-type"].endswith("wordprocessingml.document")
    d = docx.Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "内部资料" in text and "一、总体情况" in text and "二、主要问题" in text
    # a rule on many forms is one row (合并N条) with its findings beneath, each listed by its own id
    listed = [row.cells[0].text for row in d.tables[1].rows[1:] if not row.cells[0].text.startswith("合并")]
    assert sorted(listed) == sorted(f"#{f.id}" for f in client.found if f.id != client.dismissed.id)
    assert [row.cells[0].text for row in d.tables[2].rows[1:]] == [f"#{client.dismissed.id}"]
    footer = d.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    widths = [c.width for c in d.tables[1].rows[0].cells]
    assert widths[4] / sum(widths) >= 0.29


@needs_corpus
def test_report_of_a_corpus_pdf(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'bw.db'}", cache=False)
    ingest(app.state.engine, [CORPUS / "shaanxi-xian-minzhengju-2021-yusuan.pdf"])
    found = [f for fs in check_versions(app.state.engine).values() for f in fs]
    with TestClient(app) as c:
        html = c.get("/documents/1/report.html").text
        assert "关于西安市民政局2021年预算公开文件的审查报告" in html
        assert all(f"#{f.id}<" in html for f in found)
        import docx

        d = docx.Document(io.BytesIO(c.get("/documents/1/report.docx").content))
        assert len([r for r in d.tables[1].rows if r.cells[0].text.startswith("#")]) == len(found)
