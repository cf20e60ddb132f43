"""analysis/: figures derived from checked documents — key totals per document, a unit across years,
peers side by side."""
