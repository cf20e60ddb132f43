"""The 问题清单 as a reviewer writes it, on a real document (北京市司法局 2026, whose forms raise D08 on several
forms): one line per rule per document naming the forms (how many, which), each per-form finding still stored
and listed beneath it — on the document page and its JSON, in the report (HTML and DOCX) and in the
审查意见 draft."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from budgetwatch.checks.rollup import MIN_FORMS, FormRollup, roll_up
from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.store.findings import decide
from budgetwatch.web.app import create_app

from conftest import CORPUS, needs_corpus

pytestmark = needs_corpus
FILES = [
    CORPUS / "beijing-shi-sifaju-2026-yusuan.part1-text.pdf",
    CORPUS / "beijing-shi-sifaju-2026-yusuan.part2-tables.pdf",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('rollup') / 'bw.db'}", cache=False)
    ingest(app.state.engine, docs=[FILES])
    found = next(iter(check_versions(app.state.engine).values()))
    with TestClient(app) as c:
        c.found = found
        c.d08 = [f for f in found if f.rule == "D08"]
        yield c


def test_a_rule_on_many_forms_is_one_line_naming_them(client):
    d08 = client.d08
    forms = list(dict.fromkeys(f.row_name for f in d08))
    assert len(forms) >= MIN_FORMS and all(f.table_kind == "project_form" and f.id for f in d08)
    lines = roll_up(client.found)
    (g,) = [x for x in lines if isinstance(x, FormRollup) and x.rule == "D08"]
    assert g.findings == d08 and g.forms == forms
    assert f"共{len(forms)}张绩效目标表（{len(d08)}条）" in g.message and all(n in g.message for n in forms[:12])
    # every finding is in the list once: alone, or inside its rule's line
    listed = [f for x in lines for f in (x.findings if isinstance(x, FormRollup) else [x])]
    assert sorted(f.id for f in listed) == sorted(f.id for f in client.found)
    # a rule on fewer forms stays one line per finding
    assert [x.id for x in roll_up(d08[: MIN_FORMS - 1])] == [f.id for f in d08[: MIN_FORMS - 1]]


def test_document_json_and_page_keep_each_finding_under_its_line(client):
    j = client.get("/api/documents/1").json()
    assert len(j["findings"]) == len(client.found)  # the findings themselves, untouched
    (r,) = [r for r in j["rollups"] if r["rule"] == "D08"]
    assert r["finding_ids"] == [f.id for f in client.d08] and len(r["forms"]) == len({f.row_name for f in client.d08})
    stored = {f["id"]: f for f in j["findings"]}
    for f in client.d08:  # each keeps its own record: rule, severity, location, values
        assert (stored[f.id]["rule"], stored[f.id]["severity"], stored[f.id]["page"], stored[f.id]["row_name"]) == (
            "D08",
            f.severity,
            f.page,
            f.row_name,
        )
    html = client.get("/documents/1").text
    block = html.split('id="r-D08"')[1].split("</details>")[0]
    assert r["message"] in block
    assert re.findall(r'id="f-(\d+)"', block) == [str(f.id) for f in client.d08]
    assert html.count('id="f-') == len(client.found)


def test_report_and_docx_annex_list_the_line_then_its_findings(client):
    import docx

    html = client.get("/documents/1/report.html").text
    annex = html.split("附件一：问题清单")[1]
    assert f"（{len(client.found)}条）" in annex[:20]  # the count is of findings, not of lines
    row = annex.split(f"合并{len(client.d08)}条")[1]
    ids = re.findall(r'<tr class="sub"><td>#(\d+)<', row)
    assert ids[: len(client.d08)] == [str(f.id) for f in client.d08]
    d = docx.Document(io.BytesIO(client.get("/documents/1/report.docx").content))
    cells = [[c.text for c in row.cells] for row in d.tables[1].rows[1:]]
    at = next(i for i, c in enumerate(cells) if c[0] == f"合并{len(client.d08)}条")
    assert "D08" in cells[at][1] and f"共{len({f.row_name for f in client.d08})}张绩效目标表" in cells[at][3]
    beneath = cells[at + 1 : at + 1 + len(client.d08)]
    assert [c[0] for c in beneath] == [f"#{f.id}" for f in client.d08] and all(c[2].startswith("└ ") for c in beneath)
    assert sorted(c[0] for c in cells if c[0].startswith("#")) == sorted(f"#{f.id}" for f in client.found)


def test_opinion_draft_writes_one_item_with_the_forms_beneath(client):
    with Session(client.app.state.engine) as s:
        for f in client.d08:
            decide(s, f.id, "accepted", None, "王审查")
        s.commit()
    html = client.get("/staff/opinion.html").text
    items = re.findall(r"<li>[^<]*D08[^<]*：([^<]*)", html)
    assert len(items) == 1 and f"共{len({f.row_name for f in client.d08})}张绩效目标表" in items[0]
    sub = html.split(items[0])[1].split("</ul>")[0]
    assert sub.count("<li>") == len(client.d08) and all(f.message in sub for f in client.d08)
