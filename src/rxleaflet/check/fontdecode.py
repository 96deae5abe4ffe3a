"""A PDF font as the checker needs it: shown bytes → text (ToUnicode) and → advance widths.

Nothing here trusts the file: a malformed CMap raises Unsupported, and CMaps that map more
codes than any font has glyphs are refused before they can cost time or memory.
"""

from __future__ import annotations

import functools
import re
from typing import Any


class Unsupported(Exception):
    """A legitimate construct the fast reader does not interpret (a form XObject, a font without
    ToUnicode): the caller falls back to a general extractor."""


class Malformed(Exception):
    """Content that is broken, oversized or hostile: reported as a finding, never retried."""


MAX_CMAP_ENTRIES = 70_000  # more codes than any font has glyphs
DEFAULT_WIDTH = 500.0  # thousandths of an em, for fonts that give no widths
_SINGLE_BYTES = [bytes((code,)) for code in range(256)]


class FontDecoder:
    """Bytes shown with one font → text, through the font's ToUnicode map, and their width."""

    def __init__(
        self,
        mapping: dict[bytes, str],
        code_length: int,
        widths: dict[int, float] | None = None,
        default_width: float = DEFAULT_WIDTH,
    ):
        self.mapping = mapping
        self.code_length = code_length
        # one-byte codes decode in C: bytes → latin-1 str → translate through this table
        self.table = (
            {code: mapping.get(byte, "\ufffd") for code, byte in enumerate(_SINGLE_BYTES)}
            if code_length == 1
            else {}
        )
        self.widths = widths or {}
        self.default_width = default_width
        self.byte_widths = [self.widths.get(code, default_width) for code in range(256)]

    def read(self, data: bytes) -> tuple[str, float, int]:
        """``decode`` and ``advance`` at once, in one pass over the codes (the scanner's hot
        path): the text, the sum of widths, the number of single-byte spaces."""
        if self.code_length == 1:
            return (
                data.decode("latin-1").translate(self.table),
                sum(map(self.byte_widths.__getitem__, data)),
                data.count(32),
            )
        step, mapping, widths = self.code_length, self.mapping, self.widths
        default = self.default_width
        whole = len(data) - len(data) % step
        pieces = []
        total = 0.0
        for index in range(0, whole, step):
            code = data[index : index + step]
            pieces.append(mapping.get(code, "\ufffd"))
            total += widths.get(int.from_bytes(code, "big"), default)
        if whole < len(data):  # a last, incomplete code: no glyph, but decode shows U+FFFD
            pieces.append(mapping.get(data[whole:], "\ufffd"))
        return "".join(pieces), total, 0

    def decode(self, data: bytes) -> str:
        if self.code_length == 1:
            return data.decode("latin-1").translate(self.table)
        step = self.code_length
        mapping = self.mapping
        return "".join(mapping.get(data[i : i + step], "\ufffd") for i in range(0, len(data), step))

    def advance(self, data: bytes) -> tuple[float, int]:
        """(sum of glyph widths in thousandths of an em, number of single-byte spaces)."""
        if self.code_length == 1:
            return sum(map(self.byte_widths.__getitem__, data)), data.count(32)
        step, widths, default = self.code_length, self.widths, self.default_width
        total = 0.0
        for index in range(0, len(data) - step + 1, step):
            total += widths.get(int.from_bytes(data[index : index + step], "big"), default)
        return total, 0


def font_decoder(font: Any) -> FontDecoder:
    """A decoder for a font dictionary; Unsupported when it has no usable ToUnicode map."""
    to_unicode = font.get("/ToUnicode")
    if to_unicode is None:
        raise Unsupported("font without ToUnicode")
    decoder = parse_cmap(to_unicode.get_object().get_data())
    try:
        widths, default = _widths(font)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        widths, default = {}, DEFAULT_WIDTH  # widths only place text; a bad array costs no text
    decoder.widths = widths
    decoder.default_width = default
    decoder.byte_widths = [widths.get(code, default) for code in range(256)]
    return decoder


def _widths(font: Any) -> tuple[dict[int, float], float]:
    if font.get("/Subtype") == "/Type0":
        descendant = font["/DescendantFonts"].get_object()[0].get_object()
        default = float(descendant.get("/DW", 1000))
        widths: dict[int, float] = {}
        array = descendant.get("/W")
        items = list(array.get_object()) if array is not None else []
        index = 0
        while index + 1 < len(items) and len(widths) < MAX_CMAP_ENTRIES:
            first = int(items[index])
            following = items[index + 1].get_object()
            if isinstance(following, list):
                for offset, width in enumerate(following[:MAX_CMAP_ENTRIES]):
                    widths[first + offset] = float(width)
                index += 2
            else:
                last, width = int(following), float(items[index + 2])
                for code in range(first, min(last, first + MAX_CMAP_ENTRIES) + 1):
                    widths[code] = width
                index += 3
        return widths, default
    array = font.get("/Widths")
    if array is None:
        return {}, DEFAULT_WIDTH
    first = int(font.get("/FirstChar", 0))
    values = array.get_object()
    return {first + i: float(w) for i, w in enumerate(values[:256])}, DEFAULT_WIDTH


_CMAP_BLOCK = re.compile(rb"begin(bfchar|bfrange|codespacerange)(.*?)end\1", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>|\[([^\]]*)\]")
_HEX_ITEM = re.compile(rb"<([0-9A-Fa-f]*)>")


def _utf16_from_hex(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode("ascii")).decode("utf-16-be", "replace")


def _bytes_from_hex(hex_text: bytes) -> bytes:
    return bytes.fromhex(hex_text.decode())


# Every font maps the same few thousand characters and codes: each short one is decoded once
# per process (long ones, which no real CMap has, are not kept).
_SHORT = 16
_utf16_cached = functools.lru_cache(maxsize=65_536)(_utf16_from_hex)
_bytes_cached = functools.lru_cache(maxsize=65_536)(_bytes_from_hex)


def _decode_utf16_hex(hex_text: bytes) -> str:
    return (_utf16_cached if len(hex_text) <= _SHORT else _utf16_from_hex)(hex_text)


def _code_bytes(hex_text: bytes) -> bytes:
    return (_bytes_cached if len(hex_text) <= _SHORT else _bytes_from_hex)(hex_text)


def parse_cmap(data: bytes) -> FontDecoder:
    """A decoder from ToUnicode CMap bytes; raises only Malformed, whatever the bytes."""
    try:
        return _read_cmap(data)
    except (ValueError, IndexError, TypeError, OverflowError) as error:
        raise Malformed(f"a malformed ToUnicode CMap ({type(error).__name__})") from None


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
            budget -= len(items) // 2
            for source, target in zip(items[0::2], items[1::2], strict=False):
                mapping[_code_bytes(source[0])] = _decode_utf16_hex(target[0])
        else:
            for low, high, target in zip(items[0::3], items[1::3], items[2::3], strict=False):
                start, end = int(low[0], 16), int(high[0], 16)
                width = len(low[0]) // 2
                budget -= max(0, end - start + 1)
                if end - start > 0xFFFF or budget < 0:
                    raise Malformed("a ToUnicode CMap that maps more codes than any font has")
                if target[1]:  # an array of destinations
                    targets = [_decode_utf16_hex(h) for h in _HEX_ITEM.findall(target[1])]
                    for offset, text in enumerate(targets[: end - start + 1]):
                        mapping[(start + offset).to_bytes(width, "big")] = text
                else:
                    base = bytes.fromhex(target[0].decode())
                    for offset in range(end - start + 1):
                        last = int.from_bytes(base[-2:], "big") + offset
                        text = (base[:-2] + last.to_bytes(2, "big")).decode("utf-16-be", "replace")
                        mapping[(start + offset).to_bytes(width, "big")] = text
        if budget < 0:
            raise Malformed("a ToUnicode CMap that maps more codes than any font has")
    return FontDecoder(mapping, code_length)
