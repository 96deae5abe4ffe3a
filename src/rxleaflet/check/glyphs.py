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

import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pikepdf
from fontTools.ttLib import TTFont

from .actualtext import CLUSTER_SCRIPTS, actual_text_problems, tounicode
from .bundled import BundledFace, bundled_face, shaped_face_of
from .truetype import Glyphs, embedded_program, same_glyph

MAX_FONTS = 200  # fonts judged per file; a leaflet has a handful
MAX_FORM_DEPTH = 3
MAX_GLYPHS = 5000  # codes judged per font: a leaflet's fonts show a few hundred
# Ligatures a real font draws as one glyph for several letters (and what fonts write for them).
LIGATURES = frozenset({
    "ff", "fi", "fl", "ffi", "ffl", "fj", "ffj", "ft", "fft", "fb", "fh", "fk", "st", "ſt", "ct",
    "Th", "tt", "tz",
})  # fmt: skip


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
        judged: dict[tuple[int, int], list[tuple[str, str]]] = {}
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
            problems.extend(GlyphProblem(*found) for found in actual_text_problems(page, number))
        return problems


def _grouped(found: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """(kind, characters) items → one message per kind with its characters."""
    kinds: dict[str, list[str]] = {}
    for kind, text in found:
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


def _judged(font: Any, own: bool) -> list[tuple[str, str]]:
    """A font's problems; a font this cannot read at all is one (the check fails closed)."""
    try:
        return _font_problems(font, own)
    except Exception:  # noqa: BLE001 - hostile fonts break readers in many ways
        return [("a font whose glyphs cannot be read to compare them with its text", "")]


def _font_problems(font: Any, own: bool) -> list[tuple[str, str]]:
    if font.get("/Subtype") == "/Type3":
        kind = "a Type 3 font: its glyphs are drawing procedures that cannot be compared with "
        return [(kind + "the text they claim to be", _sample(font))]
    decoder = tounicode(font)
    if decoder is None:
        return []  # no ToUnicode: the fonts-tounicode rule's finding
    found = [("a glyph claims more than one glyph can show", text)
             for text in set(decoder.mapping.values()) if _claims_too_much(text)]  # fmt: skip
    program = _program(font)
    widths = _pdf_widths(font)
    if program is not None and program.shaped:
        return found + _shaped_font_problems(decoder.mapping, program, widths)
    compared, differ = 0, []
    for code, text in sorted(decoder.mapping.items())[:MAX_GLYPHS]:
        if not _drawn(text):
            continue
        number = int.from_bytes(code, "big")
        if widths.get(number, 1.0) == 0 and not _marks_only(text):
            found.append(("a glyph with no width (glyphs pile up)", text))
        drawn = program.glyphs_for(number, text) if program else ()
        if not drawn or CLUSTER_SCRIPTS.search(text):
            # shaped by another engine, whose subsets renumber the glyphs (Typst's): a glyph
            # of a joining or Indic script may be a contextual form that no character maps
            # to, and a cluster's text may sit on any of its glyphs, even an empty one. The
            # ActualText pass compares such runs with the face by outline; the pixel pass
            # sees whether their text has ink
            continue
        if any(program.blank(glyph) for glyph in drawn):
            found.append(("a blank glyph for a character", text))
            continue
        same = [program.is_bundled(glyph, text) for glyph in drawn] if len(text) == 1 else []
        compared += None not in same and bool(same)
        if False in same or (own and not program.width_is_bundled(widths.get(number), text)):
            differ.append(("the glyph drawn is not the font's own for the character", text))
    # another engine may embed another release of a face with the same name: most glyphs then
    # differ a little; a doctored copy changes a few
    if own or len(differ) * 2 <= compared:
        found.extend(differ)
    return found


def _shaped_font_problems(
    mapping: dict[bytes, str], program: _Program, widths: dict[int, float]
) -> list[tuple[str, str]]:
    """A shaped font (Type0, glyph ids shown directly) naming a bundled face: each glyph must
    be the face's glyph of that id, at its advance (zero for a mark). The text a glyph's
    ToUnicode entry gives is judged where the face's cmap names the glyph; a contextual form
    (conjunct, half form, joining form) has no character of its own, and its run's /ActualText
    must shape into the glyphs drawn (the ActualText pass)."""
    face = program.bundled
    found = []
    for code, text in sorted(mapping.items())[:MAX_GLYPHS]:
        gid = int.from_bytes(code, "big")
        if program.glyphs_for(gid, text) != (gid,) or gid >= face.glyphs.count:
            if gid:
                found.append(("a glyph the face does not have", text))
            continue
        width = widths.get(gid)
        if not same_glyph(program.glyphs, gid, face.glyphs, gid) or (
            width is not None and abs(width - face.glyphs.advance(gid)) > 1
        ):
            found.append(("the glyph drawn is not the font's own for the character", text))
        elif _names_another_character(face, gid, text):
            found.append(("a glyph whose text is another character's", text))
    return found


def _names_another_character(face: BundledFace, gid: int, text: str) -> bool:
    """The face's cmap gives glyph ``gid`` to some character, and ``text`` is another one."""
    return (
        len(text) == 1 and _drawn(text) and gid in face.nominal_glyphs and face.glyph(text) != gid
    )


def _sample(font: Any) -> str:
    decoder = tounicode(font)
    return "".join(list(decoder.mapping.values())[:12]) if decoder else ""


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
    if CLUSTER_SCRIPTS.search(text):
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


class _Program:
    """An embedded TrueType program: which glyph a shown code draws, and the bundled face it
    claims to be, if any."""

    def __init__(
        self, glyphs: Glyphs, code_to_glyphs: Any, bundled: BundledFace | None, shaped: bool
    ):
        self.glyphs = glyphs
        self.glyphs_for = code_to_glyphs
        self.bundled = bundled
        self.shaped = shaped and bundled is not None  # glyph ids shown as codes

    def blank(self, gid: int) -> bool:
        return self.glyphs.blank(gid)

    def is_bundled(self, gid: int, character: str) -> bool | None:
        """Whether glyph ``gid`` is the bundled face's glyph for ``character``; None when
        there is no bundled face or it has no such character."""
        if self.bundled is None:
            return None
        own = self.bundled.glyph(character)
        return None if own is None else same_glyph(self.glyphs, gid, self.bundled.glyphs, own)

    def width_is_bundled(self, width: float | None, character: str) -> bool:
        """The PDF's width for the code is the bundled face's advance (viewers place glyphs
        by /Widths, not by the program's metrics); True where there is nothing to compare."""
        own = self.bundled.glyph(character) if self.bundled and len(character) == 1 else None
        if own is None or width is None:
            return True
        return abs(width - self.bundled.glyphs.advance(own)) <= 1


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
        glyphs = embedded_program(stream)
        if glyphs is None:
            return None
        if font.get("/Subtype") == "/Type0":
            code_to_glyph = _cid_glyphs(descendant, glyphs.count)
        else:
            code_to_glyph = _simple_glyphs(glyphs.font, glyphs)
    except Exception:  # noqa: BLE001 - fontTools raises many kinds on a hostile program
        return None  # judged by its ToUnicode map and widths only
    shaped = font.get("/Subtype") == "/Type0" and shaped_face_of(font, glyphs) is not None
    return _Program(glyphs, code_to_glyph, bundled_face(str(font.get("/BaseFont", ""))), shaped)


def _cid_glyphs(descendant: Any, count: int) -> Any:
    """Identity-H codes are CIDs; /CIDToGIDMap (Identity, or a stream of 2-byte glyph ids)
    turns them into glyphs."""
    mapping = descendant.get("/CIDToGIDMap")
    table = mapping.read_bytes() if isinstance(mapping, pikepdf.Stream) else None

    def glyphs_for(cid: int, text: str) -> tuple[int, ...]:
        gid = cid
        if table is not None:
            gid = int.from_bytes(table[2 * cid : 2 * cid + 2], "big") if 2 * cid < len(table) else 0
        return (gid,) if 0 < gid < count else ()

    return glyphs_for


def _simple_glyphs(font: TTFont, glyphs: Glyphs) -> Any:
    """A simple TrueType font's code → glyphs: every glyph a viewer may draw for it. Viewers
    differ in which cmap subtable they consult first ((3,0) for symbolic fonts, (1,0), or the
    Unicode subtable through the encoding), so a program whose subtables disagree is judged
    by each of them."""
    tables = font["cmap"].tables if "cmap" in font else []
    mac = next((t.cmap for t in tables if (t.platformID, t.platEncID) == (1, 0)), {})
    symbol = next((t.cmap for t in tables if (t.platformID, t.platEncID) == (3, 0)), {})

    def glyphs_for(code: int, text: str) -> tuple[int, ...]:
        names = (mac.get(code), symbol.get(0xF000 + code), symbol.get(code))
        found = {int(name[1:]) for name in names if name}  # the names Glyphs gave: g<number>
        if len(text) == 1:
            found.add(glyphs.character(ord(text)) or 0)
        return tuple(sorted(found - {0}))

    return glyphs_for
