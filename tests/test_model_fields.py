"""One field list per model type (model.py), and the store's tables, the key figures and the findings
follow it: a field added to the model and not to the store (or the other way) fails here."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from budgetwatch.analysis.figures import key_figures
from budgetwatch.extract import extract_files
from budgetwatch.model import (
    DERIVED_FIGURES,
    FINDING_AMOUNTS,
    FINDING_COLUMNS,
    FINDING_DECISION,
    INDICATOR_COLUMNS,
    KEY_FIGURE_FIELDS,
    KEY_FIGURES,
    ROW_CELL_FIELDS,
    ROW_COLUMNS,
    Finding,
    Indicator,
    Row,
)
from budgetwatch.store.figures import VERSION_COPIES
from budgetwatch.store.schema import CellRecord, FindingRecord, IndicatorRecord, KeyFigures, RowRecord

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _columns(record) -> set[str]:
    return {c.name for c in record.__table__.columns}


def test_row_and_indicator_fields_are_the_store_columns():
    assert set(ROW_COLUMNS) | set(ROW_CELL_FIELDS) == {f.name for f in fields(Row)}
    assert set(ROW_COLUMNS) <= _columns(RowRecord)
    assert {"column_key", "amount", "printed", "ocr"} <= _columns(CellRecord)
    assert set(INDICATOR_COLUMNS) == {f.name for f in fields(Indicator)} and set(INDICATOR_COLUMNS) <= _columns(
        IndicatorRecord
    )


def test_table_form_and_version_fields_are_the_store_columns():
    """The fields the store keeps by TABLE_COLUMNS, FORM_COLUMNS and VERSION_COLUMNS are model fields and
    record columns: a field listed and not stored (or the other way) fails here."""
    from budgetwatch.model import FORM_COLUMNS, TABLE_COLUMNS, VERSION_COLUMNS, Document, Form, Table
    from budgetwatch.store.schema import FormRecord, TableRecord, Version

    for listed, model, record in (
        (TABLE_COLUMNS, Table, TableRecord),
        (FORM_COLUMNS, Form, FormRecord),
        (VERSION_COLUMNS, Document, Version),
    ):
        assert set(listed) <= {f.name for f in fields(model)} and set(listed) <= _columns(record), model.__name__


def test_finding_fields_are_the_store_columns():
    assert set(FINDING_COLUMNS) | set(FINDING_AMOUNTS) | set(FINDING_DECISION) | {"evidence"} == {
        f.name for f in fields(Finding)
    }
    assert set(FINDING_COLUMNS) | set(FINDING_AMOUNTS) | {"evidence", "fingerprint"} <= _columns(FindingRecord)


def test_key_figures_of_a_real_document_are_the_stored_fields():
    doc = extract_files([sorted(SAMPLES.glob("*.txt"))[0]])
    figures = key_figures(doc)
    assert list(figures) == [*KEY_FIGURES, "classes", *DERIVED_FIGURES]
    assert figures["income_total"] and figures["expenditure_total"]  # a real document has its totals
    # beside the figures, the version's columns 比较 ranks by (store/figures.py)
    assert _columns(KeyFigures) == {"version_id", "classes", *KEY_FIGURE_FIELDS, *VERSION_COPIES}


def test_one_figure_record_for_the_csv_export_and_spark():
    """A figure flattened with its row and table is model.FIGURE_FIELDS, and both the CSV export's rows and
    Spark's `cells` are that record: a field added there reaches both."""
    import csv
    import io

    from budgetwatch.export import to_csv
    from budgetwatch.model import DOCUMENT_KEYS, FIGURE_FIELDS, figures
    from budgetwatch.scale.spark import CELL_FIELDS, FINDING_FIELDS

    doc = extract_files([sorted(SAMPLES.glob("*.txt"))[0]])
    records = list(figures(doc))
    assert records and all(tuple(r) == FIGURE_FIELDS for r in records)
    assert len(records) == sum(len(r.values) for t in doc.tables for r in t.rows)
    rows = list(csv.DictReader(io.StringIO(to_csv([doc]).lstrip("\ufeff"))))
    assert list(rows[0]) == ["document", *DOCUMENT_KEYS, *FIGURE_FIELDS] and len(rows) == len(records)
    first = records[0]
    assert rows[0]["amount"] == str(first["amount"]) and rows[0]["table_title"] == doc.tables[0].title
    assert ("key", *FIGURE_FIELDS) == CELL_FIELDS
    assert set(FINDING_FIELDS) == {"key", *FINDING_COLUMNS, *FINDING_AMOUNTS}
