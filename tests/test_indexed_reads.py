"""Reads that do not scan the database (issue 18): the newest version of each document is a flag kept on
ingest, 项目 search goes through the full-text index and answers exactly what a scan answers, and on
PostgreSQL the main pages' queries use indexes, never a sequential scan of a big table."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, or_, select, text
from sqlalchemy.orm import Session

from budgetwatch.model import RANKED_FIGURES
from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.store import search
from budgetwatch.store.schema import (
    DecisionRecord,
    FindingRecord,
    FindingTally,
    FindingTotal,
    FormRecord,
    IndicatorRecord,
    KeyFigures,
    RowRecord,
    SearchEntry,
    SourceFileRecord,
    TableRecord,
    Version,
)
from budgetwatch.web import queries as Q
from budgetwatch.web.app import create_app

from conftest import SEEDS


@pytest.fixture
def app(db_url, tmp_path):
    """The samples, one of them published twice (a second version with changed bytes), checked."""
    folder = tmp_path / "in"
    folder.mkdir()
    for p in SEEDS:
        shutil.copy(p, folder / p.name)
    app = create_app(db_url, cache=False)
    ingest(app.state.engine, [folder])
    again = folder / SEEDS[0].name
    again.write_text(again.read_text(encoding="utf-8") + "\n（更正稿）\n", encoding="utf-8")
    ingest(app.state.engine, [again])
    check_versions(app.state.engine)
    yield app
    app.state.engine.dispose()


def test_the_newest_version_is_flagged_once_per_document(app):
    with Session(app.state.engine) as s:
        newest = dict(
            s.execute(select(Version.document_id, func.max(Version.number)).group_by(Version.document_id)).all()
        )
        flagged = s.execute(select(Version.document_id, Version.number).where(Version.latest)).all()
        assert max(newest.values()) == 2  # one document has two versions
        assert sorted(flagged) == sorted(newest.items())
        # the search index holds the newest versions only
        indexed = set(s.scalars(select(SearchEntry.version_id).distinct()))
        assert indexed and indexed <= set(s.scalars(select(Version.id).where(Version.latest)))


def test_key_figures_copy_their_versions_newest_flag_and_compare_ranks_by_them(app, tmp_path):
    """key_figures keeps each version's document, year, stage and newest flag (what 比较 ranks by along its
    indexes): when a checked document gets a new version its figures leave the ranking at once, the copies
    agree with the versions, and every ranking is the order a plain sort of the newest versions gives."""
    engine = app.state.engine
    with Session(engine) as s:
        replaced = s.scalar(select(KeyFigures).where(KeyFigures.latest).order_by(KeyFigures.version_id))
        assert replaced is not None
        name = s.scalar(select(SourceFileRecord.name).where(SourceFileRecord.version_id == replaced.version_id))
    again = tmp_path / "in" / str(name)
    again.write_text(again.read_text(encoding="utf-8") + "\n（再次更正）\n", encoding="utf-8")
    ingest(engine, [again])  # not checked: the new version has no figures yet, the old one is no longer newest
    with Session(engine) as s:
        versions = {v.id: v for v in s.scalars(select(Version))}
        figures = list(s.scalars(select(KeyFigures)))
        assert not versions[replaced.version_id].latest
        for f in figures:
            v = versions[f.version_id]
            assert (f.document_id, f.year, f.stage, f.latest) == (v.document_id, v.year, v.stage, v.latest)
    client = TestClient(app)
    for year, stage in {(v.year, v.stage) for v in versions.values()}:
        for sort in RANKED_FIGURES:
            body = client.get("/api/compare", params={"year": year, "stage": stage, "sort": sort}).json()
            got = [row["id"] for row in body["items"]]
            with Session(engine) as s:  # the figures 比较 computed for the new version included
                newest = s.scalars(
                    select(KeyFigures).where(KeyFigures.latest, KeyFigures.year == year, KeyFigures.stage == stage)
                ).all()
                value = {f.document_id: getattr(f, sort) for f in newest}
            assert sorted(got) == sorted(value) and len(got) == body["total"], (year, stage, sort)
            assert got == sorted(got, key=lambda d: (value[d] is None, -(value[d] or 0), d)), sort


def _scan(s: Session, q: str) -> tuple[set[int], set[int]]:
    """The forms and project rows whose texts contain q, by a plain scan of the newest versions."""
    like = f"%{q}%"
    forms = set(
        s.scalars(
            select(FormRecord.id)
            .join(Version, Version.id == FormRecord.version_id)
            .where(
                Version.latest,
                or_(
                    FormRecord.project.like(like),
                    FormRecord.id.in_(
                        select(IndicatorRecord.form_id).where(
                            or_(IndicatorRecord.name.like(like), IndicatorRecord.value.like(like))
                        )
                    ),
                ),
            )
        )
    )
    rows = set(
        s.scalars(
            select(RowRecord.id)
            .join(TableRecord, TableRecord.id == RowRecord.table_id)
            .join(Version, Version.id == TableRecord.version_id)
            .where(
                Version.latest,
                TableRecord.kind.in_(("projects", "projects_carryover")),
                RowRecord.subtotal.is_(False),
                RowRecord.name.like(like),
            )
        )
    )
    return forms, rows


def _words(s: Session) -> list[str]:
    """Pieces of the stored texts, one to six characters long, taken at spread positions; and a miss."""
    texts = [t for t in s.scalars(select(IndicatorRecord.name).limit(40)) if t]
    texts += [t for t in s.scalars(select(FormRecord.project)) if t]
    words = {"不存在的项目名称", "（", "2023"}
    for i, t in enumerate(texts):
        n = 1 + i % 6
        start = (7 * i) % max(1, len(t) - n + 1)
        words.add(t[start : start + n])
    return sorted(w for w in words if w)


def test_project_search_answers_what_a_scan_answers(app):
    with Session(app.state.engine) as s:
        words = _words(s)
        assert len(words) > 20
        for w in words:
            total, items, capped = Q.projects(s, w, 10**6, 0)
            assert not capped, w
            if not Q.searchable(w):  # punctuation only: not looked up (a scan would read every name)
                assert (total, items) == (0, []), w
                continue
            forms, rows = _scan(s, w)
            assert total == len(forms) + len(rows), w
            assert sum(1 for i in items if i["source"] == "绩效目标表") == len(forms), w


def _texts(s: Session) -> dict[tuple[str, int], tuple[str | None, str | None]]:
    return {(e.kind, e.ref_id): (e.name, e.value) for e in s.scalars(select(SearchEntry))}


def test_search_entries_keep_their_sources_texts_and_the_migration_writes_the_same(app):
    """Each entry keeps the text it was made from (a search's LIKE test reads the entries alone, joining no form,
    indicator or row); revision 0023's backfill of a database indexed before it gives the same texts."""
    from alembic import command

    from budgetwatch.store.db import alembic_config, migrate
    from budgetwatch.store.views import drop_views

    engine = app.state.engine
    with Session(engine) as s:
        kept = _texts(s)
        forms = dict(s.execute(select(FormRecord.id, FormRecord.project)).all())
        indicators = {
            i: (n, v) for i, n, v in s.execute(select(IndicatorRecord.id, IndicatorRecord.name, IndicatorRecord.value))
        }
        rows = dict(s.execute(select(RowRecord.id, RowRecord.name)).all())
    assert {k for k, _ in kept} == {"form", "indicator", "row"}
    for (kind, ref), texts in kept.items():
        source = {"form": (forms.get(ref), None), "row": (rows.get(ref), None)}.get(kind) or indicators[ref]
        assert texts == source, (kind, ref)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        drop_views(conn)
        command.downgrade(cfg, "0022")
    migrate(engine)
    with Session(engine) as s:
        assert _texts(s) == kept
    with Session(engine) as s:  # and the search's statement joins nothing back
        statements = _selects(engine, TestClient(app), "/api/projects?q=" + quote("会议"))
    search_statement = next(st for st in statements if "search_entries" in st)
    assert not re.search(r"\b(performance_forms|indicators|table_rows)\b", search_statement)


def test_a_search_without_letters_or_digits_reads_nothing_and_says_why(app):
    """Only punctuation or spaces: no query of the documents at all, and the answer says why it is empty."""
    client = TestClient(app)
    for q in ("（", "  ", "——、"):
        selects = _selects(app.state.engine, client, "/api/projects?q=" + quote(q))
        assert [st for st in selects if "search_" in st or "performance_forms" in st] == [], q
        body = client.get("/api/projects", params={"q": q}).json()
        assert body["total"] == 0 and body["items"] == [] and "无法检索" in body["note"], q
    assert "无法检索" in client.get("/projects", params={"q": "（"}).text
    assert "note" not in client.get("/api/projects", params={"q": "会议"}).json()


def _selects(engine, client, url) -> list[str]:
    """The SELECT statements answering `url`."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().lower().startswith(("select", "with")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_lists_count_their_facets_without_reading_the_findings(app):
    """The 问题 list counts its five facets and its total from finding_totals (kept as findings are written),
    not by reading every finding (six scans once, then one), and reads its page's findings once; with a filter
    the totals do not hold (one document) it counts the findings left in one scan; a search looks the index up once (not once per use)."""
    client = TestClient(app)
    first = client.get("/api/findings").json()["items"][0]
    rule, doc = first["rule"], first["document"]["id"]
    for url in ("/api/findings", f"/findings?rule={rule}&status=open", "/api/findings?family=A&year=2023"):
        selects = _selects(app.state.engine, client, url)
        assert [st for st in selects if "count(" in st and " findings" in st] == [], url
        assert len([st for st in selects if "finding_totals" in st]) == 1, url
        # and the page's findings come with their decisions: not read again with their documents' others
        assert len([st for st in selects if "from findings" in st.lower()]) == 1, url
    selects = _selects(app.state.engine, client, f"/api/findings?document={doc}")
    assert len([st for st in selects if "count(" in st and " findings" in st]) == 1
    looked_up = [st for st in _selects(app.state.engine, client, "/api/projects?q=会议") if "search_" in st]
    assert len(looked_up) == 1, looked_up


def _counted_by_scan(s: Session) -> Counter:
    """The newest versions' findings counted per (region, year, rule, family, severity, status), one by one."""
    decided = {(d.document_id, d.fingerprint): d.status for d in s.scalars(select(DecisionRecord))}
    out: Counter = Counter()
    for f, v in s.execute(select(FindingRecord, Version).join(Version, Version.id == FindingRecord.version_id)):
        if v.latest:
            status = decided.get((v.document_id, f.fingerprint), "open")
            out[(v.region_code, v.year, f.rule, f.family, f.severity, status)] += 1
    return out


def _kept_counts(s: Session) -> tuple[Counter, Counter]:
    """(finding_totals, finding_tallies summed over documents), without the combinations counted down to 0."""
    out = []
    for t in (FindingTotal, FindingTally):
        c: Counter = Counter()
        for r in s.scalars(select(t)):
            c[(r.region_code, r.year, r.rule, r.family, r.severity, r.status)] += r.n
        out.append(+c)
    return out[0], out[1]


def test_the_counts_per_facet_follow_every_write(app, tmp_path):
    """finding_totals count what a scan of the findings counts after each kind of write: ingest and check (the
    fixture: one document in two versions), a decision, its undo, a new version not yet checked (its document's
    findings leave the lists), that version checked, and a region placed later."""
    engine, client = app.state.engine, TestClient(app)

    def agree(when: str) -> Counter:
        with Session(engine) as s:
            scan = _counted_by_scan(s)
            totals, tallies = _kept_counts(s)
        assert totals == scan == tallies, when
        return scan

    assert sum(agree("ingested and checked").values()) > 10
    f = client.get("/api/findings?limit=1").json()["items"][0]
    decision = {"status": "dismissed", "reason": "说明已补充", "by": "审查员"}
    assert client.post(f"/api/findings/{f['id']}/decision", json=decision).status_code == 200
    assert agree("decided")[next(k for k in agree("decided") if k[5] == "dismissed")] >= 1
    assert client.post(f"/api/findings/{f['id']}/undo", json={"by": "审查员"}).status_code == 200
    assert not any(k[5] == "dismissed" for k in agree("undone"))
    before = sum(agree("undone").values())
    again = tmp_path / "in" / SEEDS[1].name
    again.write_text(again.read_text(encoding="utf-8") + "\n（第二稿）\n", encoding="utf-8")
    ingest(engine, [again])
    assert sum(agree("a new version, not checked").values()) < before
    check_versions(engine)
    assert sum(agree("checked again").values()) == before
    with Session(engine) as s, s.begin():
        v = s.scalars(select(Version).where(Version.latest).order_by(Version.id)).first()
        assert v is not None
        v.region_code = "110101000" if v.region_code != "110101000" else "110102000"
    agree("a region placed")


# what documents hold grows with every page stored: never read whole, not even along an index
CONTENT = (
    "cells",
    "table_rows",
    "tables",
    "performance_forms",
    "indicators",
    "narrative_lines",
    "search_entries",
    "key_figures",
    "source_files",
)
# and the lists' own tables (versions, findings, decisions): never scanned sequentially
BIG = (*CONTENT, "findings", "document_versions", "finding_decisions", "finding_tallies", "key_figures")


def test_main_pages_use_indexes_on_postgresql(app):
    """Every query the main pages make, explained with sequential scans priced out of reach: a plan that
    still scans a big table sequentially has no index it could use, and one that walks a whole index of a
    content table reads every document's rows."""
    engine = app.state.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("EXPLAIN plans are PostgreSQL's")
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().lower().startswith(("select", "with")) and not executemany:
            seen.append((statement, parameters))

    client = TestClient(app)
    docs = client.get("/api/documents").json()["items"]
    unit, doc, rule = docs[0]["unit"], docs[0]["id"], client.get("/api/findings").json()["items"][0]["rule"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        for url in (
            "/",
            "/api/documents?year=2023&stage=budget",
            "/api/documents?level=区县级",
            "/findings",
            f"/api/findings?rule={rule}",
            "/api/findings?severity=error&year=2023",
            "/api/findings?status=open",
            f"/api/findings?document={doc}",
            "/compare?year=2023",
            "/api/compare?year=2023&sort=three_public",
            "/units",
            f"/api/units/{unit}",
            "/api/projects?q=预算联网",
            "/api/projects?q=会议",
            "/api/projects?q=会",
            "/projects?q=预算联网工作",
            "/api/projects?q=（",
            f"/api/documents/{doc}",
            f"/documents/{doc}",
            f"/documents/{doc}/tables/0.html",
            f"/documents/{doc}/forms/0.html",
            "/compare",
        ):
            assert client.get(url).status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(seen) > 30
    scans = []
    with engine.connect() as c:
        c.execute(text("set enable_seqscan = off"))
        raw = c.connection.dbapi_connection
        for statement, params in seen:
            with raw.cursor() as cur:
                cur.execute("explain " + statement, params)
                plan = [r[0] for r in cur.fetchall()]
            scans += [
                (table, how, statement[:160])
                for table, how in _full_scans(plan)
                if table in CONTENT or (how == "seq" and table in BIG)
            ]
    assert scans == [], "\n".join(f"{t} ({how}): {st}" for t, how, st in scans)


def test_search_reads_its_stored_tsvector_on_postgresql(app):
    """The search's look-up tests the tsvector stored with each entry (revision 0019), never one computed per
    row from its bigrams — what a scan or a recheck over the old expression index did for every entry."""
    engine = app.state.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("EXPLAIN plans are PostgreSQL's")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("analyze search_entries"))
    with Session(engine) as s:
        raw = s.connection().connection.dbapi_connection
        for q in ("预算联网", "会议", "会"):
            found = search.matching(s, q, Q.SEARCH_CAP)
            assert found is not None
            compiled = found.compile(engine)
            with raw.cursor() as cur:
                cur.execute("explain " + str(compiled), compiled.params)
                plan = "\n".join(r[0] for r in cur.fetchall())
            assert search.TERMS in plan and "array_to_tsvector" not in plan, plan
        assert search.matching(s, "（ ）", Q.SEARCH_CAP) is None


def test_a_common_words_search_stops_where_enough_entries_were_found_on_postgresql(app):
    """search_entries is hash-partitioned on PostgreSQL (revision 0021): a search that needs few entries of a
    word most entries hold reads the partitions in turn and stops — the later partitions' GIN indexes are never
    scanned — and what it reads are entries the word's full list holds."""
    engine = app.state.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    with Session(engine) as s:
        parts = s.scalar(text("select count(*) from pg_inherits where inhparent = 'search_entries'::regclass"))
        assert parts == search.PARTS
        # the bigram most entries hold
        held = Counter(g for gs in s.scalars(select(SearchEntry.grams)) for g in set(gs.split()) if len(g) == 2)
        word = held.most_common(1)[0][0]
        every = s.execute(search.matching(s, word, 10**6)).all()
        assert len(every) > 5 * search.PARTS  # common enough that each partition holds some
        few = search.matching(s, word, 3)
        compiled = few.compile(engine)
        raw = s.connection().connection.dbapi_connection
        with raw.cursor() as cur:  # a few rows per partition: priced as on a big database, through the index
            cur.execute("set enable_seqscan = off")
            cur.execute("explain (analyze, costs off, timing off) " + str(compiled), compiled.params)
            plan = [r[0] for r in cur.fetchall()]
        scanned = [ln for ln in plan if "Bitmap Index Scan" in ln and "never executed" not in ln]
        skipped = [ln for ln in plan if "Bitmap Index Scan" in ln and "never executed" in ln]
        assert len(scanned) < search.PARTS and len(scanned) + len(skipped) == search.PARTS, "\n".join(plan)
        got = s.execute(few).all()
        assert len(got) == 3 and set(got) <= set(every)


def _full_scans(plan: list[str]) -> list[tuple[str, str]]:
    """(table, how) for each table a plan reads whole: "seq" for a sequential scan, "walk" for an index scan
    with no condition (the whole index read for its order)."""
    out = []
    for i, line in enumerate(plan):
        m = re.search(r"(Seq Scan|Index Scan|Index Only Scan)(?: Backward)? (?:using \w+ )?on (\w+)", line)
        if not m:
            continue
        depth = len(line) - len(line.lstrip(" ->"))
        detail = []
        for nxt in plan[i + 1 :]:
            if nxt.lstrip().startswith("->") or len(nxt) - len(nxt.lstrip()) < depth:
                break
            detail.append(nxt.strip())
        table = search.table_named(m.group(2))  # a partition of search_entries counts as search_entries
        if m.group(1) == "Seq Scan":
            out.append((table, "seq"))
        elif not any(d.startswith("Index Cond") for d in detail):
            out.append((table, "walk"))
    return out


def test_postgresql_sessions_price_random_pages_as_cached_unless_the_url_says(db_url):
    """The planner's random_page_cost is 1.1 in the app's sessions (store/db.PG_SESSION: at the default 4 a page
    of a rare rule's findings hashed every newest version instead of looking its few up by key); a URL's own
    `options` keep the server's say."""
    if not db_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL setting")
    from budgetwatch.store.db import make_engine

    for url, want in ((db_url, "1.1"), (db_url + "?options=-c%20random_page_cost%3D3", "3")):
        engine = make_engine(url)
        with engine.connect() as c:
            assert c.execute(text("show random_page_cost")).scalar() == want
        engine.dispose()
