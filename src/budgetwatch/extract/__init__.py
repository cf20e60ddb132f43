"""extract/: lines and cells → the canonical document model."""

from .document import extract_files, extract_lines

__all__ = ["extract_files", "extract_lines"]
