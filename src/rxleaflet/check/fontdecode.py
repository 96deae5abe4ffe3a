"""A PDF font as the checker needs it: shown bytes → text (ToUnicode) and → advance widths.

Nothing here trusts the file: a malformed CMap raises Unsupported, and CMaps that map more
codes than any font has glyphs are refused before they can cost time or memory.
"""

from __future__ import annotations

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
        self.table = _byte_table(mapping) if code_length == 1 else {}
        self.widths = widths or {}
        self.default_width = default_width
        self.byte_widths = _byte_widths(self.widths, default_width)

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


_UNMAPPED = dict.fromkeys(range(256), "\ufffd")


def _byte_table(mapping: dict[bytes, str]) -> dict[int, str]:
    """Code → text for the 256 one-byte codes, U+FFFD where ``mapping`` has none."""
    if len(mapping) > 256:  # an odd CMap: look up each code (256 lookups bound the cost)
        return {code: mapping.get(byte, "\ufffd") for code, byte in enumerate(_SINGLE_BYTES)}
    # a copy of the unmapped table with the mapped codes filled in: every one-byte key of
    # ``mapping`` is one of the 256 codes, so this is the table the lookups above would make
    table = _UNMAPPED.copy()
    for byte, text in mapping.items():
        if len(byte) == 1:
            table[byte[0]] = text
    return table


def _byte_widths(widths: dict[int, float], default: float) -> list[float]:
    """The widths of the 256 one-byte codes, ``default`` where ``widths`` has none."""
    if len(widths) > 256:  # many codes (a CID font's): look up each one-byte code instead
        return [widths.get(code, default) for code in range(256)]
    # the preset row with the given widths filled in, as the lookups above would make it
    # (keys are ints: those outside 0-255 are no one-byte code's)
    row = [default] * 256
    for code, width in widths.items():
        if 0 <= code < 256:
            row[code] = width
    return row


def font_decoder(font: Any) -> FontDecoder:
    """A decoder for a font dictionary; Unsupported when it has no usable ToUnicode map."""
    to_unicode = font.get("/ToUnicode")
    if to_unicode is None:
        raise Unsupported("font without ToUnicode")
    mapping, code_length = cmap_entries(to_unicode.get_object().get_data())
    try:
        widths, default = _widths(font)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        widths, default = {}, DEFAULT_WIDTH  # widths only place text; a bad array costs no text
    return FontDecoder(mapping, code_length, widths, default)


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


_CMAP_BEGIN = re.compile(rb"begin(bfchar|bfrange|codespacerange)")
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>|\[([^\]]*)\]")
_HEX_ITEM = re.compile(rb"<([0-9A-Fa-f]*)>")


def _utf16_from_hex(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode("ascii")).decode("utf-16-be", "replace")


def _bytes_from_hex(hex_text: bytes) -> bytes:
    return bytes.fromhex(hex_text.decode())


# Every font maps the same few thousand characters and codes: each short one is decoded once
# per process (long ones, which no real CMap has, are not kept), looked up in a dictionary
# (the CMap loop's hot path), emptied when it holds _KEPT entries (a hostile CMap's codes
# are not kept for good).
_SHORT = 16
_KEPT = 65_536
_TEXTS: dict[bytes, str] = {}
_CODES: dict[bytes, bytes] = {}


def _decode_utf16_hex(hex_text: bytes) -> str:
    text = _TEXTS.get(hex_text)
    return text if text is not None else _kept(_TEXTS, hex_text, _utf16_from_hex(hex_text))


def _code_bytes(hex_text: bytes) -> bytes:
    code = _CODES.get(hex_text)
    return code if code is not None else _kept(_CODES, hex_text, _bytes_from_hex(hex_text))


def _kept(table: dict[bytes, Any], hex_text: bytes, value: Any) -> Any:
    """``value``, the reading of ``hex_text``, kept in ``table`` when the text is short."""
    if len(hex_text) <= _SHORT:
        if len(table) >= _KEPT:
            table.clear()
        table[hex_text] = value
    return value


def parse_cmap(data: bytes) -> FontDecoder:
    """A decoder from ToUnicode CMap bytes; raises only Malformed, whatever the bytes."""
    return FontDecoder(*cmap_entries(data))


def cmap_entries(data: bytes) -> tuple[dict[bytes, str], int]:
    """ToUnicode CMap bytes → (code → text, code length); raises only Malformed."""
    try:
        return _read_cmap(data)
    except (ValueError, IndexError, TypeError, OverflowError) as error:
        raise Malformed(f"a malformed ToUnicode CMap ({type(error).__name__})") from None


def _read_bfchar(items: list[tuple[bytes, bytes]], mapping: dict[bytes, str]) -> None:
    """A bfchar block's (source, target) pairs into ``mapping``, as
    ``mapping[_code_bytes(source)] = _decode_utf16_hex(target)`` reads each: the kept
    decodings looked up here, without those calls (a font maps a hundred codes or more)."""
    texts, codes = _TEXTS.get, _CODES.get
    for source, target in zip(items[0::2], items[1::2], strict=False):
        text = texts(target[0])
        if text is None:
            text = _decode_utf16_hex(target[0])
        code = codes(source[0])
        if code is None:
            code = _code_bytes(source[0])
        mapping[code] = text


def cmap_blocks(data: bytes) -> list[tuple[bytes, bytes]]:
    """What ``re.findall(rb"begin(bfchar|bfrange|codespacerange)(.*?)end\\1", data, re.S)``
    finds (each block's kind and body, to the first end of its kind; a test compares them),
    without the lazy match's test at every byte: the end found by ``find``. A kind with no
    end after one block's beginning has none after any later one (the regex would look again
    at each, in quadratic time)."""
    blocks = []
    endless: set[bytes] = set()
    position = 0
    while (begin := _CMAP_BEGIN.search(data, position)) is not None:
        kind = begin.group(1)
        end = -1 if kind in endless else data.find(b"end" + kind, begin.end())
        if end < 0:  # no match here: the regex tries again one byte on
            endless.add(kind)
            position = begin.start() + 1
            continue
        blocks.append((kind, data[begin.end() : end]))
        position = end + 3 + len(kind)
    return blocks


def _read_cmap(data: bytes) -> tuple[dict[bytes, str], int]:
    mapping: dict[bytes, str] = {}
    code_length = 1
    budget = 4 * MAX_CMAP_ENTRIES  # overlapping ranges cost time even when they map the same codes
    for kind, body in cmap_blocks(data):
        items = _HEX.findall(body)
        if kind == b"codespacerange":
            if items:
                code_length = max(1, len(items[0][0]) // 2)
        elif kind == b"bfchar":
            budget -= len(items) // 2
            _read_bfchar(items, mapping)
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
    return mapping, code_length
