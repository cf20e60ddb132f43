"""Key figures (analysis/figures.py): computed from the tables the checks read, kept in `key_figures`
when a version is checked, and filled on first use for versions checked before the table existed."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from budgetwatch.analysis.figures import figures_for, figures_many, key_figures
from budgetwatch.extract import extract_files
from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.store.schema import KeyFigures, Version

from conftest import CORPUS, SAMPLES, needs_corpus, seed


def test_key_figures_of_a_seed_are_its_printed_totals():
    f = key_figures(extract_files([seed("000")]))
    # 收支总表: 收入总计 1506.80; the 说明: 实有28人
    assert f["income_total"] == pytest.approx(1506.80) and f["expenditure_total"] == pytest.approx(1506.80)
    assert f["carryover"] == pytest.approx(20.00) and f["carryover_share"] == pytest.approx(1.33)
    assert f["staff"] == 28
    assert f["public_per_head"] == pytest.approx(round(f["public"] / 28, 4))
    assert f["basic"] + f["project"] == pytest.approx(f["expenditure_total"], abs=0.01)


def test_checking_keeps_the_figures_and_reading_them_back_gives_the_same(engine):
    ingest(engine, [SAMPLES])
    check_versions(engine)
    with Session(engine) as s:
        versions = list(s.scalars(select(Version)))
        assert s.query(KeyFigures).count() == len(versions) == 3
        for v in versions:
            doc = extract_files([SAMPLES / v.files[0].name])
            stored = figures_for(s, v.id)
            assert {k: stored[k] for k in key_figures(doc)} == key_figures(doc)
            assert stored["unit"] == v.unit_name and stored["region"] == v.region


def test_versions_without_stored_figures_get_them_on_first_use(engine):
    ingest(engine, [SAMPLES])
    check_versions(engine)
    with Session(engine) as s:
        before = figures_many(s, [v.id for v in s.scalars(select(Version))])
        s.execute(delete(KeyFigures))
        s.commit()
    with Session(engine) as s:
        after = figures_many(s, list(before))
        assert after == before
        assert s.query(KeyFigures).count() == 3


@needs_corpus
@pytest.mark.parametrize(
    "name, staff",
    [
        # 实有人员72人，其中：在职人员46人 — per-head figures use the staff in post, not retirees
        ("jilin-changchun-xinfangju-2026-yusuan.pdf", 46),
        # 在职人员 380 人，其中行政 89人 (spaces inside the sentence)
        ("shaanxi-xian-renshe-2020-yusuan.pdf", 380),
    ],
)
def test_staff_in_post_and_public_expense_per_head(name, staff):
    f = key_figures(extract_files([CORPUS / name]))
    assert f["staff"] == staff
    assert f["public_per_head"] == pytest.approx(f["public"] / staff, abs=1e-4)
