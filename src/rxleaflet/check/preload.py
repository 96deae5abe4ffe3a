"""Read a PDF's plain objects in one pass, ahead of pypdf.

pypdf reads an object byte by byte through a file-like stream; a leaflet has a hundred or so
small dictionaries (structure elements, pages, font descriptors) and reading them that way was
a quarter of the check. Here each object listed in a classic cross-reference table is cut out
of the bytes and listed as tokens by one regular expression call, and what is simple enough
(numbers, ASCII names, references, strings whose escapes every reader reads alike, arrays and
dictionaries of these, and streams whose length is such a number) becomes the same pypdf
objects pypdf would have made, placed in the reader's cache. Anything else (other escapes,
names with # codes, comments, duplicate keys, a stream whose length is elsewhere or wrong, an
object that is only a reference, an object in an object stream, an offset that does not point
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
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
    create_string_object,
)

from .contentscan import hex_bytes
from .ownpdf import (
    HEADER,
    NUMBER_ARRAY,
    NUMBER_START,
    NUMBERS,
    PLAIN_NAME,
    STREAM_CLOSING,
    STREAM_OPENING,
    skipped,
    tokens_pattern,
    unescape,
)

MAX_OBJECTS = 20_000  # more than any leaflet has; beyond, pypdf reads on demand as before
MAX_OBJECT_BYTES = 100_000  # a plain object larger than this is left to pypdf
MAX_DEPTH = 100  # arrays and dictionaries nested deeper are left to pypdf

# The token rules are ownpdf's (the reader of rxleaflet's own grammar), names without # codes
_TOKEN = re.compile(tokens_pattern(PLAIN_NAME))
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
        header = HEADER.match(data, offset)
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
    numbers = NUMBER_ARRAY.fullmatch(data, start, end)
    if numbers is not None:
        return ArrayObject(map(_number, NUMBERS.findall(numbers.group(1))))
    keyword = data.find(b"stream", start, end)
    if keyword >= 0:
        return _stream(reader, data, start, keyword, end)
    return _parse(reader, data, start, end)


def _stream(reader: PdfReader, data: bytes, start: int, keyword: int, end: int) -> StreamObject:
    """A stream whose length is a plain number and whose data ends where that says (the
    first "stream" in the object is its keyword, or the dictionary before it cannot be read)."""
    dictionary = _parse(reader, data, start, keyword)
    if not isinstance(dictionary, DictionaryObject):
        raise _LeftForPypdf
    length = dict.get(dictionary, "/Length")  # as written: a reference is not followed here
    opening = STREAM_OPENING.match(data, keyword, end)
    if type(length) is not NumberObject or length < 0 or opening is None:
        raise _LeftForPypdf
    finish = opening.end() + length
    if finish > end or STREAM_CLOSING.fullmatch(data, finish, end) is None:
        raise _LeftForPypdf
    stream = EncodedStreamObject() if "/Filter" in dictionary else DecodedStreamObject()
    stream._data = data[opening.end() : finish]
    del dictionary["/Length"]
    stream.update(dictionary)
    return stream


def _number(text: bytes) -> PdfObject:
    return FloatObject(text.decode()) if b"." in text else NumberObject(text.decode())


class _DictionaryItems(list[Any]):
    """The keys and values of a dictionary being read (a plain list is an array's items)."""


def _parse(reader: PdfReader, data: bytes, start: int, end: int) -> PdfObject:
    """The one object between ``start`` and ``end``, or _LeftForPypdf."""
    tokens = _TOKEN.findall(data, start, end)
    if skipped(tokens, data, start, end):
        raise _LeftForPypdf  # findall skipped something other than white space: not simple
    stack: list[list[Any]] = []  # what holds the open arrays and dictionaries
    result: list[Any] = []
    items = result  # where the next value goes
    for token in tokens:
        first = token[0]
        if first == 0x2F:  # "/": names, the most frequent first
            items.append(NameObject(token.decode("ascii")))
        elif first in NUMBER_START:
            if token[-1] == 0x52:  # "R"
                idnum, generation, _ = token.split()
                items.append(IndirectObject(int(idnum), int(generation), reader))
            else:
                items.append(_number(token))
        elif token == b"<<" or token == b"[":
            if len(stack) >= MAX_DEPTH:
                raise _LeftForPypdf
            stack.append(items)
            items = _DictionaryItems() if token == b"<<" else []
        elif token == b">>":
            if not stack or type(items) is not _DictionaryItems:
                raise _LeftForPypdf
            done: PdfObject = _dictionary(items)
            items = stack.pop()
            items.append(done)
        elif token == b"]":
            if not stack or type(items) is _DictionaryItems:
                raise _LeftForPypdf
            done = ArrayObject(items)
            items = stack.pop()
            items.append(done)
        elif first == 0x28:  # "("
            items.append(create_string_object(unescape(token[1:-1])))
        elif first == 0x3C:  # "<"
            items.append(create_string_object(hex_bytes(token[1:-1])))
        else:  # true, false, null
            items.append(_KEYWORDS[token] if token in _KEYWORDS else NullObject())
    if stack or len(result) != 1 or isinstance(result[0], IndirectObject):
        raise _LeftForPypdf  # an object that is only a reference is pypdf's to resolve
    return result[0]


def _dictionary(items: list[Any]) -> DictionaryObject:
    keys = items[0::2]
    if len(items) % 2 or not set(map(type, keys)) <= {NameObject}:
        raise _LeftForPypdf
    if len(set(keys)) != len(keys):
        raise _LeftForPypdf  # pypdf has its own rule for repeated keys
    return DictionaryObject(zip(keys, items[1::2], strict=True))
