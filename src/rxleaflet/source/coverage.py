"""Which characters the bundled fonts can draw, read from their cmap tables (no font engine).

The loader refuses a character no font can draw, naming it and where it is; it needs only the
fonts' character maps, so it reads them directly rather than registering fonts with a renderer.
"""

from __future__ import annotations

import struct
from functools import cache
from pathlib import Path
from typing import Any

from ..packagedata import bundled_folder
from .markup import describe_char

REGULAR = "RxSans"
BOLD = "RxSans-Bold"
SYMBOLS = "RxSymbols"
# Latin, Greek, Cyrillic, Vietnamese and symbols: every leaflet's fonts.
BASE_FONTS = {
    REGULAR: "NotoSans-Regular.ttf",
    BOLD: "NotoSans-Bold.ttf",
    SYMBOLS: "NotoSansMath-Regular.ttf",
}
# Chinese (Simplified, Traditional) and Korean, read only when text needs them (about 10 MB
# each). Each regular face has a bold one named ``<name>-Bold``.
CJK_FONTS = {
    "RxSansSC": "NotoSansSC-Regular.ttf",
    "RxSansSC-Bold": "NotoSansSC-Bold.ttf",
    "RxSansTC": "NotoSansTC-Regular.ttf",
    "RxSansTC-Bold": "NotoSansTC-Bold.ttf",
    "RxSansKR": "NotoSansKR-Regular.ttf",
    "RxSansKR-Bold": "NotoSansKR-Bold.ttf",
}
# Scripts that need shaping (conjuncts, reordered vowel signs): drawn as HarfBuzz glyph ids
# (render/shaping.py), read only when text needs them.
SHAPED_FONTS = {
    "RxSansDeva": "NotoSansDevanagari-Regular.ttf",
    "RxSansDeva-Bold": "NotoSansDevanagari-Bold.ttf",
    "RxSansBeng": "NotoSansBengali-Regular.ttf",
    "RxSansBeng-Bold": "NotoSansBengali-Bold.ttf",
    "RxSansGuru": "NotoSansGurmukhi-Regular.ttf",
    "RxSansGuru-Bold": "NotoSansGurmukhi-Bold.ttf",
    "RxNaskh": "NotoNaskhArabic-Regular.ttf",  # Arabic, Persian and Urdu letters
    "RxNaskh-Bold": "NotoNaskhArabic-Bold.ttf",
    "RxNastaliq": "NotoNastaliqUrdu-Regular.ttf",  # Urdu's own style of the Arabic script
    "RxNastaliq-Bold": "NotoNastaliqUrdu-Bold.ttf",
}
# Line spacing (a multiple of the type size) for text in a shaped face whose letters reach far
# above and below the Latin line: Naskh's marks and descenders, Nastaliq's diagonal stacks.
FACE_LEADING = {"RxNaskh": 1.6, "RxNastaliq": 2.0}
FONT_FILES = {**BASE_FONTS, **CJK_FONTS, **SHAPED_FONTS}
CACHED_FONTS = {**BASE_FONTS, **CJK_FONTS}  # ReportLab's parse kept in data/fontfaces/
# The shaped face a language's own text is in, where several cover its characters: those
# several scripts share (the danda "।", used by Bengali and Gurmukhi too) come from it, so a
# Bengali leaflet reads no Devanagari face; Urdu is set in Nastaliq, Arabic and Persian in Naskh.
SHAPED_FACE = {
    "hi": "RxSansDeva", "bn": "RxSansBeng", "pa": "RxSansGuru",
    "ar": "RxNaskh", "fa": "RxNaskh", "ur": "RxNastaliq",  # Urdu in Nastaliq, not Naskh
}  # fmt: skip
# The languages set in a CJK face, and whose: Han characters differ between them.
CJK_FACE = {"zh-Hans": "RxSansSC", "zh-Hant": "RxSansTC", "ko": "RxSansKR"}
# Characters laid out as space, never drawn as glyphs of their own.
LAYOUT_SPACES = frozenset(" \n\t")


def fonts_folder() -> Path:
    """``fonts/`` inside an installed wheel, else the repository's ``fonts/`` (editable install)."""
    return bundled_folder("fonts", "fonts")


@cache
def font_coverage(name: str) -> frozenset[int]:
    """Code points the bundled font ``name`` maps to a glyph. A bold face covers exactly what
    its regular face covers (a test holds the bundled fonts to that), so only the regular
    face's cmap is read and kept: a CJK one is 10 MB to read and megabytes to hold."""
    regular = name.removesuffix("-Bold")
    if regular != name:
        return font_coverage(regular)
    return frozenset(cmap_codes(_file_cmap(fonts_folder() / FONT_FILES[name])))


@cache
def drawable(fonts: tuple[str, ...]) -> frozenset[str]:
    """Every character one of ``fonts`` can draw, plus the spaces layout handles itself."""
    codes = frozenset().union(*(font_coverage(name) for name in fonts))
    return frozenset(map(chr, codes)) | LAYOUT_SPACES


# The faces beyond the base fonts, regular only (a bold face covers what its regular covers),
# in the order a character is looked for in them: Chinese and Korean first, the most text.
_MORE_FACES = tuple(name for name in {**CJK_FONTS, **SHAPED_FONTS} if not name.endswith("-Bold"))


def glyph_error(text: str, field: str) -> tuple[int, str] | None:
    """(offset, message) for the first character of ``text`` no bundled font can draw. The
    characters the base fonts cannot draw are looked for in the other faces one face at a time,
    until none is left: a Chinese leaflet reads no Korean or Arabic font's cmap."""
    base = drawable(tuple(BASE_FONTS))
    if base.issuperset(text):
        return None
    missing = {ord(char) for char in set(text).difference(base)}
    for name in _MORE_FACES:
        missing.difference_update(font_coverage(name))
        if not missing:
            return None
    for offset, char in enumerate(text):
        if ord(char) in missing:
            return offset, (
                f"character {describe_char(char)} in {field} cannot be printed by the bundled "
                "fonts; replace it with words or a supported character"
            )
    return None


def read_cmap(font: bytes) -> dict[int, int]:
    """Code point → glyph id from a TrueType font's Unicode cmap (formats 4 and 12)."""
    table = _cmap_table(font)
    form, start = _unicode_subtable(table)
    return _format12(table, start) if form == 12 else _format4(table, start)


def cmap_codes(table: bytes) -> set[int]:
    """The code points a font's Unicode cmap (its cmap ``table``) maps to a glyph other than
    .notdef: the keys of ``read_cmap``, taken a run at a time (a cold render reads Noto Sans's
    2,840 codes in 0.3 ms instead of 1.2; a CJK face's 20,000-31,000 in 2.5-3.5 instead of
    5.4-7.9). Only a format-4 segment that looks its glyphs up in the glyph array is read code
    by code."""
    form, start = _unicode_subtable(table)
    return _codes12(table, start) if form == 12 else _codes4(table, start)


def table_places(directory: bytes) -> dict[str, tuple[int, int]]:
    """Each table's (offset, length) in a TrueType font, from its header and table directory
    (``directory`` may be the whole font)."""
    (tables,) = struct.unpack_from(">H", directory, 4)
    places = {}
    for index in range(tables):
        tag, _checksum, offset, length = struct.unpack_from(">4sIII", directory, 12 + 16 * index)
        places[tag.decode("latin-1")] = offset, length
    return places


def _cmap_place(directory: bytes) -> tuple[int, int]:
    """(offset, length) of the cmap table, from the font's header and table directory."""
    place = table_places(directory).get("cmap")
    if place is None:
        raise ValueError("font has no cmap table")
    return place


def _cmap_table(font: bytes) -> bytes:
    offset, length = _cmap_place(font)
    return font[offset : offset + length]


def _file_cmap(path: Path) -> bytes:
    """The cmap table of the font file at ``path``, read alone: a CJK face's is 0.2 MB of 10."""
    with path.open("rb") as file:
        header = file.read(12)
        (tables,) = struct.unpack_from(">H", header, 4)
        offset, length = _cmap_place(header + file.read(16 * tables))
        file.seek(offset)
        table = file.read(length)
    if len(table) != length:
        raise ValueError(f"{path.name}: the cmap table runs past the end of the file")
    return table


def _unicode_subtable(table: bytes) -> tuple[int, int]:
    """(format, offset in the cmap ``table``) of its Unicode subtable of format 4 or 12."""
    (_version, encodings) = struct.unpack_from(">HH", table, 0)
    subtables: dict[tuple[int, int], int] = {}
    for index in range(encodings):
        platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * index)
        subtables[(platform, encoding)] = offset
    for key in ((3, 10), (0, 4), (3, 1), (0, 3)):
        if key in subtables:
            start = subtables[key]
            (form,) = struct.unpack_from(">H", table, start)
            if form in (4, 12):
                return form, start
    raise ValueError("font has no Unicode cmap of format 4 or 12")


def _format12(table: bytes, start: int) -> dict[int, int]:
    (groups,) = struct.unpack_from(">I", table, start + 12)
    mapping: dict[int, int] = {}
    for index in range(groups):
        first, last, glyph = struct.unpack_from(">III", table, start + 16 + 12 * index)
        for offset, code in enumerate(range(first, last + 1)):
            if glyph + offset:
                mapping[code] = glyph + offset
    return mapping


def _format4(table: bytes, start: int) -> dict[int, int]:
    starts, ends, deltas, range_offsets, range_offsets_at = _segments(table, start)
    segments = len(starts)
    mapping: dict[int, int] = {}
    for segment in range(segments):
        for code in range(starts[segment], ends[segment] + 1):
            if code == 0xFFFF:
                continue
            if range_offsets[segment] == 0:
                glyph = (code + deltas[segment]) & 0xFFFF
            else:
                at = (
                    range_offsets_at
                    + 2 * segment
                    + range_offsets[segment]
                    + 2 * (code - starts[segment])
                )
                (glyph,) = struct.unpack_from(">H", table, at)
                if glyph:
                    glyph = (glyph + deltas[segment]) & 0xFFFF
            if glyph:
                mapping[code] = glyph
    return mapping


def _segments(table: bytes, start: int) -> tuple[Any, Any, Any, Any, int]:
    """A format-4 cmap's segments: their start and end codes, deltas, glyph-array offsets, and
    where the offsets are (a segment's offset counts from its own place there)."""
    (segments2,) = struct.unpack_from(">H", table, start + 6)
    segments = segments2 // 2
    ends = struct.unpack_from(f">{segments}H", table, start + 14)
    starts = struct.unpack_from(f">{segments}H", table, start + 16 + segments2)
    deltas = struct.unpack_from(f">{segments}h", table, start + 16 + 2 * segments2)
    range_offsets_at = start + 16 + 3 * segments2
    range_offsets = struct.unpack_from(f">{segments}H", table, range_offsets_at)
    return starts, ends, deltas, range_offsets, range_offsets_at


def _codes12(table: bytes, start: int) -> set[int]:
    """Groups of consecutive codes mapped to consecutive glyphs: only a group's first code can
    map to glyph 0 (when the group starts there)."""
    (groups,) = struct.unpack_from(">I", table, start + 12)
    codes: set[int] = set()
    for first, last, glyph in struct.iter_unpack(
        ">III", table[start + 16 : start + 16 + 12 * groups]
    ):
        codes.update(range(first + (glyph == 0), last + 1))
    return codes


def _codes4(table: bytes, start: int) -> set[int]:
    """Segments of codes; a segment without a range offset maps ``code + delta`` (mod 65536),
    which is glyph 0 for one code at most; one with a range offset reads each code's glyph
    from the glyph array (0 there stays 0, else the delta is added)."""
    starts, ends, deltas, range_offsets, range_offsets_at = _segments(table, start)
    segments = len(starts)
    codes: set[int] = set()
    for segment in range(segments):
        first, last, delta = starts[segment], min(ends[segment], 0xFFFE), deltas[segment]
        if first > last:
            continue
        if range_offsets[segment] == 0:
            notdef = (-delta) & 0xFFFF  # the one code that lands on glyph 0
            if first <= notdef <= last:
                codes.update(range(first, notdef), range(notdef + 1, last + 1))
            else:
                codes.update(range(first, last + 1))
            continue
        at = range_offsets_at + 2 * segment + range_offsets[segment]
        glyphs = struct.unpack_from(f">{last - first + 1}H", table, at)
        codes.update(
            code
            for code, glyph in zip(range(first, last + 1), glyphs, strict=True)
            if glyph and (glyph + delta) & 0xFFFF
        )
    return codes
