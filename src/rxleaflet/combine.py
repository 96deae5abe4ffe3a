"""One print-ready PDF of many leaflets: each on its own pages, starting on a right-hand page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .batch import PRODUCED, SKIPPED, BatchResult
from .output import write_atomic
from .pipeline import RenderOptions, build_combined, prepare


def write_combined(
    result: BatchResult, target: Path, options: RenderOptions, signing: Any = None
) -> int:
    """Render, check and atomically write the leaflets ``result`` produced (signed with
    ``signing``, a loaded signing.SigningKey, when given); return the pages."""
    sources = [Path(e.source) for e in result.entries if e.status in (PRODUCED, SKIPPED)]
    leaflets = [prepare(source, options) for source in sources]
    pdf, pages = build_combined(leaflets, options.paper, options.as_of, path=target)
    if signing is not None:
        from .signing import sign_pdf

        pdf = sign_pdf(pdf, signing)
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):  # from a killed run
        leftover.unlink(missing_ok=True)
    write_atomic(target, pdf)
    return pages
