"""The bundled fonts registered with ReportLab, and the per-character fallback between them.

Latin text (and Greek, Cyrillic, Vietnamese) is drawn in Noto Sans; Chinese and Korean in the
Noto Sans CJK face the leaflet's language calls for (Han characters differ between Simplified,
Traditional and Korean use), registered only when a leaflet needs it; every character is its
font's glyph, so text extracts exactly as written. Devanagari is shaped by HarfBuzz
(render/shaping.py) and read back through ActualText; its face is loaded only when text needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from unicodedata import bidirectional, category, combining

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth

from ..source.coverage import (
    BOLD,
    CJK_FACE,
    CJK_FONTS,
    FONT_FILES,
    REGULAR,
    SHAPED_FACE,
    SHAPED_FONTS,
    SYMBOLS,
    font_coverage,
    fonts_folder,
)
from ..source.locales import language_key, locale_for, supported_languages
from .fontcache import load_font
from .shaping import register_shaped_face, shaped_face

# Characters that belong to the run before them when its font has them: vowel signs, nuktas,
# ZWJ/ZWNJ. Drawn in another font they would split a shaped cluster.
_JOINING_CATEGORIES = frozenset(("Mn", "Mc", "Me", "Cf"))
# Punctuation that stays in the Latin face after Latin text on a right-to-left line (brackets
# do not: HarfBuzz mirrors them in the line's own face)
_LATIN_PUNCTUATION = frozenset(("Po", "Pd"))
_BRACKETS = frozenset(("Ps", "Pe", "Pi", "Pf"))
_VIRAMA_CLASS = 9  # the canonical combining class of every script's virama (halant)

__all__ = ["BOLD", "REGULAR", "SYMBOLS", "FontSet", "fonts_for"]


@dataclass(frozen=True)
class FontSet:
    """The fonts a leaflet draws with; a run's characters try its chain in order."""

    name: str  # tells font sets apart in caches: a Han character's font depends on it
    regular: tuple[str, ...]  # the chain for regular text
    bold: tuple[str, ...]  # the chain for bold text
    # the language is written right to left: lines are put in visual order by the bidi
    # algorithm and set flush right, and the page is mirrored (render/bidi.py)
    rtl: bool = False
    # a right-to-left language's shaped face, which also draws the spaces, brackets and
    # punctuation of its lines (HarfBuzz mirrors a bracket set right to left)
    rtl_face: str | None = None

    def chain(self, bold: bool) -> tuple[str, ...]:
        return self.bold if bold else self.regular

    def segments(self, text: str, bold: bool) -> list[tuple[str, str]]:
        """Split ``text`` into (text, font name) pieces, each drawable by its font."""
        chain = self.chain(bold)
        first = font_coverage(chain[0])
        if (not self.rtl_face or text.isalnum()) and all(ord(char) in first for char in text):
            return [(text, chain[0])]
        pieces: list[tuple[str, str]] = []
        # on a right-to-left line, the punctuation of a word with a right-to-left letter is
        # set in the line's face; a word of Latin letters, digits and signs keeps the Latin
        # face but for brackets, which HarfBuzz mirrors in the line's face
        rtl_word = self.rtl_face is not None and any(
            bidirectional(char) in ("R", "AL") for char in text
        )
        for char in text:
            code = ord(char)
            previous = pieces[-1][1] if pieces else None
            if previous in CJK_FONTS and not char.isalnum() and code in font_coverage(previous):
                name = previous  # punctuation after Chinese or Korean text stays in its face
            elif (
                previous in SHAPED_FONTS
                and code in font_coverage(previous)
                and (category(char) in _JOINING_CATEGORIES or not char.isalnum())
            ):
                # a shaped cluster stays whole in its face, and punctuation after it stays
                # with it: a reph drawn past the run's end would otherwise read as a space
                name = previous
            elif (
                self.rtl_face
                and previous is not None
                and previous not in SHAPED_FONTS
                and category(char) in _LATIN_PUNCTUATION
                and code in font_coverage(previous)
            ):
                name = previous  # "Dr.", "St,": Latin punctuation, and the space after it
            elif (
                self.rtl_face
                and not char.isalnum()
                and code in font_coverage(self.rtl_face)
                and (rtl_word or category(char) in _BRACKETS)
            ):
                name = f"{self.rtl_face}-Bold" if bold else self.rtl_face
            else:
                name = next((n for n in chain if code in font_coverage(n)), chain[0])
            if pieces and pieces[-1][1] == name:
                pieces[-1] = (pieces[-1][0] + char, name)
            else:
                _register(name)
                pieces.append((char, name))
        return pieces

    def width(self, text: str, bold: bool, size: float) -> float:
        return sum(text_width(part, font, size) for part, font in self.segments(text, bold))


def text_width(text: str, font: str, size: float, rtl: bool | None = None) -> float:
    """The width of ``text`` drawn in ``font``: HarfBuzz's advances for a shaped face (``rtl``:
    its direction, else guessed from the text), else ReportLab's character widths."""
    shaped = shaped_face(font)
    if shaped is not None:
        return shaped.shape(text, rtl).width(size)
    return stringWidth(text, font, size)


def clusters(text: str, font: str) -> list[str]:
    """``text`` cut where a line may be broken inside a word: between characters, or between
    a shaped face's clusters (never inside a conjunct or before a vowel sign)."""
    shaped = shaped_face(font)
    if shaped is None:
        return list(text)
    starts = sorted(
        start
        for start in shaped.shape(text).cluster_starts() | {0}
        if start == 0 or _syllable_may_end(text[start - 1], text[start])
    )
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def _syllable_may_end(before: str, after: str) -> bool:
    """False inside an orthographic syllable: after a virama (its consonant joins the next;
    HarfBuzz may give a half form a cluster of its own) or ZWJ/ZWNJ, before a sign or joiner."""
    return (
        combining(before) != _VIRAMA_CLASS
        and category(before) != "Cf"
        and category(after) not in _JOINING_CATEGORIES
    )


@cache
def fonts_for(language: str) -> FontSet:
    """The fonts for a leaflet in ``language`` (a BCP 47 tag): Noto Sans, then the CJK faces
    and the shaped faces (the language's own first), then the symbols. Noto Sans and its bold
    are registered here; every other face (the symbols' too: 3.5 ms, and few leaflets need
    it) when text first needs it (FontSet.segments)."""
    for name in (REGULAR, BOLD):
        _register(name)
    key = language_key(language)
    cjk = _own_first(CJK_FACE.get(key), tuple(CJK_FACE.values()))
    # the language's own shaped face first (Urdu: Nastaliq, not Naskh; Bengali's danda)
    shaped = _own_first(
        SHAPED_FACE.get(key), tuple(name for name in SHAPED_FONTS if not name.endswith("-Bold"))
    )
    rtl = key in supported_languages() and locale_for(key).rtl
    rtl_face = None
    if rtl:  # (only then are the shaped faces' character maps read)
        letter = ord(locale_for(key).words["warning"][0])
        rtl_face = next((name for name in shaped if letter in font_coverage(name)), None)
    return FontSet(
        key,
        rtl=rtl,
        rtl_face=rtl_face,
        regular=(REGULAR, *cjk, *shaped, SYMBOLS),
        bold=(
            BOLD,
            *(f"{face}-Bold" for face in (*cjk, *shaped)),
            REGULAR,
            *cjk,
            *shaped,
            SYMBOLS,
        ),
    )


def _own_first(own: str | None, faces: tuple[str, ...]) -> tuple[str, ...]:
    return (*([own] if own else []), *(face for face in faces if face != own))


@cache
def _register(name: str) -> None:
    if name in SHAPED_FONTS:
        register_shaped_face(name, fonts_folder() / FONT_FILES[name])
        return
    pdfmetrics.registerFont(load_font(name, fonts_folder() / FONT_FILES[name]))
