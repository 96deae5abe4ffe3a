"""Whether each character can be seen, judged from the page as PDFium prints it.

Reading the content stream tells what was drawn; only a rasteriser tells what shows. Each page
is rendered twice by PDFium (Chrome's engine), as it prints (annotations and optional content
included, inside CropBox ∩ MediaBox): once as it is, once with its text objects taken out. The
ink of a character is where the two differ inside its glyph box. A character is unseen when it
leaves no ink there (covered, clipped, masked, painted in the background's colour, off the
page), when its ink has too little contrast with what is drawn around it, when it is squeezed or
flattened below a legible size, or when it is drawn over the characters before it (a blob).

What PDFium cannot show us is a finding too: a page it cannot load, or text it draws that it
cannot also take out (text inside Form XObjects is judged with the form's other drawings left
in, so a cover inside the same form still shows as no ink).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as raw

SCALE = 1.5  # pixels per point: 108 dpi, enough to see the ink of 6 pt text
INK_STEP = 24  # a pixel is ink when the text changes it by more than this (of 255)
MIN_CONTRAST = 1.5  # WCAG-style ratio between a glyph's ink and what lies beneath it
MIN_GLYPH_PT = 2.5  # the tallest glyph of a word of legible (≥ 6 pt) text is taller than this
MIN_SCALE = 0.3  # a text matrix that shrinks glyph area below this factor squeezes them
MAX_PAGES = 50
DECORATION_PT = 20.0  # faint artifact text this tall (a watermark) is not judged for contrast


@dataclass(frozen=True)
class Unseen:
    page: int  # 1-based
    text: str
    reason: str


def unseen_text(data: bytes, user_units: dict[int, float] | None = None) -> list[Unseen]:
    """Every word (or character run) on every page that a patient cannot see, with why."""
    found: list[Unseen] = []
    try:
        shown = pdfium.PdfDocument(data)
        bare = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        return [Unseen(1, "", f"PDFium cannot open the file ({error}); it cannot be judged")]
    try:
        for index in range(min(len(shown), MAX_PAGES)):
            unit = (user_units or {}).get(index, 1.0)
            found.extend(_page(shown[index], bare[index], index + 1, unit))
    finally:
        shown.close()
        bare.close()
    return found


def _render(page: pdfium.PdfPage) -> np.ndarray:
    bitmap = page.render(
        scale=SCALE,
        draw_annots=True,
        may_draw_forms=True,
        grayscale=True,
        optimize_mode="print",
    )
    return bitmap.to_numpy().reshape(bitmap.height, bitmap.width).astype(np.int16)


def _without_text(page: pdfium.PdfPage) -> None:
    for obj in list(page.get_objects(max_depth=1)):
        if obj.type == raw.FPDF_PAGEOBJ_TEXT:
            page.remove_obj(obj)
    page.gen_content()


_LINEAR = np.array(
    [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in np.arange(256) / 255]
)


def _contrast(ink: np.ndarray, under: np.ndarray) -> np.ndarray:
    """Per pixel: the contrast ratio between the page with its text and without, where the
    text changed the pixel (else 0)."""
    a, b = _LINEAR[ink], _LINEAR[under]
    ratio = (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)
    return np.where(np.abs(ink - under) > INK_STEP, ratio, 0.0)


@dataclass
class _Char:
    text: str
    box: tuple[float, float, float, float]  # pixels: left, top, right, bottom
    height_pt: float
    area_scale: float
    artifact: bool = False  # inside an /Artifact marked-content sequence


def _chars(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, unit: float) -> list[_Char]:
    width, height = (round(v * SCALE) for v in page.get_size())
    chars = []
    matrix = raw.FS_MATRIX()
    x, y = ctypes.c_int(), ctypes.c_int()
    artifacts: dict[int, bool] = {}
    for i in range(textpage.count_chars()):
        code = raw.FPDFText_GetUnicode(textpage, i)
        if raw.FPDFText_IsGenerated(textpage, i) == 1 or code < 33 or chr(code).isspace():
            chars.append(_Char(" ", (0, 0, 0, 0), 0.0, 1.0))
            continue
        left, bottom, right, top = textpage.get_charbox(i)
        corners = []
        for px, py in ((left, bottom), (right, top)):
            raw.FPDF_PageToDevice(page, 0, 0, width, height, 0, px, py, x, y)
            corners.append((x.value, y.value))
        (x0, y0), (x1, y1) = corners
        raw.FPDFText_GetMatrix(textpage, i, matrix)
        scale = abs(matrix.a * matrix.d - matrix.b * matrix.c)
        chars.append(
            _Char(
                chr(code),
                (min(x0, x1), min(y0, y1), max(x0, x1) + 1, max(y0, y1) + 1),
                (top - bottom) * unit,
                scale * unit * unit,
                _is_artifact(raw.FPDFText_GetTextObject(textpage, i), artifacts),
            )
        )
    return chars


def _is_artifact(obj: object, cache: dict[int, bool]) -> bool:
    address = ctypes.cast(obj, ctypes.c_void_p).value or 0
    if address not in cache:
        name = (ctypes.c_ushort * 16)()
        length = ctypes.c_ulong()
        found = False
        for index in range(raw.FPDFPageObj_CountMarks(obj) if address else 0):
            mark = raw.FPDFPageObj_GetMark(obj, index)
            raw.FPDFPageObjMark_GetName(mark, name, ctypes.sizeof(name), length)
            found = (
                found or bytes(name)[: length.value].decode("utf-16le").rstrip("\0") == "Artifact"
            )
        cache[address] = found
    return cache[address]


def _page(shown: pdfium.PdfPage, bare: pdfium.PdfPage, number: int, unit: float) -> list[Unseen]:
    textpage = shown.get_textpage()
    chars = _chars(shown, textpage, unit)
    if not any(c.text != " " for c in chars):
        return []
    ink = _render(shown)
    _without_text(bare)
    contrast = _contrast(ink, _render(bare))
    best = [_best(c, contrast) for c in chars]
    reasons = [_judge(c, b) if c.text != " " else None for c, b in zip(chars, best, strict=True)]
    _mark_faint_words(chars, best, reasons)
    _mark_blobs(chars, reasons)
    _mark_small_words(chars, reasons)
    return _words(chars, reasons, number)


def _best(char: _Char, contrast: np.ndarray) -> float:
    """The strongest contrast the character's ink makes inside its glyph box (one pixel of
    slack for rounding); -1 when the box is outside the rendered page."""
    if char.text == " ":
        return 0.0
    left, top, right, bottom = (int(v) for v in char.box)
    rows, cols = contrast.shape
    if right <= 0 or bottom <= 0 or left >= cols or top >= rows:
        return -1.0
    left, top = max(left - 1, 0), max(top - 1, 0)
    right, bottom = min(right + 1, cols), min(bottom + 1, rows)
    return float(contrast[top:bottom, left:right].max())


def _judge(char: _Char, best: float) -> str | None:
    if best < 0:
        return "outside the visible page"
    if best == 0:
        return "no ink where it is drawn (covered, clipped, masked or in the background colour)"
    if char.area_scale < MIN_SCALE:
        return "its glyphs are flattened or squeezed by the text matrix"
    return None


def _mark_faint_words(chars: list[_Char], best: list[float], reasons: list[str | None]) -> None:
    """A word is faint when none of its characters' ink reaches the minimum contrast (thin
    strokes alone are grey from anti-aliasing, so a single character is not judged). Large
    artifact text (a watermark) may be faint: it is not content, and what it says is also
    written in full elsewhere; small artifacts (the running footer) are judged."""
    for word in _word_spans(chars):
        if all(chars[i].artifact for i in word) and max(chars[i].height_pt for i in word) > (
            DECORATION_PT
        ):
            continue  # a pale watermark is decoration; the text it repeats is elsewhere
        seen = [i for i in word if not reasons[i]]
        strongest = max((best[i] for i in seen), default=MIN_CONTRAST)
        if strongest < MIN_CONTRAST:
            for i in seen:
                reasons[i] = f"its ink has contrast {strongest:.2f}:1 against what lies beneath"


def _word_spans(chars: list[_Char]) -> list[list[int]]:
    spans, current = [], []
    for i, char in enumerate(chars):
        if char.text == " ":
            if current:
                spans.append(current)
            current = []
        else:
            current.append(i)
    if current:
        spans.append(current)
    return spans


def _mark_blobs(chars: list[_Char], reasons: list[str | None]) -> None:
    """Characters drawn over the one before them (negative spacing, zero widths) pile into a
    blob: each still has ink, but none can be read. A ligature's characters share one box."""
    for i in range(1, len(chars)):
        before, this = chars[i - 1], chars[i]
        letters = before.text.isalnum() and this.text.isalnum()  # punctuation kerns under
        if not letters or reasons[i] or before.box == this.box:
            continue
        overlap = min(before.box[2], this.box[2]) - max(before.box[0], this.box[0])
        narrow = min(before.box[2] - before.box[0], this.box[2] - this.box[0])
        same_line = abs(before.box[3] - this.box[3]) < 0.5 * (this.box[3] - this.box[1])
        if same_line and narrow > 2 and overlap > 0.6 * narrow:
            reasons[i] = "drawn over the characters before it"


def _mark_small_words(chars: list[_Char], reasons: list[str | None]) -> None:
    for span in _word_spans(chars):
        word = [i for i in span if chars[i].text.isalnum() and not reasons[i]]
        if word and max(chars[i].height_pt for i in word) < MIN_GLYPH_PT:
            for i in word:
                reasons[i] = "too small to read"


def _words(chars: list[_Char], reasons: list[str | None], number: int) -> list[Unseen]:
    """Runs of unseen characters (joined across the spaces between them), with their reason."""
    found: list[Unseen] = []
    text, reason = "", None
    for char, why in zip(chars, reasons, strict=True):
        if why is not None and (reason is None or why == reason):
            text, reason = text + char.text, why
        elif why is None and char.text == " " and reason is not None:
            text += " "
        else:
            if reason is not None:
                found.append(Unseen(number, text.strip(), reason))
            text, reason = (char.text, why) if why else ("", None)
    if reason is not None:
        found.append(Unseen(number, text.strip(), reason))
    return found
