"""Drawing leaflets as tagged PDF: the only part of rxleaflet that imports ReportLab."""

from __future__ import annotations

from .document import Combined, page_size, render_combined, render_pdf
from .layout import Typography

__all__ = ["Combined", "Typography", "page_size", "render_combined", "render_pdf"]
