"""`check` of a 3-page leaflet, measured: the full check (pypdf reading, qpdf's second reading,
PDFium's pixel pass) against the in-pipeline read-back (no second reading, no pixels), rounds
alternated so machine load falls on both alike. Median and spread of each, and peak RSS.

Run from the repository root: ``PYTHONPATH=src python3 benchmarks/check.py [ROUNDS]``.
"""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import sys
import time
from pathlib import Path

from rxleaflet.check import CheckOptions, check_pdf
from rxleaflet.pipeline import RenderOptions, build, prepare, read_back_options

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 11, 1)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    source = REPO / "leaflets" / "ibuprofen-medication-guide.yaml"
    pdf = build(prepare(source, RenderOptions(as_of=AS_OF)), "letter", AS_OF).pdf
    modes = {
        "full check": CheckOptions(as_of=AS_OF),
        "read-back": read_back_options(AS_OF, allow_expired=False),
    }
    times: dict[str, list[float]] = {name: [] for name in modes}
    for options in modes.values():  # warm-up: imports, PDFium, fonts
        assert check_pdf(pdf, options=options).passed
    for _ in range(rounds):
        for name, options in modes.items():
            start = time.perf_counter()
            check_pdf(pdf, options=options)
            times[name].append((time.perf_counter() - start) * 1000)
    pages = check_pdf(pdf, options=modes["read-back"]).pages
    print(f"{source.name}: {pages} pages, {rounds} rounds")
    for name, values in times.items():
        low, high = min(values), max(values)
        print(f"  {name:10}  median {statistics.median(values):6.1f} ms  ({low:.1f}–{high:.1f})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
