"""The full-text index behind 项目 search: every project name (project tables and performance forms) and
every indicator of the newest versions, as overlapping character bigrams in `search_entries`, indexed by
the back-end's own full-text machinery — SQLite FTS5 (`search_fts`, external content), PostgreSQL a GIN
index over the bigrams as a tsvector stored beside them (`grams_tsv`, a generated column: the planner has its
statistics and no row's tsvector is computed at search time). Kept on ingest (`index_version`), so a search
reads the matches only.

Bigrams rather than FTS5's trigram tokenizer or pg_trgm: the words people look for in Chinese are mostly
two characters (信息, 培训, 会议), and a trigram index cannot answer a two-character pattern without a full
scan. The index only narrows: the caller keeps its exact `LIKE` test on the candidates — on the texts each
entry keeps (`name`, `value`), not on the forms, indicators and rows they came from — so the answers are those
of a scan.

On PostgreSQL the entries are split by hash of id into PARTS partitions, each under its own GIN index: a GIN
scan cannot stop early — it collects every match of a word into a bitmap before the first row is read — so a
word common to a province's documents (信息: 55,000 entries at 20k documents) cost the whole list even though a
search reads SEARCH_CAP entries. Partitioned, the scan stops at the partition where the cap is reached."""

from __future__ import annotations

import functools
import re

from sqlalchemy import Integer, bindparam, column, delete, inspect, select, text
from sqlalchemy.orm import Session

from .schema import FormRecord, IndicatorRecord, RowRecord, SearchEntry, TableRecord, Version, table_of

PROJECT_KINDS = ("projects", "projects_carryover")
FTS_TABLE = "search_fts"  # SQLite only: a virtual table and its shadow tables, not a model
TERMS = "grams_tsv"  # PostgreSQL only: the bigrams as a stored tsvector, a generated column the models do not declare
GIN_INDEX = "ix_search_entries_terms"  # PostgreSQL only: its GIN index
OLD_GIN_INDEX = "ix_search_entries_grams"  # revisions 0011–0018: a GIN index over the tsvector as an expression
PARTS = 16  # PostgreSQL only (revision 0021): search_entries hash-partitioned by id into these
PART_PREFIX = "search_entries_part_"  # the partitions' names, followed by their number


def backend_own(name: str) -> bool:
    """Whether a table, column or index is one back-end's own, made by the migrations and not the models: the
    full-text machinery (here) and 比较's ranking indexes (store/figures.py)."""
    from .figures import RANK_INDEX

    return name.startswith((FTS_TABLE, PART_PREFIX, RANK_INDEX)) or name in (TERMS, GIN_INDEX, OLD_GIN_INDEX)


def table_named(name: str) -> str:
    """The table a plan's relation belongs to: a partition's parent, or the name itself."""
    return "search_entries" if name.startswith(PART_PREFIX) else name


_SEGMENT = re.compile(r"[^\W_]+")  # letters and digits: what FTS5's unicode61 tokenizer keeps as one token


def grams(*texts: str | None) -> list[str]:
    """Each run of letters and digits as its overlapping bigrams plus its last character (so that one
    character is a prefix of some token), lower-cased."""
    out: list[str] = []
    for t in texts:
        for seg in _SEGMENT.findall((t or "").lower()):
            out.extend(seg[i : i + 2] for i in range(len(seg) - 1))
            out.append(seg[-1])
    return out


def _add_terms(conn, table: str) -> None:
    conn.execute(
        text(
            f"alter table {table} add column if not exists {TERMS} tsvector "
            "generated always as (array_to_tsvector(string_to_array(grams, ' '))) stored"
        )
    )


def create_index(conn) -> None:
    """The back-end's index over `search_entries.grams` (run by the migration that makes the table)."""
    if conn.dialect.name == "sqlite":
        conn.execute(
            text(
                f"create virtual table if not exists {FTS_TABLE} using fts5(grams, content='search_entries', "
                "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
            )
        )
    elif conn.dialect.name == "postgresql":
        _add_terms(conn, "search_entries")
        conn.execute(text(f"create index if not exists {GIN_INDEX} on search_entries using gin ({TERMS})"))


_COLUMNS = "id, version_id, kind, ref_id, form_id, grams"


def _rebuild(conn, partitioned: bool) -> None:
    """search_entries made again, hash-partitioned by id or as one table, its rows, id sequence, keys and
    indexes (the models' names) kept: a table cannot be partitioned in place."""
    x = conn.execute
    x(text("alter sequence search_entries_id_seq owned by none"))
    x(
        text(
            "create table search_entries_new (id integer not null default nextval('search_entries_id_seq'), "
            "version_id integer not null, kind varchar(16) not null, ref_id integer not null, form_id integer, "
            "grams text not null)" + (" partition by hash (id)" if partitioned else "")
        )
    )
    for k in range(PARTS if partitioned else 0):
        x(
            text(
                f"create table {PART_PREFIX}{k} partition of search_entries_new "
                f"for values with (modulus {PARTS}, remainder {k})"
            )
        )
    _add_terms(conn, "search_entries_new")  # before the rows: each row's tsvector computed as it is copied
    x(text(f"insert into search_entries_new ({_COLUMNS}) select {_COLUMNS} from search_entries"))
    x(text("drop table search_entries"))
    x(text("alter table search_entries_new rename to search_entries"))
    x(text("alter sequence search_entries_id_seq owned by search_entries.id"))
    x(text("alter table search_entries add constraint search_entries_pkey primary key (id)"))
    x(
        text(
            "alter table search_entries add constraint search_entries_version_id_fkey "
            "foreign key (version_id) references document_versions (id)"
        )
    )
    x(text("create index ix_search_entries_version_id on search_entries (version_id)"))
    create_index(conn)
    x(text("analyze search_entries"))


def partition(conn) -> None:
    """PostgreSQL: search_entries as PARTS hash partitions (revision 0021)."""
    _rebuild(conn, True)


def unpartition(conn) -> None:
    _rebuild(conn, False)


def drop_index(conn) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"drop table if exists {FTS_TABLE}"))
    elif conn.dialect.name == "postgresql":
        conn.execute(text(f"drop index if exists {GIN_INDEX}"))
        conn.execute(text(f"alter table search_entries drop column if exists {TERMS}"))


def _entries(db, version_id: int) -> list[dict]:
    out = []
    for fid, project in db.execute(
        select(FormRecord.id, FormRecord.project).where(FormRecord.version_id == version_id)
    ):
        out.append({"kind": "form", "ref_id": fid, "form_id": fid, "name": project, "grams": grams(project)})
    for iid, fid, name, value in db.execute(
        select(IndicatorRecord.id, IndicatorRecord.form_id, IndicatorRecord.name, IndicatorRecord.value)
        .join(FormRecord, FormRecord.id == IndicatorRecord.form_id)
        .where(FormRecord.version_id == version_id)
    ):
        entry = {"kind": "indicator", "ref_id": iid, "form_id": fid, "name": name, "value": value}
        out.append(entry | {"grams": grams(name, value)})
    for rid, name in db.execute(
        select(RowRecord.id, RowRecord.name)
        .join(TableRecord, TableRecord.id == RowRecord.table_id)
        .where(TableRecord.version_id == version_id, TableRecord.kind.in_(PROJECT_KINDS), RowRecord.subtotal.is_(False))
    ):
        out.append({"kind": "row", "ref_id": rid, "form_id": None, "name": name, "grams": grams(name)})
    return [{"value": None} | e | {"version_id": version_id, "grams": " ".join(e["grams"])} for e in out if e["grams"]]


def _dialect(db) -> str:
    return (db.get_bind() if isinstance(db, Session) else db).dialect.name


def _put(db, document_id: int, version_id: int, texts: bool = True) -> None:
    """Version `version_id` in the index in place of its document's other versions; without `texts`, the
    entries' bigrams only (a schema from before revision 0023, whose backfill writes them)."""
    sqlite = _dialect(db) == "sqlite"
    others = {"d": document_id, "v": version_id}
    if sqlite:  # an external-content FTS5 table is told what it forgets, with the text it had
        db.execute(
            text(
                f"insert into {FTS_TABLE}({FTS_TABLE}, rowid, grams) select 'delete', id, grams "
                "from search_entries where version_id in (select id from document_versions "
                "where document_id = :d and id != :v)"
            ),
            others,
        )
    db.execute(
        delete(SearchEntry).where(
            SearchEntry.version_id.in_(
                select(Version.id).where(Version.document_id == document_id, Version.id != version_id)
            )
        )
    )
    rows = _entries(db, version_id)
    if not texts:
        rows = [{k: v for k, v in e.items() if k not in ("name", "value")} for e in rows]
    if rows:
        db.execute(table_of(SearchEntry).insert(), rows)
        if sqlite:
            db.execute(
                text(
                    f"insert into {FTS_TABLE}(rowid, grams) select id, grams from search_entries where version_id = :v"
                ),
                {"v": version_id},
            )


def index_version(session: Session, v: Version) -> None:
    """Put version `v` (flushed) in the index in place of its document's older versions: search reads
    newest versions only."""
    _put(session, v.document_id, v.id)


def fill(conn) -> None:
    """Index every newest version (a migration's backfill: the table may not have the entries' texts yet)."""
    texts = "name" in {c["name"] for c in inspect(conn).get_columns("search_entries")}
    for vid, did in conn.execute(text("select id, document_id from document_versions where latest")).all():
        _put(conn, did, vid, texts)


def fill_texts(conn) -> None:
    """Each entry's texts copied from its form, indicator or row (revision 0023's backfill)."""
    of = "(select {} from {} x where x.id = search_entries.ref_id)"
    for kind, source, name, value in (
        ("form", "performance_forms", "project", None),
        ("indicator", "indicators", "name", "value"),
        ("row", "table_rows", "name", None),
    ):
        texts = f"name = {of.format(name, source)}" + (f", value = {of.format(value, source)}" if value else "")
        conn.execute(text(f"update search_entries set {texts} where kind = :k"), {"k": kind})


def matching(session: Session, q: str, limit: int):
    """A select of (id, kind, ref_id, form_id, name, value): of the entries whose bigrams hold those of `q` —
    a superset of the entries whose text contains `q` — the first `limit` the index yields (in no particular order: an order
    would read every match); None when `q` has no letter or digit to look up."""
    dialect = _dialect(session)
    query = terms(dialect, q)
    return None if query is None else matching_select(dialect).params(terms=query, cap=limit)


def terms(dialect: str, q: str) -> str | None:
    """The index's query for `q` (PostgreSQL's tsquery, SQLite's FTS5 MATCH): the bigrams of `q` as tokens;
    None when `q` has no letter or digit to look up."""
    wanted = grams(q)
    if not wanted:
        return None
    prefix = len(wanted) == 1  # one character: a prefix of some token
    # the last character of q ends a run in q, not necessarily in the text: only the others are tokens
    tokens = sorted(set(wanted if prefix else wanted[:-1]))
    if dialect == "postgresql":
        return " & ".join(f"'{t}'" + (":*" if prefix else "") for t in tokens)  # letters and digits only
    return " ".join(f'"{t}"' + ("*" if prefix else "") for t in tokens)


@functools.cache
def matching_select(dialect: str):
    """matching()'s select with the index's query (`terms`) and how many entries to read at most (`cap`) as
    parameters, built once per dialect."""
    E = SearchEntry
    found = select(E.id, E.kind, E.ref_id, E.form_id, E.name, E.value)
    if dialect == "postgresql":
        found = found.where(text(f"search_entries.{TERMS} @@ cast(:terms as tsquery)"))
    else:
        found = found.where(
            SearchEntry.id.in_(
                text(f"select rowid from {FTS_TABLE} where {FTS_TABLE} match :terms").columns(column("rowid", Integer))
            )
        )
    return found.limit(bindparam("cap"))
