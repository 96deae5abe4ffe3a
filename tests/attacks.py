"""An adversary's doctored copies of good leaflets (issue #29): each hides, flips or smuggles
something while the text layer stays right, and each must be caught by `check`.

Built afresh from the leaflets the tests render, by the code below; nothing here is committed
as a PDF. The list joins the planted-defect corpus (corpus.DEFECTS).
"""

from __future__ import annotations

import io

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
        form.update({NameObject("/Type"): NameObject("/XObject"),
                     NameObject("/Subtype"): NameObject("/Form"),
                     NameObject("/BBox"): ArrayObject([NumberObject(v) for v in (0, 0, 2000, 2000)])})  # fmt: skip
        _resource(writer, 0, "/XObject", "/Fatk", form)

    pdf = _rewrite(pdf, change)
    return edit_page_content(pdf, 0, lambda c: c + b"\nq /Fatk Do Q")


def optional_content_off(pdf: bytes) -> bytes:
    """The whole page in an optional content group that is OFF (print and view)."""

    def change(writer: PdfWriter) -> None:
        group = writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/OCG"), NameObject("/Name"): TextStringObject("x")}))  # fmt: skip
        writer._root_object[NameObject("/OCProperties")] = DictionaryObject({
            NameObject("/OCGs"): ArrayObject([group]),
            NameObject("/D"): DictionaryObject({NameObject("/OFF"): ArrayObject([group])}),
        })  # fmt: skip
        resources = writer.pages[0]["/Resources"]
        resources[NameObject("/Properties")] = DictionaryObject({NameObject("/OCatk"): group})

    pdf = _rewrite(pdf, change)
    return edit_page_content(pdf, 0, lambda c: b"/OC /OCatk BDC\n" + c + b"\nEMC")


def square_annotation(pdf: bytes) -> bytes:
    """A printing Square annotation, white inside and out, over the whole page."""

    def change(writer: PdfWriter) -> None:
        appearance = DecodedStreamObject()
        appearance.set_data(b"1 g 0 0 612 792 re f")
        appearance.update({NameObject("/Type"): NameObject("/XObject"),
                           NameObject("/Subtype"): NameObject("/Form"),
                           NameObject("/BBox"): ArrayObject([NumberObject(v) for v in (0, 0, 612, 792)])})  # fmt: skip
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Square"),
            NameObject("/Rect"): ArrayObject([NumberObject(v) for v in (0, 0, 612, 792)]),
            NameObject("/F"): NumberObject(4),
            NameObject("/IC"): ArrayObject([NumberObject(1)] * 3),
            NameObject("/C"): ArrayObject([NumberObject(1)] * 3),
            NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(appearance)}),
        })  # fmt: skip
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
