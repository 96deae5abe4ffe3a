"""Render benchmark: warm time per leaflet (render + verify), tagging share, PDF size.

Cold start is measured by ``benchmarks/coldstart.py``.

Run from the repository root: ``python3 benchmarks/render.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from pypdf import PdfReader

from rxleaflet.check import CheckOptions, check_pdf
from rxleaflet.cli import COLLECTOR_THRESHOLDS
from rxleaflet.contract import expectations_for
from rxleaflet.pipeline import RenderOptions, build, prepare
from rxleaflet.render import document, flowables, pdfobjects, render_pdf, tagging
from rxleaflet.source.library import source_files

LIBRARY = Path(__file__).resolve().parents[1] / "leaflets"


def best_of(repeat: int, function) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)  # the least-disturbed run: timer noise only ever adds


@contextlib.contextmanager
def untagged() -> Iterator[None]:
    """Rendering with marked content and the structure tree switched off, for comparison."""

    @contextlib.contextmanager
    def no_content(self, canvas, node):
        yield

    @contextlib.contextmanager
    def no_artifact(canvas, kind="Layout", subtype=None):
        yield

    saved = (
        tagging.Tagger.content,
        document.artifact,
        flowables.artifact,
        pdfobjects.write_structure_tree,
    )
    tagging.Tagger.content = no_content
    document.artifact = flowables.artifact = no_artifact
    pdfobjects.write_structure_tree = lambda canvas, tagger, page_map: None
    try:
        yield
    finally:
        (
            tagging.Tagger.content,
            document.artifact,
            flowables.artifact,
            pdfobjects.write_structure_tree,
        ) = saved


def measure(source: Path, options: RenderOptions, repeat: int) -> float:
    """Print one leaflet's row; return its warm total time."""
    leaflet = prepare(source, options)
    build(leaflet)  # warm: fonts registered, modules imported
    pdf = render_pdf(leaflet)
    expected = expectations_for(leaflet, "letter")
    t_render = best_of(repeat, lambda: render_pdf(leaflet))
    checks = CheckOptions(allow_expired=True)
    t_verify = best_of(repeat, lambda: check_pdf(pdf, expected=expected, options=checks))
    t_total = best_of(repeat, lambda: build(prepare(source, options)))
    with untagged():
        t_untagged = best_of(repeat, lambda: render_pdf(leaflet))
    share = (t_render - t_untagged) / t_render * 100
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"{source.stem:32} {pages:5} {len(pdf) / 1024:6.1f} {t_render * 1000:6.1f}ms"
        f" {t_verify * 1000:6.1f}ms {t_total * 1000:6.1f}ms {t_untagged * 1000:7.1f}ms"
        f" {share:7.1f}%"
    )
    return t_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    gc.set_threshold(*COLLECTOR_THRESHOLDS)  # as the CLI's processes run
    options = RenderOptions(allow_expired=True)
    print(
        f"{'leaflet':32} {'pages':>5} {'KiB':>6} {'render':>8} {'verify':>8} {'total':>8}"
        f" {'untagged':>9} {'tagging':>8}"
    )
    totals = [measure(source, options, args.repeat) for source in source_files(LIBRARY)]
    print(
        f"warm mean per leaflet (load+check+render+verify): {statistics.mean(totals) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
