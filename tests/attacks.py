"""An adversary's doctored copies of good leaflets (issue #29): each hides, flips or smuggles
something while the text layer stays right, and each must be caught by `check`.

Built afresh from the leaflets the tests render, by the code below; nothing here is committed
as a PDF. The list joins the planted-defect corpus (corpus.DEFECTS).
"""

from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from .defects import edit_page_content


def _rewrite(pdf: bytes, change) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _resource(writer: PdfWriter, page: int, kind: str, name: str, value) -> None:
    resources = writer.pages[page]["/Resources"]
    group = resources.get(NameObject(kind))
    group = group.get_object() if group is not None else DictionaryObject()
    group[NameObject(name)] = writer._add_object(value)
    resources[NameObject(kind)] = group


def _state(**entries) -> DictionaryObject:
    return DictionaryObject({NameObject(f"/{k}"): v for k, v in entries.items()})


def word_box(pdf: bytes, word: str, page: int = 0) -> tuple[float, float, float, float]:
    """The box (left, bottom, right, top, in points) of the first ``word`` on ``page``."""
    document = pdfium.PdfDocument(pdf)
    try:
        textpage = document[page].get_textpage()
        searcher = textpage.search(word, match_case=True, match_whole_word=True)
        found = searcher.get_next()
        assert found is not None, word
        start, count = found
        boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    finally:
        document.close()


def cover_word(word: str, gray: float = 1.0) -> object:
    """A rectangle of ``gray`` over just ``word`` (the rest of its line stays)."""

    def edit(pdf: bytes) -> bytes:
        left, bottom, right, top = word_box(pdf, word)
        rectangle = f"q {gray:g} g {left - 0.5:.2f} {bottom - 1:.2f} {right - left + 1:.2f} "
        rectangle += f"{top - bottom + 2:.2f} re f Q"
        return edit_page_content(pdf, 0, lambda c: c + b"\n" + rectangle.encode())

    return edit


def graphics_state(operator: bytes, **entries) -> object:
    """Every text object of page 1 drawn under an ExtGState with ``entries``."""

    def edit(pdf: bytes) -> bytes:
        state = _state(**entries)
        pdf = _rewrite(pdf, lambda w: _resource(w, 0, "/ExtGState", "/GSatk", state))
        return edit_page_content(pdf, 0, lambda c: c.replace(b"BT ", b"BT /GSatk gs " + operator))

    return edit


def cover_in_form(pdf: bytes) -> bytes:
    """A white page-sized rectangle drawn by a Form XObject after the text."""

    def change(writer: PdfWriter) -> None:
        form = DecodedStreamObject()
        form.set_data(b"1 g 0 0 2000 2000 re f")
        form.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject([NumberObject(v) for v in (0, 0, 2000, 2000)]),
            }
        )
        _resource(writer, 0, "/XObject", "/Fatk", form)

    pdf = _rewrite(pdf, change)
    return edit_page_content(pdf, 0, lambda c: c + b"\nq /Fatk Do Q")


def optional_content_off(pdf: bytes) -> bytes:
    """The whole page in an optional content group that is OFF (print and view)."""

    def change(writer: PdfWriter) -> None:
        group = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/OCG"),
                    NameObject("/Name"): TextStringObject("x"),
                }
            )
        )
        writer._root_object[NameObject("/OCProperties")] = DictionaryObject(
            {
                NameObject("/OCGs"): ArrayObject([group]),
                NameObject("/D"): DictionaryObject({NameObject("/OFF"): ArrayObject([group])}),
            }
        )
        resources = writer.pages[0]["/Resources"]
        resources[NameObject("/Properties")] = DictionaryObject({NameObject("/OCatk"): group})

    pdf = _rewrite(pdf, change)
    return edit_page_content(pdf, 0, lambda c: b"/OC /OCatk BDC\n" + c + b"\nEMC")


def square_annotation(pdf: bytes) -> bytes:
    """A printing Square annotation, white inside and out, over the whole page."""

    def change(writer: PdfWriter) -> None:
        appearance = DecodedStreamObject()
        appearance.set_data(b"1 g 0 0 612 792 re f")
        appearance.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject([NumberObject(v) for v in (0, 0, 612, 792)]),
            }
        )
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Square"),
                NameObject("/Rect"): ArrayObject([NumberObject(v) for v in (0, 0, 612, 792)]),
                NameObject("/F"): NumberObject(4),
                NameObject("/IC"): ArrayObject([NumberObject(1)] * 3),
                NameObject("/C"): ArrayObject([NumberObject(1)] * 3),
                NameObject("/AP"): DictionaryObject(
                    {NameObject("/N"): writer._add_object(appearance)}
                ),
            }
        )
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    return _rewrite(pdf, change)


def page_box(key: str, box: tuple[float, ...]) -> object:
    def edit(pdf: bytes) -> bytes:
        def change(writer: PdfWriter) -> None:
            writer.pages[0][NameObject(key)] = ArrayObject([FloatObject(v) for v in box])

        return _rewrite(pdf, change)

    return edit


def user_unit(pdf: bytes) -> bytes:
    def change(writer: PdfWriter) -> None:
        writer.pages[0][NameObject("/UserUnit")] = FloatObject(0.05)

    return _rewrite(pdf, change)


def _first_content(pdf: bytes) -> tuple[int, bytes]:
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    return page.raw_get("/Contents").idnum, page.get_contents().get_data()


def _startxref(pdf: bytes) -> int:
    return int(pdf[pdf.rindex(b"startxref") + 9 :].split()[0])


def redefined_after_eof(pdf: bytes, padding: bytes = b"\0" * 2048) -> bytes:
    """An incremental update that redefines page 1's content ("taking" becomes "stopping"),
    hidden from readers that look for the last %%EOF only near the end by ``padding``."""
    number, content = _first_content(pdf)
    doctored = content.replace(b"(Keep taking", b"(Stop taking").replace(b"Tj", b"Tj", 1)
    doctored = b"q 1 0 0 1 0 0 cm Q\n" + doctored  # changed bytes even where no phrase matches
    body = b"\n%d 0 obj\n<< /Length %d >>\nstream\n" % (number, len(doctored))
    body += doctored + b"\nendstream\nendobj\n"
    offset = len(pdf) + 1
    trailer = PdfReader(io.BytesIO(pdf)).trailer
    size, root = int(trailer["/Size"]), trailer.raw_get("/Root")
    xref_at = len(pdf) + len(body)
    xref = b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (number, offset)
    xref += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\n" % (size, root.idnum, _startxref(pdf))
    xref += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return pdf + body + xref + padding


def objects_after_eof(pdf: bytes) -> bytes:
    """Page 1's content object defined again after the last %%EOF, with no cross-reference:
    a reader that rebuilds the table takes it, one that trusts the table does not."""
    number, content = _first_content(pdf)
    doctored = b"q 1 0 0 1 0 0 cm Q\n" + content.replace(b"(Keep taking", b"(Stop taking")
    return pdf + b"\n%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        number,
        len(doctored),
        doctored,
    )


def duplicate_key(pdf: bytes) -> bytes:
    """Page 1's dictionary names /Contents twice: one reader takes the first, another the last."""
    reader = PdfReader(io.BytesIO(pdf))
    number = reader.pages[0].indirect_reference.idnum
    other = reader.pages[1].raw_get("/Contents").idnum
    head = b"\n%d 0 obj\n<<\n" % number
    at = pdf.index(head) + len(head)
    return pdf[:at] + b"/Contents %d 0 R " % other + pdf[at:]


def broken_xref(pdf: bytes) -> bytes:
    """Every offset in the cross-reference table is off by one: the table must be rebuilt."""
    start = _startxref(pdf)
    table_end = pdf.index(b"trailer", start)
    table = pdf[start:table_end]

    def shift(match):
        return b"%010d" % (int(match.group(1)) + 1) + match.group(2)

    import re

    table = re.sub(rb"(\d{10})( 00000 n)", shift, table)
    return pdf[:start] + table + pdf[table_end:]


def structure_on_another_page(pdf: bytes) -> bytes:
    """The structure tree's /Pg points at a page object that the page tree (/Kids) lacks."""

    def change(writer: PdfWriter) -> None:
        stray = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Page"),
                    NameObject("/MediaBox"): ArrayObject(
                        [NumberObject(v) for v in (0, 0, 612, 792)]
                    ),
                }
            )
        )
        pending = [writer._root_object["/StructTreeRoot"]]
        while pending:
            node = pending.pop().get_object()
            if isinstance(node, DictionaryObject):
                if "/Pg" in node:
                    node[NameObject("/Pg")] = stray
                    return
                kids = node.get("/K")
                kids = kids.get_object() if kids is not None else []
                pending.extend(kids if isinstance(kids, list) else [kids])

    return _rewrite(pdf, change)


def _outline(action: DictionaryObject):
    """One bookmark whose action is ``action``."""

    def edit(pdf: bytes) -> bytes:
        def change(writer: PdfWriter) -> None:
            outlines = writer._add_object(
                DictionaryObject({NameObject("/Type"): NameObject("/Outlines")})
            )
            item = writer._add_object(
                DictionaryObject(
                    {
                        NameObject("/Title"): TextStringObject("Read me"),
                        NameObject("/Parent"): outlines,
                        NameObject("/A"): action,
                    }
                )
            )
            outlines.get_object().update(
                {
                    NameObject("/First"): item,
                    NameObject("/Last"): item,
                    NameObject("/Count"): NumberObject(1),
                }
            )
            writer._root_object[NameObject("/Outlines")] = outlines

        return _rewrite(pdf, change)

    return edit


def _action(kind: str, key: str, value: str) -> DictionaryObject:
    return DictionaryObject(
        {NameObject("/S"): NameObject(kind), NameObject(key): TextStringObject(value)}
    )


bookmark_javascript = _outline(_action("/JavaScript", "/JS", "app.alert(1)"))
bookmark_uri = _outline(_action("/URI", "/URI", "https://example.invalid/"))


def field_javascript(pdf: bytes) -> bytes:
    """A form field whose keystroke event runs JavaScript."""

    def change(writer: PdfWriter) -> None:
        field = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/FT"): NameObject("/Tx"),
                    NameObject("/T"): TextStringObject("f"),
                    NameObject("/AA"): DictionaryObject(
                        {NameObject("/K"): _action("/JavaScript", "/JS", "1")}
                    ),
                }
            )
        )
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/Fields"): ArrayObject([field])}
        )

    return _rewrite(pdf, change)


def _source_specs(writer: PdfWriter):
    names = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    return names, [names[i + 1].get_object() for i in range(0, len(names), 2)]


def second_source(pdf: bytes) -> bytes:
    """A second YAML source marked /Source next to the real one."""

    def change(writer: PdfWriter) -> None:
        names, _ = _source_specs(writer)
        stream = DecodedStreamObject()
        stream.set_data(b"drug: other\n")
        stream[NameObject("/Type")] = NameObject("/EmbeddedFile")
        reference = writer._add_object(stream)
        spec = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Filespec"),
                    NameObject("/F"): TextStringObject("other.yaml"),
                    NameObject("/UF"): TextStringObject("other.yaml"),
                    NameObject("/AFRelationship"): NameObject("/Source"),
                    NameObject("/EF"): DictionaryObject(
                        {NameObject("/F"): reference, NameObject("/UF"): reference}
                    ),
                }
            )
        )
        names.extend([TextStringObject("other.yaml"), spec])

    return _rewrite(pdf, change)


def source_not_marked_source(pdf: bytes) -> bytes:
    def change(writer: PdfWriter) -> None:
        for spec in _source_specs(writer)[1]:
            spec[NameObject("/AFRelationship")] = NameObject("/Data")

    return _rewrite(pdf, change)


# -- glyphs that are not the text they claim (issue #29 item 3) ------------------------------


def _regular_font(writer: PdfWriter, page: int = 0):
    for font in writer.pages[page]["/Resources"]["/Font"].values():
        font = font.get_object()
        if str(font["/BaseFont"]).endswith("-Regular"):
            return font
    raise AssertionError("no regular face on the page")


def _replace_stream(writer: PdfWriter, holder, key: str, data: bytes) -> None:
    stream = DecodedStreamObject()
    stream.set_data(data)
    for name, value in holder[key].get_object().items():
        if name not in ("/Length", "/Filter", "/DecodeParms"):
            stream[NameObject(name)] = value
    holder[NameObject(key)] = writer._add_object(stream)


def _body_font_program(pdf: bytes, change) -> bytes:
    """``pdf`` with its body font's TrueType program (a fontTools TTFont) edited by
    ``change(program)``."""
    from fontTools.ttLib import TTFont

    def rewrite(writer: PdfWriter) -> None:
        descriptor = _regular_font(writer)["/FontDescriptor"].get_object()
        program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        change(program)
        out = io.BytesIO()
        program.save(out)
        _replace_stream(writer, descriptor, "/FontFile2", out.getvalue())

    return _rewrite(pdf, rewrite)


def _mac_cmap(program) -> dict[int, str]:
    return next(t.cmap for t in program["cmap"].tables if t.platformID == 1)


def glyph_swapped(drawn: str, instead: str) -> object:
    """A copy of the body font whose ``drawn`` glyph draws ``instead`` ("t" drawn as "w":
    "Do now take"), while the ToUnicode map still says ``drawn``."""

    def change(program) -> None:
        cmap, glyf = _mac_cmap(program), program["glyf"]
        glyf[cmap[ord(drawn)]] = glyf[cmap[ord(instead)]]  # the advance stays the letter's

    return lambda pdf: _body_font_program(pdf, change)


def words_behind_a_space(pdf: bytes) -> bytes:
    """ " not " drawn with one unused code whose glyph is blank and whose ToUnicode entry reads
    " not ": the page says "Do take", the text layer "Do not take"."""

    def change(writer: PdfWriter) -> None:
        entry = b"<1E> <0020006E006F00740020>\n"
        for font in writer.pages[0]["/Resources"]["/Font"].values():
            font = font.get_object()
            cmap = font["/ToUnicode"].get_object().get_data()
            cmap = re.sub(rb"(\d+) beginbfchar\n", lambda m: b"%d beginbfchar\n" % (int(m[1]) + 1)
                          + entry, cmap, count=1)  # fmt: skip
            _replace_stream(writer, font, "/ToUnicode", cmap)
        page = writer.pages[0]
        content = page.get_contents().get_data()
        assert b" not " in content
        stream = DecodedStreamObject()
        stream.set_data(content.replace(b" not ", b"\x1e", 1))
        page[NameObject("/Contents")] = writer._add_object(stream)

    return _rewrite(pdf, change)


def lying_actual_text(pdf: bytes) -> bytes:
    """The warning's first text object wrapped in a span whose /ActualText drops "not":
    screen readers and pdftotext read "Do take"."""

    def edit(content: bytes) -> bytes:
        start = content.index(b" not ")
        begin = content.rindex(b"BT", 0, start)
        end = content.index(b"ET", start) + 2
        drawn = content[begin:end]
        said = b"".join(re.findall(rb"\(([^)]*)\) Tj", drawn)).decode("latin-1")
        actual = said.replace(" not ", " ")
        span = f"/Span <</ActualText ({actual})>> BDC\n".encode("latin-1")
        return content[:begin] + span + drawn + b"\nEMC" + content[end:]

    return edit_page_content(pdf, 0, edit)


def zero_widths(pdf: bytes) -> bytes:
    """The body font's /Widths all zero: every glyph drawn on top of the one before."""

    def change(writer: PdfWriter) -> None:
        font = _regular_font(writer)
        font[NameObject("/Widths")] = ArrayObject([NumberObject(0)] * len(font["/Widths"]))

    return _rewrite(pdf, change)


def type3_font(procedure: bytes, matrix: float = 0.001) -> object:
    """The body font replaced by a Type 3 font with the same codes, widths and ToUnicode map,
    each glyph drawn by ``procedure`` (nothing, or a block) under FontMatrix ``matrix``."""

    def edit(pdf: bytes) -> bytes:
        def change(writer: PdfWriter) -> None:
            fonts = writer.pages[0]["/Resources"]["/Font"]
            name = next(
                n for n, f in fonts.items() if str(f.get_object()["/BaseFont"]).endswith("-Regular")
            )
            original = fonts[name].get_object()
            first, widths = int(original["/FirstChar"]), list(original["/Widths"])
            glyph = DecodedStreamObject()
            glyph.set_data(b"%g 0 d0 " % 1000 + procedure)
            glyph_ref = writer._add_object(glyph)
            codes = range(first, first + len(widths))
            differences = ArrayObject(
                [NumberObject(first)] + [NameObject(f"/g{code}") for code in codes]
            )
            scale = matrix * 1000
            font = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type3"),
                    NameObject("/FontBBox"): ArrayObject(
                        [NumberObject(0)] * 2 + [NumberObject(1000)] * 2
                    ),
                    NameObject("/FontMatrix"): ArrayObject(
                        [
                            FloatObject(matrix),
                            FloatObject(0),
                            FloatObject(0),
                            FloatObject(matrix),
                            FloatObject(0),
                            FloatObject(0),
                        ]
                    ),
                    NameObject("/CharProcs"): DictionaryObject(
                        {NameObject(f"/g{c}"): glyph_ref for c in codes}
                    ),
                    NameObject("/Encoding"): DictionaryObject(
                        {
                            NameObject("/Type"): NameObject("/Encoding"),
                            NameObject("/Differences"): differences,
                        }
                    ),
                    NameObject("/FirstChar"): NumberObject(first),
                    NameObject("/LastChar"): NumberObject(first + len(widths) - 1),
                    NameObject("/Widths"): ArrayObject(
                        [FloatObject(float(w) / scale) for w in widths]
                    ),
                    NameObject("/ToUnicode"): original.raw_get("/ToUnicode"),
                    NameObject("/Resources"): DictionaryObject(),
                }
            )
            fonts[NameObject(name)] = writer._add_object(font)

        return _rewrite(pdf, change)

    return edit


def symbol_cmap_disagrees(drawn: str, instead: str) -> object:
    """The body font given a (3,0) cmap subtable beside its (1,0) one, agreeing on every code
    but ``drawn``, which it sends to the glyph of ``instead``: viewers read (3,0) first in a
    symbolic font, a checker reading (1,0) sees the right glyph."""

    def change(program) -> None:
        from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

        mac = _mac_cmap(program)
        symbol = CmapSubtable.newSubtable(4)
        symbol.platformID, symbol.platEncID, symbol.language = 3, 0, 0
        symbol.cmap = {0xF000 + code: name for code, name in mac.items()}
        symbol.cmap[0xF000 + ord(drawn)] = mac[ord(instead)]
        program["cmap"].tables.append(symbol)

    return lambda pdf: _body_font_program(pdf, change)


def structure_actual_text(pdf: bytes) -> bytes:
    """The warning's paragraph element given an /ActualText without "not": screen readers read
    it instead of the page's text."""

    def change(writer: PdfWriter) -> None:
        pending = [writer._root_object["/StructTreeRoot"]["/K"]]
        while pending:
            node = pending.pop()
            node = node.get_object() if hasattr(node, "get_object") else node
            if isinstance(node, list):
                pending.extend(node)
            elif isinstance(node, dict) and node.get("/S") == "/P":
                node[NameObject("/ActualText")] = TextStringObject("Do take it when pregnant.")
                return
            elif isinstance(node, dict) and "/K" in node:
                pending.append(node["/K"])

    return _rewrite(pdf, change)
