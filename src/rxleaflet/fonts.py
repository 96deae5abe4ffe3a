"""The bundled fonts: registration with ReportLab, per-character fallback and coverage checks."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from . import pdfobjects
from .markup import describe

REGULAR = "RxSans"
BOLD = "RxSans-Bold"
SYMBOLS = "RxSymbols"
_FILES = {
    REGULAR: "NotoSans-Regular.ttf",
    BOLD: "NotoSans-Bold.ttf",
    SYMBOLS: "NotoSansMath-Regular.ttf",
}
# Characters laid out as space, never drawn as glyphs of their own.
_SPACES = frozenset(" \n\t")


def fonts_folder() -> Path:
    """``fonts/`` inside an installed wheel, else the repository's ``fonts/`` (editable install)."""
    packaged = Path(str(resources.files(__package__))) / "fonts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "fonts"


@dataclass(frozen=True)
class FontSet:
    """The fonts a leaflet draws with; a run's characters try ``chain`` in order."""

    coverage: dict[str, frozenset[int]]
    drawable: frozenset[str]  # every character some font can draw, plus layout spaces

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

    def can_draw(self, char: str) -> bool:
        return char in self.drawable


@cache
def load_fonts() -> FontSet:
    """Register the bundled fonts once per process and return their coverage."""
    pdfobjects.install_reportlab_fixes()
    folder = fonts_folder()
    coverage = {}
    for name, filename in _FILES.items():
        font = TTFont(name, str(folder / filename))
        pdfmetrics.registerFont(font)
        coverage[name] = frozenset(font.face.charToGlyph)
    drawable = frozenset(chr(code) for cover in coverage.values() for code in cover) | _SPACES
    return FontSet(coverage, drawable)


def glyph_error(text: str, field: str) -> tuple[int, str] | None:
    """(offset, message) for the first character of ``text`` no bundled font can draw."""
    fonts = load_fonts()
    if fonts.drawable.issuperset(text):
        return None
    for offset, char in enumerate(text):
        if not fonts.can_draw(char):
            return offset, (
                f"character {describe(char)} in {field} cannot be printed by the bundled fonts; "
                "replace it with words or a supported character"
            )
    return None
