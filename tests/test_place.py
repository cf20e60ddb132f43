"""Where a unit sits (region, level): from its name, else from the document's cover line; stored with each
version and queried by 总览's filters."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files
from budgetwatch.extract.place import place
from budgetwatch.pipeline import ingest
from budgetwatch.store.schema import Version

from conftest import CORPUS, SAMPLES, needs_corpus


@pytest.mark.parametrize(
    "unit, region, level",
    [
        ("国家信访局", "中央", "中央"),
        ("江苏省高级人民法院", "江苏省", "省级"),
        ("中共江苏省委办公厅", "江苏省", "省级"),
        ("北京市教育委员会", "北京市", "省级"),
        ("上海市普陀区规划和自然资源局", "上海市", "区县级"),
        ("中共上海市普陀区委社会工作部", "上海市", "区县级"),
        ("上海市普陀区人民政府万里街道办事处", "上海市", "乡镇街道"),
        ("深圳市公安局(本级)", "深圳市", "市级"),
        ("烟台市住房和城乡建设局", "烟台市", "市级"),  # 城乡 is not a 乡
        ("兴县人民代表大会常务委员会办公室", "兴县", "区县级"),
        ("祁连县人大常委会办公室", "祁连县", "区县级"),
    ],
)
def test_place_from_the_units_name(unit, region, level):
    assert place(unit) == {"region": region, "level": level}


@needs_corpus
def test_a_name_without_a_place_is_placed_by_the_cover_line():
    doc = extract_files([CORPUS / "shanghai-shi-shangkeda-fushuxuexiao-2026-danwei-yusuan.pdf"])
    assert doc.unit == "上海科技大学附属学校"
    assert place(doc.unit) == {"region": None, "level": None}
    # its cover says 上海市2026年市级单位预算: a municipality's 市级 units are provincial
    assert place(doc.unit, (ln.text for ln in doc.narrative[:40])) == {"region": "上海市", "level": "省级"}


@needs_corpus
def test_a_document_that_names_no_place_stays_unplaced():
    doc = extract_files([CORPUS / "hunan-changsha-zhijiaojidi-2026-yusuan.pdf"])
    assert place(doc.unit, (ln.text for ln in doc.narrative[:40])) == {"region": None, "level": None}


@needs_corpus
def test_versions_are_stored_with_their_place(engine):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    ingest(engine, [SAMPLES, CORPUS / "shanghai-shi-shangkeda-fushuxuexiao-2026-danwei-yusuan.pdf"])
    with Session(engine) as s:
        got = {v.unit_name: (v.region, v.level) for v in s.scalars(select(Version))}
    assert got["上海科技大学附属学校"] == ("上海市", "省级")
    assert got["祁连县人大常委会办公室"] == ("祁连县", "区县级")
    assert all(r is not None for r, _ in got.values())


def test_migration_places_versions_stored_before_it(tmp_path):
    """A database at revision 0004 with a stored version: upgrading fills region and level."""
    from sqlalchemy import text

    from budgetwatch.store.db import make_engine, migrate, open_db

    url = f"sqlite:///{tmp_path / 'old.db'}"
    eng = make_engine(url)
    migrate(eng, "0004")
    with eng.begin() as c:
        c.execute(text("insert into documents (id, key, created_at) values (1, 'k', '2026-01-01')"))
        c.execute(
            text(
                "insert into document_versions (id, document_id, number, content_sha256, format, schema, "
                "ingested_at, unit_name) values (1, 1, 1, 'x', 'pdf', 's', '2026-01-01', '上海科技大学附属学校')"
            )
        )
        c.execute(
            text("insert into narrative_lines (version_id, ordinal, text) values (1, 0, '上海市2026年市级单位预算')")
        )
    eng.dispose()
    eng = open_db(url)  # migrates to head
    with eng.connect() as c:
        assert c.execute(text("select region, level from document_versions")).one() == ("上海市", "省级")
    eng.dispose()
