"""Everything that reaches into ReportLab's private PDF object model lives here, in one place.

ReportLab has no tagging API, so the structure tree, page entries, XMP and document info are
written as raw PDF objects into its document before it serialises. Pinned: reportlab 5.1.x.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import operator
import re
import zlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfgen import canvas as canvas_module
from reportlab.pdfgen.canvas import Canvas

from .shaping import shaped_face
from .subset import make_subset
from .tagging import MarkedContent, StructNode, Tagger

_TRUE = b"true"  # ReportLab would write Python's True as "True", which is not PDF
PROVENANCE_NAMESPACE = "https://rxleaflet.invalid/ns/provenance/1/"
_CMAP_BLOCK = 100  # PDF allows at most 100 entries per beginbfchar block


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, without U+0000 entries for unused codes and in legal blocks."""
    entries = [_cmap_entry(code, value) for code, value in enumerate(subset) if value]
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <FF>",
        "endcodespacerange",
    ]
    return cmap_program(lines, entries)


def cmap_program(head: list[str], entries: list[str]) -> str:
    """A ToUnicode CMap: ``head`` (through the code space range), ``entries`` ("<code>
    <UTF-16BE>") in blocks of at most 100, and the end."""
    lines = list(head)
    for start in range(0, len(entries), _CMAP_BLOCK):
        block = entries[start : start + _CMAP_BLOCK]
        lines += [f"{len(block)} beginbfchar", *block, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


@functools.lru_cache(maxsize=65536)
def _cmap_entry(code: int, code_point: int) -> str:
    """A simple font's ToUnicode entry: its one-byte code and the character's UTF-16BE (the
    same few hundred pairs in every leaflet of a language: made once per process)."""
    return f"<{code:02X}> <{_utf16_hex(code_point)}>"


def _utf16_hex(code_point: int) -> str:
    """A CMap destination: UTF-16BE, so characters beyond U+FFFF become surrogate pairs."""
    return chr(code_point).encode("utf-16-be").hex().upper()


@functools.cache
def install_reportlab_fixes() -> None:
    """Patch ReportLab once per process where its output would break PDF/UA or text extraction,
    and where it does needless work for every leaflet (the same bytes come out)."""
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    ttfonts.TTFont.addObjects = _with_indirect_widths(ttfonts.TTFont.addObjects)
    ttfonts.TTFontFile.makeSubset = make_subset
    global _encode
    pdfdoc.pdfdocEnc = _encode = _ascii_first(pdfdoc.pdfdocEnc)
    # every dictionary key is escaped again each time it is written: a few dozen names, cached
    pdfdoc.PDFName = functools.lru_cache(maxsize=4096)(pdfdoc.PDFName)
    pdfdoc.format = _integers_and_references_first(pdfdoc.format)
    pdfdoc.PDFDictionary.format = _dictionary_format
    pdfdoc.PDFArray.format = _array_format
    pdfdoc.PDFIndirectObject.format = _indirect_format
    pdfdoc.PDFString.format = _ascii_string_first(pdfdoc.PDFString.format)
    rl_config.useA85 = 0  # plain Flate streams: smaller and faster than ASCII85 on top
    pdfdoc.PDFZCompress = _Flate()  # its users look it up in pdfdoc when they write a stream


FLATE_LEVEL = 3
"""zlib's level for every stream. ReportLab's default (6) spends up to twice the time for
smaller files: on the 1,200-word monograph 1.74 ms against 1.22 ms per leaflet, the file 1 %
larger at level 3; Chinese 6.5 against 4.6 ms, 2 % larger; Arabic 5.3 against 2.6 ms and
Urdu 7.0 against 3.7 ms, the file 10 % larger (their per-character spans compress less well
at lower levels); Hindi and Bengali 5 % larger."""


class _Flate(pdfdoc.PDFStreamFilterZCompress):
    """Flate at FLATE_LEVEL (the same bytes for the same input: deterministic)."""

    def encode(self, text: str | bytes) -> bytes:
        return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, FLATE_LEVEL)


def _with_indirect_widths(add_objects: Any) -> Any:
    """Font widths as their own objects: a reader that needs only a font's ToUnicode map or
    descriptor (our read-back check) then does not have to parse hundreds of numbers."""

    def add(font: ttfonts.TTFont, doc: pdfdoc.PDFDocument) -> None:
        add_objects(font, doc)
        for entry in doc.idToObject["BasicFonts"].dict.values():
            if isinstance(entry, pdfdoc.PDFTrueTypeFont) and isinstance(
                getattr(entry, "Widths", None), pdfdoc.PDFArray
            ):
                entry.Widths = doc.Reference(entry.Widths)

    return add


_encode: Any = pdfdoc.pdfdocEnc  # ReportLab's PDFDocEncoding, its ASCII fast path once installed
_PDFDOC_CONTROLS = re.compile("[\x18-\x1f]")  # the ASCII codes PDFDocEncoding gives other uses


def _ascii_first(pdfdoc_encode: Any) -> Any:
    """ReportLab encodes every number, name and keyword it writes through a charmap codec in
    Python (about 0.6 µs each, a thousand per leaflet). For ASCII text PDFDocEncoding is
    ASCII, except the codes it gives to accents: such text is encoded by ASCII's C codec."""

    def encode(text: Any) -> Any:
        if (
            isinstance(text, str)
            and text.isascii()
            and (text.isprintable() or not _PDFDOC_CONTROLS.search(text))
        ):
            return text.encode("ascii")
        return pdfdoc_encode(text)

    return encode


def _ascii_string_first(format_string: Any) -> Any:
    """PDFString.format, its usual case in C: ASCII text PDFDocEncoding writes as ASCII (not
    through ReportLab's charmap codec, twice: once to test, once to encode), escaped and in
    brackets, as ReportLab writes it. Anything else is ReportLab's own path."""

    def format_ascii(self: pdfdoc.PDFString, document: Any) -> bytes:
        text = self.s
        if (
            type(text) is str
            and text.isascii()
            and (text.isprintable() or not _PDFDOC_CONTROLS.search(text))
            and getattr(self, "enc", "auto") == "auto"
            and getattr(self, "escape", 1) == 1
            and type(document.encrypt) is pdfdoc.NoEncryption
        ):
            return pdfdoc.pdfdocEnc(f"({escapePDF(text.encode('ascii'))})")  # type: ignore[no-any-return]
        return format_string(self, document)  # type: ignore[no-any-return]

    return format_ascii


def _integers_and_references_first(format_value: Any) -> Any:
    """ReportLab formats each value of every dictionary and array through a chain of type
    tests; most are integers (widths, counts), references, names, dictionaries and arrays,
    written here directly, byte for byte as it writes them (anything else, a reference not
    yet numbered included, is its own path)."""
    reference = pdfdoc.PDFObjectReference

    def format_first(element: Any, document: Any, toplevel: int = 0) -> bytes:
        kind = type(element)
        if kind is int:
            return b"%d" % element
        if kind is reference:
            numbers = document.idToObjectNumberAndVersion
            if element.name in numbers:
                return b"%d %d R" % numbers[element.name]
        elif kind is str:
            return _encode(element)  # type: ignore[no-any-return]
        elif kind is bytes:
            return element  # type: ignore[no-any-return]
        elif kind is pdfdoc.PDFDictionary or kind is pdfdoc.PDFArray:
            return element.format(document)  # type: ignore[no-any-return]
        return format_value(element, document, toplevel)  # type: ignore[no-any-return]

    return format_first


@functools.lru_cache(maxsize=4096)
def _key(name: str) -> bytes:
    """A dictionary key as written: the escaped name and the space after it."""
    return _encode(pdfdoc.PDFName(name)) + b" "  # type: ignore[no-any-return]


def _dictionary_format(self: pdfdoc.PDFDictionary, document: Any, IND: bytes = b"\n ") -> bytes:  # noqa: N803
    """PDFDictionary.format with its keys' bytes cached: the same bytes (a dictionary on one
    line, a line break after every sixth entry, unless it is set multiline)."""
    entries = self.dict
    keys = list(entries)
    if not isinstance(entries, OrderedDict):
        keys.sort()
    write = pdfdoc.format
    parts = [_key(k) + write(entries[k], document) for k in keys]
    return _laid_out(self, parts, b"<<\n", b"\n>>", 6, IND)


def _array_format(self: pdfdoc.PDFArray, document: Any, IND: bytes = b"\n ") -> bytes:  # noqa: N803
    """PDFArray.format, the same bytes (a break after every tenth element of a long array)."""
    write = pdfdoc.format
    parts = [  # an integer (a font's widths: hundreds) as format_first writes it, without a call
        b"%d" % element if type(element) is int else write(element, document)
        for element in self.sequence
    ]
    return _laid_out(self, parts, b"[ ", b" ]", 10, IND)


def _laid_out(
    container: Any, parts: list[bytes], opening: bytes, closing: bytes, every: int, indent: bytes
) -> bytes:
    """A dictionary's or array's formatted ``parts`` between ``opening`` and ``closing``, as
    ReportLab lays them out: one per line when the container is multiline, else on one line
    with a break after every ``every`` parts."""
    if (container.multiline and rl_config.pdfMultiLine) or container.multiline == "forced":
        return opening + indent.join(parts) + closing
    for index in reversed(range(every, len(parts), every)):
        parts.insert(index, b"\n ")
    return opening + b" ".join(parts) + closing


def _indirect_format(self: pdfdoc.PDFIndirectObject, document: Any) -> bytes:
    """PDFIndirectObject.format: "n 0 obj", the object, "endobj" (the same bytes)."""
    number, version = document.idToObjectNumberAndVersion[self.name]
    document.encrypt.register(number, version)
    content = pdfdoc.format(self.content, document, toplevel=1)
    end = b"endobj\n" if content.endswith(b"\n") else b"\nendobj\n"
    return b"%d %d obj\n" % (number, version) + content + end


@functools.cache
def color(hex_code: str) -> Color:
    """ReportLab's colour for "#RRGGBB", made once per process (ReportLab would parse the
    string again for every paragraph drawn)."""
    return HexColor(hex_code)


def draw_line(
    canvas: Canvas,
    pieces: Sequence[tuple[str, str]],
    x: float,
    y: float,
    size: float,
    right: float | None = None,
) -> None:
    """One line of text at (x, y), each (text, font name) piece in its own font: BT, Td, Tf per
    font subset, Tj, ET (ReportLab's text object would also set a leading, which nothing here
    uses, and a whole matrix), without making an object per line: a leaflet draws hundreds.

    With ``right`` the line belongs to a right-to-left paragraph: it is put in visual order by
    the bidi algorithm (render/bidi.py) and ends at ``right``; ``x`` is ignored."""
    doc = canvas._doc
    if right is not None:
        line = _right_to_left(canvas, pieces, right, y, size)
        if line:
            canvas._code.append(line)
        return
    code = ["BT", f"{fp_str(x, y)} Td"]
    for text, font_name in pieces:
        code.extend(_show(canvas, text, font_name, size, doc))
    code.append("ET")
    canvas._code.append(" ".join(code))


def draw_lines(
    canvas: Canvas, lines: Sequence[Any], x: float, baseline: float, leading: float, size: float
) -> None:
    """draw_line for each of a left-to-right paragraph's ``lines`` (their ``pieces``), the
    first at ``baseline``, each ``leading`` below the one before: a line of one piece in a
    font the document already uses, every character coded (most lines), in one step."""
    doc = canvas._doc
    shown = doc.__dict__.setdefault("rxleaflet_fonts", {})
    append = canvas._code.append
    for index, line in enumerate(lines):
        y = baseline - index * leading
        pieces = line.pieces
        if len(pieces) == 1:
            known = _known_font_show(shown, *pieces[0], size)
            if known is not None:  # what draw_line writes for it
                append(f"BT {fp_str(x, y)} Td {known[0]} {known[1]} ET")
                continue
        draw_line(canvas, pieces, x, y, size)


def _known_font_show(
    shown: dict[str, Any] | None, text: str, font_name: str, size: float
) -> tuple[str, str] | None:
    """The Tf and Tj operators showing ``text`` in a font the document already uses (its
    ReportLab state in ``shown``), every character coded in its first subset (most pieces);
    None for _show's general path."""
    state = shown.get(font_name) if shown is not None else None
    if state is None or not text:
        return None
    codes = _first_subset_codes(state, text)
    if codes is None:
        return None
    operator = state.rxleaflet_tf.get((0, size))
    if operator is None:
        return None
    return operator, f"({escapePDF(codes)}) Tj"


def _show(
    canvas: Canvas, text: str, font_name: str, size: float, doc: Any, rtl: bool | None = None
) -> list[str]:
    """Operators showing ``text`` in ``font_name``: glyph ids in an ActualText span for a shaped
    face (``rtl``: its direction, else guessed), else the font's subset codes."""
    known = _known_font_show(doc.__dict__.get("rxleaflet_fonts"), text, font_name, size)
    if known is not None:
        return list(known)
    shaped = shaped_face(font_name)
    if shaped is not None:  # Devanagari and the other shaped scripts: glyph ids, ActualText
        return [shaped.show(shaped.shape(text, rtl), size, doc)]
    font = pdfmetrics.getFont(font_name)
    code: list[str] = []
    current = -1
    for subset, data in _split(font, text, doc):
        if subset != current:
            code.append(_font_operator(font, subset, size, doc))
            current = subset
        code.append(f"({escapePDF(data)}) Tj")
    state = font.state.get(doc)
    if state is not None:
        # the next piece in this font finds its ReportLab state here, not through the font's
        # weak-keyed table of documents (and needs no test for a shaped face)
        doc.__dict__.setdefault("rxleaflet_fonts", {}).setdefault(font_name, state)
    return code


def _font_operator(font: ttfonts.TTFont, subset: int, size: float, doc: Any) -> str:
    """The Tf operator selecting ``font``'s ``subset`` at ``size``, kept with the font's state
    in this document (a subset's name is fixed once given): hundreds of lines ask for it."""
    operators = font.state[doc].__dict__.setdefault("rxleaflet_tf", {})
    operator = operators.get((subset, size))
    if operator is None:
        operator = f"{font.getSubsetInternalName(subset, doc)} {fp_str(size)} Tf"
        operators[subset, size] = operator
    return operator  # type: ignore[no-any-return]


def _right_to_left(
    canvas: Canvas, pieces: Sequence[tuple[str, str]], right: float, y: float, size: float
) -> str:
    """A right-to-left line ending at ``right``: its segments placed in visual order, shown in
    logical order (see render/bidi.py)."""
    from .bidi import segments, visual_order
    from .fonts import text_width

    doc = canvas._doc
    parts = segments(pieces)
    widths = {part.start: text_width(part.text, part.font, size, part.rtl) for part in parts}
    x = right - sum(widths.values())
    placed: dict[int, float] = {}
    for part in visual_order(parts):
        placed[part.start] = x
        x += widths[part.start]
    if not parts:
        return ""
    at = placed[parts[0].start]
    code = ["BT", f"{fp_str(at, y)} Td"]
    for part in parts:
        if placed[part.start] != at:
            code.append(f"{fp_str(placed[part.start] - at)} 0 Td")
            at = placed[part.start]
        if part.rtl and shaped_face(part.font) is None and len(part.text) > 1:
            # right to left in a face that is not shaped (a symbol the Arabic face lacks):
            # each character at its place, from the right, in logical order
            right_edge = at + widths[part.start]
            for char in part.text:
                right_edge -= text_width(char, part.font, size)
                code.append(f"{fp_str(right_edge - at)} 0 Td")
                at = right_edge
                code.extend(_show(canvas, char, part.font, size, doc))
        else:
            code.extend(_show(canvas, part.text, part.font, size, doc, part.rtl))
    code.append("ET")
    return " ".join(code)


def _split(font: ttfonts.TTFont, text: str, doc: pdfdoc.PDFDocument) -> Sequence[tuple[int, bytes]]:
    """``font.splitString(text, doc)``: text as (subset, codes) pieces. Where every character
    already has a code in the first subset (most lines after the first few) the codes are
    looked up in one pass (see _first_subset_codes); anything else (a new character, a
    no-break space, a later subset) is ReportLab's own character-by-character loop."""
    state = font.state.get(doc)
    if state is not None and text:
        codes = _first_subset_codes(state, text)
        if codes is not None:
            return ((0, codes),)
    return font.splitString(text, doc)


class _SubsetCodes(dict[int, int]):
    """A str.translate table: a character → its code in a font's first subset. A character
    without one becomes U+FFFF, which Latin-1 cannot encode: the caller's sign to fall back."""

    def __missing__(self, key: int) -> int:
        return 0xFFFF


def _first_subset_codes(state: Any, text: str) -> bytes | None:
    """``text`` as codes of the first subset of the font whose ReportLab ``state`` this is,
    or None when a character has no code there yet. The characters are looked up in C: ASCII
    text by bytes.translate (a 256-byte table; the characters with a code deleted, anything
    left has none), other text by str.translate (about a third of the time of a Python lookup
    per character). ReportLab only ever adds codes, at the end of its table: the tables take
    in the new ones when there are more."""
    assignments = state.assignments
    kept = state.__dict__.get("rxleaflet_codes")
    if kept is None:
        kept = state.rxleaflet_codes = [0, _SubsetCodes(), bytearray(range(256)), bytearray()]
    if kept[0] != len(assignments):
        table, ascii_table, ascii_coded = kept[1], kept[2], kept[3]
        for char, code in itertools.islice(assignments.items(), kept[0], None):
            if code < 256:
                table[char] = code
                if char < 128:
                    ascii_table[char] = code
                    ascii_coded.append(char)
        kept[0] = len(assignments)
    if text.isascii():
        data = text.encode("ascii")
        return None if data.translate(None, kept[3]) else data.translate(kept[2])
    try:
        return text.translate(kept[1]).encode("latin-1")
    except UnicodeEncodeError:
        return None


def _pdf_string(text: str) -> pdfdoc.PDFString:
    return pdfdoc.PDFString(text)


@dataclass(frozen=True)
class HeldPage:
    """A drawn page not yet written: the canvas state ReportLab keeps for it."""

    state: dict[str, Any]

    def attribute(self, name: str) -> Any:
        return self.state[name]


_STATE_NAMES = tuple(Canvas.STATE_ATTRIBUTES)
_state_of = operator.itemgetter(*_STATE_NAMES)
_TRANSPARENCY = pdfdoc.PDF_SUPPORT_VERSION["transparency"]


def _copy_extgstate(state: canvas_module.ExtGState) -> canvas_module.ExtGState:
    """ExtGState.pushCopy without running its __init__ (its values copied, its names shared)."""
    copy = canvas_module.ExtGState.__new__(canvas_module.ExtGState)
    copy._d = state._d.copy()
    copy._c = state._c
    return copy


@functools.lru_cache(maxsize=256)
def _fill_operator(red: float, green: float, blue: float) -> str:
    """The "r g b rg" operator ReportLab writes for a colour (a leaflet has a handful)."""
    return "%s rg" % fp_str((red, green, blue))  # noqa: UP031


class PageHoldingCanvas(Canvas):
    """A canvas that holds finished pages back, so that they can be decorated (page N of M)
    and written later, with blank pages between where needed. ReportLab keeps a page's drawing
    in the canvas's own attributes; holding a page is keeping a copy of them."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._held: list[HeldPage] = []

    # Every flowable is drawn inside saveState/translate/restoreState, and most set a colour:
    # ReportLab's own methods take 5-7 µs each. These write the same operators and leave the
    # same state, in less Python (anything unusual goes to ReportLab's own).

    def push_state_stack(self) -> None:
        # the state's values, in STATE_ATTRIBUTES' order (a tuple: making a dict of 23 entries
        # takes longer than the rest of saving and restoring)
        self.state_stack.append(_state_of(self.__dict__))
        self._extgstate = _copy_extgstate(self._extgstate)

    def pop_state_stack(self) -> None:
        self.__dict__.update(zip(_STATE_NAMES, self.state_stack.pop()))  # noqa: B905

    def saveState(self) -> None:  # noqa: N802 - ReportLab's name
        self.push_state_stack()
        self._code.append("q")

    def translate(self, dx: float, dy: float) -> None:
        code = self._code
        if not canvas_module.ENABLE_TRACKING or (code and code[-1][-3:] == " cm"):
            Canvas.translate(self, dx, dy)  # ReportLab merges it into the cm before
            return
        a0, b0, c0, d0, e0, f0 = self._currentMatrix
        # Canvas.transform's products for (1, 0, 0, 1, dx, dy), in its order (the same floats)
        self._currentMatrix = (
            a0 * 1 + c0 * 0, b0 * 1 + d0 * 0, a0 * 0 + c0 * 1, b0 * 0 + d0 * 1,
            a0 * dx + c0 * dy + e0, b0 * dx + d0 * dy + f0,
        )  # fmt: skip
        code.append("1 0 0 1 %s cm" % fp_str(dx, dy))  # noqa: UP031 - fp_str(1, 0, 0, 1, dx, dy)

    def setFillColor(self, aColor: Any, alpha: Any = None) -> None:  # noqa: N802, N803
        if type(aColor) is not Color or alpha is not None or self._enforceColorSpace:
            super().setFillColor(aColor, alpha)
            return
        self._fillColorObj = aColor
        self._code.append(_fill_operator(aColor.red, aColor.green, aColor.blue))
        opacity = aColor.alpha
        if opacity is None:
            return
        if (
            (type(opacity) is int or type(opacity) is float)
            and opacity == self._extgstate._d.get("ca", 1)
            and self._doc._pdfVersion >= _TRANSPARENCY
        ):
            return  # ReportLab would write nothing: the opacity is already this one
        self.setFillAlpha(opacity)

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._held.append(HeldPage(dict(self.__dict__)))
        self._startPage()

    def held_pages(self) -> list[HeldPage]:
        return list(self._held)

    def resume(self, page: HeldPage) -> None:
        """Make ``page`` the current page again, to draw on it before it is written."""
        self.__dict__.update(page.state)

    def emit_page(self) -> None:
        """Write the current page to the document."""
        Canvas.showPage(self)

    def emit_blank_page(self, like: HeldPage) -> None:
        """Write an empty page of the same size (so that the next leaflet starts on the right)."""
        self.__dict__.update(like.state)
        self._code: list[str] = []
        self._currentPageHasImages = 0
        Canvas.showPage(self)


class InfoDictionary(pdfdoc.PDFInfo):
    """Document info with fixed fields and the leaflet's provenance as extra keys."""

    def __init__(self, fields: Mapping[str, str]):
        super().__init__()
        self.fields = dict(fields)

    def digest(self, md5object: object) -> None:
        for key in sorted(self.fields):
            md5object.update(f"{key}={self.fields[key]}".encode())  # type: ignore[attr-defined]

    def format(self, document: pdfdoc.PDFDocument) -> bytes:
        entries: dict[str, object] = {k: _pdf_string(v) for k, v in self.fields.items()}
        entries["CreationDate"] = entries["ModDate"] = pdfdoc.PDFDate(ts=document._timeStamp)
        return pdfdoc.PDFDictionary(entries).format(document)


def _xml_text(text: str) -> str:
    """Text as XML character data (what ``xml.sax.saxutils.escape`` does, without importing
    ``urllib.request`` and ``http.client`` along with it: about 10 ms of every cold start)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xmp(
    title: str, language: str, author: str, provenance: Mapping[str, str], iso_date: str
) -> bytes:
    rx = "".join(f"<rxl:{k}>{_xml_text(v)}</rxl:{k}>" for k, v in sorted(provenance.items()))
    descriptions = [
        '<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
        "<pdfuaid:part>1</pdfuaid:part></rdf:Description>",
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{_xml_text(title)}</rdf:li></rdf:Alt>'
        f"</dc:title><dc:creator><rdf:Seq><rdf:li>{_xml_text(author)}</rdf:li></rdf:Seq>"
        f"</dc:creator><dc:language><rdf:Bag><rdf:li>{_xml_text(language)}</rdf:li></rdf:Bag>"
        "</dc:language></rdf:Description>",
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        f"<xmp:CreateDate>{iso_date}</xmp:CreateDate><xmp:ModifyDate>{iso_date}</xmp:ModifyDate>"
        "</rdf:Description>",
        f'<rdf:Description rdf:about="" xmlns:rxl="{PROVENANCE_NAMESPACE}">{rx}</rdf:Description>',
    ]
    packet = "\n".join(
        [
            '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
            *descriptions,
            "</rdf:RDF>",
            "</x:xmpmeta>",
            '<?xpacket end="w"?>',
        ]
    )
    return packet.encode("utf-8")


def write_document_metadata(
    canvas: Canvas,
    *,
    title: str,
    language: str,
    author: str,
    subject: str,
    keywords: str,
    creator: str,
    provenance: Mapping[str, str],
) -> None:
    """Title shown in the window, /Lang, info dictionary and XMP (with PDF/UA identification)."""
    doc = canvas._doc
    fields = {
        "Title": title,
        "Author": author,
        "Subject": subject,
        "Keywords": keywords,
        "Creator": creator,
        "Producer": creator,
        **provenance,
    }
    doc.info = InfoDictionary(fields)
    doc.Catalog.Lang = _pdf_string(language)
    canvas.setViewerPreference("DisplayDocTitle", "true")
    stamp = doc._timeStamp.datetime
    iso_date = stamp.strftime("%Y-%m-%dT%H:%M:%S") + _offset(stamp.strftime("%z"))
    stream = pdfdoc.PDFStream(
        pdfdoc.PDFDictionary(
            {"Type": pdfdoc.PDFName("Metadata"), "Subtype": pdfdoc.PDFName("XML")}
        ),
        _xmp(title, language, author, provenance, iso_date),
        filters=None,  # uncompressed, so that any tool can read the XMP
    )
    doc.Catalog.Metadata = stream


def write_embedded_sources(canvas: Canvas, files: list[tuple[str, bytes, str]]) -> None:
    """Attach each (file name, bytes, description) as an embedded file that is the document's
    source (AFRelationship /Source), listed in the EmbeddedFiles name tree and in /AF."""
    doc = canvas._doc
    specs = []
    for name, data, description in sorted(files):
        stream = pdfdoc.PDFStream(
            pdfdoc.PDFDictionary(
                {
                    "Type": pdfdoc.PDFName("EmbeddedFile"),
                    # the MIME type application/yaml: a name with its "/" written #2F (what
                    # ReportLab's PDFName cannot write: it escapes "#" and leaves "/")
                    "Subtype": _Raw([b"/application#2Fyaml"]),
                    "Params": pdfdoc.PDFDictionary(
                        {
                            "Size": len(data),
                            "CheckSum": pdfdoc.PDFString(hashlib.md5(data).digest(), enc="raw"),
                        }
                    ),
                }
            ),
            data,
            filters=[pdfdoc.PDFZCompress],
        )
        stream_ref = doc.Reference(stream)
        spec = pdfdoc.PDFDictionary(
            {
                "Type": pdfdoc.PDFName("Filespec"),
                "F": _pdf_string(name),
                "UF": _pdf_string(name),
                "Desc": _pdf_string(description),
                "AFRelationship": pdfdoc.PDFName("Source"),
                "EF": pdfdoc.PDFDictionary({"F": stream_ref, "UF": stream_ref}),
            }
        )
        specs.append((name, doc.Reference(spec)))
    names: list[object] = []
    for name, ref in specs:
        names += [_pdf_string(name), ref]
    tree = pdfdoc.PDFDictionary({"Names": pdfdoc.PDFArray(names)})
    doc.Catalog.Names = pdfdoc.PDFDictionary({"EmbeddedFiles": doc.Reference(tree)})
    doc.Catalog.AF = pdfdoc.PDFArray([ref for _, ref in specs])


def _offset(z: str) -> str:
    return "Z" if z in ("", "+0000") else f"{z[:3]}:{z[3:]}"


def write_structure_tree(canvas: Canvas, tagger: Tagger, page_map: list[int]) -> None:
    """Write StructTreeRoot, ParentTree, page StructParents/Tabs and MarkInfo into the document.

    ``page_map[i]`` is the final index of the i-th page drawn (blank pages may sit between).
    """
    doc = canvas._doc
    pages = doc.Pages.pages
    for page in pages:
        page.__NoDefault__ = [*pdfdoc.PDFPage.__NoDefault__, "StructParents", "Tabs"]
        page.Tabs = pdfdoc.PDFName("S")
    for drawn, final in enumerate(page_map):
        pages[final].StructParents = drawn
    page_refs = [doc.Reference(pages[final]) for final in page_map]

    root_dict = pdfdoc.PDFDictionary({"Type": pdfdoc.PDFName("StructTreeRoot")})
    root_ref = doc.Reference(root_dict)
    element_refs: dict[int, pdfdoc.PDFObjectReference] = {}

    def element(
        node: StructNode, parent_ref: pdfdoc.PDFObjectReference
    ) -> pdfdoc.PDFObjectReference:
        """A StructElem written straight as bytes (there are hundreds per leaflet); its
        reference."""
        raw = _Raw([b"<< /Type /StructElem /S /" + node.role.encode("ascii") + b" /P ", parent_ref])
        ref = doc.Reference(raw)
        element_refs[id(node)] = ref
        if node.alt is not None:
            raw.parts += [b" /Alt ", _pdf_string(node.alt)]
        if node.lang is not None:
            raw.parts += [b" /Lang ", _pdf_string(node.lang)]
        pages_used = [c.page for c in node.children if isinstance(c, MarkedContent)]
        home = min(pages_used) if pages_used else None
        if home is not None:
            raw.parts += [b" /Pg ", page_refs[home]]
        raw.parts.append(b" /K [")
        for child in node.children:
            if isinstance(child, StructNode):
                raw.parts += [b" ", element(child, ref)]
            elif child.page == home:
                raw.parts.append(b" %d" % child.mcid)  # on the element's page a bare MCID will do
            else:
                raw.parts += [
                    b" << /Type /MCR /Pg ",
                    page_refs[child.page],
                    b" /MCID %d >>" % child.mcid,
                ]
        raw.parts.append(b" ] >>")
        return ref

    root_dict["K"] = pdfdoc.PDFArray([element(tagger.root, root_ref)])
    nums: list[object] = []
    for index in range(len(page_map)):
        contents = sorted(tagger.page_contents.get(index, []), key=lambda item: item[0])
        nums += [index, pdfdoc.PDFArray([element_refs[id(node)] for _, node in contents])]
    root_dict["ParentTree"] = doc.Reference(pdfdoc.PDFDictionary({"Nums": pdfdoc.PDFArray(nums)}))
    root_dict["ParentTreeNextKey"] = len(page_map)
    doc.Catalog.StructTreeRoot = root_ref
    doc.Catalog.MarkInfo = pdfdoc.PDFDictionary({"Marked": _TRUE})


class _Raw(pdfdoc.PDFObject):
    """A PDF object from pre-formatted bytes and embedded objects (references, strings)."""

    def __init__(self, parts: list[object]):
        self.parts = parts

    def format(self, document: pdfdoc.PDFDocument) -> bytes:
        # pdfdoc.format is _integers_and_references_first's: references written directly
        return b"".join(
            [part if type(part) is bytes else pdfdoc.format(part, document) for part in self.parts]
        )
