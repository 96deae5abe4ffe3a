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
import re
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as raw

SCALE = 1.5  # pixels per point: 108 dpi, enough to see the ink of 6 pt text
INK_STEP = 24  # a pixel is ink when the text changes it by more than this (of 255)
MIN_CONTRAST = 1.5  # WCAG-style ratio between a glyph's ink and what lies beneath it
MIN_GLYPH_PT = 2.5  # the tallest glyph of a word of legible (≥ 6 pt) text is taller than this
MIN_CURSIVE_GLYPH_PT = 1.0  # the same for a run of Arabic-script letters (low bodies, Nastaliq)
MIN_SCALE = 0.3  # a text matrix that shrinks glyph area below this factor squeezes them
MAX_PAGES = 50
CURSIVE = re.compile(
    "[\u0620-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]"
)


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
_HIGH, _LOW = np.maximum.outer(_LINEAR, _LINEAR), np.minimum.outer(_LINEAR, _LINEAR)
_CLEAR = ((_HIGH + 0.05) / (_LOW + 0.05)) >= MIN_CONTRAST  # [with text, without] → clear?


def _integral(mask: np.ndarray) -> np.ndarray:
    table = np.zeros((mask.shape[0] + 1, mask.shape[1] + 1), dtype=np.int32)
    inner = table[1:, 1:]
    inner[...] = mask
    np.cumsum(inner, axis=1, out=inner)
    np.cumsum(inner, axis=0, out=inner)
    return table


@dataclass
class _Chars:
    """The characters of a page: text, glyph boxes in pixels (left, top, right, bottom), the
    tallest extent in points and the text matrix's area factor."""

    text: list[str]
    boxes: np.ndarray
    height_pt: np.ndarray
    area_scale: np.ndarray

    def cursive(self) -> np.ndarray:
        """Letters of a script whose letters join into one another (Arabic, Persian, Urdu)."""
        return np.array([bool(CURSIVE.match(t)) for t in self.text], dtype=bool)


def _chars(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, unit: float) -> _Chars:
    count = textpage.count_chars()
    text = [" "] * count
    boxes = np.zeros((count, 4))
    height = np.zeros(count)
    scale = np.ones(count)
    matrix = raw.FS_MATRIX()
    edges = [ctypes.c_double() for _ in range(4)]
    left_edge, bottom_edge, right_edge, top_edge = page.get_bbox()
    rotated = page.get_rotation() != 0
    size = tuple(round(v * SCALE) for v in page.get_size())
    for i in range(count):
        code = raw.FPDFText_GetUnicode(textpage, i)
        if code < 33 or chr(code).isspace() or raw.FPDFText_IsGenerated(textpage, i) == 1:
            continue
        text[i] = chr(code)
        raw.FPDFText_GetCharBox(textpage, i, *edges)
        left, right, bottom, top = (e.value for e in edges)
        if rotated:
            boxes[i] = _device_box(page, size, left, bottom, right, top)
        else:
            boxes[i] = (
                (left - left_edge) * SCALE,
                (top_edge - top) * SCALE,
                (right - left_edge) * SCALE,
                (top_edge - bottom) * SCALE,
            )
        height[i] = (top - bottom) * unit
        raw.FPDFText_GetMatrix(textpage, i, matrix)
        scale[i] = abs(matrix.a * matrix.d - matrix.b * matrix.c) * unit * unit
    _spread_replaced_text(page, textpage, text, boxes, size)
    return _Chars(text, boxes, height, scale)


def _spread_replaced_text(
    page: pdfium.PdfPage,
    textpage: pdfium.PdfTextPage,
    text: list[str],
    boxes: np.ndarray,
    size: tuple[int, ...],
) -> None:
    """The characters of an /ActualText span (a shaped run, whose glyphs are not its
    characters one for one) are given by PDFium equal slices of their text object, one after
    the other, not the boxes of their glyphs; a slice between two words or strokes would read
    as no ink. Such characters (three or more of one text object marked with an /ActualText,
    all the same width) are judged over the object's bounds, where their glyphs are drawn;
    that the glyphs show the text is the glyph pass's judgement. Text without an /ActualText
    keeps its glyph boxes, however alike they are (a Type 3 font of blocks is still a blob)."""
    members: dict[int, tuple[object, list[int]]] = {}
    for i, char in enumerate(text):
        obj = raw.FPDFText_GetTextObject(textpage, i) if char != " " else None
        if obj:
            members.setdefault(ctypes.addressof(obj.contents), (obj, []))[1].append(i)
    edges = [ctypes.c_float() for _ in range(4)]
    for obj, indices in members.values():
        widths = boxes[indices, 2] - boxes[indices, 0]
        if len(indices) < 3 or np.ptp(widths) > 0.01 or not widths.all():
            continue
        if not _has_actual_text(obj):
            continue
        if raw.FPDFPageObj_GetBounds(obj, *edges):
            left, bottom, right, top = (e.value for e in edges)
            whole = np.array(_device_box(page, size, left, bottom, right, top))
            slices = boxes[indices]
            if (slices[:, 0] >= whole[0] - 1).all() and (slices[:, 2] <= whole[2] + 1).all():
                boxes[indices] = whole


def _has_actual_text(obj: object) -> bool:
    """Whether a page object is inside marked content with an /ActualText."""
    key = (ctypes.c_ushort * 32)()
    length = ctypes.c_ulong()
    for index in range(raw.FPDFPageObj_CountMarks(obj)):
        mark = raw.FPDFPageObj_GetMark(obj, index)
        for param in range(raw.FPDFPageObjMark_CountParams(mark)):
            if not raw.FPDFPageObjMark_GetParamKey(mark, param, key, ctypes.sizeof(key), length):
                continue
            name = bytes(key)[: length.value].decode("utf-16-le").rstrip("\x00")
            if name == "ActualText":
                return True
    return False


def _device_box(
    page: pdfium.PdfPage,
    size: tuple[int, ...],
    left: float,
    bottom: float,
    right: float,
    top: float,
) -> tuple[float, float, float, float]:
    x, y = ctypes.c_int(), ctypes.c_int()
    corners = []
    for px, py in ((left, bottom), (right, top)):
        raw.FPDF_PageToDevice(page, 0, 0, size[0], size[1], 0, px, py, x, y)
        corners.append((x.value, y.value))
    (x0, y0), (x1, y1) = corners
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _page(shown: pdfium.PdfPage, bare: pdfium.PdfPage, number: int, unit: float) -> list[Unseen]:
    chars = _chars(shown, shown.get_textpage(), unit)
    glyphs = np.array([t != " " for t in chars.text], dtype=bool)
    if not glyphs.any():
        return []
    ink = _render(shown)
    _without_text(bare)
    under = _render(bare)
    changed = np.abs(ink - under) > INK_STEP
    clear = changed & _CLEAR[ink, under]
    reasons: list[str | None] = [None] * len(chars.text)
    inked, cleared, outside = _counts(chars.boxes, ink.shape, changed, clear)
    for i in np.flatnonzero(glyphs):
        if outside[i]:
            reasons[i] = "outside the visible page"
        elif inked[i] == 0:
            reasons[i] = (
                "no ink where it is drawn (covered, clipped, masked or in the background colour)"
            )
        elif chars.area_scale[i] < MIN_SCALE:
            reasons[i] = "its glyphs are flattened or squeezed by the text matrix"
    _mark_faint_words(chars, _word_spans(chars), cleared, reasons)
    _mark_blobs(chars, reasons)
    _mark_small_words(chars, _word_spans(chars, cursive_runs=True), reasons)
    return _words(chars.text, reasons, number)


def _counts(
    boxes: np.ndarray, shape: tuple[int, ...], changed: np.ndarray, clear: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per character: pixels its text changed, pixels changed with clear contrast (inside its
    glyph box, with a pixel of slack for rounding), and whether the box is off the bitmap."""
    rows, cols = shape
    left, top, right, bottom = boxes.T
    outside = (right <= 0) | (bottom <= 0) | (left >= cols) | (top >= rows)
    l_ = np.clip(np.floor(left) - 1, 0, cols).astype(int)
    r_ = np.clip(np.ceil(right) + 1, 0, cols).astype(int)
    t_ = np.clip(np.floor(top) - 1, 0, rows).astype(int)
    b_ = np.clip(np.ceil(bottom) + 1, 0, rows).astype(int)
    sums = []
    for mask in (changed, clear):
        table = _integral(mask)
        sums.append(table[b_, r_] - table[t_, r_] - table[b_, l_] + table[t_, l_])
    return sums[0], sums[1], outside


def _word_spans(chars: _Chars, cursive_runs: bool = False) -> list[list[int]]:
    """The characters of each word; with ``cursive_runs``, a run of cursive letters is one
    word whatever PDFium puts between them: a right-to-left line drawn cluster by cluster
    comes out of PDFium letter by letter, with spaces and line breaks in between."""
    cursive = chars.cursive() if cursive_runs else np.zeros(len(chars.text), dtype=bool)
    spans: list[list[int]] = []
    current: list[int] = []
    for i, char in enumerate(chars.text):
        if char != " ":
            current.append(i)
        elif current and cursive[current[-1]] and _cursive_next(chars, i):
            continue
        elif current:
            spans.append(current)
            current = []
    if current:
        spans.append(current)
    return spans


def _cursive_next(chars: _Chars, index: int) -> bool:
    """The next character that is not a space is a cursive letter."""
    for char in chars.text[index + 1 :]:
        if char != " ":
            return bool(CURSIVE.match(char))
    return False


def _mark_faint_words(
    chars: _Chars, spans: list[list[int]], cleared: np.ndarray, reasons: list[str | None]
) -> None:
    """A word is faint when none of its ink reaches the minimum contrast with what lies beneath
    (thin strokes alone are grey from anti-aliasing, so a single character is not judged).
    Artifacts (the running footer, the EXPIRED band) are judged like any text."""
    for word in spans:
        seen = [i for i in word if not reasons[i]]
        if not seen or cleared[seen].sum() > 0:
            continue
        for i in seen:
            reasons[i] = f"its ink has less than {MIN_CONTRAST:g}:1 contrast with what lies beneath"


def _mark_blobs(chars: _Chars, reasons: list[str | None]) -> None:
    """Letters drawn over the one before them (negative spacing, zero widths) pile into a
    blob: each still has ink, but none can be read. A ligature's letters share one box;
    punctuation kerns under letters and is not judged; cursive letters overlap where they
    join (and Nastaliq stacks them), so a pair of them is not judged either."""
    boxes = chars.boxes
    cursive = chars.cursive()
    letters = np.array([t.isalnum() for t in chars.text], dtype=bool)
    before, this = boxes[:-1], boxes[1:]
    overlap = np.minimum(before[:, 2], this[:, 2]) - np.maximum(before[:, 0], this[:, 0])
    narrow = np.minimum(before[:, 2] - before[:, 0], this[:, 2] - this[:, 0])
    same_line = np.abs(before[:, 3] - this[:, 3]) < 0.5 * (this[:, 3] - this[:, 1])
    same_box = (before == this).all(axis=1)
    blob = letters[:-1] & letters[1:] & same_line & ~same_box & (narrow > 2)
    blob &= ~(cursive[:-1] & cursive[1:])
    blob &= overlap > 0.6 * narrow
    for i in np.flatnonzero(blob) + 1:
        reasons[i] = reasons[i] or "drawn over the characters before it"


def _mark_small_words(chars: _Chars, spans: list[list[int]], reasons: list[str | None]) -> None:
    """A word whose tallest glyph is under MIN_GLYPH_PT. Cursive letters are drawn as a body
    and separate dots, many bodies are low (ر ز و ں), and Nastaliq sets them small in a tall
    line: a run of them only is held to MIN_CURSIVE_GLYPH_PT, and one or two alone are not
    judged."""
    cursive = chars.cursive()
    for span in spans:
        word = [i for i in span if chars.text[i].isalnum() and not reasons[i]]
        if not word:
            continue
        least = MIN_GLYPH_PT
        if cursive[word].all():
            if len(word) < 3:
                continue
            least = MIN_CURSIVE_GLYPH_PT
        if chars.height_pt[word].max() < least:
            for i in word:
                reasons[i] = "too small to read"


def _words(text: list[str], reasons: list[str | None], number: int) -> list[Unseen]:
    """Runs of unseen characters (joined across the spaces between them), with their reason."""
    found: list[Unseen] = []
    run, reason = "", None
    for char, why in zip(text, reasons, strict=True):
        if why is not None and (reason is None or why == reason):
            run, reason = run + char, why
        elif why is None and char == " " and reason is not None:
            run += " "
        else:
            if reason is not None:
                found.append(Unseen(number, run.strip(), reason))
            run, reason = (char, why) if why else ("", None)
    if reason is not None:
        found.append(Unseen(number, run.strip(), reason))
    return found
