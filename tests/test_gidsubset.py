"""A shaped face's subset, read and written without fontTools: what fontTools' retain_gids
subsetter made, glyph for glyph, in rxleaflet's own PDF grammar."""

from __future__ import annotations

import io
import random
from pathlib import Path
from struct import unpack_from

import pytest
from fontTools import subset
from fontTools.ttLib import TTFont

from rxleaflet.check.grammar import GRAMMAR
from rxleaflet.check.truetype import program_tables
from rxleaflet.render import sfnt
from rxleaflet.render.gidsubset import gid_subset
from rxleaflet.source.coverage import FONT_FILES, SHAPED_FONTS, fonts_folder

REPO = Path(__file__).resolve().parents[1]
LAYOUT = ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "DSIG", "meta"]


def _fonttools_subset(data: bytes, gids: list[int]) -> bytes:
    """What the renderer embedded before: fontTools, every glyph id kept, no hinting."""
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    for tag in LAYOUT:
        if tag in font:
            del font[tag]
    options = subset.Options()
    options.retain_gids = True
    options.hinting = False
    options.layout_features = []
    options.drop_tables += LAYOUT
    options.notdef_outline = True
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=gids)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out, reorderTables=True)
    return out.getvalue()


def _outline(font: TTFont, gid: int) -> object:
    glyf = font["glyf"]
    glyph = glyf[font.getGlyphOrder()[gid]]
    if not glyph.numberOfContours:
        return None
    coordinates, ends, flags = glyph.getCoordinates(glyf)
    return list(coordinates), list(ends), list(flags)


@pytest.mark.parametrize("name", sorted(SHAPED_FONTS))
def test_the_subset_has_fonttools_outlines_and_advances_in_our_grammar(name: str) -> None:
    data = (fonts_folder() / SHAPED_FONTS[name]).read_bytes()
    count = TTFont(io.BytesIO(data))["maxp"].numGlyphs
    rng = random.Random(name)
    for gids in ([0, 1], [0, count - 1], sorted({0, *rng.sample(range(count), 120)})):
        ours, metrics = gid_subset(data, gids)
        mine, theirs = TTFont(io.BytesIO(ours)), TTFont(io.BytesIO(_fonttools_subset(data, gids)))
        mine.ensureDecompiled()  # every table reads
        kept = mine["maxp"].numGlyphs  # up to the highest glyph used, or a component of one
        assert kept == theirs["maxp"].numGlyphs >= max(gids) + 1
        for gid in range(kept):
            assert _outline(mine, gid) == _outline(theirs, gid), (name, gid)
            assert (
                mine["hmtx"].metrics[mine.getGlyphOrder()[gid]]
                == theirs["hmtx"].metrics[theirs.getGlyphOrder()[gid]]
            ), (name, gid)  # an emptied glyph's 0 too: real ones made every PDF 5 % larger
        assert set(mine.keys()) == set(theirs.keys())
        # the glyphs' bounds, not the face's: a viewer sizes its glyph cache by them (fontTools
        # computes a composite glyph's from its components' points, a unit off its header's)
        for bound in ("xMin", "yMin", "xMax", "yMax"):
            assert abs(getattr(mine["head"], bound) - getattr(theirs["head"], bound)) <= 1
        bmp = {c: g for c, g in (theirs.getBestCmap() or {}).items() if c < 0x10000}
        assert mine.getBestCmap() == bmp  # an autohinter's letters (our grammar: BMP only)
        tables, subtables = program_tables(ours)
        assert tables <= GRAMMAR["shaped_font_program_tables"]
        assert subtables == GRAMMAR["shaped_font_cmap_subtables"]
        padded = ours + b"\0" * (-len(ours) % 4)
        assert sum(unpack_from(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF == 0xB1B0AFBA
        head = TTFont(io.BytesIO(data))["head"]  # the face's (the font descriptor's, as before)
        scale = 1000 / head.unitsPerEm
        assert metrics["bbox"] == [
            round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)
        ]


def test_a_glyph_of_a_header_alone_and_a_component_past_the_end_are_taken_as_they_are() -> None:
    """Found by a reviewer with fonts unlike the bundled ones: a glyph with no contours stored
    as its 10-byte header raised struct.error; a composite naming a glyph past the font's count
    made a font claiming 60,001 glyphs."""
    from struct import pack

    from rxleaflet.render import gidsubset

    header = bytes(10)
    assert gidsubset._unhinted(header) == header
    data = bytearray((fonts_folder() / SHAPED_FONTS["RxNaskh"]).read_bytes())
    tables = sfnt.tables(bytes(data))
    offsets = sfnt.glyph_offsets(tables)
    composite = next(g for g in range(len(offsets) - 1) if sfnt.components(
        tables["glyf"][offsets[g] : offsets[g + 1]]
    ))  # fmt: skip
    (glyf_at,) = [
        unpack_from(">I", data, 12 + 16 * i + 8)[0]
        for i in range(unpack_from(">H", data, 4)[0])
        if data[12 + 16 * i : 16 + 16 * i] == b"glyf"
    ]
    at = glyf_at + offsets[composite] + 10 + 2  # the first component's glyph id
    data[at : at + 2] = pack(">H", 60_000)
    subset, _ = gidsubset.gid_subset(bytes(data), [0, composite])
    assert TTFont(io.BytesIO(subset))["maxp"].numGlyphs == composite + 1


def test_a_composite_glyph_keeps_its_components() -> None:
    data = (fonts_folder() / SHAPED_FONTS["RxNaskh"]).read_bytes()
    font = TTFont(io.BytesIO(data))
    glyf = font["glyf"]
    composite = next(
        gid for gid, name in enumerate(font.getGlyphOrder()) if glyf[name].isComposite()
    )
    components = [
        font.getGlyphID(c.glyphName) for c in glyf[font.getGlyphOrder()[composite]].components
    ]
    ours, _ = gid_subset(data, [0, composite])
    mine = TTFont(io.BytesIO(ours))
    assert _outline(mine, composite) == _outline(font, composite)
    assert components
    for component in components:  # kept too, whatever their ids
        assert _outline(mine, component) == _outline(font, component) is not None
    unused = next(
        gid
        for gid in range(1, len(font.getGlyphOrder()))
        if gid not in components and gid != composite and _outline(font, gid) is not None
    )
    assert (
        unused >= mine["maxp"].numGlyphs or _outline(mine, unused) is None
    )  # drawn in the face, not used here: empty


@pytest.mark.parametrize("name", sorted(FONT_FILES))
def test_the_tables_read_directly_are_what_fonttools_reads(name: str) -> None:
    path = fonts_folder() / FONT_FILES[name]
    tables = sfnt.tables(path.read_bytes())
    font = TTFont(path, lazy=True)
    metrics, outlines = font["hmtx"].metrics, font["glyf"]
    order = font.getGlyphOrder()
    assert sfnt.advances(tables) == [metrics[glyph][0] for glyph in order]
    assert sfnt.side_bearings(tables) == [metrics[glyph][1] for glyph in order]
    empty = next(
        (
            font.getGlyphID(g)
            for g in order
            if metrics[g][0] == 0 and not outlines[g].numberOfContours
        ),
        0,
    )
    assert sfnt.empty_glyph(tables) == empty
    assert sfnt.postscript_name(tables) == font["name"].getDebugName(6)
