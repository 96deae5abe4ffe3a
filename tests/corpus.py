"""A planted-defect corpus: good leaflets with exactly one defect each, made by editing their
bytes as a faulty or hostile producer would, and the rule ids (and pages) `check` must report.

Every defect class is applied to several bundled leaflets, so the corpus holds well over 60
files over more than 20 classes. Nothing here is committed as a PDF: the corpus is made afresh
from the leaflets the tests render.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

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

from . import attacks
from .defects import edit_page_content, strip_embedded_source

Edit = Callable[[bytes], bytes]


@dataclass(frozen=True)
class Defect:
    name: str
    edit: Edit
    rules: frozenset[str]  # what check must report, and nothing else
    page: int | None = None  # the page the findings must name, when they name one
    leaflets: tuple[str, ...] = ("lisinopril", "metformina", "ibuprofen-medication-guide")


def _rewrite(pdf: bytes, change: Callable[[PdfWriter], None]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _content(page: int, change: Callable[[bytes], bytes]) -> Edit:
    return lambda pdf: edit_page_content(pdf, page, change)


def _replace(old: bytes, new: bytes, page: int = 0, count: int = 1) -> Edit:
    def change(content: bytes) -> bytes:
        assert old in content, old
        return content.replace(old, new, count)

    return _content(page, change)


def _first_text(pattern: bytes, page: int | None = None) -> Edit:
    """Remove the first text line (BT … ET) whose string matches ``pattern`` (on ``page``, or
    on the first page that has one)."""
    line = re.compile(rb"BT [^\n]*?\(" + pattern + rb"[^\n]*?ET\n")

    def change(content: bytes) -> bytes:
        edited, count = line.subn(b"", content, count=1)
        assert count == 1, pattern
        return edited

    def edit(pdf: bytes) -> bytes:
        reader = PdfReader(io.BytesIO(pdf))
        pages = [page] if page is not None else range(len(reader.pages))
        for index in pages:
            if line.search(reader.pages[index].get_contents().get_data()):
                return edit_page_content(pdf, index, change)
        raise AssertionError(f"no text line matches {pattern!r}")

    return edit


def _footer_line(pattern: bytes, page: int = 0) -> Edit:
    """Remove one line of the running footer (inside its pagination artifact)."""

    def change(content: bytes) -> bytes:
        start = content.index(b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC")
        head, tail = content[:start], content[start:]
        edited, count = re.subn(rb"BT [^\n]*?\(" + pattern + rb"[^\n]*?ET\n", b"", tail, count=1)
        assert count == 1, pattern
        return head + edited

    return _content(page, change)


def _after_bt(operators: bytes, page: int = 0) -> Edit:
    return _replace(b"BT ", b"BT " + operators + b" ", page, count=-1)


def _prepend(operators: bytes, page: int = 0) -> Edit:
    return _content(page, lambda content: operators + b"\n" + content)


def _append(operators: bytes, page: int = 0) -> Edit:
    return _content(page, lambda content: content + b"\n" + operators)


def _catalog(change: Callable[[DictionaryObject, PdfWriter], None]) -> Edit:
    return lambda pdf: _rewrite(pdf, lambda writer: change(writer._root_object, writer))


def _info(key: str, value: str | None) -> Edit:
    def change(writer: PdfWriter) -> None:
        info = writer._info.get_object() if writer._info is not None else DictionaryObject()
        if value is None:
            info.pop(NameObject(key), None)
        else:
            info[NameObject(key)] = TextStringObject(value)

    return lambda pdf: _rewrite(pdf, change)


def _drop(key: str) -> Edit:
    return _catalog(lambda root, _writer: root.pop(NameObject(key)))


def _xmp_without_pdfua(root: DictionaryObject, writer: PdfWriter) -> None:
    stream = root["/Metadata"].get_object()
    data = re.sub(rb"<pdfuaid:part>1</pdfuaid:part>", b"", stream.get_data())
    replacement = DecodedStreamObject()
    replacement.set_data(data)
    replacement.update({NameObject("/Type"): NameObject("/Metadata"),
                        NameObject("/Subtype"): NameObject("/XML")})  # fmt: skip
    root[NameObject("/Metadata")] = writer._add_object(replacement)


def _open_action(kind: str, key: str, value: str) -> Edit:
    def change(root: DictionaryObject, writer: PdfWriter) -> None:
        action = DictionaryObject(
            {NameObject("/S"): NameObject(kind), NameObject(key): TextStringObject(value)}
        )
        root[NameObject("/OpenAction")] = writer._add_object(action)

    return _catalog(change)


def _attach_executable(pdf: bytes) -> bytes:
    def change(writer: PdfWriter) -> None:
        writer.add_attachment("update.exe", b"MZ\x90\x00" + b"\x00" * 60)

    return _rewrite(pdf, change)


def _tampered_source(pdf: bytes) -> bytes:
    def change(writer: PdfWriter) -> None:
        names = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
        spec = names[1].get_object()
        stream = spec["/EF"]["/F"].get_object()
        data = stream.get_data() + b"# a line added after the PDF was made\n"
        replacement = DecodedStreamObject()
        replacement.set_data(data)
        replacement[NameObject("/Type")] = NameObject("/EmbeddedFile")
        reference = writer._add_object(replacement)
        spec[NameObject("/EF")] = DictionaryObject(
            {NameObject("/F"): reference, NameObject("/UF"): reference}
        )

    return _rewrite(pdf, change)


def _font_without_tounicode(pdf: bytes) -> bytes:
    def change(writer: PdfWriter) -> None:
        for page in writer.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                if "Bold" in str(font.get("/BaseFont")):
                    font.pop(NameObject("/ToUnicode"), None)

    return _rewrite(pdf, change)


def _encrypted(pdf: bytes) -> bytes:
    return _rewrite(pdf, lambda writer: writer.encrypt("", "owner", algorithm="AES-256"))


def _too_many_pages(pdf: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    while len(writer.pages) <= 50:
        for page in reader.pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _dangling_link(pdf: bytes) -> bytes:
    """A URI link is not active content (near miss for the active-content rule)."""

    def change(writer: PdfWriter) -> None:
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
            NameObject("/A"): DictionaryObject({NameObject("/S"): NameObject("/URI"),
                                                NameObject("/URI"): TextStringObject("https://x")}),
        })  # fmt: skip
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    return _rewrite(pdf, change)


def _transparent(pdf: bytes) -> bytes:
    def change(writer: PdfWriter) -> None:
        resources = writer.pages[0]["/Resources"]
        state = DictionaryObject({NameObject("/ca"): NumberObject(0)})
        resources[NameObject("/ExtGState")] = DictionaryObject(
            {NameObject("/GSx"): writer._add_object(state)}
        )

    return _after_bt(b"/GSx gs")(_rewrite(pdf, change))


INLINE_IMAGE = b"q 700 0 0 900 -20 -20 cm BI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI Q"
ALL = ("lisinopril", "metformina", "ibuprofen-medication-guide", "baclofen-intrathecal")

DEFECTS: list[Defect] = [
    # what the patient sees
    Defect("white-rectangle", _append(b"q 1 g 0 0 2000 2000 re f Q"), frozenset({"invisible-text", "foreign-construct"}), 1, ALL),
    Defect("render-mode-3", _after_bt(b"3 Tr"), frozenset({"invisible-text", "foreign-construct"}), 1, ALL),
    Defect("squeezed-to-1-percent", _after_bt(b"1 Tz"), frozenset({"invisible-text", "foreign-construct"}), 1),
    Defect("white-text", _after_bt(b"1 1 1 rg"), frozenset({"invisible-text"}), 1),
    # shaped runs: PDFium reads their /ActualText, so their ink is judged over the run
    Defect("white-shaped-text", _after_bt(b"1 1 1 rg"), frozenset({"invisible-text"}), 1, ("metformin-hi", "metformin-bn")),
    Defect("covered-shaped-text", _append(b"q 1 g 0 0 2000 2000 re f Q"), frozenset({"invisible-text", "foreign-construct"}), 1, ("metformin-hi", "metformin-bn")),
    Defect("clipped-away", _prepend(b"0 0 1 1 re W n"), frozenset({"invisible-text", "foreign-construct"}), 1),
    Defect("off-the-page", _prepend(b"1 0 0 1 3000 0 cm"), frozenset({"invisible-text"}), 1),
    Defect("covered-by-image", _append(INLINE_IMAGE), frozenset({"invisible-text", "foreign-construct"}), 1),
    Defect("transparent", _transparent, frozenset({"invisible-text", "foreign-construct"}), 1, ("lisinopril",)),
    # what only the rendered page shows (issue #29)
    Defect("cover-over-not", attacks.cover_word("not"), frozenset({"invisible-text", "foreign-construct"}), 1, ("lisinopril", "ibuprofen-medication-guide")),
    Defect("cover-over-no", attacks.cover_word("no"), frozenset({"invisible-text", "foreign-construct"}), 1, ("metformina",)),
    Defect("negative-tc-blob", _after_bt(b"-4 Tc"), frozenset({"invisible-text", "foreign-construct"}), 1),
    Defect("thick-white-stroke", _append(b"q 1 1 1 RG 2000 w 0 400 m 612 400 l S Q"), frozenset({"invisible-text"}), 1),
    Defect("stroked-in-background-colour", _after_bt(b"1 Tr 1 1 1 RG"), frozenset({"invisible-text", "foreign-construct"}), 1),
    Defect("blend-mode-screen", attacks.graphics_state(b"", BM=NameObject("/Screen")), frozenset({"invisible-text", "foreign-construct"}), 1),
    Defect("fill-opacity-0.12", attacks.graphics_state(b"", ca=FloatObject(0.12)), frozenset({"invisible-text", "foreign-construct"}), 1),
    Defect("even-odd-clip-hole", _prepend(b"0 0 612 792 re 0 0 612 792 re W* n"), frozenset({"invisible-text", "foreign-construct"}), 1),
    Defect("clip-to-two-squares", _prepend(b"0 0 1 1 re 5 5 1 1 re W n"), frozenset({"invisible-text", "foreign-construct"}), 1),
    Defect("cover-in-form-xobject", attacks.cover_in_form, frozenset({"invisible-text", "foreign-construct"}), 1),
    Defect("optional-content-off", attacks.optional_content_off, frozenset({"invisible-text", "foreign-construct"}), 1),
    Defect("square-annotation-cover", attacks.square_annotation, frozenset({"invisible-text", "foreign-construct"}), 1),
    Defect("near-flat-matrix", _after_bt(b"1 0 0.9999 0.0141 0 0 cm"), frozenset({"invisible-text"}), 1),
    Defect("mediabox-cuts-footer", attacks.page_box("/MediaBox", (0, 80, 612, 792)), frozenset({"invisible-text"}), 1),
    # one reading of the file
    Defect("redefined-after-eof-behind-padding", attacks.redefined_after_eof, frozenset({"one-reading"})),
    Defect("objects-after-last-eof", attacks.objects_after_eof, frozenset({"one-reading"})),
    Defect("contents-key-twice", attacks.duplicate_key, frozenset({"one-reading"})),
    Defect("xref-must-be-rebuilt", attacks.broken_xref, frozenset({"one-reading"})),
    Defect("structure-on-a-stray-page", attacks.structure_on_another_page, frozenset({"one-reading"})),
    # active content in every place, and the embedded source
    Defect("javascript-bookmark", attacks.bookmark_javascript, frozenset({"active-content"})),
    Defect("uri-bookmark", attacks.bookmark_uri, frozenset({"active-content"})),
    Defect("javascript-form-field", attacks.field_javascript, frozenset({"active-content", "foreign-construct"})),
    Defect("uri-open-action", _open_action("/URI", "/URI", "https://example.invalid/"), frozenset({"active-content", "foreign-construct"})),
    Defect("gotor-open-action", _open_action("/GoToR", "/F", "other.pdf"), frozenset({"active-content", "foreign-construct"})),
    Defect("second-embedded-source", attacks.second_source, frozenset({"embedded-source"})),
    Defect("source-removed-hash-kept", lambda pdf: strip_embedded_source(pdf, keep_record=True), frozenset({"embedded-source"})),
    Defect("source-not-marked-source", attacks.source_not_marked_source, frozenset({"embedded-source"})),
    Defect("user-unit-0.05", attacks.user_unit, frozenset({"invisible-text", "foreign-construct"}), 1),
    # glyphs that are not the text they claim (a font serves every page: no one page named)
    Defect("glyph-t-draws-w", attacks.glyph_swapped("t", "w"), frozenset({"glyph-mismatch", "invisible-text"}), None),
    Defect("glyph-n-draws-u", attacks.glyph_swapped("n", "u"), frozenset({"glyph-mismatch"}), None),
    Defect("symbol-cmap-n-draws-u", attacks.symbol_cmap_disagrees("n", "u"), frozenset({"glyph-mismatch", "foreign-construct"}), None),
    Defect("space-reads-not", attacks.words_behind_a_space, frozenset({"glyph-mismatch", "invisible-text"}), 1, ("lisinopril", "ibuprofen-medication-guide")),
    Defect("lying-actual-text", attacks.lying_actual_text, frozenset({"glyph-mismatch", "foreign-construct", "warning"}), 1, ("lisinopril", "ibuprofen-medication-guide")),
    Defect("structure-actual-text", attacks.structure_actual_text, frozenset({"foreign-construct"})),
    Defect("zero-widths", attacks.zero_widths, frozenset({"glyph-mismatch", "invisible-text"}), None),
    Defect("type3-empty-glyphs", attacks.type3_font(b""), frozenset({"glyph-mismatch", "invisible-text", "foreign-construct"}), None),
    Defect("type3-tiny-matrix", attacks.type3_font(b"0 0 1000 700 re f", matrix=1e-5), frozenset({"glyph-mismatch", "invisible-text", "foreign-construct"}), None),
    Defect("type3-glyphs-paint-blocks", attacks.type3_font(b"0 -200 1000 1000 re f"), frozenset({"glyph-mismatch", "invisible-text", "foreign-construct"}), None),
    # the running footer
    Defect("footer-copyright-removed", _footer_line(rb"Copyright", page=1), frozenset({"footer-copyright"}), 2, ALL),
    Defect("wrong-page-number", _replace(b"(Page 2 of 2)", b"(Page 2 of 3)", page=1), frozenset({"page-numbers"}), 2, ("lisinopril",)),
    Defect("wrong-page-number-es", _replace(b"gina 2 de 2)", b"gina 3 de 2)", page=1), frozenset({"page-numbers"}), 2, ("metformina",)),
    Defect("footer-expiry-changed", _replace(b"expires October 2027", b"expires October 2029", page=1), frozenset({"expiry"}), 2, ("lisinopril",)),
    Defect("footer-expiry-removed", _footer_line(rb"Information expires", page=0), frozenset({"expiry"}), 1, ("lisinopril", "ibuprofen-medication-guide")),
    # the content
    Defect("bullet-removed", _first_text(rb"potassium supplements"), frozenset({"source-content"}), None, ("lisinopril",)),
    Defect("do-not-became-do", _replace(b"(Keep taking lisinopril", b"(Stop taking lisinopril", page=0), frozenset({"source-content"}), None, ("lisinopril",)),
    Defect("paragraph-dropped", _first_text(rb"Lowering high blood pressure"), frozenset({"source-content"}), None, ("lisinopril",)),
    Defect("medication-guide-sentence-dropped", _first_text(rb"Other side effects of NSAIDs"), frozenset({"source-content"}), None, ("ibuprofen-medication-guide",)),
    Defect("disclaimer-truncated", _first_text(rb"[^\n]*does not", page=-1), frozenset({"disclaimer"}), None, ("lisinopril", "ibuprofen-medication-guide")),
    Defect("warning-text-removed", _first_text(rb"Medicines that act"), frozenset({"warning"}), None, ("lisinopril",)),
    Defect("required-heading-removed", _first_text(rb"How to Use This Medication"), frozenset({"required-headings"}), None, ("lisinopril",)),
    Defect("guide-heading-removed", _first_text(rb"What is Ibuprofen\?"), frozenset({"required-headings"}), None, ("ibuprofen-medication-guide",)),
    Defect("guide-title-removed", _first_text(rb"Medication Guide"), frozenset({"medication-guide-title"}), 1, ("ibuprofen-medication-guide",)),
    Defect("fda-statement-removed", _replace(b"to FDA at 1-800-FDA-1088", b"to us", page=1), frozenset({"fda-side-effects-statement", "source-content"}), None, ("ibuprofen-medication-guide",)),
    # the file
    Defect("no-language", _drop("/Lang"), frozenset({"language"}), None, ALL),
    Defect("no-display-title", _drop("/ViewerPreferences"), frozenset({"title"}), None, ALL),
    Defect("not-tagged", _drop("/MarkInfo"), frozenset({"tagged"}), None, ALL),
    Defect("no-pdfua-identifier", _catalog(_xmp_without_pdfua), frozenset({"pdfua-identifier"})),
    Defect("no-title", _info("/Title", None), frozenset({"title"})),
    Defect("expiry-metadata-disagrees", _info("/RxLeafletExpires", "2099-12-31"), frozenset({"metadata"}), None, ("lisinopril",)),
    Defect("javascript", _open_action("/JavaScript", "/JS", "app.alert(1)"), frozenset({"active-content", "foreign-construct"})),
    Defect("launch-action", _open_action("/Launch", "/F", "cmd.exe"), frozenset({"active-content", "foreign-construct"}), None, ("lisinopril",)),
    Defect("embedded-executable", _attach_executable, frozenset({"active-content"}), None, ("lisinopril",)),
    Defect("font-without-tounicode", _font_without_tounicode, frozenset({"fonts-tounicode"}), None, ("lisinopril",)),
    Defect("tampered-embedded-source", _tampered_source, frozenset({"source-hash"}), None, ("lisinopril", "metformina")),
    Defect("aes-256-encrypted", _encrypted, frozenset({"pdf-encrypted"}), None, ("lisinopril",)),
    Defect("truncated", lambda pdf: pdf[: len(pdf) // 2], frozenset({"pdf-readable"}), None, ("lisinopril",)),
    Defect("fifty-one-pages", _too_many_pages, frozenset({"page-count"}), None, ("lisinopril",)),
]  # fmt: skip

# Changes that must raise no alarm: they look like defects to a careless rule.
# Edits no rule may take for a defect (a URI link is not active content: on a leaflet it is only
# foreign to rxleaflet's grammar, which writes no annotations).
NEAR_MISSES: list[tuple[str, Edit, frozenset[str]]] = [
    ("a-link", _dangling_link, frozenset({"foreign-construct"})),
    (
        "heading-in-capitals",
        _replace(b"(How to Use This Medication)", b"(HOW TO USE THIS MEDICATION)"),
        frozenset(),
    ),
    ("thin-rule-over-text", _append(b"q 0 0 0 RG .5 w 54 700 m 558 700 l S Q"), frozenset()),
]
