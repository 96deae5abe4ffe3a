"""Marked-content /ActualText must say what its glyphs show (issue #29): screen readers and
pdftotext read the ActualText instead of the glyphs, so a span over "Do not take" that says
"Do take" tells them another sentence than the page does.

Spans drawn in a Type0 font of a bundled face (glyph ids shown directly: rxleaflet's shaped
runs, other engines' too, whose glyphs are matched to the face's by outline), one after the
other, are judged together and exactly: their ActualText, shaped by HarfBuzz in that face,
must give the glyphs drawn (``shapedtext``; rxleaflet's renderer shows nothing else). Other
spans are compared by their characters, through the fonts' ToUnicode maps."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pikepdf

from .bundled import BundledFace, DrawnFace, drawn_face_of
from .fontdecode import FontDecoder, Malformed, parse_cmap
from .shapedtext import shows_shaping

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
    """(page, message, ActualText) for each marked-content span with /ActualText (or run of
    shaped spans) that does not say what its glyphs show."""
    contents = page.obj.get("/Contents")
    if contents is None or b"ActualText" not in _raw_contents(contents):
        return []
    resources = page.obj.get("/Resources")
    by_name = _fonts_by_name(resources)
    problems: list[tuple[int, str, str]] = []
    spans: list[_Span] = []  # open ones
    run: list[_Span] = []  # consecutive closed spans drawn in one shaped face
    depth = 0
    decoder: FontDecoder | None = None
    face: DrawnFace | None = None
    try:
        instructions = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return []

    def judge(judged: list[_Span]) -> None:
        if judged and not _says_what_it_shows(judged):
            said = "".join(span.actual for span in judged)
            shown = "".join(text for span in judged for text in span.text)
            problems.append((
                number, f"an /ActualText says '{said[:60]}' where the glyphs show "
                f"'{shown[:60]}'", said))  # fmt: skip
        judged.clear()

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
                shaped = span.shaped_face()
                if shaped is None or (run and run[-1].shaped_face() is not shaped):
                    judge(run)
                run.append(span)
                if shaped is None:
                    judge(run)
            depth = max(0, depth - 1)
        elif op == "Tf" and operands:
            decoder, face = by_name.get(str(operands[0]), (None, None))
            judge(run)  # the renderer selects the font at the start of every shaped run
        elif op in ("BT", "ET"):
            judge(run)
        elif op in ("Tj", "'", '"', "TJ"):
            strings = operands[-1] if operands else None
            items = strings if isinstance(strings, pikepdf.Array) else [strings]
            shown = [bytes(item) for item in items if isinstance(item, pikepdf.String)]
            if spans and decoder is not None:
                for codes in shown:
                    spans[-1].drawn(codes, decoder, face)
            elif any(shown):
                judge(run)  # text outside any span ends a run of shaped spans
    judge(run)
    return problems


class _Span:
    """A marked-content span with /ActualText, and what has been drawn in it."""

    def __init__(self, depth: int, actual: str):
        self.depth = depth
        self.actual = actual
        self.text: list[str] = []  # the drawn codes' ToUnicode text
        self.faces: set[BundledFace | None] = set()
        self.glyph_ids: list[int] = []
        self.by_outline = False  # another engine's font, whose glyphs were found by outline

    def drawn(self, codes: bytes, decoder: FontDecoder, drawn_face: DrawnFace | None) -> None:
        self.text.append(decoder.decode(codes))
        if drawn_face is None:
            self.faces.add(None)
            return
        self.faces.add(drawn_face.face)
        self.by_outline = self.by_outline or drawn_face.program is not None
        for at in range(0, len(codes) - 1, 2):
            glyph = drawn_face.face_glyph(int.from_bytes(codes[at : at + 2], "big"))
            if glyph is None:  # not a glyph of the face: judged by its characters
                self.faces.add(None)
            else:
                self.glyph_ids.append(glyph)

    def shaped_face(self) -> BundledFace | None:
        """The shaped face this span drew in, when it drew in that one only."""
        if len(self.faces) == 1 and None not in self.faces:
            return next(iter(self.faces))
        return None


def _says_what_it_shows(spans: list[_Span]) -> bool:
    """One span of any font: its characters. Spans drawn in one shaped face, one after the
    other: the glyphs HarfBuzz makes of their ActualText together (see ``shaped_run``)."""
    face = spans[0].shaped_face()
    if face is None:
        (span,) = spans
        return _same_text(span.actual, "".join(span.text))
    in_context = any(span.by_outline for span in spans)
    return shows_shaping(face, [(span.actual, span.glyph_ids) for span in spans], in_context)


def _raw_contents(contents: Any) -> bytes:
    try:
        streams = contents if isinstance(contents, pikepdf.Array) else [contents]
        return b"".join(s.read_bytes() for s in streams if isinstance(s, pikepdf.Stream))
    except pikepdf.PdfError:
        return b""


def _fonts_by_name(resources: Any) -> dict[str, tuple[FontDecoder, DrawnFace | None]]:
    """Each font's ToUnicode map, and for a Type0 font of a bundled face, that face."""
    fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(fonts, pikepdf.Dictionary):
        return {}
    found = {}
    for name, font in fonts.items():
        decoder = tounicode(font) if isinstance(font, pikepdf.Dictionary) else None
        if decoder is not None:
            found[str(name)] = (decoder, drawn_face_of(font))
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
