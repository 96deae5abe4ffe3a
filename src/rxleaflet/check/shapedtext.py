"""Whether spans drawn in a shaped face show the glyphs HarfBuzz makes of their ActualText.

A left-to-right run (Devanagari, Bengali, Gurmukhi) is one span, its glyphs drawn in HarfBuzz's
order: compared exactly. A right-to-left run (Arabic script) is drawn cluster by cluster in
logical order, a span per character, so that extractors that read a span's text left to right
still read it right: there, the spans' ActualText together is shaped once (letters join across
the spans), the glyphs drawn must be the glyphs HarfBuzz makes (the same glyphs, as many
times), and each glyph must be drawn in a span whose characters belong to the glyph's cluster —
a letter's glyph cannot be moved to another letter's span. The face's empty glyphs (a joiner's,
or the placeholder drawn for the second character of a cluster) are not counted.
"""

from __future__ import annotations

import bisect
from collections import Counter

from .bundled import BundledFace


def shows_shaping(face: BundledFace, spans: list[tuple[str, list[int]]]) -> bool:
    """``spans``: (ActualText, glyph ids drawn), in the order drawn."""
    text = "".join(actual for actual, _ in spans)
    shaped = face.shaped_clusters(text)
    if len(spans) == 1:
        return tuple(gid for _, gid in shaped) == tuple(spans[0][1])
    starts = sorted({cluster for cluster, _ in shaped})
    expected = Counter(gid for _, gid in shaped if not face.empty_glyph(gid))
    drawn: Counter[int] = Counter()
    at, first, end = 0, 0, 0
    for actual, glyphs in spans:
        if actual:  # an empty span (a cluster's marks) belongs with the span before it
            first, end = at, at + len(actual)
            at = end
        allowed = {
            gid for cluster, gid in shaped if _overlaps(starts, cluster, len(text), first, end)
        }
        for gid in glyphs:
            if face.empty_glyph(gid):
                continue
            if gid not in allowed:
                return False
            drawn[gid] += 1
    return drawn == expected


def _overlaps(starts: list[int], cluster: int, length: int, first: int, end: int) -> bool:
    """The cluster starting at ``cluster`` shares a character with ``[first, end)``."""
    index = bisect.bisect_right(starts, cluster)
    cluster_end = starts[index] if index < len(starts) else length
    return cluster < end and first < cluster_end
