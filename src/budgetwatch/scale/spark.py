"""Scale-out on PySpark: a province's (or the nation's) disclosures read, extracted and checked on a cluster,
written as Parquet for Spark SQL, DuckDB or the database.

Each task takes one file and runs the same code as `budgetwatch ingest`: read → extract → the per-document
checks (families A–E); files holding only a 说明 or only tables are then paired within their folder, as
`ingest` pairs them, in a second stage. The comparisons across
documents (family F: the unit's previous year, its peers) need the whole base and stay with `budgetwatch
check` on the database. Output, one Parquet dataset each:

    documents/  key, files, unit, year, stage, scope, region, level, tables, forms, key figures (万元)
    cells/      key, table, table_kind, table_title, money_unit, row, code, name, side, column, amount, printed, page, line
    findings/   key, rule, family, severity, message, suggestion, table_title, row_code, row_name, column,
                value, expected, difference, money_unit, page, line
    failures/   files, message (a file refused with its reason; the run goes on)
"""

from __future__ import annotations

from pathlib import Path

from ..model import KEY_FIGURES

DOCUMENT_FIELDS = (
    "key",
    "files",
    "unit",
    "year",
    "stage",
    "scope",
    "region",
    "level",
    "tables",
    "forms",
    *KEY_FIGURES,
    "staff",
)
CELL_FIELDS = (
    "key",
    "table",
    "table_kind",
    "table_title",
    "money_unit",
    "row",
    "code",
    "name",
    "side",
    "column",
    "amount",
    "printed",
    "page",
    "line",
)
FINDING_FIELDS = (
    "key",
    "rule",
    "family",
    "severity",
    "message",
    "suggestion",
    "table_title",
    "row_code",
    "row_name",
    "column",
    "value",
    "expected",
    "difference",
    "money_unit",
    "page",
    "line",
)


def file_records(path: str, alone: bool = False) -> list[tuple[str, dict]]:
    """What one file yields, as (dataset, record) pairs — plain Python run inside a Spark task (and testable
    without Spark). A file of a folder holding only a 说明 or only tables waits for its partner: ("waiting", …);
    a file named on its own (`alone`) is a document by itself, as in `ingest`."""
    from ..extract.pairing import profile

    p = Path(path)
    if alone:
        return document_records([p], {})
    pr = profile(p)
    if pr is not None and (pr.narrative_only or pr.tables_only):
        return [("waiting", {"folder": str(p.parent), "path": path})]
    return document_records([p], {p: pr.source} if pr is not None else {})


def paired_records(paths: list[str]) -> list[tuple[str, dict]]:
    """The waiting files of one folder, paired (as `ingest` pairs them) and then extracted and checked."""
    from ..extract.pairing import read_documents

    out: list[tuple[str, dict]] = []
    for group, sources in read_documents([Path(p) for p in sorted(paths)]):
        out.extend(document_records(group, sources))
    return out


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
    doc, figures = checked.doc, checked.figures
    key = document_key(doc)
    out: list[tuple[str, dict]] = [
        (
            "documents",
            {
                "key": key,
                "files": names,
                "unit": doc.unit,
                "year": doc.year,
                "stage": doc.stage,
                "scope": doc.scope,
                **document_place(doc),
                "tables": len(doc.tables),
                "forms": len(doc.forms),
                **{k: figures[k] for k in DOCUMENT_FIELDS if k in figures},
            },
        )
    ]
    for ti, t in enumerate(doc.tables):
        for ri, r in enumerate(t.rows):
            for col, amount in r.values.items():
                out.append(
                    (
                        "cells",
                        {
                            "key": key,
                            "table": ti,
                            "table_kind": t.kind,
                            "table_title": t.title,
                            "money_unit": t.money_unit,
                            "row": ri,
                            "code": r.code,
                            "name": r.name,
                            "side": r.side,
                            "column": col,
                            "amount": amount,
                            "printed": r.printed.get(col),
                            "page": r.page,
                            "line": r.line,
                        },
                    )
                )
    for f in checked.findings:  # family F (across documents) needs the whole base: budgetwatch check
        out.append(("findings", {"key": key, **{k: getattr(f, k) for k in FINDING_FIELDS if k != "key"}}))
    return out


def _schemas():
    from pyspark.sql.types import ArrayType, DoubleType, IntegerType, LongType, StringType, StructField, StructType

    s, i, d = StringType(), IntegerType(), DoubleType()
    types = {
        "files": ArrayType(s),
        "year": i,
        "tables": i,
        "forms": i,
        "staff": LongType(),
        "table": i,
        "row": i,
        "amount": d,
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
        "cells": schema(CELL_FIELDS),
        "findings": schema(FINDING_FIELDS),
        "failures": schema(("files", "message")),
    }


def run(paths: list[str | Path], out: str | Path, master: str = "local[*]", partitions: int | None = None) -> dict:
    """Read, extract and check every disclosure under `paths` on Spark; write Parquet under `out`.
    Returns the number of records of each dataset, and under "failed" the first refusals' messages."""
    import os
    import sys

    from pyspark.sql import SparkSession

    from ..pipeline import candidate_files

    files = [(str(f), f == key) for key, fs in candidate_files(paths).items() for f in fs]
    if not files:
        raise ValueError(f"{', '.join(map(str, paths))}: no disclosure files found")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # local workers: this Python, with budgetwatch
    spark = (
        SparkSession.builder.master(master)
        .appName("budgetwatch")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        first = (
            spark.sparkContext.parallelize(files, partitions or min(len(files), 1024))
            .flatMap(lambda fa: file_records(*fa))
            .cache()
        )
        paired = (
            first.filter(lambda r: r[0] == "waiting")
            .map(lambda r: (r[1]["folder"], r[1]["path"]))
            .groupByKey()
            .flatMap(lambda kv: paired_records(list(kv[1])))
        )
        records = first.filter(lambda r: r[0] != "waiting").union(paired).cache()
        counts = {}
        for name, schema in _schemas().items():
            rows = records.filter(lambda r, n=name: r[0] == n).map(
                lambda r, fields=schema.fieldNames(): tuple(r[1].get(f) for f in fields)
            )
            df = spark.createDataFrame(rows, schema)
            df.write.mode("overwrite").parquet(str(Path(out) / name))
            counts[name] = spark.read.parquet(str(Path(out) / name)).count()
        counts["failed"] = [r[1]["message"] for r in records.filter(lambda r: r[0] == "failures").take(20)]
        return counts
    finally:
        spark.stop()
