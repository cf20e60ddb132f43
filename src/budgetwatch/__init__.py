"""budgetwatch — 人大预算联网监督系统: read, store, check and serve budget disclosures."""

__version__ = "0.1.0"
SCHEMA = "budgetwatch.extraction/v1"
