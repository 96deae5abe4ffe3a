"""Remove TrueType hinting from the bundled Noto Sans fonts (run once, by hand, when a font is
updated; needs fontTools, which rxleaflet itself does not).

Hinting is instructions that snap outlines to a screen's pixel grid at small sizes. A leaflet
is printed, and PDF viewers smooth their text instead; yet the instructions were about 40 % of
every embedded font subset (ReportLab copies them with each glyph). The outlines, metrics and
character maps are unchanged, so the pages are the same, in fewer bytes.

    python3 fonts/dehint.py fonts/NotoSans-Regular.ttf fonts/NotoSans-Bold.ttf \
        fonts/NotoSansMath-Regular.ttf
"""

from __future__ import annotations

import sys

from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import ttProgram

HINTING_TABLES = ("fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX")
GASP_SMOOTH_UNHINTED = 0x000A  # grayscale, symmetric smoothing, no grid-fitting


def dehint(path: str) -> None:
    font = TTFont(path, recalcTimestamp=False)  # same input, same bytes
    for tag in HINTING_TABLES:
        if tag in font:
            del font[tag]
    glyphs = font["glyf"]
    for name in font.getGlyphOrder():
        glyph = glyphs[name]
        if glyph.isComposite() or glyph.numberOfContours > 0:
            glyph.program = ttProgram.Program()
            glyph.program.fromBytecode(b"")
    maxp = font["maxp"]
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions",
    ):  # fmt: skip
        setattr(maxp, field, 0)
    if "gasp" in font:
        font["gasp"].gaspRange = {0xFFFF: GASP_SMOOTH_UNHINTED}
    font.save(path)


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        dehint(argument)
