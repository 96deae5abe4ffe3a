"""Reading and checking PDFs, ours or anyone's: the only part of rxleaflet that imports pypdf.

It never imports the renderer: a checker that needed the writer could not be trusted to judge
it, and reviewers check other engines' PDFs with it too.
"""

from __future__ import annotations

from .checker import Report, check_combined, check_file, check_pdf
from .rules import ERROR, WARNING, CheckOptions, Finding

__all__ = [
    "ERROR", "WARNING", "CheckOptions", "Finding", "Report", "check_combined", "check_file",
    "check_pdf",
]  # fmt: skip
