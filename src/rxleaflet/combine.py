"""One print-ready PDF of many leaflets: each on its own pages, starting on a right-hand page."""

from __future__ import annotations

from pathlib import Path

from .batch import PRODUCED, SKIPPED, BatchResult
from .check import CheckOptions, check_combined
from .contract import expectations_for
from .errors import VerificationError
from .output import write_atomic
from .pipeline import RenderOptions, prepare
from .render import render_combined


def write_combined(result: BatchResult, target: Path, options: RenderOptions) -> int:
    """Render, check and atomically write the leaflets ``result`` produced; return the pages."""
    sources = [Path(e.source) for e in result.entries if e.status in (PRODUCED, SKIPPED)]
    leaflets = [prepare(source, options) for source in sources]
    combined = render_combined(leaflets, options.paper)
    parts = [
        (leaflet.monograph.id, expectations_for(leaflet, options.paper), pages)
        for leaflet, pages in zip(leaflets, combined.ranges, strict=True)
    ]
    checks = CheckOptions(as_of=options.as_of, allow_expired=options.allow_expired)
    report = check_combined(combined.pdf, parts, checks)
    if report.errors:
        raise VerificationError([f.describe() for f in report.errors], path=target)
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):  # from a killed run
        leftover.unlink(missing_ok=True)
    write_atomic(target, combined.pdf)
    return report.pages or 0
