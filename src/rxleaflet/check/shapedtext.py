"""Whether spans drawn in a shaped face show the glyphs HarfBuzz makes of their ActualText
(glyphs compared as the face's canonical glyphs: those drawn alike count as one).

A left-to-right run (Devanagari, Bengali, Gurmukhi) is one span, its glyphs drawn in HarfBuzz's
order: compared exactly. A right-to-left run (Arabic script) is drawn cluster by cluster in
logical order, a span per character, so that extractors that read a span's text left to right
still read it right. There, the ActualText of the spans after one font selection (the renderer
selects the font at the start of every run) is shaped together, as letters join across spans;
the glyphs drawn must be the glyphs HarfBuzz makes (the same glyphs, as many times), and each
glyph must be drawn in a span whose characters belong to the glyph's cluster: a letter's glyph
cannot be moved to another letter's span. Glyphs that draw nothing (spaces, a joiner's glyph,
the placeholder drawn for the second character of a cluster) are not counted.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections import Counter

from .bundled import BundledFace

_STRONG = frozenset({"L", "R", "AL"})  # bidi classes that set a run's direction


def shows_shaping(
    face: BundledFace, spans: list[tuple[str, list[int]]], in_context: bool = False
) -> bool:
    """``spans``: (ActualText, glyph ids drawn), in the order drawn. Text with no letter of
    either direction (a bracket, a space: the neutrals of a right-to-left line, which HarfBuzz
    mirrors there) may be shaped in either direction. ``in_context``: another engine's span,
    which may cover part of what HarfBuzz shapes as one cluster (Typst's "क्" of "क्टि"): its
    glyphs may be the forms its text takes joined to what precedes or follows it (shaped
    with a zero-width joiner on either side), and some of them only."""
    text = "".join(actual for actual, _ in spans)
    ways = ("ltr", "rtl")
    if any(unicodedata.bidirectional(char) in _STRONG for char in text):
        ways = (None,)
    variants = [(way, "", "") for way in ways]
    if in_context and len(spans) == 1:
        variants += [(way, *joiners) for way in ways for joiners in _JOINED]
    for way, before, after in variants:
        shaped = _canonical(face, face.shaped_clusters(before + text + after, way))
        if _shows(face, spans, shaped) or (in_context and _part_of(face, spans, shaped)):
            return True
    return False


def _part_of(
    face: BundledFace, spans: list[tuple[str, list[int]]], shaped: tuple[tuple[int, int], ...]
) -> bool:
    """Another engine's span may cover some of its cluster's glyphs only (Typst leaves a
    Bengali cluster's last glyphs after the span, read by their own ToUnicode): every glyph
    it draws must still be one HarfBuzz makes of its text."""
    if len(spans) != 1:
        return False
    expected = Counter(gid for _, gid in shaped if not face.draws_nothing(gid))
    drawn = Counter(gid for gid in spans[0][1] if not face.draws_nothing(gid))
    return bool(drawn) and not drawn - expected


_JOINED = (("", "\u200d"), ("\u200d", ""), ("\u200d", "\u200d"))


def _canonical(
    face: BundledFace, shaped: tuple[tuple[int, int], ...]
) -> tuple[tuple[int, int], ...]:
    """Glyphs drawn alike count as one (``spans`` come with the face's canonical glyphs)."""
    return tuple((cluster, face.canonical(gid)) for cluster, gid in shaped)


def _shows(
    face: BundledFace, spans: list[tuple[str, list[int]]], shaped: tuple[tuple[int, int], ...]
) -> bool:
    text = "".join(actual for actual, _ in spans)
    if len(spans) == 1:
        expected = [gid for _, gid in shaped if not face.draws_nothing(gid)]
        return expected == [gid for gid in spans[0][1] if not face.draws_nothing(gid)]
    starts = sorted({cluster for cluster, _ in shaped})
    expected = Counter(gid for _, gid in shaped if not face.draws_nothing(gid))
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
            if face.draws_nothing(gid):
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
