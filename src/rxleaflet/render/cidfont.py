"""A shaped face's PDF objects: Type0 font, CIDFontType2 descendant, descriptor, subset, ToUnicode.

Glyph ids are shown directly (Identity-H, CIDToGIDMap Identity), so the embedded subset keeps
every glyph id in place and holds outlines only for the glyphs used (gidsubset.py).
Every used glyph has a ToUnicode entry (PDF/UA asks for one per glyph); the logical text of a
shaped run is given by its Span's ActualText, which extractors prefer.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from reportlab.pdfbase import pdfdoc

from . import sfnt
from .gidsubset import gid_subset
from .pdfobjects import cmap_program

if TYPE_CHECKING:
    from .shaping import ShapedFace


def add_cid_font(
    doc: Any, face: ShapedFace, internal_name: str, glyph_text: dict[int, str]
) -> None:
    """Add to ``doc``, as ``internal_name``, the font objects for the glyphs in ``glyph_text``."""
    gids = sorted({0, *glyph_text})
    tag = face.subset_tag(gids)
    base_font = f"{tag}+{_postscript_name(face)}"
    subset, metrics = _cached_subset(face, tuple(gids))

    font_file = pdfdoc.PDFStream(content=subset)
    font_file.filters = [pdfdoc.PDFZCompress]
    font_file.dictionary["Length1"] = len(subset)
    descriptor = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("FontDescriptor"),
            "FontName": pdfdoc.PDFName(base_font),
            "Flags": 4,
            "FontBBox": pdfdoc.PDFArray(metrics["bbox"]),
            "ItalicAngle": 0,
            "Ascent": metrics["ascent"],
            "Descent": metrics["descent"],
            "CapHeight": metrics["ascent"],
            "StemV": 80,
            "FontFile2": doc.Reference(font_file, f"FontFile2:{base_font}"),
        }
    )
    widths = face._advances()
    descendant = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("CIDFontType2"),
            "BaseFont": pdfdoc.PDFName(base_font),
            "CIDSystemInfo": pdfdoc.PDFDictionary(
                {
                    "Registry": pdfdoc.PDFString("Adobe"),
                    "Ordering": pdfdoc.PDFString("Identity"),
                    "Supplement": 0,
                }
            ),
            "FontDescriptor": doc.Reference(descriptor, f"FontDescriptor:{base_font}"),
            "W": pdfdoc.PDFArray(
                [item for gid in gids for item in (gid, pdfdoc.PDFArray([round(widths[gid])]))]
            ),
            "CIDToGIDMap": pdfdoc.PDFName("Identity"),
        }
    )
    to_unicode = pdfdoc.PDFStream(content=_to_unicode(base_font, glyph_text).encode("ascii"))
    to_unicode.filters = [pdfdoc.PDFZCompress]
    font = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("Type0"),
            "BaseFont": pdfdoc.PDFName(base_font),
            "Encoding": pdfdoc.PDFName("Identity-H"),
            "DescendantFonts": pdfdoc.PDFArray([doc.Reference(descendant, f"CIDFont:{base_font}")]),
            "ToUnicode": doc.Reference(to_unicode, f"toUnicodeCMap:{base_font}"),
        }
    )
    doc.idToObject["BasicFonts"].dict[internal_name] = doc.Reference(font, internal_name)


def _postscript_name(face: ShapedFace) -> str:
    name = sfnt.postscript_name(sfnt.tables(face.data)) or face.name
    return "".join(char for char in name if char.isalnum() or char == "-")


@functools.lru_cache(maxsize=16)
def _cached_subset(face: ShapedFace, gids: tuple[int, ...]) -> tuple[bytes, dict[str, Any]]:
    """``_subset``, kept for the last few glyph sets: a batch renders the same leaflet's
    glyphs again and again (subsetting is most of a shaped leaflet's render time)."""
    return _subset(face, list(gids))


def _subset(face: ShapedFace, gids: list[int]) -> tuple[bytes, dict[str, Any]]:
    """The face with outlines for ``gids`` only, every glyph id kept in place; and its metrics."""
    return gid_subset(face.data, gids)


def _to_unicode(name: str, glyph_text: dict[int, str]) -> str:
    entries = [
        f"<{gid:04X}> <{text.encode('utf-16-be').hex().upper()}>"
        for gid, text in sorted(glyph_text.items())
    ]
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        f"/CMapName /{name}-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    return cmap_program(lines, entries)
