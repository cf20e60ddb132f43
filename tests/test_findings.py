"""Findings in the database (SQLite and PostgreSQL): stored per version with their location and
figures; reviewers' decisions survive re-checks and new versions; the `check` command's 问题清单 in
text, JSON, CSV and XLSX; `ingest` checks unless --no-check; the rule catalogue is documented."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from budgetwatch.catalogue import RULES, catalogue_markdown
from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.store.findings import decide

from conftest import ROOT, SAMPLES, seed

BW = [sys.executable, "-m", "budgetwatch"]


def run(*args):
    return subprocess.run(BW + list(args), capture_output=True)


def c06(results):
    return next(f for fs in results.values() for f in fs if f.rule == "C06")


def test_findings_are_stored_and_decisions_survive_rechecks_and_versions(engine, tmp_path):
    ingest(engine, [SAMPLES])
    f = c06(check_versions(engine))  # seed 000: 三公 down 0.50 while its items add up to +2.00
    assert f.id and f.status == "open" and f.line == 468 and f.value == -0.5 and f.expected == 2.0
    assert f.file == seed("000").name and "三公" in f.message and f.suggestion
    with Session(engine) as s:
        decide(s, f.id, "dismissed", "上年数经过调整，已核实", "王审查")
        s.commit()
    ids = {x.fingerprint: x.id for fs in check_versions(engine).values() for x in fs}
    again = c06(check_versions(engine))  # re-check: the same record, the same id, the same decision
    assert again.id == f.id and again.fingerprint == f.fingerprint
    assert again.status == "dismissed" and again.reason == "上年数经过调整，已核实"
    assert again.evidence["decided_by"] == "王审查"
    # a re-publication (new bytes → version 2) repeating the defect keeps the id and the decision
    changed = tmp_path / seed("000").name
    shutil.copy(seed("000"), changed)
    changed.write_text(changed.read_text(encoding="utf-8") + "\n附：本文件已更正排版。\n", encoding="utf-8")
    assert ingest(engine, [changed]).count("ingested") == 1
    results = check_versions(engine)
    v2 = c06(results)
    assert v2.status == "dismissed" and v2.id == f.id
    assert {x.fingerprint: x.id for fs in results.values() for x in fs} == ids  # every finding kept its id


def test_decisions_have_a_history_and_can_be_undone(engine):
    from budgetwatch.store.findings import history, undo

    ingest(engine, [SAMPLES])
    f = c06(check_versions(engine))
    with Session(engine) as s:
        decide(s, f.id, "accepted", "属实", "李审查")
        decide(s, f.id, "dismissed", "上年数经过调整", "王审查")
        assert undo(s, f.id, "王审查").status == "accepted"  # the earlier decision is in force again
        assert undo(s, f.id, "王审查").status == "open"
        with pytest.raises(ValueError):
            undo(s, f.id, "王审查")
        s.commit()
        events = history(s, f.id)
    assert [(e["action"], e["status"], e["by"]) for e in events] == [
        ("decide", "accepted", "李审查"),
        ("decide", "dismissed", "王审查"),
        ("undo", None, "王审查"),
        ("undo", None, "王审查"),
    ]
    assert all(e["at"] for e in events) and events[0]["reason"] == "属实"
    assert c06(check_versions(engine)).status == "open"


def test_check_command_formats(db_url, tmp_path):
    r = run("ingest", str(SAMPLES), "--db", db_url, "--verbose")
    assert r.returncode == 0 and "问题清单 ·" in r.stdout.decode()
    findings = json.loads(run("check", "--all", "--format", "json", "--db", db_url).stdout)
    assert isinstance(findings, list) and findings
    assert all({"rule", "severity", "file", "line", "table", "message"} <= set(f) for f in findings)
    assert {f["rule"] for f in findings} >= {"C06", "D06", "D09"}
    rows = list(
        csv.DictReader(io.StringIO(run("check", "1", "--format", "csv", "--db", db_url).stdout.decode("utf-8-sig")))
    )
    assert {"规则", "严重程度", "位置", "提供值", "期望值", "差额", "说明"} <= set(rows[0])
    c = next(r for r in rows if r["规则"] == "C06")
    assert (c["提供值"], c["期望值"], c["差额"], c["严重程度"]) == ("-0.50", "2.00", "-2.50", "错误")
    out = tmp_path / "问题清单.xlsx"
    assert run("check", "--all", "--format", "xlsx", "--out", str(out), "--db", db_url).returncode == 0
    ws = load_workbook(out)["问题清单"]
    assert ws.max_row == len(findings) + 1 and ws["C1"].value == "规则"


def test_ingest_no_check_and_bad_ids(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    r = run("ingest", str(seed("002")), "--db", db, "--no-check")
    assert r.returncode == 0 and "问题清单" not in r.stdout.decode()
    r = run("check", "7", "--db", db)
    assert r.returncode != 0 and "no document with id 7" in r.stderr.decode()
    r = run("decide", "999", "dismissed", "--reason", "x", "--by", "y", "--db", db)
    assert r.returncode != 0 and "no finding with id 999" in r.stderr.decode()


def test_rule_catalogue_is_complete_and_published():
    for r in RULES.values():
        assert r.id and r.title and r.compares and r.applies and r.message and r.suggestion, r.id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.title + r.message), r.id
    published = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert catalogue_markdown() in published, "docs/rules.md is stale: cog -r -I tools docs/rules.md"
