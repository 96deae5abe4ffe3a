"""The glyphs drawn are the text read (issue #29): what a font's ToUnicode map (or a span's
/ActualText) says a glyph is must be what its outline shows.

A doctored font can keep the text layer right while the page says something else: a copy of
the font whose "t" draws a "w" ("Do now take"), a blank glyph for a letter, a glyph with no
width (letters piled into a blob), a space whose ToUnicode entry reads " not ", an /ActualText
that tells screen readers and pdftotext another sentence than the one drawn, or a Type 3 font,
whose glyphs are drawing procedures nothing can compare with letters.

- A font that names one of the bundled faces (rxleaflet's own PDFs, and any other engine that
  used them) is compared exactly: each glyph's outline and advance against the bundled font's
  glyph for the character the ToUnicode map claims.
- Any other font: blank glyphs, zero widths and entries claiming more than one glyph can show.

Read with qpdf (pikepdf) and fontTools; run only when a file is judged thoroughly (`check`),
not in render's read-back, which reads what rxleaflet has just drawn with its own fonts.
"""

from __future__ import annotations

import array
import bisect
import functools
import io
import re
import struct
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from fontTools.ttLib import TTFont

from ..packagedata import bundled_folder
from .fontdecode import FontDecoder, Malformed, parse_cmap

MAX_FONTS = 200  # fonts judged per file; a leaflet has a handful
MAX_FONT_PROGRAM = 20_000_000
MAX_FORM_DEPTH = 3
MAX_GLYPHS = 5000  # codes judged per font: a leaflet's fonts show a few hundred
# Ligatures a real font draws as one glyph for several letters (and what fonts write for them).
LIGATURES = frozenset({
    "ff", "fi", "fl", "ffi", "ffl", "fj", "ffj", "ft", "fft", "fb", "fh", "fk", "st", "ſt", "ct",
    "Th", "tt", "tz",
})  # fmt: skip
# Scripts whose clusters (conjuncts, lam-alef, syllables) are one glyph for several letters,
# and whose glyphs are drawn in another order than the text is read.
_CLUSTER_SCRIPTS = re.compile(
    "[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\u1100-\u11ff"
    "\uac00-\ud7af\ufb1d-\ufdff\ufe70-\ufeff]"
)
_IGNORED_IN_COMPARISON = re.compile(r"[\s\u00ad\u200b-\u200f\u2060\ufeff-]")


@dataclass(frozen=True)
class GlyphProblem:
    page: int  # 1-based
    message: str
    text: str  # the characters concerned


def glyph_problems(data: bytes, own: bool) -> list[GlyphProblem]:
    """Every glyph whose drawing is not the text the file says it is, one problem per font and
    kind (the first few characters named). ``own``: the file says rxleaflet made it, so a font
    named like a bundled face must be that face, glyph for glyph."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError:
        return []  # unreadable files are the first reading's finding
    with pdf:
        judged: dict[tuple[int, int], list[str]] = {}
        problems: list[GlyphProblem] = []
        for number, page in enumerate(pdf.pages, start=1):
            fonts = dict(_fonts(page.obj.get("/Resources"), 0))
            for key, (name, font) in fonts.items():
                if key not in judged:
                    if len(judged) >= MAX_FONTS:
                        break
                    judged[key] = _judged(font, own)
                    problems.extend(
                        GlyphProblem(number, f"font {name}: {message}", text)
                        for message, text in _grouped(judged[key])
                    )
            problems.extend(_actual_text_problems(page, fonts, number))
        return problems


def _grouped(found: list[str]) -> Iterator[tuple[str, str]]:
    """'kind\\tcharacter' items → one message per kind with its characters."""
    kinds: dict[str, list[str]] = {}
    for item in found:
        kind, _, text = item.partition("\t")
        kinds.setdefault(kind, []).append(text)
    for kind, texts in kinds.items():
        shown = ", ".join(f"'{t}'" for t in texts[:6]) + (" …" if len(texts) > 6 else "")
        yield f"{kind} ({len(texts)}: {shown})", " ".join(texts)


def _fonts(resources: Any, depth: int) -> Iterator[tuple[tuple[int, int], tuple[str, Any]]]:
    """(object id, (resource name, font)) for the fonts of ``resources`` and of the form
    XObjects it holds."""
    if not isinstance(resources, pikepdf.Dictionary):
        return
    fonts = resources.get("/Font")
    if isinstance(fonts, pikepdf.Dictionary):
        for name, font in fonts.items():
            if isinstance(font, pikepdf.Dictionary):
                yield _key(font), (str(font.get("/BaseFont", name)).lstrip("/"), font)
    objects = resources.get("/XObject")
    if depth < MAX_FORM_DEPTH and isinstance(objects, pikepdf.Dictionary):
        for item in objects.values():
            if isinstance(item, pikepdf.Stream) and item.get("/Subtype") == "/Form":
                yield from _fonts(item.get("/Resources"), depth + 1)


def _key(font: Any) -> tuple[int, int]:
    return font.objgen if font.is_indirect else (-1, id(font))


# -- one font --------------------------------------------------------------------------------


def _judged(font: Any, own: bool) -> list[str]:
    """A font's problems; a font this cannot read at all is one (the check fails closed)."""
    try:
        return _font_problems(font, own)
    except Exception:  # noqa: BLE001 - hostile fonts break readers in many ways
        return ["a font whose glyphs cannot be read to compare them with its text\t"]


def _font_problems(font: Any, own: bool) -> list[str]:
    if font.get("/Subtype") == "/Type3":
        return ["a Type 3 font: its glyphs are drawing procedures that cannot be compared with the "
                "text they claim to be\t" + _sample(font)]  # fmt: skip
    decoder = _decoder(font)
    if decoder is None:
        return []  # no ToUnicode: the fonts-tounicode rule's finding
    found = [f"a glyph claims more than one glyph can show\t{text}"
             for text in set(decoder.mapping.values()) if _claims_too_much(text)]  # fmt: skip
    program = _program(font)
    widths = _pdf_widths(font)
    compared, differ = 0, []
    for code, text in sorted(decoder.mapping.items())[:MAX_GLYPHS]:
        if not _drawn(text):
            continue
        number = int.from_bytes(code, "big")
        if widths.get(number, 1.0) == 0 and not _marks_only(text):
            found.append(f"a glyph with no width (glyphs pile up)\t{text}")
        glyph = program.glyph_for(number) if program else None
        if program is None or glyph is None:
            continue
        if program.blank(glyph):
            found.append(f"a blank glyph for a character\t{text}")
            continue
        same = program.is_bundled(glyph, text) if len(text) == 1 else None
        compared += same is not None
        if same is False:
            differ.append(f"the glyph drawn is not the font's own for the character\t{text}")
    # another engine may embed another release of a face with the same name: most glyphs then
    # differ a little; a doctored copy changes a few
    if own or len(differ) * 2 <= compared:
        found.extend(differ)
    return found


def _sample(font: Any) -> str:
    decoder = _decoder(font)
    return "".join(list(decoder.mapping.values())[:12]) if decoder else ""


def _decoder(font: Any) -> FontDecoder | None:
    to_unicode = font.get("/ToUnicode")
    if not isinstance(to_unicode, pikepdf.Stream):
        return None
    try:
        return parse_cmap(to_unicode.read_bytes())
    except (Malformed, pikepdf.PdfError):
        return None


def _drawn(text: str) -> bool:
    """Text that a glyph must show ink for: not white space or an invisible format character."""
    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc") for ch in text)


def _marks_only(text: str) -> bool:
    return all(unicodedata.category(ch) in ("Mn", "Me", "Cf") for ch in text)


def _claims_too_much(text: str) -> bool:
    """More characters than one glyph can show: words, or a space standing for letters.
    A ligature, one grapheme (a letter and its marks) or one cluster of a script that joins
    letters into one glyph is not."""
    text = unicodedata.normalize("NFC", text)
    if len(text) <= 1 or text in LIGATURES:
        return False
    if any(ch.isspace() for ch in text):
        return _drawn(text)
    if all(unicodedata.category(ch).startswith("M") for ch in text[1:]):
        return False  # one grapheme
    if _CLUSTER_SCRIPTS.search(text):
        return len(text) > 8
    return not (len(text) == 2 and unicodedata.category(text[0]) == "So")  # emoji sequences


def _pdf_widths(font: Any) -> dict[int, float]:
    try:
        if font.get("/Subtype") == "/Type0":
            descendant = font["/DescendantFonts"][0]
            items = list(descendant.get("/W", []))
            widths: dict[int, float] = {}
            index = 0
            while index + 1 < len(items) and len(widths) < 70_000:
                first, following = int(items[index]), items[index + 1]
                if isinstance(following, pikepdf.Array):
                    widths.update({first + i: float(w) for i, w in enumerate(following)})
                    index += 2
                else:
                    for code in range(first, min(int(following), first + 70_000) + 1):
                        widths[code] = float(items[index + 2])
                    index += 3
            return widths
        first = int(font.get("/FirstChar", 0))
        return {first + i: float(w) for i, w in enumerate(list(font.get("/Widths", []))[:256])}
    except (TypeError, ValueError, IndexError, KeyError, pikepdf.PdfError):
        return {}  # widths only place text; the content reading judges broken arrays


# -- font programs ---------------------------------------------------------------------------


class _Glyphs:
    """A TrueType program's glyphs by number: each one's bytes in the glyf table (cheap to
    compare), its decoded drawing (when the bytes differ) and its advance. Read from the raw
    tables: naming a CJK face's 65,000 glyphs, as fontTools does first, takes a second."""

    def __init__(self, font: TTFont):
        self.font = font
        count = font["maxp"].numGlyphs
        font.setGlyphOrder([f"g{gid}" for gid in range(count)])  # no names from cmap or post
        self.raw = font.reader["glyf"]
        long_offsets = font["head"].indexToLocFormat == 1
        offsets = array.array("I" if long_offsets else "H", font.reader["loca"])
        if sys.byteorder == "little":
            offsets.byteswap()
        self.offsets = offsets if long_offsets else [2 * o for o in offsets]
        self.count = min(count, len(self.offsets) - 1)
        self.metrics = font.reader["hmtx"]
        self.long_metrics = font["hhea"].numberOfHMetrics
        self.units = font["head"].unitsPerEm

    def data(self, gid: int) -> bytes:
        if not 0 <= gid < self.count:
            return b""
        return self.raw[self.offsets[gid] : self.offsets[gid + 1]]

    def blank(self, gid: int) -> bool:
        data = self.data(gid)
        return len(data) < 10 or int.from_bytes(data[:2], "big", signed=True) == 0

    def advance(self, gid: int) -> int:
        at = 4 * min(gid, self.long_metrics - 1)
        return int.from_bytes(self.metrics[at : at + 2], "big") * 1000 // self.units

    def drawing(self, gid: int) -> tuple[Any, ...]:
        """Points, contour ends and on-curve flags, components resolved."""
        glyf = self.font["glyf"]
        coordinates, ends, flags = glyf[f"g{gid}"].getCoordinates(glyf)
        return tuple(coordinates.array), tuple(ends), bytes(f & 1 for f in flags)

    @functools.cached_property
    def cmap(self) -> _UnicodeCmap:
        return _UnicodeCmap(self.font.reader["cmap"])

    def character(self, code: int) -> int | None:
        """The glyph the font's Unicode cmap gives a character."""
        return self.cmap.get(code)


def same_glyph(one: _Glyphs, first: int, other: _Glyphs, second: int) -> bool:
    """The same drawing and advance. Simple glyphs are compared as bytes first (subsetters
    copy them, give or take the zero padding that aligns the next glyph); composite glyphs,
    whose component numbers a subsetter renumbers, by their decoded points."""
    if one.advance(first) != other.advance(second):
        return False
    a, b = one.data(first), other.data(second)
    if a.rstrip(b"\0") == b.rstrip(b"\0") and not a.startswith(b"\xff\xff"):
        return True
    try:
        return one.drawing(first) == other.drawing(second)
    except Exception:  # noqa: BLE001 - glyph data fontTools cannot decode is not the face's
        return False


class _Program:
    """An embedded TrueType program: which glyph a shown code draws, and the bundled face it
    claims to be, if any."""

    def __init__(self, glyphs: _Glyphs, code_to_glyph: Any, bundled: _Bundled | None):
        self.glyphs = glyphs
        self.glyph_for = code_to_glyph
        self.bundled = bundled

    def blank(self, gid: int) -> bool:
        return self.glyphs.blank(gid)

    def is_bundled(self, gid: int, character: str) -> bool | None:
        """Whether glyph ``gid`` is the bundled face's glyph for ``character``; None when
        there is no bundled face or it has no such character."""
        if self.bundled is None:
            return None
        own = self.bundled.glyph(character)
        return None if own is None else same_glyph(self.glyphs, gid, self.bundled.glyphs, own)


def _program(font: Any) -> _Program | None:
    """The TrueType program of a simple TrueType or Type0/CIDFontType2 font; None for other
    kinds (CFF, Type 1), which are judged by their ToUnicode and widths only."""
    descendant = font
    if font.get("/Subtype") == "/Type0":
        try:
            descendant = font["/DescendantFonts"][0]
        except (KeyError, IndexError, TypeError):
            return None
    descriptor = descendant.get("/FontDescriptor")
    stream = descriptor.get("/FontFile2") if isinstance(descriptor, pikepdf.Dictionary) else None
    if not isinstance(stream, pikepdf.Stream):
        return None
    try:
        raw = stream.read_bytes()
        if len(raw) > MAX_FONT_PROGRAM:
            return None
        glyphs = _Glyphs(TTFont(io.BytesIO(raw), lazy=True))
        if font.get("/Subtype") == "/Type0":
            code_to_glyph = _cid_glyphs(descendant, glyphs.count)
        else:
            code_to_glyph = _simple_glyphs(glyphs.font)
    except Exception:  # noqa: BLE001 - fontTools raises many kinds on a hostile program
        return None  # judged by its ToUnicode map and widths only
    name = str(font.get("/BaseFont", "")).lstrip("/")
    return _Program(glyphs, code_to_glyph, _bundled_faces().get(name.partition("+")[2] or name))


def _cid_glyphs(descendant: Any, count: int) -> Any:
    """Identity-H codes are CIDs; /CIDToGIDMap (Identity, or a stream of 2-byte glyph ids)
    turns them into glyphs."""
    mapping = descendant.get("/CIDToGIDMap")
    table = mapping.read_bytes() if isinstance(mapping, pikepdf.Stream) else None

    def glyph_for(cid: int) -> int | None:
        gid = cid
        if table is not None:
            gid = int.from_bytes(table[2 * cid : 2 * cid + 2], "big") if 2 * cid < len(table) else 0
        return gid if 0 < gid < count else None

    return glyph_for


def _simple_glyphs(font: TTFont) -> Any:
    """A simple TrueType font's code → glyph: its (1,0) or symbolic (3,0) cmap subtable."""
    tables = font["cmap"].tables if "cmap" in font else []
    mac = next((t.cmap for t in tables if (t.platformID, t.platEncID) == (1, 0)), {})
    symbol = next((t.cmap for t in tables if (t.platformID, t.platEncID) == (3, 0)), {})

    def glyph_for(code: int) -> int | None:
        name = mac.get(code) or symbol.get(0xF000 + code) or symbol.get(code)
        gid = int(name[1:]) if name else 0  # the names _Glyphs gave: g<number>
        return gid or None

    return glyph_for


class _Bundled:
    """A bundled face, read on first use and kept for the process."""

    def __init__(self, path: Path):
        self.path = path

    @functools.cached_property
    def glyphs(self) -> _Glyphs:
        return _Glyphs(TTFont(str(self.path), lazy=True))

    def glyph(self, character: str) -> int | None:
        return self.glyphs.character(ord(character))


class _UnicodeCmap:
    """Character → glyph through a cmap table's Unicode subtable (format 12, else 4), looked up
    in the raw bytes by bisection."""

    def __init__(self, table: bytes):
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.firsts: list[int] = []  # format 12: the first glyph of each group
        self.deltas: list[int] = []  # format 4
        self.offsets: list[int] = []
        self.table, self.format, self.base = table, 0, 0
        subtables = {}
        for index in range(int.from_bytes(table[2:4], "big")):
            platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * index)
            subtables[(platform, encoding)] = offset
        for key in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3)):
            offset = subtables.get(key)
            if offset is None:
                continue
            kind = int.from_bytes(table[offset : offset + 2], "big")
            if kind == 12:
                count = int.from_bytes(table[offset + 12 : offset + 16], "big")
                groups = struct.unpack_from(f">{3 * count}I", table, offset + 16)
                self.starts, self.ends, self.firsts = groups[0::3], groups[1::3], groups[2::3]
                self.format = 12
                return
            if kind == 4:
                segments = int.from_bytes(table[offset + 6 : offset + 8], "big") // 2
                at = offset + 14
                self.ends = struct.unpack_from(f">{segments}H", table, at)
                self.starts = struct.unpack_from(f">{segments}H", table, at + 2 * segments + 2)
                self.deltas = struct.unpack_from(f">{segments}h", table, at + 4 * segments + 2)
                self.base = at + 6 * segments + 2
                self.offsets = struct.unpack_from(f">{segments}H", table, self.base)
                self.format = 4
                return

    def get(self, code: int) -> int | None:
        index = bisect.bisect_left(self.ends, code)
        if index >= len(self.ends) or code < self.starts[index]:
            return None
        if self.format == 12:
            gid = self.firsts[index] + code - self.starts[index]
        elif self.offsets[index] == 0:
            gid = (code + self.deltas[index]) & 0xFFFF
        else:
            at = self.base + 2 * index + self.offsets[index] + 2 * (code - self.starts[index])
            gid = int.from_bytes(self.table[at : at + 2], "big")
            gid = (gid + self.deltas[index]) & 0xFFFF if gid else 0
        return gid or None


@functools.cache
def _bundled_faces() -> dict[str, _Bundled]:
    """PostScript name → bundled face (each file is named by its face's PostScript name)."""
    return {path.stem: _Bundled(path) for path in bundled_folder("fonts", "fonts").glob("*.ttf")}


# -- /ActualText -----------------------------------------------------------------------------


def _actual_text_problems(
    page: Any, fonts: dict[tuple[int, int], tuple[str, Any]], number: int
) -> list[GlyphProblem]:
    """Each marked-content span with /ActualText must say what its glyphs show."""
    contents = page.obj.get("/Contents")
    if contents is None or b"ActualText" not in _raw_contents(contents, page):
        return []
    resources = page.obj.get("/Resources")
    by_name = _fonts_by_name(resources)
    problems: list[GlyphProblem] = []
    spans: list[tuple[int, str, list[str]]] = []  # open spans: (depth, ActualText, drawn text)
    depth = 0
    decoder: FontDecoder | None = None
    try:
        instructions = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return []
    for operands, operator in instructions:
        op = str(operator)
        if op in ("BDC", "BMC"):
            depth += 1
            actual = _actual_text(operands, resources) if op == "BDC" else None
            if actual is not None:
                spans.append((depth, actual, []))
        elif op == "EMC":
            if spans and spans[-1][0] == depth:
                _, actual, drawn = spans.pop()
                shown = "".join(drawn)
                if not _same_text(actual, shown):
                    problems.append(GlyphProblem(
                        number, f"an /ActualText says '{actual[:60]}' where the glyphs show "
                        f"'{shown[:60]}'", actual))  # fmt: skip
            depth = max(0, depth - 1)
        elif op == "Tf" and operands:
            decoder = by_name.get(str(operands[0]))
        elif op in ("Tj", "'", '"', "TJ") and spans and decoder is not None:
            strings = operands[-1]
            items = strings if isinstance(strings, pikepdf.Array) else [strings]
            for item in items:
                if isinstance(item, pikepdf.String):
                    spans[-1][2].append(decoder.decode(bytes(item)))
    return problems


def _raw_contents(contents: Any, page: Any) -> bytes:
    try:
        streams = contents if isinstance(contents, pikepdf.Array) else [contents]
        return b"".join(s.read_bytes() for s in streams if isinstance(s, pikepdf.Stream))
    except pikepdf.PdfError:
        return b""


def _fonts_by_name(resources: Any) -> dict[str, FontDecoder]:
    fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(fonts, pikepdf.Dictionary):
        return {}
    found = {}
    for name, font in fonts.items():
        decoder = _decoder(font) if isinstance(font, pikepdf.Dictionary) else None
        if decoder is not None:
            found[str(name)] = decoder
    return found


def _actual_text(operands: list[Any], resources: Any) -> str | None:
    if len(operands) < 2:
        return None
    properties = operands[1]
    if isinstance(properties, pikepdf.Name) and isinstance(resources, pikepdf.Dictionary):
        named = resources.get("/Properties")
        properties = named.get(properties) if isinstance(named, pikepdf.Dictionary) else None
    if not isinstance(properties, pikepdf.Dictionary):
        return None
    actual = properties.get("/ActualText")
    return str(actual) if isinstance(actual, pikepdf.String) else None


def _same_text(actual: str, shown: str) -> bool:
    """The same characters, ignoring spaces and hyphens (a span over a hyphenated word says
    the word whole); in scripts drawn in another order than read, the same characters in any
    order."""
    said = _IGNORED_IN_COMPARISON.sub("", unicodedata.normalize("NFKC", actual))
    drawn = _IGNORED_IN_COMPARISON.sub("", unicodedata.normalize("NFKC", shown))
    if said == drawn:
        return True
    return bool(_CLUSTER_SCRIPTS.search(said)) and sorted(said) == sorted(drawn)
