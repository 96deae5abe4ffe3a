"""A shaped face's subset for one PDF, every glyph id kept in place.

A shaped run's content shows glyph ids (Identity-H, CIDToGIDMap Identity), so the embedded
program keeps each glyph at its id, up to the highest used; only the glyphs used (and the
components of composite ones) keep their outlines, the others are empty. Hinting is left out
(the glyphs' instructions and ``prep``), and so are the layout tables HarfBuzz has already used
(GSUB, GPOS, GDEF, ``meta``); the cmap keeps the BMP characters of the glyphs used, as Unicode
(0, 3) and Windows (3, 1), and ``post`` no glyph names. What fontTools' subsetter made with
``retain_gids`` (tests compare the outlines, advances and cmaps), read straight from the font's
bytes: fontTools took 25-55 ms per face for every shaped leaflet, most of its render.
"""

from __future__ import annotations

from collections.abc import Iterable
from struct import pack, unpack_from
from typing import Any

from reportlab.pdfbase import ttfonts

from ..source.coverage import read_cmap
from . import sfnt

_COPIED = ("OS/2", "STAT", "gasp", "name")  # as the face has them (those it has)
_HAVE_INSTRUCTIONS = 1 << 8


def gid_subset(data: bytes, gids: list[int]) -> tuple[bytes, dict[str, Any]]:
    """The TrueType font ``data`` with outlines for ``gids`` only, every glyph id kept in place;
    and its metrics for the font descriptor (thousandths of an em)."""
    tables = sfnt.tables(data)
    head, hhea, maxp = tables["head"], tables["hhea"], tables["maxp"]
    (units_per_em,) = unpack_from(">H", head, 18)
    (glyph_count,) = unpack_from(">H", maxp, 4)
    offsets = sfnt.glyph_offsets(tables)
    glyf = tables["glyf"]

    def glyph(gid: int) -> bytes:
        return glyf[offsets[gid] : offsets[gid + 1]] if gid < glyph_count else b""

    kept: set[int] = set()
    waiting = [gid for gid in gids if 0 <= gid < glyph_count]
    while waiting:  # the glyphs used and, for a composite glyph, its components
        gid = waiting.pop()
        if gid not in kept:
            kept.add(gid)
            waiting += [c for *_, c in sfnt.components(glyph(gid)) if c < glyph_count]
    count = max(kept) + 1
    outlines, loca = [], [0]
    for gid in range(count):
        outline = _unhinted(glyph(gid)) if gid in kept else b""
        outline += b"\0" * (-len(outline) % 4)
        outlines.append(outline)
        loca.append(loca[-1] + len(outline))
    # every glyph a full metric (advance, side bearing), an emptied glyph's 0 and 0, as
    # fontTools writes them (the real ones compressed to 10 KB more per leaflet; the PDF's
    # widths are those of the glyphs used)
    advances = sfnt.advances(tables)
    bearings = sfnt.side_bearings(tables)
    hmtx = b"".join(
        pack(">Hh", advances[gid], bearings[gid]) if gid in kept else b"\0\0\0\0"
        for gid in range(count)
    )
    out = {tag: tables[tag] for tag in _COPIED if tag in tables}
    out.update(
        {
            "cmap": _bmp_cmap(read_cmap(data), set(gids)),
            "glyf": b"".join(outlines),
            "loca": pack(f">{count + 1}I", *loca),
            "hmtx": hmtx,
            "hhea": hhea[:34] + pack(">H", count) + hhea[36:],
            "maxp": maxp[:4] + pack(">H", count) + maxp[6:],
            "post": pack(">I", 0x00030000) + tables["post"][4:32],  # format 3: no names
            # the glyphs' bounds (a viewer sizes its glyph cache by them); long loca offsets
            "head": head[:36]
            + _bounds(glyph(gid) for gid in kept)
            + head[44:50]
            + pack(">h", 1)
            + head[52:],
        }
    )
    scale = 1000 / units_per_em
    x_min, y_min, x_max, y_max = unpack_from(">4h", head, 36)
    ascent, descent = unpack_from(">2h", hhea, 4)
    metrics = {
        "bbox": [round(v * scale) for v in (x_min, y_min, x_max, y_max)],
        "ascent": round(ascent * scale),
        "descent": round(descent * scale),
    }
    font = ttfonts.TTFontMaker()  # the directory, checksums and head's adjustment
    for tag, table in out.items():
        font.add(tag, table)
    return font.makeStream(), metrics


def _bounds(outlines: Iterable[bytes]) -> bytes:
    """head's xMin, yMin, xMax, yMax: the box around these glyphs' boxes (as fontTools
    recalculates it)."""
    boxes = [unpack_from(">4h", outline, 2) for outline in outlines if len(outline) >= 10]
    if not boxes:
        return pack(">4h", 0, 0, 0, 0)
    return pack(
        ">4h",
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


def _unhinted(outline: bytes) -> bytes:
    """A glyph without its hinting instructions (what fontTools writes with hinting off)."""
    if len(outline) < 10:
        return outline
    (contours,) = unpack_from(">h", outline)
    if contours >= 0:
        at = 10 + 2 * contours
        if len(outline) < at + 2:  # a header alone (no contours): nothing to take out
            return outline
        (length,) = unpack_from(">H", outline, at)
        return outline[:at] + b"\0\0" + outline[at + 2 + length :]
    parts = [outline[:10]]
    for at, end, flags, glyph in sfnt.components(outline):
        parts.append(pack(">HH", flags & ~_HAVE_INSTRUCTIONS, glyph) + outline[at + 4 : end])
    return b"".join(parts)  # what followed the last component was its instructions


def _bmp_cmap(mapping: dict[int, int], used: set[int]) -> bytes:
    """A cmap of the face's BMP characters of the glyphs used, as fontTools subsets it (a
    renderer's autohinter looks its reference letters up here: a character mapped to an
    emptied glyph would change how the others are hinted), in one format-4 subtable listed as
    Unicode BMP (0, 3) and Windows (3, 1): a segment per run of consecutive characters on
    consecutive glyphs."""
    codes = sorted(c for c, gid in mapping.items() if c < 0xFFFF and gid in used)
    segments: list[list[int]] = []  # [first, last, delta]
    for code in codes:
        delta = (mapping[code] - code) % 0x10000
        if segments and segments[-1][1] == code - 1 and segments[-1][2] == delta:
            segments[-1][1] = code
        else:
            segments.append([code, code, delta])
    segments.append([0xFFFF, 0xFFFF, 1])  # the closing segment (maps to glyph 0)
    count = len(segments)
    power = 1 << (count.bit_length() - 1)
    subtable = b"".join(
        [
            pack(">HHH", 4, 16 + 8 * count, 0),  # format, length, language
            pack(">HHHH", 2 * count, 2 * power, power.bit_length() - 1, 2 * (count - power)),
            pack(f">{count}H", *(last for _, last, _ in segments)),
            b"\0\0",  # reserved
            pack(f">{count}H", *(first for first, _, _ in segments)),
            pack(f">{count}H", *(delta for _, _, delta in segments)),
            pack(f">{count}H", *([0] * count)),  # no glyph array: every code by its delta
        ]
    )
    header = pack(">HH", 0, 2) + pack(">HHI", 0, 3, 20) + pack(">HHI", 3, 1, 20)
    return header + subtable
