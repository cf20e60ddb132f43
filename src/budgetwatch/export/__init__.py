"""export/: documents as canonical JSON, CSV (one row per cell) and XLSX (one sheet per table)."""

from .writers import COLUMN_LABELS, to_csv, to_json, to_xlsx

__all__ = ["COLUMN_LABELS", "to_csv", "to_json", "to_xlsx"]
