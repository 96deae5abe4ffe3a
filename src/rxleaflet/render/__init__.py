"""Drawing leaflets as tagged PDF: the only part of rxleaflet that imports ReportLab."""

from __future__ import annotations

from .. import deferred  # noqa: F401  (HarfBuzz loaded at its first use, not by ReportLab)
from .document import Combined, page_size, render_combined, render_pdf
from .layout import Typography

__all__ = ["Combined", "Typography", "page_size", "render_combined", "render_pdf"]
