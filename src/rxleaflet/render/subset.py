"""A TrueType font's subset for one PDF: ReportLab's subsetter, with the font's own data read
once per process.

ReportLab's ``TTFontFile.makeSubset`` reads every glyph it keeps (and each composite glyph's
components) through Python calls one number at a time, and copies the font's fixed tables
(name, OS/2, hinting) again for every subset: about half a millisecond per font of every
leaflet. Here a glyph's bytes and its components, and those tables, are read the first time a
process needs them and kept with the font face (font data, the same for every leaflet: never
the leaflet's text or which glyphs it uses). The subset file is byte for byte ReportLab's
(tests/test_render.py compares the two). Pinned: reportlab 5.1.x.
"""

from __future__ import annotations

from itertools import chain
from struct import pack
from typing import Any

from reportlab.pdfbase import ttfonts

from . import sfnt

_COPIED_TABLES = ("name", "OS/2", "cvt ", "fpgm", "prep")  # as the font has them
_GLYPHS_KEPT = 5_000  # per face (a Chinese leaflet uses hundreds of its 65,535): a few MB at most

REPORTLAB_MAKE_SUBSET = ttfonts.TTFontFile.makeSubset  # ReportLab's own, for comparison
Glyph = tuple[bytes, tuple[tuple[int, int], ...]]  # its bytes; (offset, glyph) per component


def _glyph(face: Any, index: int) -> Glyph:
    """Glyph ``index`` of ``face``: its bytes, and for a composite glyph where each component's
    glyph index sits in them and which glyph it names."""
    kept: dict[int, Glyph] = face.__dict__.setdefault("rxleaflet_glyphs", {})
    found = kept.get(index)
    if found is not None:
        return found
    start = face.get_table_pos("glyf")[0] + face.glyphPos[index]
    data = face._ttf_data[start : start + face.glyphPos[index + 1] - face.glyphPos[index]]
    components = [(at + 2, component) for at, _end, _flags, component in sfnt.components(data)]
    if len(kept) >= _GLYPHS_KEPT:
        kept.clear()
    found = kept[index] = (data, tuple(components))
    return found


def _table(face: Any, tag: str) -> bytes | None:
    """The font's table ``tag`` (None when it has none), read once."""
    kept: dict[str, bytes | None] = face.__dict__.setdefault("rxleaflet_tables", {})
    if tag not in kept:
        try:
            start, length = face.get_table_pos(tag)
        except KeyError:
            kept[tag] = None
        else:
            kept[tag] = face._ttf_data[start : start + length]
    return kept[tag]


def make_subset(face: Any, subset: list[int]) -> bytes:
    """``face.makeSubset(subset)``: the TrueType file of the glyphs of ``subset`` (code points,
    the n-th drawn with code n), the same bytes as ReportLab's."""
    output = ttfonts.TTFontMaker()
    char_to_glyph = face.charToGlyph
    originals = [char_to_glyph.get(code, 0) for code in subset]  # each code's old glyph
    # new glyph index → old glyph index, in order of first use; 0, the missing glyph, first
    glyph_map = list(dict.fromkeys([0, *originals]))
    glyph_set = {original: new for new, original in enumerate(glyph_map)}  # and back
    kept: dict[int, Glyph] = face.__dict__.setdefault("rxleaflet_glyphs", {})
    entries: list[Glyph] = []  # each glyph of glyph_map: its bytes and components
    index = 0
    while index < len(glyph_map):  # and the glyphs composite glyphs are made of
        original = glyph_map[index]
        entry = kept.get(original) or _glyph(face, original)
        entries.append(entry)
        for _, component in entry[1]:
            if component not in glyph_set:
                glyph_set[component] = len(glyph_map)
                glyph_map.append(component)
        index += 1

    for tag in _COPIED_TABLES:
        table = _table(face, tag)
        if table is not None:
            output.add(tag, table)
    post = _table(face, "post")
    output.add("post", b"\x00\x03\x00\x00" + post[4:16] + b"\x00" * 16)  # type: ignore[index]

    count = len(glyph_map)
    metrics = face.hmetrics
    hmtx = list(map(int, chain.from_iterable(map(metrics.__getitem__, glyph_map))))  # in C
    n = len(hmtx) - 2  # a run of equal advances at the end is written once
    while n and hmtx[n] == hmtx[n - 2]:
        n -= 2
    n += 2
    hmtx = hmtx[:n] + hmtx[n + 1 :: 2]
    output.add("hmtx", pack(f">{len(hmtx)}H", *hmtx))
    output.add("hhea", ttfonts._set_ushort(_table(face, "hhea"), 34, n >> 1))
    output.add("maxp", ttfonts._set_ushort(_table(face, "maxp"), 4, count))

    cmap = [0, 1, 1, 0, 0, 12, 6, 10 + len(subset) * 2, 0, 0, len(subset)]
    cmap += map(glyph_set.__getitem__, originals)
    output.add("cmap", pack(f">{len(cmap)}H", *cmap))

    offsets = []
    glyphs = []
    position = 0
    for data, components in entries:
        offsets.append(position)
        if components:  # the components renumbered
            edited = bytearray(data)
            for at, component in components:
                edited[at : at + 2] = pack(">H", glyph_set[component])
            data = bytes(edited)
        glyphs.append(data)
        position += len(data)
        if position % 4:
            padding = 4 - position % 4
            glyphs.append(b"\0" * padding)
            position += padding
    offsets.append(position)
    output.add("glyf", b"".join(glyphs))
    if (position + 1) >> 1 > 0xFFFF:
        long_offsets = 1
        loca = pack(f">{len(offsets)}L", *offsets)
    else:
        long_offsets = 0
        loca = pack(f">{len(offsets)}H", *(offset >> 1 for offset in offsets))
    output.add("loca", loca)
    output.add("head", ttfonts._set_ushort(_table(face, "head"), 50, long_offsets))
    return output.makeStream()  # type: ignore[no-any-return]
