"""Marked-content /ActualText must say what its glyphs show (issue #29): screen readers and
pdftotext read the ActualText instead of the glyphs, so a span over "Do not take" that says
"Do take" tells them another sentence than the page does.

A span drawn in a shaped font (Type0, glyph ids shown directly) of a bundled face is judged
exactly: its ActualText, shaped by HarfBuzz in that face, must give the glyphs drawn, in the
order drawn (rxleaflet's renderer shows nothing else). Other spans are compared by their
characters, through the fonts' ToUnicode maps."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pikepdf

from .bundled import BundledFace, shaped_face_of
from .fontdecode import FontDecoder, Malformed, parse_cmap

# Scripts whose clusters (conjuncts, lam-alef, syllables) are one glyph for several letters,
# and whose glyphs are drawn in another order than the text is read.
CLUSTER_SCRIPTS = re.compile(
    "[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\u1100-\u11ff"
    "\uac00-\ud7af\ufb1d-\ufdff\ufe70-\ufeff]"
)
_IGNORED_IN_COMPARISON = re.compile(r"[\s\u00ad\u200b-\u200f\u2060\ufeff-]")


def tounicode(font: Any) -> FontDecoder | None:
    """The font's ToUnicode map, None when it has none that can be read."""
    to_unicode = font.get("/ToUnicode")
    if not isinstance(to_unicode, pikepdf.Stream):
        return None
    try:
        return parse_cmap(to_unicode.read_bytes())
    except (Malformed, pikepdf.PdfError):
        return None


def actual_text_problems(page: Any, number: int) -> list[tuple[int, str, str]]:
    """(page, message, ActualText) for each marked-content span with /ActualText that does
    not say what its glyphs show."""
    contents = page.obj.get("/Contents")
    if contents is None or b"ActualText" not in _raw_contents(contents):
        return []
    resources = page.obj.get("/Resources")
    by_name = _fonts_by_name(resources)
    problems: list[tuple[int, str, str]] = []
    spans: list[_Span] = []  # open ones
    depth = 0
    decoder: FontDecoder | None = None
    face: BundledFace | None = None
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
                spans.append(_Span(depth, actual))
        elif op == "EMC":
            if spans and spans[-1].depth == depth:
                span = spans.pop()
                if not span.says_what_it_shows():
                    problems.append((
                        number, f"an /ActualText says '{span.actual[:60]}' where the glyphs "
                        f"show '{''.join(span.text)[:60]}'", span.actual))  # fmt: skip
            depth = max(0, depth - 1)
        elif op == "Tf" and operands:
            decoder, face = by_name.get(str(operands[0]), (None, None))
        elif op in ("Tj", "'", '"', "TJ") and spans and decoder is not None:
            strings = operands[-1]
            items = strings if isinstance(strings, pikepdf.Array) else [strings]
            for item in items:
                if isinstance(item, pikepdf.String):
                    spans[-1].drawn(bytes(item), decoder, face)
    return problems


class _Span:
    """An open marked-content span with /ActualText, and what has been drawn in it."""

    def __init__(self, depth: int, actual: str):
        self.depth = depth
        self.actual = actual
        self.text: list[str] = []  # the drawn codes' ToUnicode text
        self.faces: set[BundledFace | None] = set()
        self.glyph_ids: list[int] = []

    def drawn(self, codes: bytes, decoder: FontDecoder, face: BundledFace | None) -> None:
        self.text.append(decoder.decode(codes))
        self.faces.add(face)
        if face is not None:
            self.glyph_ids.extend(
                int.from_bytes(codes[i : i + 2], "big") for i in range(0, len(codes) - 1, 2)
            )

    def says_what_it_shows(self) -> bool:
        if len(self.faces) == 1 and None not in self.faces:
            (face,) = self.faces
            return face.shaped(self.actual) == tuple(self.glyph_ids)
        return _same_text(self.actual, "".join(self.text))


def _raw_contents(contents: Any) -> bytes:
    try:
        streams = contents if isinstance(contents, pikepdf.Array) else [contents]
        return b"".join(s.read_bytes() for s in streams if isinstance(s, pikepdf.Stream))
    except pikepdf.PdfError:
        return b""


def _fonts_by_name(resources: Any) -> dict[str, tuple[FontDecoder, BundledFace | None]]:
    """Each font's ToUnicode map, and for a shaped font, the bundled face it names."""
    fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(fonts, pikepdf.Dictionary):
        return {}
    found = {}
    for name, font in fonts.items():
        decoder = tounicode(font) if isinstance(font, pikepdf.Dictionary) else None
        if decoder is not None:
            found[str(name)] = (decoder, shaped_face_of(font))
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
    return bool(CLUSTER_SCRIPTS.search(said)) and sorted(said) == sorted(drawn)
