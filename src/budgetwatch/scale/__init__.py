"""Running the pipeline on many machines (PySpark)."""
