"""rxleaflet's own grammar (issue #29): a PDF that records rxleaflet provenance may use only what
rxleaflet writes. Anything else in such a file ("not as rxleaflet wrote it") is how a doctored
copy would bring in constructs the content reading does not model: a blend mode, an optional
content group, a Form XObject, a pattern colour, an annotation over the page.

The table below is the whole grammar, with what writes each part. The in-pipeline read-back
relies on it by construction (it reads bytes rxleaflet has just written with these parts
only); `check` of a file from outside enforces it, then judges the pixels as well. When the
renderer learns a new construct, it is added here, in the same change.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pikepdf

from .bundled import shaped_face_of
from .onereading import structure_dictionaries
from .truetype import program_tables

# The tables every TrueType subset rxleaflet embeds has (ReportLab's and fontTools')
_TRUETYPE_TABLES = frozenset(
    {"OS/2", "cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post"}
)
# What rxleaflet writes, by place. Keys not listed are foreign.
GRAMMAR: dict[str, frozenset[str]] = {
    # render/document.py (ReportLab's canvas): paths, text, images, marked content
    "operators": frozenset(
        {
            "q",
            "Q",
            "cm",
            "w",  # state: save/restore, position, rule widths
            "m",
            "l",
            "re",
            "S",
            "f",
            "f*",
            "B*",
            "n",  # rules, boxes, the warning's frame, QR
            "rg",
            "RG",  # DeviceRGB colours only
            "BT",
            "ET",
            "Td",
            "Tf",
            "Tj",  # text: one font, one move, one string at a time
            "TJ",
            "Ts",  # render/shaping.py: a shaped run's glyphs, kerned and raised (marks)
            "Do",  # images: the brand's logo, the QR code
            "BDC",
            "EMC",  # tagged content and artifacts
        }
    ),  # fmt: skip
    "marked_content_keys": frozenset({"/MCID", "/Type", "/Subtype"}),  # MCIDs, artifact kinds
    # render/shaping.py: a shaped run is a /Span with its logical text, and only it shows
    # shaped fonts and uses TJ and Ts
    "shaped_run_keys": frozenset({"/ActualText"}),
    "shaped_run_operators": frozenset({"TJ", "Ts"}),
    "resources": frozenset({"/Font", "/XObject", "/ProcSet"}),
    "font_subtypes": frozenset({"/TrueType", "/Type0"}),  # subsets of the bundled faces
    "font_keys": frozenset(
        {
            "/Type",
            "/Subtype",
            "/BaseFont",
            "/Name",
            "/FirstChar",
            "/LastChar",
            "/Widths",
            "/FontDescriptor",
            "/ToUnicode",
        }
    ),  # fmt: skip
    # render/cidfont.py: a shaped face, glyph ids shown directly (Identity-H, Identity map)
    "type0_font_keys": frozenset(
        {"/Type", "/Subtype", "/BaseFont", "/Encoding", "/DescendantFonts", "/ToUnicode"}
    ),
    "cid_font_keys": frozenset(
        {
            "/Type",
            "/Subtype",
            "/BaseFont",
            "/CIDSystemInfo",
            "/FontDescriptor",
            "/W",
            "/CIDToGIDMap",
        }
    ),
    "font_descriptor_keys": frozenset(
        {
            "/Type",
            "/FontName",
            "/Flags",
            "/FontBBox",
            "/ItalicAngle",
            "/Ascent",
            "/Descent",
            "/CapHeight",
            "/StemV",
            "/MissingWidth",
            "/FontFile2",
        }
    ),  # fmt: skip
    # ReportLab's subsets: these tables, one cmap subtable (Macintosh, code -> glyph)
    "font_program_tables": _TRUETYPE_TABLES | {"prep"},
    "font_cmap_subtables": frozenset({(1, 0)}),
    # fontTools' subsets of the shaped faces: the face's Unicode cmap and two small tables
    "shaped_font_program_tables": _TRUETYPE_TABLES | {"gasp", "STAT"},
    "shaped_font_cmap_subtables": frozenset({(0, 3), (3, 1)}),
    "xobject_subtypes": frozenset({"/Image"}),
    "image_keys": frozenset(
        {
            "/Type",
            "/Subtype",
            "/Width",
            "/Height",
            "/ColorSpace",
            "/BitsPerComponent",
            "/Filter",
            "/DecodeParms",
            "/Length",
            "/SMask",
            "/Decode",
        }
    ),  # fmt: skip
    "image_color_spaces": frozenset({"/DeviceRGB", "/DeviceGray", "/DeviceCMYK"}),
    "page_keys": frozenset(
        {
            "/Type",
            "/Parent",
            "/MediaBox",
            "/Resources",
            "/Contents",
            "/Rotate",
            "/StructParents",
            "/Tabs",
            "/Trans",
            "/Annots",  # signing.py: the invisible signature field's widget
        }
    ),  # fmt: skip
    # signing.py (pyHanko): one invisible signature widget
    "annotation_subtypes": frozenset({"/Widget"}),
    "catalog_keys": frozenset(
        {
            "/Type",
            "/Pages",
            "/Lang",
            "/MarkInfo",
            "/Metadata",
            "/Names",
            "/Outlines",
            "/PageMode",
            "/StructTreeRoot",
            "/ViewerPreferences",
            "/AcroForm",
            "/Extensions",
            "/Version",  # signing.py: the signature field, PAdES
        }
    ),  # fmt: skip
    "name_trees": frozenset({"/EmbeddedFiles"}),  # the leaflet's own source
    # render/tagging.py: the structure tree (no role map, no /ActualText, /Alt on figures only)
    "structure_root_keys": frozenset({"/Type", "/K", "/ParentTree", "/ParentTreeNextKey"}),
    "structure_element_keys": frozenset({"/Type", "/S", "/P", "/K", "/Pg", "/Lang", "/Alt"}),
    "alternate_text_roles": frozenset({"/Figure", "/Form"}),  # the QR code, logo; signature
}
MAX_STRUCTURE_NODES = 100_000


@dataclass(frozen=True)
class Foreign:
    page: int | None  # 1-based, None for the document
    what: str


def foreign_constructs(data: bytes) -> list[Foreign]:
    """What in ``data`` rxleaflet does not write (at most one finding per page and kind)."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError:
        return []  # the other readings report an unreadable file
    with pdf:
        found = list(_document(pdf))
        for number, page in enumerate(pdf.pages, start=1):
            kinds = dict.fromkeys(_page(page))  # in order, once each
            found.extend(Foreign(number, what) for what in kinds)
        return found


def _document(pdf: pikepdf.Pdf) -> Iterator[Foreign]:
    root = pdf.Root
    for key in sorted(set(root.keys()) - GRAMMAR["catalog_keys"]):
        yield Foreign(None, f"the catalog's {key}")
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in sorted(set(names.keys()) - GRAMMAR["name_trees"]):
            yield Foreign(None, f"a {key} name tree")
    yield from _structure(root.get("/StructTreeRoot"))
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary):
        for field in form.get("/Fields", []):
            if not isinstance(field, pikepdf.Dictionary) or field.get("/FT") != "/Sig":
                yield Foreign(None, "a form field that is not a signature")


def _structure(root: Any) -> Iterator[Foreign]:
    """Structure elements say what assistive technology reads: an /ActualText or an /Alt on a
    paragraph would be read instead of the text the page shows."""
    if not isinstance(root, pikepdf.Dictionary):
        return
    for key in sorted(set(root.keys()) - GRAMMAR["structure_root_keys"]):
        yield Foreign(None, f"the structure tree's {key}")
    kinds: dict[str, None] = {}
    for node in structure_dictionaries(root.get("/K"), MAX_STRUCTURE_NODES):
        if node.get("/Type") in ("/MCR", "/OBJR"):
            continue
        for key in sorted(set(node.keys()) - GRAMMAR["structure_element_keys"]):
            kinds[f"a structure element's {key}"] = None
        if "/Alt" in node and node.get("/S") not in GRAMMAR["alternate_text_roles"]:
            kinds[f"an /Alt on a {node.get('/S')} element"] = None
    yield from (Foreign(None, what) for what in kinds)


def _page(page: pikepdf.Page) -> Iterator[str]:
    obj = page.obj
    for key in sorted(set(obj.keys()) - GRAMMAR["page_keys"]):
        yield f"the page's {key}"
    for annotation in obj.get("/Annots", []):
        if not _signature_widget(annotation):
            kind = isinstance(annotation, pikepdf.Dictionary) and annotation.get("/Subtype")
            yield f"a {kind or 'malformed'} annotation"
    resources = obj.get("/Resources")
    if isinstance(resources, pikepdf.Dictionary):
        yield from _resources(resources)
    try:
        instructions = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        yield "content that cannot be parsed"
        return
    yield from _content(instructions, _shaped_font_names(resources))


def _shaped_font_names(resources: Any) -> frozenset[str]:
    fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(fonts, pikepdf.Dictionary):
        return frozenset()
    return frozenset(
        str(name)
        for name, font in fonts.items()
        if isinstance(font, pikepdf.Dictionary) and font.get("/Subtype") == "/Type0"
    )


def _signature_widget(annotation: Any) -> bool:
    """pyHanko's invisible signature field: a hidden widget of a /Sig field, no appearance."""
    if not isinstance(annotation, pikepdf.Dictionary):
        return False
    rect = [float(v) for v in annotation.get("/Rect", [])]
    return (
        annotation.get("/Subtype") in GRAMMAR["annotation_subtypes"]
        and annotation.get("/FT") == "/Sig"
        and "/AP" not in annotation
        and all(v == 0 for v in rect)
    )


def _resources(resources: Any) -> Iterator[str]:
    for key in sorted(set(resources.keys()) - GRAMMAR["resources"]):
        yield f"a {key} resource"
    for font in _values(resources.get("/Font")):
        yield from _font(font)
    for xobject in _values(resources.get("/XObject")):
        subtype = xobject.get("/Subtype")
        if subtype not in GRAMMAR["xobject_subtypes"]:
            yield f"a {subtype} XObject"
            continue
        for key in sorted(set(xobject.keys()) - GRAMMAR["image_keys"]):
            yield f"an image's {key}"
        space = xobject.get("/ColorSpace")
        if not isinstance(space, pikepdf.Name) or space not in GRAMMAR["image_color_spaces"]:
            yield "an image colour space other than DeviceRGB, DeviceGray or DeviceCMYK"


def _font(font: Any) -> Iterator[str]:
    subtype = font.get("/Subtype")
    if subtype not in GRAMMAR["font_subtypes"]:
        yield f"a {subtype} font"
        return
    if subtype == "/Type0":
        yield from _shaped_font(font)
        return
    for key in sorted(set(font.keys()) - GRAMMAR["font_keys"]):
        yield f"a font's {key}"
    yield from _font_program(font.get("/FontDescriptor"), "font")


def _shaped_font(font: Any) -> Iterator[str]:
    for key in sorted(set(font.keys()) - GRAMMAR["type0_font_keys"]):
        yield f"a Type0 font's {key}"
    descendants = font.get("/DescendantFonts")
    if font.get("/Encoding") != "/Identity-H" or not (
        isinstance(descendants, pikepdf.Array)
        and len(descendants) == 1
        and isinstance(descendants[0], pikepdf.Dictionary)
    ):
        yield "a Type0 font other than one Identity-H CIDFontType2"
        return
    cid_font = descendants[0]
    for key in sorted(set(cid_font.keys()) - GRAMMAR["cid_font_keys"]):
        yield f"a CID font's {key}"
    if cid_font.get("/Subtype") != "/CIDFontType2" or shaped_face_of(font) is None:
        yield "a Type0 font other than a bundled face's glyph ids, kept in place"
        return
    yield from _font_program(cid_font.get("/FontDescriptor"), "shaped_font")


def _font_program(descriptor: Any, kind: str) -> Iterator[str]:
    """The descriptor and embedded TrueType program of a font (``kind`` "font") or of a
    shaped face's CID font ("shaped_font")."""
    if not isinstance(descriptor, pikepdf.Dictionary) or "/FontFile2" not in descriptor:
        yield "a font without an embedded TrueType program"
        return
    for key in sorted(set(descriptor.keys()) - GRAMMAR["font_descriptor_keys"]):
        yield f"a font descriptor's {key}"
    try:
        tables, subtables = program_tables(descriptor["/FontFile2"].read_bytes())
    except Exception:  # noqa: BLE001 - fontTools raises many kinds on a hostile program
        yield "a font program that cannot be read"
        return
    for tag in sorted(tables - GRAMMAR[f"{kind}_program_tables"]):
        yield f"a font program's {tag.strip()} table"
    if subtables != GRAMMAR[f"{kind}_cmap_subtables"]:
        yield f"a font program's cmap subtables {sorted(subtables)}"


def _values(group: Any) -> Iterator[Any]:
    if isinstance(group, pikepdf.Dictionary):
        for value in group.values():
            if isinstance(value, pikepdf.Dictionary | pikepdf.Stream):
                yield value


def _content(instructions: list[Any], shaped_fonts: frozenset[str]) -> Iterator[str]:
    """Operators and marked content as rxleaflet writes them. Shaped fonts, TJ and Ts appear
    only inside a shaped run's /Span, which holds nothing but that run."""
    operators = GRAMMAR["operators"]
    keys = GRAMMAR["marked_content_keys"]
    depth, run_depth = 0, None  # marked-content depth, and that of the open shaped run
    shaped = False  # the current font is a shaped face
    for instruction in instructions:
        operator = str(instruction.operator)
        operands = instruction.operands
        if operator not in operators:
            yield f"the content operator {operator}"
        elif operator == "BDC":
            depth += 1
            properties = operands[1] if len(operands) > 1 else None
            if not isinstance(properties, pikepdf.Dictionary):
                yield "marked content with named properties"
            elif _shaped_run(operands[0], properties):
                if run_depth is not None:
                    yield "a shaped run inside another"
                run_depth = depth
            elif not set(properties.keys()) <= keys:
                yield f"marked content with {', '.join(sorted(set(properties.keys()) - keys))}"
        elif operator == "EMC":
            run_depth = None if run_depth == depth else run_depth
            depth = max(0, depth - 1)
        elif operator == "Tf":
            shaped = bool(operands) and str(operands[0]) in shaped_fonts
            if run_depth is not None and not shaped:
                yield "marked content with /ActualText around text that is not a shaped run"
        elif run_depth is None and _shows_outside_a_run(operator, operands, shaped):
            yield f"{'text in a shaped font' if shaped else operator} outside a shaped run"


def _shows_outside_a_run(operator: str, operands: list[Any], shaped: bool) -> bool:
    """Text in a shaped font, a rise, or a TJ that shows glyphs: only inside a shaped run
    (between a right-to-left run's spans, a TJ of numbers only moves to the next cluster)."""
    if operator == "TJ":
        items = operands[0] if operands and isinstance(operands[0], pikepdf.Array) else []
        return any(isinstance(item, pikepdf.String) for item in items)
    return operator == "Ts" or (operator == "Tj" and shaped)


def _shaped_run(tag: Any, properties: Any) -> bool:
    return tag == "/Span" and set(properties.keys()) == GRAMMAR["shaped_run_keys"]
