"""Scale-out on PySpark: a province's (or the nation's) disclosures read, extracted and checked on a cluster,
written as Parquet for Spark SQL, DuckDB or the database.

Each task takes one file and runs the same code as `budgetwatch ingest`: read → extract → the per-document
checks (families A–E); files holding only a 说明 or only tables are then paired within their folder, as
`ingest` pairs them, in a second stage. Family F (the unit's previous year, its peers) is a third stage: each
document's key figures are joined to the others' by unit and by year and stage — never collected on the
driver — and its F rules run on what the first stage read (kept serialized on the executors' disks, each file
read once). The package is shipped to the executors as a zip (a cluster's workers need only the
dependencies); the output is a URI (file://, hdfs://, s3a://) joined as a string. Output, one Parquet dataset each,
the first three in folders by year and region (cells/year=2026/region=兴县/part-….parquet: one file each), read
with `spark.read.parquet(OUT/cells)` or DuckDB's `read_parquet('OUT/cells/**/*.parquet', hive_partitioning = true)`:

    documents/  key, files, unit, year, stage, scope, region, level, tables, forms, key figures (万元)
    cells/      key, year, region and model.FIGURE_FIELDS: table_no, table_kind, table_title, money_unit, row_no,
                side, code, name, gov_name, column, column_label, amount, printed, line, page (the CSV export's rows)
    findings/   key, year, region and the fields the store keeps (model.FINDING_COLUMNS, FINDING_AMOUNTS): rule,
                severity, message, family, confidence, page, line, file, table_kind, table_title, row_code,
                row_name, column, money_unit, suggestion, value, expected, difference
    failures/   files, message (a file refused with its reason; the run goes on)
"""

from __future__ import annotations

import pickle
from pathlib import Path

from ..model import DOCUMENT_KEYS, FIGURE_FIELDS, FINDING_AMOUNTS, FINDING_COLUMNS, KEY_FIGURES, figures

DOCUMENT_FIELDS = (
    "key",
    "files",
    *DOCUMENT_KEYS,
    "region",
    "level",
    "tables",
    "forms",
    *KEY_FIGURES,
    "staff",
)
CELL_FIELDS = ("key", *FIGURE_FIELDS)  # one record per figure, as the CSV export's rows (model.py)
FINDING_FIELDS = ("key", *FINDING_COLUMNS, *FINDING_AMOUNTS)  # as the store keeps a finding (model.py)
PARTITIONS = ("year", "region")  # documents, cells and findings are written in folders year=…/region=…/


def file_records(path: str, alone: bool = False) -> list[tuple[str, dict]]:
    """What one file yields, as (dataset, record) pairs — plain Python run inside a Spark task (and testable
    without Spark). A file of a folder holding only a 说明 or only tables waits for its partner: ("waiting", …)
    with what was read of it (the pairing reads it no second time); a file named on its own (`alone`) is a
    document by itself, as in `ingest`."""
    from ..extract.pairing import profile

    p = Path(path)
    if alone:
        return document_records([p], {})
    pr = profile(p)
    if pr is not None and (pr.narrative_only or pr.tables_only):
        return [("waiting", {"folder": str(p.parent), "path": path, "profile": pickle.dumps(pr)})]
    return document_records([p], {p: pr.source} if pr is not None else {})


def paired_records(waiting: list[dict]) -> list[list[tuple[str, dict]]]:
    """The waiting files of one folder, paired (as `ingest` pairs them) and then extracted and checked: the
    records of each document."""
    from ..extract.pairing import _pair

    profiles = sorted((pickle.loads(w["profile"]) for w in waiting), key=lambda pr: str(pr.path))
    return [document_records([pr.path for pr in g], {pr.path: pr.source for pr in g}) for g in _pair(profiles)]


def folder_pairs(waiting: list[tuple[tuple, dict]]) -> list[tuple[tuple, list]]:
    """(order, records) of the documents paired from one folder's waiting files ((order, record) each): after
    the folder's complete documents, in the order of the pairing, as `ingest` stores them."""
    folder = min(order for order, _ in waiting)[0]
    return [((folder, 1, j), recs) for j, recs in enumerate(paired_records([w for _, w in waiting]))]


def newest(a: tuple, b: tuple) -> tuple:
    """Of two documents with one key, the one `ingest` stores last (its newest version): (key, order, records)."""
    return a if a[1] > b[1] else b


def document_records(group: list[Path], sources: dict) -> list[tuple[str, dict]]:
    from ..errors import BudgetwatchError
    from ..extract.place import document_place
    from ..pipeline import extract_and_check
    from ..store.repository import document_key

    names = [str(p) for p in group]
    try:
        checked = extract_and_check(group, sources)
    except BudgetwatchError as e:
        return [("failures", {"files": names, "message": str(e)})]
    doc, key_figures = checked.doc, checked.figures
    key = document_key(doc)
    place = document_place(doc)
    where = {"year": doc.year, "region": place["region"]}  # the partitions each dataset is written in
    out: list[tuple[str, dict]] = [
        (
            "documents",
            {
                "key": key,
                "files": names,
                **{k: getattr(doc, k) for k in DOCUMENT_KEYS},
                **place,
                "tables": len(doc.tables),
                "forms": len(doc.forms),
                **{k: key_figures[k] for k in DOCUMENT_FIELDS if k in key_figures},
            },
        )
    ]
    out += [("cells", {"key": key, **where, **fig}) for fig in figures(doc)]
    out.extend(_finding_records(key, where, checked.findings))  # families A–E; F in the third stage
    head = {"key": key, "unit": doc.unit, "year": doc.year, "stage": doc.stage, "region": place["region"]}
    out.append(("checked", {**head, "figures": {k: key_figures.get(k) for k in KEY_FIGURES}, "doc": pickle.dumps(doc)}))
    return out


def _finding_records(key: str, where: dict, findings) -> list[tuple[str, dict]]:
    return [
        ("findings", {"key": key, **where, **{k: getattr(f, k) for k in FINDING_FIELDS if k != "key"}})
        for f in findings
    ]


def family_f_records(checked: dict, history: list[dict], peers: list[dict]) -> list[tuple[str, dict]]:
    """Family F of one document (a "checked" record of the first stages) against its neighbours' key figures,
    as `budgetwatch check` runs it on the database: the history is the same unit's other documents, the peers
    the other documents of its year and stage, each in document-key order."""
    from ..checks import RULES, run_checks
    from ..checks.view import Neighbour

    def near(rs: list[dict]) -> list[Neighbour]:
        return [Neighbour(r["unit"], r["year"], r["stage"], r["figures"]) for r in sorted(rs, key=lambda r: r["key"])]

    only = {r.id for r in RULES.values() if r.family == "F"}
    doc = pickle.loads(checked["doc"])
    found = run_checks(doc, history=near(history) if doc.unit else [], peers=near(peers), only=only)
    where = {"year": checked["year"], "region": checked["region"]}
    return _finding_records(checked["key"], where, [f for f in found if f.family == "F"])


def _schemas():
    from pyspark.sql.types import ArrayType, DoubleType, IntegerType, LongType, StringType, StructField, StructType

    s, i, d = StringType(), IntegerType(), DoubleType()
    types = {
        "files": ArrayType(s),
        "year": i,
        "tables": i,
        "forms": i,
        "staff": LongType(),
        "table_no": i,
        "row_no": i,
        "amount": d,
        "confidence": d,
        "page": i,
        "line": LongType(),
        "value": d,
        "expected": d,
        "difference": d,
    }
    money = set(KEY_FIGURES)

    def schema(fields):
        return StructType([StructField(f, d if f in money else types.get(f, s), True) for f in fields])

    return {
        "documents": schema(DOCUMENT_FIELDS),
        "cells": schema((*CELL_FIELDS, *PARTITIONS)),
        "findings": schema((*FINDING_FIELDS, *PARTITIONS)),
        "failures": schema(("files", "message")),
    }


def package_zip(where: Path) -> Path:
    """The budgetwatch package as a zip for `addPyFile` (the Python files: the extract and check path reads no
    data file of its own)."""
    import zipfile

    root = Path(__file__).resolve().parents[1]
    out = where / "budgetwatch.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(root.rglob("*.py")):
            z.write(f, Path("budgetwatch") / f.relative_to(root))
    return out


def _neighbours(checked, by, parts: int):
    """(document key, [its neighbours' heads]) by a join on `by` (unit, or year and stage), itself left out."""
    heads = checked.map(lambda r: {k: r[k] for k in ("key", "unit", "year", "stage", "figures")})
    keyed = heads.map(lambda h: (by(h), h)).filter(lambda kv: kv[0] is not None)
    return (
        keyed.map(lambda kv: (kv[0], kv[1]["key"]))
        .join(keyed, parts)
        .filter(lambda kv: kv[1][0] != kv[1][1]["key"])
        .map(lambda kv: kv[1])
        .groupByKey(parts)
        .mapValues(list)
    )


def _waiting(o: tuple) -> bool:
    """A file's records (order, records) that wait for their partner in the folder."""
    return bool(o[1]) and o[1][0][0] == "waiting"


def _of(name: str):
    return lambda r: r[0] == name


def _as_row(fields: list[str]):
    return lambda r: tuple(r[1].get(f) for f in fields)


def join_uri(base: str | Path, name: str) -> str:
    """`base`/`name` for a local path or a URI (a Path would turn s3a://b/out into s3a:/b/out)."""
    text = str(base)
    return f"{text.rstrip('/')}/{name}" if "://" in text else str(Path(text) / name)


def run(paths: list[str | Path], out: str | Path, master: str = "local[*]", partitions: int | None = None) -> dict:
    """Read, extract and check every disclosure under `paths` on Spark; write Parquet under `out`.
    Returns the number of records of each dataset, and under "failed" the first refusals' messages."""
    import os
    import sys
    import tempfile

    from pyspark import StorageLevel
    from pyspark.sql import SparkSession

    from ..pipeline import candidate_files

    # (order as ingest stores them: folder, complete documents before the folder's pairs, file), path, alone
    files = [
        ((k, 0, i), str(f), f == key)
        for k, (key, fs) in enumerate(candidate_files(paths).items())
        for i, f in enumerate(fs)
    ]
    if not files:
        raise ValueError(f"{', '.join(map(str, paths))}: no disclosure files found")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # local workers: this Python, with the dependencies
    spark = (
        SparkSession.builder.master(master)
        .appName("budgetwatch")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    tmp = tempfile.TemporaryDirectory(prefix="bw-spark-")  # the zip is served from here while the job runs
    try:
        spark.sparkContext.addPyFile(str(package_zip(Path(tmp.name))))
        parts = partitions or min(len(files), 1024)
        joins = max(1, min(parts, spark.sparkContext.defaultParallelism * 2))  # the key figures are small
        read = spark.sparkContext.parallelize(files, parts).map(lambda t: (t[0], file_records(t[1], t[2])))
        read = read.persist(StorageLevel.DISK_ONLY)  # each file read once; on disk, not evicted and read again
        waiting = read.filter(_waiting)
        paired = (
            waiting.map(lambda o: (o[1][0][1]["folder"], (o[0], o[1][0][1])))
            .groupByKey()
            .flatMap(lambda kv: folder_pairs(list(kv[1])))
        )
        done = read.filter(lambda o: not _waiting(o)).union(paired)
        failures = done.flatMap(lambda o: [r for r in o[1] if r[0] == "failures"])
        # one document per key, as the database keeps one newest version: the one ingest stores last
        docs = (
            done.filter(lambda o: any(r[0] == "checked" for r in o[1]))
            .map(lambda o: (next(r[1]["key"] for r in o[1] if r[0] == "checked"), o[0], o[1]))
            .map(lambda d: (d[0], d))
            .reduceByKey(newest, joins)
            .values()
            .persist(StorageLevel.DISK_ONLY)
        )
        records = docs.flatMap(lambda d: [r for r in d[2] if r[0] != "checked"]).union(failures)
        checked = docs.flatMap(lambda d: [r[1] for r in d[2] if r[0] == "checked"])
        history = _neighbours(checked, lambda h: h["unit"], joins)
        peers = _neighbours(checked, lambda h: (h["year"], h["stage"]), joins)
        family_f = (
            checked.map(lambda r: (r["key"], r))
            .leftOuterJoin(history, joins)
            .leftOuterJoin(peers, joins)
            .flatMap(lambda kv: family_f_records(kv[1][0][0], kv[1][0][1] or [], kv[1][1] or []))
        )
        # every record made once, by the first write, and kept on disk in a few partitions: the other writes
        # read it back (not the documents' pickles again), each dataset in a few files, not one per file-task
        rows = records.union(family_f).coalesce(joins).persist(StorageLevel.DISK_ONLY)
        counts: dict = {}
        for name, schema in _schemas().items():
            df = spark.createDataFrame(rows.filter(_of(name)).map(_as_row(schema.fieldNames())), schema)
            by = [c for c in PARTITIONS if c in schema.fieldNames()]  # failures have no year or region
            # one file per year and region, in its folder: a reader of one region's year opens only those
            (df.repartition(*by).write.partitionBy(*by) if by else df.coalesce(1).write).mode("overwrite").parquet(
                join_uri(out, name)
            )
            counts[name] = spark.read.parquet(join_uri(out, name)).count()
        counts["failed"] = [r[1]["message"] for r in rows.filter(_of("failures")).take(20)]
        return counts
    finally:
        spark.stop()
        tmp.cleanup()
