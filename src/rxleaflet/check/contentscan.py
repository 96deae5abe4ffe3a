"""A fast, narrow interpreter of page content streams: the text shown, where, and how.

It is an independent read of the PDF bytes: fonts are decoded through the file's own ToUnicode
maps and placed with the file's own widths. Besides the text in order, it follows what decides
whether a patient can see each piece of text: the graphics state (matrices, fill colour and
transparency, clipping), the text state (size, render mode, horizontal scaling), what is
painted before and after (filled shapes, images), and the marked content that says whether
text is page furniture (an artifact) or real content (its MCID in the structure tree).

A form XObject (which may hold text) raises Unsupported, and the caller falls back to pypdf's
general extractor for that page (text only); broken or oversized content raises Malformed. It
never raises anything else, whatever the bytes, and it stops at a deadline (ScanTimeout).
"""

from __future__ import annotations

import binascii
import itertools
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .fontdecode import FontDecoder, Malformed, Unsupported

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in default user space
Color = tuple[float, float, float]  # RGB, 0..1
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
BLACK: Color = (0.0, 0.0, 0.0)
MAX_MARKS = 100_000  # text runs or paints recorded per page; beyond, the page is refused


class ScanTimeout(Exception):
    """The page's content took longer than the time left for the whole file."""


class PdfString(bytes):
    """A string operand (as opposed to a name, which is kept as str)."""


@dataclass(slots=True)
class TextRun:
    """Text shown by one operator, with everything that decides whether it can be seen."""

    text: str
    size: float  # effective height of the type, in points
    box: Box
    order: int  # drawing order on the page
    mcid: int | None  # marked-content id (its structure element), when tagged
    artifact: str | None  # "Pagination/Footer", "Layout", … when inside an artifact
    fill: Color | None  # None when painted with a pattern (colour unknown)
    alpha: float
    render_mode: int
    width_factor: float  # horizontal scaling relative to the height (1 = normal)
    clip: Box | None


@dataclass(slots=True)
class Paint:
    """A filled shape or an image: it hides what lies below it."""

    box: Box
    order: int
    color: Color | None  # None for images, shadings and patterns
    alpha: float


@dataclass
class Resources:
    """What the content stream's names refer to."""

    fonts: dict[str, FontDecoder | Callable[[], FontDecoder]]
    forms: set[str] = field(default_factory=set)
    alphas: dict[str, float] = field(default_factory=dict)  # ExtGState name → fill alpha
    color_spaces: dict[str, int] = field(default_factory=dict)  # name → components (0: pattern)


@dataclass
class PageScan:
    text: str
    runs: list[TextRun]
    paints: list[Paint]


@dataclass(slots=True)
class _State:
    ctm: Matrix = IDENTITY
    fill: Color | None = BLACK
    fill_components: int = 1
    alpha: float = 1.0
    clip: Box | None = None
    # text state (part of the graphics state in PDF)
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scale: float = 1.0  # Tz / 100
    leading: float = 0.0
    font: FontDecoder | None = None
    size: float = 0.0
    rise: float = 0.0
    render_mode: int = 0

    def copy(self) -> _State:
        return _State(
            self.ctm, self.fill, self.fill_components, self.alpha, self.clip,
            self.char_spacing, self.word_spacing, self.scale, self.leading, self.font,
            self.size, self.rise, self.render_mode,
        )  # fmt: skip


_TOKEN = re.compile(
    rb"(?P<n>[-+]?(?:\d+\.?\d*|\.\d+))"
    rb"|(?P<name>/[^\s/\[\]()<>{}%]*)"
    rb"|(?P<s>\((?:[^\\()]|\\.)*\))"
    rb"|(?P<dict><<)|(?P<enddict>>>)"
    rb"|<(?P<h>[0-9A-Fa-f\s]*)>"
    rb"|(?P<array>\[)|(?P<endarray>\])"
    rb"|(?P<op>[A-Za-z'\"][A-Za-z0-9*'\"]*)"
    rb"|%[^\r\n]*"
    rb"|(?P<x>[^\s])"
)
# The same tokens without their kinds, for a fast pass that sorts them by first byte (see
# run_listed), each alternative chosen by its first byte alone. A token may carry the pairing
# that follows it, as one token that run_listed splits again: numbers followed by their operator
# ("1 0 0 1 54 720 cm"), a font set with Tf ("/F1 12 Tf"), a marked-content sequence with an
# MCID or ActualText ("/P <</MCID 3>> BDC"), a string shown with Tj ("(text) Tj"), and a whole
# line of text as our files write one ("BT 0 9 Td /F1 12 Tf (text) Tj ET"), and shaped glyphs
# with their adjustments ("[-250 <0041> 80 <0042>] TJ"): what they use most.
# Each matches only where the separate tokens would be exactly these (tests compare the fast
# pass with the general one), and strings are read possessively: no backtracking, whatever the
# bytes.
_OPERATOR_END = rb"(?![A-Za-z0-9*'\"])"
# possessive: a run of digits is one number, never split again on a failed match (a hostile
# "[1111…1x" would otherwise take exponential time)
_NUMBER_TEXT = rb"[-+]?+(?:\d++(?:\.\d*+)?+|\.\d++)"
_OPERATOR_TEXT = rb"[A-Za-z'\"][A-Za-z0-9*'\"]*"
_TOKEN_TEXT = re.compile(
    # at most 7 operands fused (no operator takes more; more are read one by one first): each
    # number then looks only so far ahead, so a long run of numbers is read in linear time
    _NUMBER_TEXT + rb"(?:\s+(?:" + _NUMBER_TEXT + rb"\s+){0,6}" + _OPERATOR_TEXT + rb")?"
    rb"|/[^\s/\[\]()<>{}%]*(?:\s+" + _NUMBER_TEXT + rb"\s+Tf" + _OPERATOR_END
    + rb"|\s*<<\s*/MCID\s+" + _NUMBER_TEXT + rb"\s*>>\s*BDC" + _OPERATOR_END
    + rb"|\s*<<\s*/ActualText\s+<[0-9A-Fa-f\s]*>\s*>>\s*BDC" + _OPERATOR_END + rb")?"
    rb"|\((?>[^\\()]+|\\.)*+\)(?:\s*Tj" + _OPERATOR_END + rb")?"
    rb"|<<|>>|<[0-9A-Fa-f\s]*>"
    rb"|\[(?:\s*+(?:" + _NUMBER_TEXT + rb"|<[0-9A-Fa-f\s]*+>))*+\s*\]\s*TJ" + _OPERATOR_END
    + rb"|\[|\]"
    rb"|BT\s+" + _NUMBER_TEXT + rb"\s+" + _NUMBER_TEXT + rb"\s+Td\s+/[^\s/\[\]()<>{}%]*\s+"
    + _NUMBER_TEXT + rb"\s+Tf\s+\((?>[^\\()]+|\\.)*+\)\s*Tj\s+ET" + _OPERATOR_END
    + rb"|" + _OPERATOR_TEXT + rb"|%[^\r\n]*|[^\s]"
)  # fmt: skip
# the items of a "[…] TJ" token: numbers and hexadecimal strings, as the separate tokens read them
_SHOWN_ITEM = re.compile(_NUMBER_TEXT + rb"|<[0-9A-Fa-f\s]*>")
_ANGLE_BYTE = ord("<")
_WHITE_SPACE = frozenset(b" \t\n\r\x0b\x0c")  # what \s matches in a bytes pattern
_J = ord("j")
_TWO_LINES = ("\n", "\n")
_C_BYTE = ord("C")
_NUMBER_BYTES = b"+-.0123456789"
_NUMBER, _OPERATOR, _NAME, _STRING, _ANGLE, _CLOSING_ANGLE, _OPEN, _CLOSE, _COMMENT = range(9)
_FIRST_BYTE = {
    **dict.fromkeys(_NUMBER_BYTES, _NUMBER),
    **dict.fromkeys(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'\"", _OPERATOR),
    ord("/"): _NAME, ord("("): _STRING, ord("<"): _ANGLE, ord(">"): _CLOSING_ANGLE,
    ord("["): _OPEN, ord("]"): _CLOSE, ord("%"): _COMMENT,
}  # fmt: skip
_END_OF_INLINE_IMAGE = re.compile(rb"\sEI(?=[\s]|$)")
_OCTAL = re.compile(rb"[0-7]{1,3}")
# an escape in a literal string: named, octal, a line continuation, or any other (ignored)
_ESCAPE = re.compile(rb"\\(?:([nrtbf()\\])|([0-7]{1,3})|\r\n|[\r\n]|)")
# the same escapes, each one whole, for splitting a string at them
_ESCAPE_SPLIT = re.compile(rb"(\\(?:[nrtbf()\\]|[0-7]{1,3}|\r\n|[\r\n]|))")
_HEX_SPACE = re.compile(rb"[\s\x00]")
# a literal string's named escapes (preload reads strings with these too)
NAMED_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(",
                 b")": b")", b"\\": b"\\"}  # fmt: skip
_ARRAY, _DICT = object(), object()


def literal(data: bytes, start: int) -> tuple[bytes, int]:
    """The literal string opening at ``start`` (just after its '('), and the index after it."""
    out = bytearray()
    depth = 1
    index = start
    length = len(data)
    while index < length:
        char = data[index : index + 1]
        if char == b"\\":
            following = data[index + 1 : index + 2]
            if following in NAMED_ESCAPES:
                out += NAMED_ESCAPES[following]
                index += 2
            elif following and following in b"01234567":
                digits = _OCTAL.match(data, index + 1, index + 4)
                if digits is None:  # cannot happen: the first digit matched
                    raise Malformed("a malformed octal escape")
                out.append(int(digits.group(), 8) & 0xFF)
                index += 1 + len(digits.group())
            elif following in (b"\n", b"\r"):
                index += 2 if data[index + 1 : index + 3] != b"\r\n" else 3
            else:
                index += 1  # the backslash is ignored; the character is read normally
            continue
        if char == b"(":
            depth += 1
        elif char == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), index + 1
        out += char
        index += 1
    raise Malformed("an unterminated string")


def _unescape(token: bytes) -> bytes:
    """The bytes of a literal string token, parentheses included (balanced: the token
    pattern admits no unescaped parenthesis inside), read as ``literal`` reads them."""
    body = token[1:-1]
    if b"\\" not in body:
        return body
    # split at the escapes (odd places), each escape replaced by what it stands for, in C
    # (Latin text other than English is mostly octal escapes)
    parts = _ESCAPE_SPLIT.split(body)
    parts[1::2] = map(_ESCAPED.__getitem__, parts[1::2])
    return b"".join(parts)


def _escaped(escape: re.Match[bytes]) -> bytes:
    named, octal = escape.group(1), escape.group(2)
    if named:
        return NAMED_ESCAPES[named]
    if octal:
        return bytes((int(octal, 8) & 0xFF,))
    return b""  # a line continuation, or a backslash before any other character: ignored


# every escape _ESCAPE_SPLIT finds → its bytes (as _escaped reads it)
_ESCAPED = {
    escape: _escaped(_ESCAPE.fullmatch(escape))  # type: ignore[arg-type]
    for escape in [
        b"\\" + b"".join(digits)
        for length in (1, 2, 3)
        for digits in itertools.product([bytes((d,)) for d in b"01234567"], repeat=length)
    ]
    + [b"\\" + bytes((c,)) for c in b"nrtbf()\\\r\n"]
    + [b"\\\r\n", b"\\"]
}


def matrix_scale(matrix: tuple[float, ...] | list[float]) -> float:
    """How much a PDF matrix [a b c d e f] scales lengths (square root of its determinant)."""
    return math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2]))


def _box(matrix: Matrix, x0: float, y0: float, x1: float, y1: float) -> Box:
    """The axis-aligned box around a rectangle transformed by ``matrix``."""
    a, b, c, d, e, f = matrix
    xs = (a * x0 + c * y0 + e, a * x1 + c * y0 + e, a * x0 + c * y1 + e, a * x1 + c * y1 + e)
    ys = (b * x0 + d * y0 + f, b * x1 + d * y0 + f, b * x0 + d * y1 + f, b * x1 + d * y1 + f)
    return min(xs), min(ys), max(xs), max(ys)


def _intersect(a: Box | None, b: Box) -> Box:
    if a is None:
        return b
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def _cmyk(c: float, m: float, y: float, k: float) -> Color:
    return (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)


def _color(values: list[Any]) -> Color | None:
    numbers = [float(v) for v in values if isinstance(v, float)]
    if len(numbers) != len(values):
        return None  # a pattern name
    clamp = [min(1.0, max(0.0, v)) for v in numbers]
    if len(clamp) == 1:
        return clamp[0], clamp[0], clamp[0]
    if len(clamp) == 3:
        return clamp[0], clamp[1], clamp[2]
    if len(clamp) == 4:
        return _cmyk(*clamp)
    return None


def scan_page(content: bytes, resources: Resources, deadline: float | None = None) -> PageScan:
    """Interpret ``content``; raises only Unsupported, Malformed or ScanTimeout, whatever the
    bytes."""
    try:
        return (
            _Scanner(content, resources, deadline).run_listed()
            or _Scanner(content, resources, deadline).run()
        )
    except (ValueError, IndexError, KeyError, TypeError, OverflowError, AttributeError) as error:
        raise Malformed(f"malformed content ({type(error).__name__})") from None


class _Scanner:
    def __init__(self, content: bytes, resources: Resources, deadline: float | None):
        self.content = content
        self.resources = resources
        self.deadline = deadline
        self.state = _State()
        self.saved: list[_State] = []
        self.text_matrix = IDENTITY
        self.line_matrix = IDENTITY
        # per open BDC/BMC, the (mcid, artifact) in force inside it: its own, else its parent's
        self.marks: list[tuple[int | None, str | None]] = []
        # per open BDC/BMC, its ActualText not yet shown (None: none; "": already shown)
        self.actual: list[str | None] = []
        self.path: Box | None = None
        self.pending_clip = False
        self.pieces: list[str] = []
        self.runs: list[TextRun] = []
        self.paints: list[Paint] = []
        self.order = 0

    def run_listed(self) -> PageScan | None:
        """The fast pass: the page's tokens listed by one regex call, then sorted by first byte.
        It gives up (None) at what needs positions in the content (a string with unescaped
        parentheses inside, an inline image) or at an unexpected character, which ``run``
        then reads or reports from the start; otherwise the two read alike."""
        operands: list[Any] = []
        stack: list[tuple[object, list[Any]]] = []  # open arrays and dictionaries
        kinds = _FIRST_BYTE
        handlers = _OPERATORS
        deadline = self.deadline
        for token in _tokens_on_time(_TOKEN_TEXT.findall(self.content), deadline):
            kind = kinds.get(token[0])
            if kind == _NUMBER:
                if len(token) == 1 and token in b"+-.":
                    return None  # a sign or point alone: not a number
                if not token.strip(_NUMBER_BYTES):  # a number alone
                    (stack[-1][1] if stack else operands).append(float(token))
                    continue
                if stack:
                    raise Malformed("an operator inside an array or dictionary")
                *numbers, operator = token.split()
                if operator == b"ID":
                    return None  # an inline image's data follows: ``run`` skips it
                if operands:
                    operands.extend(map(float, numbers))
                else:
                    operands = list(map(float, numbers))
                handler = handlers.get(operator)
                if handler is not None:
                    handler(self, operands)
                operands = []
            elif kind == _OPERATOR:
                if stack:
                    raise Malformed("an operator inside an array or dictionary")
                handler = handlers.get(token)
                if handler is not None:
                    handler(self, operands)
                elif token == b"ID":
                    return None
                elif len(token) > 2 and token[2] in _WHITE_SPACE:  # "BT … Tj ET" (no operator)
                    self.show_line(token)
                operands = []
            elif kind == _NAME:
                if len(token) > 3 and token[-3] in _WHITE_SPACE:  # "/F1 12 Tf" (no name has any)
                    if stack:
                        raise Malformed("an operator inside an array or dictionary")
                    name, size, _ = token.split()
                    operands.append(name[1:].decode("latin-1"))
                    operands.append(float(size))
                    self.set_font(operands)
                    operands = []
                elif token[-1] == _C_BYTE and b">" in token:  # "/P <</MCID 3>> BDC" (no name)
                    if stack:
                        raise Malformed("an operator inside an array or dictionary")
                    opening = token.index(b"<<")
                    key, value = token[opening + 2 : -3].rstrip()[:-2].split(None, 1)
                    tag = token[1:opening].rstrip().decode("latin-1")
                    if key == b"/MCID" and not operands and tag != "Artifact":
                        self.begin_content(float(value))  # what begin_marked does with these
                        continue
                    operands.append(tag)
                    if key == b"/MCID":
                        operands.append({"MCID": float(value)})
                    else:
                        operands.append({"ActualText": PdfString(hex_bytes(value.strip()[1:-1]))})
                    self.begin_marked(operands)
                    operands = []
                else:
                    (stack[-1][1] if stack else operands).append(token[1:].decode("latin-1"))
            elif kind == _STRING:
                if len(token) == 1:
                    return None  # parentheses nested inside the string
                if token[-1] == _J:  # "(text) Tj" (a string alone ends with ")")
                    if stack:
                        raise Malformed("an operator inside an array or dictionary")
                    self.show_string(_unescape(token[:-2].rstrip()))
                    operands = []
                else:
                    (stack[-1][1] if stack else operands).append(PdfString(_unescape(token)))
            elif kind == _ANGLE:
                if token == b"<<":
                    stack.append((_DICT, []))
                elif len(token) > 1:
                    (stack[-1][1] if stack else operands).append(PdfString(hex_bytes(token[1:-1])))
                else:
                    return None
            elif kind == _CLOSING_ANGLE:
                if token != b">>":
                    return None
                _close(stack, _DICT, operands)
            elif kind == _OPEN:
                if len(token) == 1:
                    stack.append((_ARRAY, []))
                    continue
                if stack:  # "[<0041> -250 <0042>] TJ", one token (see _TOKEN_TEXT)
                    raise Malformed("an operator inside an array or dictionary")
                body = token[1 : token.rindex(b"]")]
                self.show(
                    [
                        PdfString(hex_bytes(item[1:-1])) if item[0] == _ANGLE_BYTE else float(item)
                        for item in _SHOWN_ITEM.findall(body)
                    ],
                    new_line=False,
                )
                operands = []
            elif kind == _CLOSE:
                _close(stack, _ARRAY, operands)
            elif kind != _COMMENT:
                return None
        return self._finish(stack)

    def run(self) -> PageScan:
        content = self.content
        operands: list[Any] = []
        stack: list[Any] = []  # open arrays and dictionaries
        position = 0
        count = 0
        while True:
            restart = None
            for token in _TOKEN.finditer(content, position):
                count += 1
                if count & 2047 == 0 and self.deadline and time.monotonic() > self.deadline:
                    raise ScanTimeout
                kind = token.lastgroup
                target = stack[-1][1] if stack else operands
                if kind == "n":
                    target.append(float(token.group()))
                elif kind == "op":
                    if stack:
                        raise Malformed("an operator inside an array or dictionary")
                    op = token.group()
                    if op == b"ID":
                        restart = self.inline_image(token.end())
                        operands = []
                        break
                    self.operate(op, operands)
                    operands = []
                elif kind == "name":
                    target.append(token.group()[1:].decode("latin-1"))
                elif kind == "s":
                    target.append(PdfString(_unescape(token.group())))
                elif kind == "h":
                    target.append(PdfString(hex_bytes(token.group("h"))))
                elif kind == "array":
                    stack.append((_ARRAY, []))
                elif kind == "endarray":
                    _close(stack, _ARRAY, operands)
                elif kind == "dict":
                    stack.append((_DICT, []))
                elif kind == "enddict":
                    _close(stack, _DICT, operands)
                elif kind == "x":
                    if token.group() != b"(":
                        raise Malformed(f"an unexpected {token.group()!r} in the content")
                    value, restart = literal(content, token.end())  # nested parentheses
                    target.append(PdfString(value))
                    break
            if restart is None:
                break
            position = restart
        return self._finish(stack)

    def _finish(self, stack: list[Any]) -> PageScan:
        if stack:
            raise Malformed("an array or dictionary that is never closed")
        text = re.sub(r"\n+", "\n", "".join(self.pieces)).strip("\n")
        return PageScan(text, self.runs, self.paints)

    # -- operators ------------------------------------------------------------------------------
    # Each operator is a function of the scanner and its operands (read from the end, as PDF
    # readers do), found through _OPERATORS; every other operator (line styles, stroke colours,
    # d0/d1, BX/EX, …) changes nothing that decides what text is shown or whether it is seen.

    def operate(self, op: bytes, args: list[Any]) -> None:
        handler = _OPERATORS.get(op)
        if handler is not None:
            handler(self, args)

    def set_font(self, args: list[Any]) -> None:
        self.use_font(args[-2], float(args[-1]))

    def use_font(self, name: str, size: float) -> None:
        """``/name size Tf``: the font's decoder, made at its first use on the page."""
        font = self.resources.fonts.get(name)
        if font is None:
            raise Malformed(f"unknown font {name}")
        if not isinstance(font, FontDecoder):
            font = self.resources.fonts[name] = font()
        state = self.state
        state.font, state.size = font, size

    def begin_text(self, args: list[Any]) -> None:
        self.pieces.append("\n")
        self.text_matrix = self.line_matrix = IDENTITY

    def next_line(self, args: list[Any]) -> None:
        self.pieces.append("\n")
        self.move(0.0, -self.state.leading)

    def move_line(self, args: list[Any]) -> None:
        self.pieces.append("\n")
        self.move(float(args[-2]), float(args[-1]))

    def move_line_leading(self, args: list[Any]) -> None:
        self.pieces.append("\n")
        tx, ty = float(args[-2]), float(args[-1])
        self.state.leading = -ty
        self.move(tx, ty)

    def set_text_matrix(self, args: list[Any]) -> None:
        self.text_matrix = self.line_matrix = _matrix(args)
        self.pieces.append("\n")

    def end_marked(self, args: list[Any]) -> None:
        if self.marks:
            self.marks.pop()
            self.actual.pop()

    def save(self, args: list[Any]) -> None:
        if len(self.saved) > 256:
            raise Malformed("graphics states nested too deeply")
        self.saved.append(self.state.copy())

    def restore(self, args: list[Any]) -> None:
        if self.saved:
            self.state = self.saved.pop()

    def concat(self, args: list[Any]) -> None:
        values = list(map(float, args[-6:]))  # as _matrix reads them
        if len(values) != 6:
            raise Malformed("a matrix without six operands")
        a0, a1, a2, a3, a4, a5 = values
        b0, b1, b2, b3, b4, b5 = self.state.ctm
        # the operand matrix times the CTM (PDF's row-vector convention)
        self.state.ctm = (
            a0 * b0 + a1 * b2, a0 * b1 + a1 * b3,
            a2 * b0 + a3 * b2, a2 * b1 + a3 * b3,
            a4 * b0 + a5 * b2 + b4, a4 * b1 + a5 * b3 + b5,
        )  # fmt: skip

    def gray(self, args: list[Any]) -> None:
        self.state.fill = _color(args[-1:])
        self.state.fill_components = 1

    def rgb(self, args: list[Any]) -> None:
        values = args[-3:]
        if len(values) == 3:
            red, green, blue = values
            if type(red) is float and type(green) is float and type(blue) is float:
                # the usual case, as _color reads it (min(1.0, max(0.0, v)), whose comparisons
                # these are, a NaN read as 0.0), without its lists and calls
                red = red if red > 0.0 else 0.0
                green = green if green > 0.0 else 0.0
                blue = blue if blue > 0.0 else 0.0
                state = self.state
                state.fill = (
                    red if red < 1.0 else 1.0,
                    green if green < 1.0 else 1.0,
                    blue if blue < 1.0 else 1.0,
                )
                state.fill_components = 3
                return
        self.state.fill = _color(values)
        self.state.fill_components = 3

    def cmyk(self, args: list[Any]) -> None:
        self.state.fill = _color(args[-4:])
        self.state.fill_components = 4

    def show_one(self, args: list[Any]) -> None:
        self.show(args[-1:], new_line=False)

    def show_array(self, args: list[Any]) -> None:
        self.show(args[-1], new_line=False)

    def set_leading(self, args: list[Any]) -> None:
        self.state.leading = float(args[-1])

    def rectangle(self, args: list[Any]) -> None:
        x, y, w, h = (float(v) for v in args[-4:])
        self.extend_path(_box(self.state.ctm, x, y, x + w, y + h))

    def point(self, args: list[Any]) -> None:
        x, y = float(args[-2]), float(args[-1])
        self.extend_path(_box(self.state.ctm, x, y, x, y))

    def curve(self, args: list[Any]) -> None:
        for index in range(0, len(args) - 1, 2):
            x, y = float(args[index]), float(args[index + 1])
            self.extend_path(_box(self.state.ctm, x, y, x, y))

    def fill(self, args: list[Any]) -> None:
        if self.path is not None:
            self.paint(self.path, self.state.fill)
        self.end_path()

    def end_path_operator(self, args: list[Any]) -> None:
        self.end_path()

    def clip_path(self, args: list[Any]) -> None:
        self.pending_clip = True

    def color_space(self, args: list[Any]) -> None:
        name = args[-1]
        components = {"DeviceGray": 1, "DeviceRGB": 3, "DeviceCMYK": 4, "Pattern": 0}.get(
            name, self.resources.color_spaces.get(name, 3)
        )
        state = self.state
        state.fill_components = components
        state.fill = None if components == 0 else BLACK

    def color(self, args: list[Any]) -> None:
        state = self.state
        state.fill = _color(args[-state.fill_components :]) if state.fill_components else None

    def graphics_state(self, args: list[Any]) -> None:
        self.state.alpha = self.resources.alphas.get(args[-1], self.state.alpha)

    def draw_object(self, args: list[Any]) -> None:
        if args[-1] in self.resources.forms:
            raise Unsupported("a form XObject, which may hold text")
        self.paint(_box(self.state.ctm, 0, 0, 1, 1), None)

    def shade(self, args: list[Any]) -> None:
        self.paint(self.state.clip or (-1e9, -1e9, 1e9, 1e9), None)

    def char_spacing(self, args: list[Any]) -> None:
        self.state.char_spacing = float(args[-1])

    def word_spacing(self, args: list[Any]) -> None:
        self.state.word_spacing = float(args[-1])

    def horizontal_scale(self, args: list[Any]) -> None:
        self.state.scale = float(args[-1]) / 100

    def text_rise(self, args: list[Any]) -> None:
        self.state.rise = float(args[-1])

    def render_mode(self, args: list[Any]) -> None:
        self.state.render_mode = int(args[-1])

    def next_line_show(self, args: list[Any]) -> None:
        self.move(0.0, -self.state.leading)
        self.show(args[-1:], new_line=True)

    def spaced_next_line_show(self, args: list[Any]) -> None:
        state = self.state
        state.word_spacing, state.char_spacing = float(args[-3]), float(args[-2])
        self.move(0.0, -state.leading)
        self.show(args[-1:], new_line=True)

    def move(self, tx: float, ty: float) -> None:
        b0, b1, b2, b3, b4, b5 = self.line_matrix
        # a translation by (tx, ty) times the line matrix, as the general product would
        # compute it (1.0 * x is x exactly; 0.0 * x is kept, for infinities)
        self.line_matrix = self.text_matrix = (
            b0 + 0.0 * b2, b1 + 0.0 * b3, 0.0 * b0 + b2, 0.0 * b1 + b3,
            tx * b0 + ty * b2 + b4, tx * b1 + ty * b3 + b5,
        )  # fmt: skip

    def show(self, items: Any, new_line: bool) -> None:
        state = self.state
        decoder = state.font
        if decoder is None:
            raise Malformed("text shown before a font is set")
        if new_line:
            self.pieces.append("\n")
        size, scale = state.size, state.scale
        text = ""
        advance = 0.0  # in unscaled text space
        for item in items:
            if isinstance(item, bytes):
                shown, widths, spaces = decoder.read(item)
                text += shown
                glyphs = len(item) // decoder.code_length
                advance += (
                    widths / 1000 * size + state.char_spacing * glyphs + state.word_spacing * spaces
                ) * scale
            elif isinstance(item, float):
                advance -= item / 1000 * size * scale
                if item < -200 and text and not text.endswith(" "):
                    text += " "  # a wide negative adjustment is a space in most producers
        self.place(text, advance)

    def show_line(self, token: bytes) -> None:
        """``BT tx ty Td /Font size Tf (text) Tj ET``, one token: what begin_text, move_line,
        set_font and show_string do in turn, BT, Td and setting a font used before inlined (our
        pages are mostly these lines)."""
        _, tx, ty, _, name, size, _, rest = token.split(None, 7)
        self.pieces += _TWO_LINES  # BT, Td
        tx, ty = float(tx), float(ty)
        # move from the identity line matrix, as move computes it
        self.line_matrix = self.text_matrix = (
            1.0, 0.0, 0.0, 1.0, tx * 1.0 + ty * 0.0 + 0.0, tx * 0.0 + ty * 1.0 + 0.0
        )  # fmt: skip
        size = float(size)
        font_name = name[1:].decode("latin-1")
        decoder = self.resources.fonts.get(font_name)
        if type(decoder) is FontDecoder:  # a font used before: use_font would only set it
            self.state.font, self.state.size = decoder, size
        else:
            self.use_font(font_name, size)
        self.show_string(_unescape(rest[: rest.rindex(b"Tj")].rstrip()))

    def show_string(self, data: bytes) -> None:
        """``show((data,), new_line=False)``, for the most frequent case: one string with Tj."""
        state = self.state
        decoder = state.font
        if decoder is None:
            raise Malformed("text shown before a font is set")
        text, widths, spaces = decoder.read(data)
        glyphs = len(data) // decoder.code_length
        size, scale = state.size, state.scale
        advance = 0.0  # summed as show sums it, for the same float
        advance += (
            widths / 1000 * size + state.char_spacing * glyphs + state.word_spacing * spaces
        ) * scale
        self.place(text, advance)

    def place(self, text: str, advance: float) -> None:
        """Record ``text`` as a run where the text matrix puts it, and move past it."""
        actual = self.actual
        if actual and actual[-1] is not None:
            text, actual[-1] = actual[-1], ""  # shaped glyphs read as their logical text
        t0, t1, t2, t3, t4, t5 = self.text_matrix
        if text:
            state = self.state
            size = state.size
            c0, c1, c2, c3, c4, c5 = state.ctm
            # the text matrix times the CTM
            a, b = t0 * c0 + t1 * c2, t0 * c1 + t1 * c3
            c, d = t2 * c0 + t3 * c2, t2 * c1 + t3 * c3
            e, f = t4 * c0 + t5 * c2 + c4, t4 * c1 + t5 * c3 + c5
            self.pieces.append(text)
            height = size * math.hypot(c, d)
            rise = state.rise
            bottom, top = rise - 0.2 * size, rise + 0.8 * size
            # the box around (0, bottom)–(advance, top) transformed, as _box computes it
            xs = (
                a * 0.0 + c * bottom + e,
                a * advance + c * bottom + e,
                a * 0.0 + c * top + e,
                a * advance + c * top + e,
            )
            ys = (
                b * 0.0 + d * bottom + f,
                b * advance + d * bottom + f,
                b * 0.0 + d * top + f,
                b * advance + d * top + f,
            )
            x_low, x_high = _low_high(xs)
            y_low, y_high = _low_high(ys)
            marks = self.marks
            mcid, artifact = marks[-1] if marks else (None, None)
            self.order = order = self.order + 1
            runs = self.runs
            if len(runs) >= MAX_MARKS:
                raise Malformed("more text runs than any leaflet page has")
            runs.append(
                TextRun(
                    text,
                    _rounded_size(abs(height)),
                    (x_low, y_low, x_high, y_high),
                    order,
                    mcid,
                    artifact,
                    state.fill,
                    state.alpha,
                    state.render_mode,
                    (state.scale * math.hypot(a, b) / (height / size)) if height and size else 1.0,
                    state.clip,
                )  # fmt: skip
            )
        # a translation by the advance times the text matrix, as in move
        self.text_matrix = (
            t0 + 0.0 * t2, t1 + 0.0 * t3, 0.0 * t0 + t2, 0.0 * t1 + t3,
            advance * t0 + 0.0 * t2 + t4, advance * t1 + 0.0 * t3 + t5,
        )  # fmt: skip

    def begin_marked(self, args: list[Any]) -> None:
        tag = args[0] if args and isinstance(args[0], str) else ""
        properties = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
        mcid = properties.get("MCID")
        artifact = None
        if tag == "Artifact":
            kind = properties.get("Type", "Layout")
            subtype = properties.get("Subtype")
            artifact = f"{kind}/{subtype}" if isinstance(subtype, str) else str(kind)
        if len(self.marks) > 256:
            raise Malformed("marked content nested too deeply")
        own = int(mcid) if isinstance(mcid, float) else None
        outer_mcid, outer_artifact = self.marks[-1] if self.marks else (None, None)
        self.marks.append(
            (
                own if own is not None else outer_mcid,
                artifact if artifact is not None else outer_artifact,
            )
        )
        actual = properties.get("ActualText")
        self.actual.append(_text_string(actual) if isinstance(actual, PdfString) else None)

    def begin_content(self, mcid: float) -> None:
        """``/Tag <</MCID n>> BDC`` (a tag other than Artifact), as begin_marked reads it."""
        marks = self.marks
        if len(marks) > 256:
            raise Malformed("marked content nested too deeply")
        own = int(mcid)
        marks.append((own, marks[-1][1] if marks else None))
        self.actual.append(None)

    def extend_path(self, box: Box) -> None:
        path = self.path
        self.path = box if path is None else (
            min(path[0], box[0]), min(path[1], box[1]), max(path[2], box[2]), max(path[3], box[3])
        )  # fmt: skip

    def end_path(self) -> None:
        if self.pending_clip and self.path is not None:
            self.state.clip = _intersect(self.state.clip, self.path)
        self.pending_clip = False
        self.path = None

    def paint(self, box: Box, color: Color | None) -> None:
        if len(self.paints) >= MAX_MARKS:
            raise Malformed("more painted shapes than any leaflet page has")
        self.order += 1
        clip = self.state.clip
        if clip is not None:
            box = _intersect(clip, box)
        self.paints.append(Paint(box, self.order, color, self.state.alpha))

    def inline_image(self, start: int) -> int:
        """Skip an inline image's data (after ID); it paints the unit square."""
        end = _END_OF_INLINE_IMAGE.search(self.content, start)
        if end is None:
            raise Malformed("an inline image without its end")
        self.paint(_box(self.state.ctm, 0, 0, 1, 1), None)
        return end.end()


_OPERATORS: dict[bytes, Callable[[_Scanner, list[Any]], None]] = {
    b"Tj": _Scanner.show_one, b"TJ": _Scanner.show_array, b"'": _Scanner.next_line_show,
    b'"': _Scanner.spaced_next_line_show, b"Tf": _Scanner.set_font,
    b"BT": _Scanner.begin_text, b"Td": _Scanner.move_line, b"TD": _Scanner.move_line_leading,
    b"T*": _Scanner.next_line, b"Tm": _Scanner.set_text_matrix,
    b"BDC": _Scanner.begin_marked, b"BMC": _Scanner.begin_marked, b"EMC": _Scanner.end_marked,
    b"q": _Scanner.save, b"Q": _Scanner.restore, b"cm": _Scanner.concat,
    b"g": _Scanner.gray, b"rg": _Scanner.rgb, b"k": _Scanner.cmyk,
    b"cs": _Scanner.color_space, b"sc": _Scanner.color, b"scn": _Scanner.color,
    b"gs": _Scanner.graphics_state, b"re": _Scanner.rectangle,
    b"m": _Scanner.point, b"l": _Scanner.point,
    b"c": _Scanner.curve, b"v": _Scanner.curve, b"y": _Scanner.curve,
    **dict.fromkeys((b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"), _Scanner.fill),
    **dict.fromkeys((b"S", b"s", b"n"), _Scanner.end_path_operator),
    b"W": _Scanner.clip_path, b"W*": _Scanner.clip_path,
    b"Do": _Scanner.draw_object, b"sh": _Scanner.shade,
    b"TL": _Scanner.set_leading, b"Tc": _Scanner.char_spacing, b"Tw": _Scanner.word_spacing,
    b"Tz": _Scanner.horizontal_scale, b"Ts": _Scanner.text_rise, b"Tr": _Scanner.render_mode,
}  # fmt: skip


def _low_high(values: tuple[float, float, float, float]) -> tuple[float, float]:
    """``min(values), max(values)``, compared as those builtins compare (each next value
    replaces the kept one only when strictly lower, or higher: the same one of equal values,
    a NaN never), in one call instead of two."""
    v0, v1, v2, v3 = values
    low = high = v0
    if v1 < low:
        low = v1
    if v2 < low:
        low = v2
    if v3 < low:
        low = v3
    if v1 > high:
        high = v1
    if v2 > high:
        high = v2
    if v3 > high:
        high = v3
    return low, high


# a run's height → round(height, 1): a page has a few sizes, each rounded once per process
# (the dictionary emptied when it holds 4,096: a hostile file's heights are not kept for good)
_ROUNDED: dict[float, float] = {}


def _rounded_size(height: float) -> float:
    rounded = _ROUNDED.get(height)
    if rounded is None:
        rounded = round(height, 1)
        if len(_ROUNDED) >= 4096:
            _ROUNDED.clear()
        _ROUNDED[height] = rounded
    return rounded


def _tokens_on_time(tokens: list[bytes], deadline: float | None) -> Iterator[bytes]:
    """``tokens``, looking at the clock before every 2,048th (ScanTimeout past ``deadline``)."""
    if deadline is None or len(tokens) < 2048:
        return iter(tokens)
    return itertools.chain.from_iterable(_timed_chunks(tokens, deadline))


def _timed_chunks(tokens: list[bytes], deadline: float) -> Iterator[list[bytes]]:
    for start in range(0, len(tokens), 2048):
        if start and time.monotonic() > deadline:
            raise ScanTimeout
        yield tokens[start : start + 2048]


def _close(stack: list[Any], kind: object, operands: list[Any]) -> None:
    """End the innermost open array or dictionary (``kind``) and add it to what holds it."""
    if not stack or stack[-1][0] is not kind:
        raise Malformed("an unbalanced array" if kind is _ARRAY else "an unbalanced dictionary")
    items = stack.pop()[1]
    done = items if kind is _ARRAY else dict(zip(items[0::2], items[1::2], strict=False))
    (stack[-1][1] if stack else operands).append(done)


def _text_string(data: bytes) -> str:
    """A PDF text string: UTF-16BE after its byte order mark, else PDFDocEncoding (whose
    printable ASCII and Latin-1 letters are the same code points)."""
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", errors="replace")
    return data.decode("latin-1")


def hex_bytes(digits: bytes) -> bytes:
    """The bytes a hexadecimal string's digits stand for: white space (PDF's, with NUL, and
    ASCII's) ignored, an odd last digit followed by 0."""
    try:
        return binascii.unhexlify(digits)  # the usual string: an even number of digits alone
    except binascii.Error:
        pass
    digits = _HEX_SPACE.sub(b"", digits)
    return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())


def _matrix(args: list[Any]) -> Matrix:
    values = [float(v) for v in args[-6:]]
    if len(values) != 6:
        raise Malformed("a matrix without six operands")
    return (values[0], values[1], values[2], values[3], values[4], values[5])
