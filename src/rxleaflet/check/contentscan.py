"""A fast, narrow reader of page content streams: the text shown, in order, with its size.

It is an independent read of the PDF bytes (fonts are decoded through the file's own ToUnicode
maps), several times faster than a general text extractor because it interprets only the
operators that place text. Anything it does not understand raises Unsupported, and the caller
falls back to pypdf's general extractor for that page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from pypdf.generic import IndirectObject

Visitor = Callable[[str, float], None]  # (text, size in points)


class Unsupported(Exception):
    """A construct this reader does not interpret (inline images, forms with text, …)."""


_NUMBER = rb"[-+]?(?:\d+\.?\d*|\.\d+)"
_STRING = rb"\((?:[^\\()]|\\.|\((?:[^\\()]|\\.)*\))*\)"
# Only the operators that place text are picked out; the regex engine skips everything else
# (paths, colours, numbers) in C. Strings and comments are consumed whole so that nothing inside
# them is mistaken for an operator; a "(" that is not a well-formed string stops the scan.
_OPERATION = re.compile(
    rb"(?P<string>" + _STRING + rb")\s*(?P<show>Tj|'|\")?"
    rb"|(?P<array>\[(?:[^\]()]|" + _STRING + rb")*\])\s*(?P<showarray>TJ)?"
    rb"|<(?P<hex>[0-9A-Fa-f\s]*)>\s*(?P<showhex>Tj|'|\")?"
    rb"|/(?P<font>[^\s/\[\]()<>{}%]+)\s+(?P<size>" + _NUMBER + rb")\s+Tf(?![A-Za-z])"
    rb"|/(?P<xobject>[^\s/\[\]()<>{}%]+)\s+Do(?![A-Za-z])"
    rb"|(?<![A-Za-z])(?P<matrixop>Tm|cm)(?![A-Za-z])"
    rb"|(?<![A-Za-z])(?P<op>q|Q|BT|BI|Td|TD|T\*)(?![A-Za-z*])"
    rb"|%[^\r\n]*"
    rb"|(?P<bad>\()"
)
_ARRAY_ITEM = re.compile(rb"(" + _STRING + rb")|<([0-9A-Fa-f\s]*)>|(" + _NUMBER + rb")")
_OCTAL = re.compile(rb"[0-7]{1,3}")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(",
            b")": b")", b"\\": b"\\"}  # fmt: skip


def _literal(data: bytes, start: int) -> tuple[bytes, int]:
    """The literal string opening at ``start`` (just after its '('), and the index after it."""
    out = bytearray()
    depth = 1
    index = start
    length = len(data)
    while index < length:
        char = data[index : index + 1]
        if char == b"\\":
            following = data[index + 1 : index + 2]
            if following in _ESCAPES:
                out += _ESCAPES[following]
                index += 2
            elif following and following in b"01234567":
                digits = _OCTAL.match(data, index + 1, index + 4)
                if digits is None:  # cannot happen: the first digit matched
                    raise Unsupported("a malformed octal escape")
                out.append(int(digits.group(), 8) & 0xFF)
                index += 1 + len(digits.group())
            elif following in (b"\n", b"\r"):
                index += 2 if data[index + 1 : index + 3] != b"\r\n" else 3
            else:
                index += 1
            continue
        if char == b"(":
            depth += 1
        elif char == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), index + 1
        out += char
        index += 1
    raise Unsupported("unterminated string")


class FontDecoder:
    """Bytes shown with one font → text, through the font's ToUnicode map."""

    def __init__(self, mapping: dict[bytes, str], code_length: int):
        self.mapping = mapping
        self.code_length = code_length
        # one-byte codes decode in C: bytes → latin-1 str → translate through this table
        self.table = {code: mapping.get(bytes([code]), "\ufffd") for code in range(256)}

    def decode(self, data: bytes) -> str:
        if self.code_length == 1:
            return data.decode("latin-1").translate(self.table)
        step = self.code_length
        mapping = self.mapping
        return "".join(mapping.get(data[i : i + step], "\ufffd") for i in range(0, len(data), step))


def font_decoder(font: Any) -> FontDecoder:
    """A decoder for a font dictionary; Unsupported when it has no usable ToUnicode map."""
    to_unicode = font.get("/ToUnicode")
    if to_unicode is None:
        raise Unsupported("font without ToUnicode")
    return _parse_cmap(to_unicode.get_object().get_data())


_CMAP_BLOCK = re.compile(rb"begin(bfchar|bfrange|codespacerange)(.*?)end\1", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>|\[([^\]]*)\]")


def _decode_utf16_hex(hex_text: bytes) -> str:
    raw = bytes.fromhex(hex_text.decode("ascii"))
    return raw.decode("utf-16-be", "replace")


MAX_CMAP_ENTRIES = 70_000  # more codes than any font has glyphs


def _parse_cmap(data: bytes) -> FontDecoder:
    """A decoder from ToUnicode CMap bytes; raises only Unsupported, whatever the bytes."""
    try:
        return _read_cmap(data)
    except (ValueError, IndexError, TypeError, OverflowError) as error:
        raise Unsupported(f"malformed ToUnicode CMap ({type(error).__name__})") from None


def _read_cmap(data: bytes) -> FontDecoder:
    mapping: dict[bytes, str] = {}
    code_length = 1
    budget = 4 * MAX_CMAP_ENTRIES  # overlapping ranges cost time even when they map the same codes
    for kind, body in _CMAP_BLOCK.findall(data):
        items = _HEX.findall(body)
        if kind == b"codespacerange":
            if items:
                code_length = max(1, len(items[0][0]) // 2)
        elif kind == b"bfchar":
            for source, target in zip(items[0::2], items[1::2], strict=False):
                mapping[bytes.fromhex(source[0].decode())] = _decode_utf16_hex(target[0])
        else:
            for low, high, target in zip(items[0::3], items[1::3], items[2::3], strict=False):
                start, end = int(low[0], 16), int(high[0], 16)
                width = len(low[0]) // 2
                budget -= max(0, end - start + 1)
                if end - start > 0xFFFF or budget < 0:
                    raise Unsupported("the ToUnicode CMap maps more codes than any font has")
                if target[1]:  # an array of destinations
                    targets = [
                        _decode_utf16_hex(h) for h in re.findall(rb"<([0-9A-Fa-f]*)>", target[1])
                    ]
                    for offset, text in enumerate(targets[: end - start + 1]):
                        mapping[(start + offset).to_bytes(width, "big")] = text
                else:
                    base = bytes.fromhex(target[0].decode())
                    for offset in range(end - start + 1):
                        last = int.from_bytes(base[-2:], "big") + offset
                        text = (base[:-2] + last.to_bytes(2, "big")).decode("utf-16-be", "replace")
                        mapping[(start + offset).to_bytes(width, "big")] = text
    return FontDecoder(mapping, code_length)


def matrix_scale(matrix: list[float]) -> float:
    """How much a PDF matrix [a b c d e f] scales lengths (square root of its determinant)."""
    return math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2]))


def _multiply(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5],
    ]  # fmt: skip


def _unescape(literal: bytes) -> bytes:
    """The bytes of a literal string token, parentheses included."""
    body = literal[1:-1]
    if b"\\" not in body:
        return body
    value, _ = _literal(literal, 1)
    return value


def scan_text(
    content: bytes,
    fonts: dict[str, FontDecoder | Callable[[], FontDecoder]],
    forms: set[str],
    visit: Visitor,
) -> str:
    """Interpret ``content``; call ``visit`` for every text shown; return the page's text.

    Raises only Unsupported, whatever the bytes.
    """
    try:
        return _scan(content, fonts, forms, visit)
    except (ValueError, IndexError, KeyError, TypeError, OverflowError) as error:
        raise Unsupported(f"malformed content ({type(error).__name__})") from None


def _scan(
    content: bytes,
    fonts: dict[str, FontDecoder | Callable[[], FontDecoder]],
    forms: set[str],
    visit: Visitor,
) -> str:
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    saved: list[list[float]] = []
    text_matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    decoder: FontDecoder | None = None
    size = 0.0
    pieces: list[str] = []

    def show(raw: list[bytes | float], new_line: bool) -> None:
        if decoder is None:
            raise Unsupported("text shown before a font is set")
        if new_line:
            pieces.append("\n")
        text = ""
        for item in raw:
            if isinstance(item, bytes):
                text += decoder.decode(item)
            elif item < -200 and not text.endswith(" "):
                text += " "  # a wide negative adjustment is a space in most producers
        if text:
            pieces.append(text)
            visit(text, round(size * matrix_scale(text_matrix) * matrix_scale(ctm), 1))

    for found in _OPERATION.finditer(content):
        kind = found.lastgroup
        if kind == "show":
            show([_unescape(found.group("string"))], found.group("show") != b"Tj")
        elif kind == "showhex":
            show([_hex_bytes(found.group("hex"))], found.group("showhex") != b"Tj")
        elif kind == "showarray":
            items: list[bytes | float] = []
            for literal, hex_digits, number in _ARRAY_ITEM.findall(found.group("array")):
                if literal:
                    items.append(_unescape(literal))
                elif number:
                    items.append(float(number))
                else:
                    items.append(_hex_bytes(hex_digits))
            show(items, False)
        elif kind == "size":
            name, size = found.group("font").decode("latin-1"), float(found.group("size"))
            font = fonts.get(name)
            if font is None:
                raise Unsupported(f"unknown font {name}")
            if not isinstance(font, FontDecoder):
                font = fonts[name] = font()
            decoder = font
        elif kind == "matrixop":
            # the six operands just before the operator (no strings can sit between them)
            before = content[max(0, found.start() - 160) : found.start()].split()
            if len(before) < 7 and found.start() > 160:
                raise Unsupported("a matrix with unusually long operands")
            values = [float(v) for v in before[-6:]]
            if len(values) != 6:
                raise Unsupported("a matrix without six operands")
            if found.group("matrixop") == b"Tm":
                text_matrix = values
                pieces.append("\n")
            else:
                ctm = _multiply(values, ctm)
        elif kind == "op":
            op = found.group("op")
            if op == b"q":
                saved.append(ctm)
            elif op == b"Q":
                ctm = saved.pop() if saved else ctm
            elif op == b"BI":
                raise Unsupported("an inline image")
            else:
                if op == b"BT":
                    text_matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
                pieces.append("\n")
        elif kind == "xobject":
            if found.group("xobject").decode("latin-1") in forms:
                raise Unsupported("a form XObject, which may hold text")
        elif kind == "bad":
            raise Unsupported("a string this scanner cannot read")
    return re.sub(r"\n+", "\n", "".join(pieces)).strip("\n")


def _hex_bytes(digits: bytes) -> bytes:
    digits = re.sub(rb"\s", b"", digits)
    return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())


def page_forms(page: Any) -> set[str]:
    """Names of the page's form XObjects (image XObjects hold no text)."""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else {}
    return {
        str(name)[1:] for name, x in xobjects.items() if x.get_object().get("/Subtype") != "/Image"
    }


def page_fonts(page: Any, cache: dict[int, FontDecoder]) -> dict[str, Any]:
    """The page's fonts by resource name, decoders made lazily and shared across pages."""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    fonts = resources.get("/Font")
    fonts = fonts.get_object() if fonts is not None else {}
    found: dict[str, Any] = {}
    for name, reference in fonts.items():
        key = reference.idnum if isinstance(reference, IndirectObject) else id(reference)

        def make(reference: Any = reference, key: int = key) -> FontDecoder:
            if key not in cache:
                cache[key] = font_decoder(reference.get_object())
            return cache[key]

        found[str(name)[1:]] = make
    return found
