"""Read a PDF's plain objects in one pass, ahead of pypdf.

pypdf reads an object byte by byte through a file-like stream; a leaflet has a hundred or so
small dictionaries (structure elements, pages, font descriptors) and reading them that way was
a quarter of the check. Here each object listed in a classic cross-reference table is cut out
of the bytes and tokenised with one regular expression, and what is simple enough (numbers,
ASCII names, references, strings without escapes, arrays and dictionaries of these) becomes the
same pypdf objects pypdf would have made, placed in the reader's cache. Anything else (streams,
escapes, comments, duplicate keys, an object in an object stream, an offset that does not point
at its object, an encrypted file) is left for pypdf to read as before: the result is the same,
only sooner. It reads the file's bytes, like the rest of the check, never the writer's objects.
"""

from __future__ import annotations

import re
from typing import Any

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    create_string_object,
)

from .contentscan import hex_bytes

MAX_OBJECTS = 20_000  # more than any leaflet has; beyond, pypdf reads on demand as before
MAX_OBJECT_BYTES = 100_000  # a plain object larger than this is left to pypdf
MAX_DEPTH = 100  # arrays and dictionaries nested deeper are left to pypdf

_WS = rb"[\x00\t\n\x0c\r ]"
_DELIMITER_AHEAD = rb"(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|$)"
_HEADER = re.compile(_WS + rb"*(\d+)" + _WS + rb"+(\d+)" + _WS + rb"+obj")
_TOKEN = re.compile(
    _WS + rb"+"
    rb"|(?P<ref>(\d+)" + _WS + rb"+(\d+)" + _WS + rb"+R" + _DELIMITER_AHEAD + rb")"
    rb"|(?P<number>[+-]?(?:\d+\.?\d*|\.\d+)" + _DELIMITER_AHEAD + rb")"
    rb"|(?P<name>/[^\x00-\x20\x7f-\xff()<>\[\]{}/%#]+" + _DELIMITER_AHEAD + rb")"
    rb"|(?P<string>\([^\\()\r]*\))"
    rb"|(?P<hex><[0-9A-Fa-f\x00\t\n\x0c\r ]*>)"
    rb"|(?P<open_dict><<)|(?P<close_dict>>>)|(?P<open_array>\[)|(?P<close_array>\])"
    rb"|(?P<keyword>true|false|null)" + _DELIMITER_AHEAD + rb"|(?P<other>.)",
    re.S,
)
_NUMBER = rb"[+-]?(?:\d+\.?\d*|\.\d+)"
# an array of numbers alone (a font's widths: hundreds of them), read in one step
_NUMBER_ARRAY = re.compile(
    _WS + rb"*\[" + _WS + rb"*((?:" + _NUMBER + rb"(?:" + _WS + rb"+" + _NUMBER + rb")*)?)"
    + _WS + rb"*\]" + _WS + rb"*"
)  # fmt: skip
_NUMBERS = re.compile(_NUMBER)
_KEYWORDS = {b"true": BooleanObject(True), b"false": BooleanObject(False)}


class _LeftForPypdf(Exception):
    """Not simple enough to read here."""


def preload_objects(reader: PdfReader, data: bytes) -> int:
    """Read the plain objects of ``data`` into ``reader``'s cache; return how many."""
    if reader.is_encrypted or reader.xref_objStm:
        return 0
    table = reader.xref.get(0, {})
    if len(table) > MAX_OBJECTS:
        return 0
    free = reader.xref_free_entry.get(0, {})
    done = 0
    budget = len(data)  # objects do not overlap: reading them all reads the file once
    for idnum, offset in table.items():
        if free.get(idnum) or (0, idnum) in reader.resolved_objects:
            continue
        if not isinstance(offset, int) or not 0 <= offset < len(data):
            continue
        header = _HEADER.match(data, offset)
        if header is None or int(header.group(1)) != idnum or int(header.group(2)) != 0:
            continue
        end = data.find(b"endobj", header.end(), header.end() + MAX_OBJECT_BYTES)
        budget -= (end if end >= 0 else header.end() + MAX_OBJECT_BYTES) - offset
        if budget < 0:
            break  # offsets that point at the same bytes again and again
        if end < 0:
            continue
        try:
            value = _read_body(reader, data, header.end(), end)
        except _LeftForPypdf:
            continue
        reader.cache_indirect_object(0, idnum, value)
        done += 1
    return done


def _read_body(reader: PdfReader, data: bytes, start: int, end: int) -> PdfObject:
    """The object between its header and ``endobj``, or _LeftForPypdf."""
    numbers = _NUMBER_ARRAY.fullmatch(data, start, end)
    if numbers is not None:
        return ArrayObject(map(_number, _NUMBERS.findall(numbers.group(1))))
    return _parse(reader, data, start, end)


def _number(text: bytes) -> PdfObject:
    return FloatObject(text.decode()) if b"." in text else NumberObject(text.decode())


def _parse(reader: PdfReader, data: bytes, start: int, end: int) -> PdfObject:
    """The one object between ``start`` and ``end``, or _LeftForPypdf."""
    stack: list[list[Any]] = []  # open arrays and dictionaries: [kind, items]
    result: list[PdfObject] = []
    for token in _TOKEN.finditer(data, start, end):
        kind = token.lastgroup
        if kind is None:  # whitespace
            continue
        value: Any
        if kind == "name":  # the most frequent first
            value = NameObject(token.group().decode("ascii"))
        elif kind == "ref":
            value = IndirectObject(int(token.group(2)), int(token.group(3)), reader)
        elif kind == "number":
            value = _number(token.group())
        elif kind == "open_dict" or kind == "open_array":
            if len(stack) >= MAX_DEPTH:
                raise _LeftForPypdf
            stack.append([kind, []])
            continue
        elif kind == "close_dict":
            value = _dictionary(stack)
        elif kind == "close_array":
            if not stack or stack[-1][0] != "open_array":
                raise _LeftForPypdf
            value = ArrayObject(stack.pop()[1])
        elif kind == "string":
            value = create_string_object(token.group()[1:-1])
        elif kind == "hex":
            value = create_string_object(hex_bytes(token.group()[1:-1]))
        elif kind == "keyword":
            value = _KEYWORDS.get(token.group())
            if value is None:
                value = NullObject()
        else:
            raise _LeftForPypdf  # a stream, an escape, a comment, anything unusual
        (stack[-1][1] if stack else result).append(value)
    if stack or len(result) != 1:
        raise _LeftForPypdf
    return result[0]


def _dictionary(stack: list[list[Any]]) -> DictionaryObject:
    if not stack or stack[-1][0] != "open_dict":
        raise _LeftForPypdf
    items = stack.pop()[1]
    keys = items[0::2]
    if len(items) % 2 or not all(isinstance(key, NameObject) for key in keys):
        raise _LeftForPypdf
    if len(set(keys)) != len(keys):
        raise _LeftForPypdf  # pypdf has its own rule for repeated keys
    return DictionaryObject(zip(keys, items[1::2], strict=True))
