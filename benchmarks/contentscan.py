"""The content scanner alone: time per page and per operator over bundled leaflets' pages.

Run from the repository root::

    PYTHONPATH=src python3 benchmarks/contentscan.py [--rounds N] [LEAFLET ...]

Each leaflet (default: metformin, the monograph, and metformin-ar, shaped right-to-left text
with an ActualText span per glyph cluster) is rendered once in this process, which reads every
page back through ``scan_page``; those pages' content and resources are kept, and then scanned
again ``--rounds`` times. Reported: the fastest round's time per leaflet and per operator (the
round's minimum, as the machine's other load only ever adds).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import re
import time
from pathlib import Path

from rxleaflet.check import contentscan, pdfread
from rxleaflet.contract import RenderOptions, prepare
from rxleaflet.pipeline import build

LIBRARY = Path(__file__).resolve().parents[1] / "leaflets"
OPERATOR = re.compile(rb"(?<![/\w])[A-Za-z'\"][A-Za-z0-9*'\"]*(?=[\s\[\]()<>/%]|$)")


def pages_of(leaflet: str) -> list[tuple[bytes, contentscan.Resources]]:
    """The content and resources of every page ``leaflet``'s render reads back."""
    seen: list[tuple[bytes, contentscan.Resources]] = []
    original = contentscan.scan_page

    def recording(content, resources, deadline=None):  # type: ignore[no-untyped-def]
        found = original(content, resources, deadline)
        seen.append((content, copy.copy(resources)))  # the fonts resolved by now
        return found

    pdfread.scan_page = recording  # type: ignore[attr-defined]
    try:
        options = RenderOptions(as_of=dt.date(2026, 1, 1))
        build(prepare(LIBRARY / f"{leaflet}.yaml", options), "letter")
    finally:
        pdfread.scan_page = original  # type: ignore[attr-defined]
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("leaflets", nargs="*", default=["metformin", "metformin-ar"])
    parser.add_argument("--rounds", type=int, default=20)
    arguments = parser.parse_args()
    for leaflet in arguments.leaflets:
        pages = pages_of(leaflet)
        operators = sum(len(OPERATOR.findall(content)) for content, _ in pages)
        fastest = float("inf")
        for _ in range(arguments.rounds):
            start = time.perf_counter()
            for content, resources in pages:
                contentscan.scan_page(content, resources)
            fastest = min(fastest, time.perf_counter() - start)
        print(
            f"{leaflet}: {len(pages)} pages, {operators} operators: {fastest * 1000:.2f} ms a "
            f"leaflet, {fastest / max(1, operators) * 1e6:.2f} µs an operator"
        )


if __name__ == "__main__":
    main()
