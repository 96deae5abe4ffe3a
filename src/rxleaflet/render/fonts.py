"""The bundled fonts registered with ReportLab, and the per-character fallback between them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..source.coverage import BOLD, FONT_FILES, REGULAR, SYMBOLS, font_coverage, fonts_folder

__all__ = ["BOLD", "REGULAR", "SYMBOLS", "FontSet", "load_fonts"]


@dataclass(frozen=True)
class FontSet:
    """The fonts a leaflet draws with; a run's characters try ``chain`` in order."""

    coverage: dict[str, frozenset[int]]

    def chain(self, bold: bool) -> tuple[str, ...]:
        return (BOLD, REGULAR, SYMBOLS) if bold else (REGULAR, SYMBOLS)

    def segments(self, text: str, bold: bool) -> list[tuple[str, str]]:
        """Split ``text`` into (text, font name) pieces, each drawable by its font."""
        chain = self.chain(bold)
        first = self.coverage[chain[0]]
        if all(ord(char) in first for char in text):
            return [(text, chain[0])]
        pieces: list[tuple[str, str]] = []
        for char in text:
            name = next((n for n in chain if ord(char) in self.coverage[n]), chain[0])
            if pieces and pieces[-1][1] == name:
                pieces[-1] = (pieces[-1][0] + char, name)
            else:
                pieces.append((char, name))
        return pieces


@cache
def load_fonts() -> FontSet:
    """Register the bundled fonts with ReportLab, once per process."""
    folder = fonts_folder()
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    return FontSet({name: font_coverage(name) for name in FONT_FILES})
