"""ReportLab's parse of the base fonts and the Chinese and Korean faces, kept with the package,
so that a new process (a cold render, each batch worker) does not parse them again.

ReportLab reads a TrueType font's tables (widths, cmap, glyph offsets) in Python, one number
at a time: about 14 ms for each of the three base fonts, a third of a cold render's own work,
and 100–140 ms for each Chinese or Korean face (18–31 ms restored from its cache file, half
of it reading and hashing the font file itself).
``data/fontfaces/<font file>.marshal.z`` holds the face's attributes as ReportLab left them
(marshal, compressed; glyphToChar made again when first read, see _RestoredFace), with
the SHA-256 of the font file they came from and the ReportLab version that parsed it. A face
is restored from it only when both still match; otherwise (a changed font, another ReportLab,
another Python's marshal format, a missing file) the font is parsed as before. Either way the
face is the same, so the PDF is the same bytes (tests/test_coldstart.py holds both).
Regenerate after changing a base font (the test says how when a cache file is stale):
write_caches().
"""

from __future__ import annotations

import hashlib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import reportlab
from reportlab import rl_config
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

from .. import packagedata

FOLDER = packagedata.PACKAGE / "data" / "fontfaces"
FORMAT = 2  # bump when the layout of a cache file changes
# attributes not kept: the font's bytes (read from the font file), a function of unitsPerEm,
# and glyphToChar (made again when first read: see _RestoredFace)
UNKEPT = ("_ttf_data", "_pdfScale", "glyphToChar")


def cache_file(font_file: Path) -> Path:
    return FOLDER / f"{font_file.name}.marshal.z"


def load_font(name: str, font_file: Path) -> TTFont:
    """``TTFont(name, font_file)``, restored from its cache file when that is current."""
    data = font_file.read_bytes()
    state = _cached_state(font_file, data)
    if state is None:
        return TTFont(name, str(font_file))
    face = _RestoredFace.__new__(_RestoredFace)
    face.__dict__.update(state)
    face._ttf_data = data
    face.filename = str(font_file)
    face._pdfScale = _scale(face.unitsPerEm)
    # what TTFont.__init__ does after parsing the face (ReportLab 5.1)
    font = TTFont.__new__(TTFont)
    font.fontName = name
    font.face = face
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch(name, glob) for glob in ttfonts.unShapedFontGlob)
    return font


class _RestoredFace(TTFontFace):
    """A face restored from its cache file. Its glyphToChar (glyph → characters) is not kept
    whole: it took 17.5 ms of the 23 a Chinese face takes to restore, and nothing rxleaflet
    does reads it (ReportLab's own HarfBuzz path does, which rxleaflet does not take). It is
    made, when first asked for, from charToGlyph, the same cmap entries the other way round,
    and the few glyphs where the parse's differs from that (it points U+00A0 at the space's
    glyph after filing it under its own), which the cache file keeps as they were."""

    def __getattr__(self, name: str) -> Any:  # only for what is not in the face's __dict__
        if name != "glyphToChar":
            raise AttributeError(name)
        table = _glyphs_to_characters(self.charToGlyph)
        for glyph, characters in self.__dict__[APART].items():
            if characters is None:
                del table[glyph]
            else:
                table[glyph] = characters
        self.glyphToChar = table
        return table


APART = "_glyph_to_char_apart"  # the restored face's glyphToChar entries kept as parsed


def _glyphs_to_characters(char_to_glyph: dict[int, int]) -> dict[int, list[int]]:
    table: dict[int, list[int]] = {}
    for char, glyph in char_to_glyph.items():
        table.setdefault(glyph, []).append(char)
    return table


def _scale(units_per_em: int) -> Any:
    """The scale to 1000 units ReportLab's extractInfo sets as _pdfScale (the same arithmetic)."""
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor


def _cached_state(font_file: Path, data: bytes) -> dict[str, Any] | None:
    kept = packagedata.read_kept(cache_file(font_file))
    if kept is None or kept.get("format") != FORMAT:
        return None
    if kept.get("reportlab") != reportlab.Version:  # its attributes are ReportLab's internals
        return None
    if kept.get("sha256") != hashlib.sha256(data).hexdigest():
        return None
    state: dict[str, Any] = kept["state"]
    for key in kept["names"]:
        state[key] = TTFNameBytes(state[key])
    return state


def face_state(font: TTFont) -> dict[str, Any]:
    """What a cache file keeps of a parsed font (plain types only, for marshal)."""
    state = {k: v for k, v in vars(font.face).items() if k not in UNKEPT}
    parsed, made = font.face.glyphToChar, _glyphs_to_characters(font.face.charToGlyph)
    state[APART] = {
        glyph: parsed.get(glyph)
        for glyph in sorted(parsed.keys() | made.keys())
        if parsed.get(glyph) != made.get(glyph)
    }
    names = sorted(k for k, v in state.items() if isinstance(v, TTFNameBytes))
    for key in names:
        state[key] = bytes(state[key])
    return {"format": FORMAT, "reportlab": reportlab.Version, "names": names, "state": state}


def write_cache(font_file: Path) -> Path:
    """Parse ``font_file`` with ReportLab and write its cache file."""
    kept = face_state(TTFont("cache", str(font_file)))
    kept["sha256"] = hashlib.sha256(font_file.read_bytes()).hexdigest()
    kept["state"]["filename"] = font_file.name  # replaced on load; no machine's path kept
    target = cache_file(font_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    return packagedata.write_kept(target, kept)


def write_caches() -> list[Path]:
    """Write the cache file of every font ReportLab parses: the base fonts and the Chinese and
    Korean faces (the shaped scripts' faces are read by HarfBuzz, not parsed here)."""
    from ..source.coverage import CACHED_FONTS, fonts_folder

    return [write_cache(fonts_folder() / name) for name in sorted(CACHED_FONTS.values())]
