"""The bundled fonts registered with ReportLab, and the per-character fallback between them.

Latin text (and Greek, Cyrillic, Vietnamese) is drawn in Noto Sans; Chinese and Korean in the
Noto Sans CJK face the leaflet's language calls for (Han characters differ between Simplified,
Traditional and Korean use), registered only when a leaflet needs it. Nothing is shaped: every
character is its font's glyph, so text extracts exactly as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth

from ..source.coverage import (
    BASE_FONTS,
    BOLD,
    CJK_FACE,
    CJK_FONTS,
    FONT_FILES,
    REGULAR,
    SYMBOLS,
    font_coverage,
    fonts_folder,
)
from ..source.locales import language_key
from .fontcache import load_font

__all__ = ["BOLD", "REGULAR", "SYMBOLS", "FontSet", "fonts_for"]


@dataclass(frozen=True)
class FontSet:
    """The fonts a leaflet draws with; a run's characters try its chain in order."""

    name: str  # tells font sets apart in caches: a Han character's font depends on it
    regular: tuple[str, ...]  # the chain for regular text
    bold: tuple[str, ...]  # the chain for bold text

    def chain(self, bold: bool) -> tuple[str, ...]:
        return self.bold if bold else self.regular

    def segments(self, text: str, bold: bool) -> list[tuple[str, str]]:
        """Split ``text`` into (text, font name) pieces, each drawable by its font."""
        chain = self.chain(bold)
        first = font_coverage(chain[0])
        if all(ord(char) in first for char in text):
            return [(text, chain[0])]
        pieces: list[tuple[str, str]] = []
        for char in text:
            code = ord(char)
            previous = pieces[-1][1] if pieces else None
            if previous in CJK_FONTS and not char.isalnum() and code in font_coverage(previous):
                name = previous  # punctuation after Chinese or Korean text stays in its face
            else:
                name = next((n for n in chain if code in font_coverage(n)), chain[0])
            if pieces and pieces[-1][1] == name:
                pieces[-1] = (pieces[-1][0] + char, name)
            else:
                _register(name)
                pieces.append((char, name))
        return pieces

    def width(self, text: str, bold: bool, size: float) -> float:
        return sum(stringWidth(part, font, size) for part, font in self.segments(text, bold))


@cache
def fonts_for(language: str) -> FontSet:
    """The fonts for a leaflet in ``language`` (a BCP 47 tag): Noto Sans, then the CJK faces
    (the language's own first), then the symbols. The base fonts are registered here."""
    for name in BASE_FONTS:
        _register(name)
    key = language_key(language)
    own = CJK_FACE.get(key)
    cjk = (*([own] if own else []), *(face for face in CJK_FACE.values() if face != own))
    return FontSet(
        key,
        regular=(REGULAR, *cjk, SYMBOLS),
        bold=(BOLD, *(f"{face}-Bold" for face in cjk), REGULAR, *cjk, SYMBOLS),
    )


@cache
def _register(name: str) -> None:
    pdfmetrics.registerFont(load_font(name, fonts_folder() / FONT_FILES[name]))
