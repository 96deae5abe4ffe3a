"""Read the PDF grammar rxleaflet itself writes, without pypdf, or decline.

Every leaflet rxleaflet renders is read back before it is written; pypdf costs a sixth of a
cold render to import and builds an object per number of every font's widths. Here a file is
accepted only when it is written as rxleaflet writes it, and then read to the same values
pypdf would read:

- the header ``%PDF-1.x``; one classic cross-reference table with one subsection from object 0,
  its trailer without /Prev, /XRefStm or /Encrypt, one ``startxref`` and one ``%%EOF``, at the
  end (no incremental update, no cross-reference or object stream);
- every object in use at the offset the table gives, as ``N 0 obj``, objects not overlapping;
- objects of the simple tokens pypdf reads alike (numbers, names without # codes, references
  of generation 0 to objects that exist, strings with simple escapes, arrays, dictionaries
  without repeated keys, true and false; no comments but in the trailer, no null);
- streams with a direct /Length that ends where ``endstream`` is, unfiltered or FlateDecode
  alone (no parameters), decompressed within the same limit the pypdf path enforces;
- one /Pages node listing every page, nothing inherited from it;
- strings whose text is plain (printable ASCII, Latin-1 letters PDFDocEncoding shares, or
  UTF-16 with a big-endian byte order mark).

Anything else raises Declined, and the caller reads the file with pypdf as before: this reader
may only be faster, never read differently. The table, the trailer, every object's header and
the page tree are read when the file is opened; an object is read on its first use (each once:
objects do not overlap, so all of them cost one pass over the file), stream data is
decompressed when asked for. A decline then (a malformed object, a reference to nothing, a
string pypdf decodes its own way) is a BaseException, so that it reaches read_pdf through the
``except Exception`` that fact reading uses for broken parts; read_pdf then reads the whole
file with pypdf.

The values duck-type the parts of pypdf's object model the check uses: dictionaries keyed by
"/Name" strings whose ``[]`` follows references and whose ``.get`` does not, ``get_object()``
on every value, ``get_data()`` on streams, a page's ``cropbox`` and ``indirect_reference``.
"""

from __future__ import annotations

import math
import re
import zlib
from typing import Any, NamedTuple

from .contentscan import NAMED_ESCAPES, hex_bytes

MAX_OBJECTS = 20_000  # more than any leaflet has
MAX_DEPTH = 100  # arrays and dictionaries nested deeper are declined
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")  # a page's inheritable keys

# The token rules, shared with check/preload.py (which reads the same tokens into pypdf objects)
WHITE_SPACE = b"\x00\t\n\x0c\r "  # PDF's white space
WS = rb"[" + WHITE_SPACE + rb"]"
_DELIMITER_AHEAD = rb"(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|$)"
_NAME_END = rb"(?=[\t\n\x0c\r ()<>\[\]{}/%]|$)"  # pypdf's (a NUL is part of a name there)
HEADER = re.compile(WS + rb"*(\d+)" + WS + rb"+(\d+)" + WS + rb"+obj")
# possessive: a run of digits is one number, never split again when what follows fails
NUMBER = rb"[+-]?+(?:\d++(?:\.\d*+)?+|\.\d++)"
# the escapes whose reading every reader agrees on: named ones, and three octal digits up to 377
SIMPLE_ESCAPE = rb"\\(?:[nrtbf()\\]|[0-3][0-7][0-7])"
_ESCAPE = re.compile(SIMPLE_ESCAPE)
# a stream's keyword and end of line, and what may follow its data up to endobj
STREAM_OPENING = re.compile(rb"stream\r?\n")
STREAM_CLOSING = re.compile(rb"(?:\r\n|\r|\n)?endstream" + WS + rb"*")
_NAME_CHARACTER = rb"[^\x00-\x20\x7f-\xff()<>\[\]{}/%#]"
PLAIN_NAME = rb"/" + _NAME_CHARACTER + rb"+" + _DELIMITER_AHEAD  # no # codes
_NAME = rb"/(?:" + _NAME_CHARACTER + rb"|#[0-9A-Fa-f]{2})+" + _NAME_END  # # codes read here


def tokens_pattern(name: bytes) -> bytes:
    """The tokens of a PDF object, its names as ``name`` says."""
    return (
        rb"\d++ \d++ R" + _DELIMITER_AHEAD  # a reference, as written: "12 0 R" (pypdf
        # looks ahead only so far for the R over other white space; such files are pypdf's)
        + rb"|" + NUMBER + _DELIMITER_AHEAD
        + rb"|" + name
        + rb"|\((?:[^\\()\r]|" + SIMPLE_ESCAPE + rb")*\)"  # a string, its escapes simple ones
        + rb"|<[0-9A-Fa-f\x00\t\n\x0c\r ]*>"  # a hex string
        + rb"|<<|>>|\[|\]"
        + rb"|(?:true|false|null)" + _DELIMITER_AHEAD
    )  # fmt: skip


# One token per match; PDF white space between tokens is skipped by findall. Anything else that
# no alternative matches is skipped too, which the readers detect by counting (see skipped).
_TOKEN = re.compile(tokens_pattern(_NAME))
_TOKEN_OR_COMMENT = re.compile(tokens_pattern(_NAME) + rb"|%[^\r\n]*")  # the trailer's
_NAME_CODE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PRINTABLE = re.compile(rb"[\x20-\x7e]*")
MAX_NAME = 127  # bytes: PDF's limit; pypdf refuses long names, and long numbers (64 digits)
MAX_NUMBER = 32
NUMBER_START = frozenset(b"+-.0123456789")
# an array of numbers alone (a font's widths: hundreds of them), read in one step
NUMBER_ARRAY = re.compile(
    WS + rb"*\[" + WS + rb"*((?:" + NUMBER + rb"(?:" + WS + rb"+" + NUMBER + rb")*)?)"
    + WS + rb"*\]" + WS + rb"*"
)  # fmt: skip
NUMBERS = re.compile(NUMBER)
# A structure element as rxleaflet writes one (a leaflet has hundreds; render/pdfobjects.py's
# element()), its bare MCIDs and kids' references in /K: read by one match to the values _parse
# reads; any other form (an MCR among its kids, a string with escapes) is _parse's.
STRUCT_ELEMENT = re.compile(
    WS + rb"*<< /Type /StructElem /S (/" + _NAME_CHARACTER + rb"{1,126}+) /P (\d{1,5}+) 0 R"
    rb"(?: /Alt \(([^\\()\r]*+)\))?+(?: /Lang \(([^\\()\r]*+)\))?+(?: /Pg (\d{1,5}+) 0 R)?+"
    rb" /K \[((?: \d{1,9}+(?: 0 R)?+)*+) \] >>" + WS + rb"*"
)  # fmt: skip
_KID = re.compile(rb"(\d++)( 0 R)?+")  # STRUCT_ELEMENT's /K items, as it matched them
_EOL = rb"(?:\r\n|\r|\n)"
_TAIL = re.compile(
    rb"startxref" + WS + rb"+(\d+)" + WS + rb"+%%EOF" + WS + rb"*\Z"
)  # fmt: skip
_XREF = re.compile(rb"xref" + _EOL + rb"0 (\d+)" + rb" ?" + _EOL)
_XREF_ENTRIES = re.compile(rb"(?:\d{10} \d{5} [nf](?: \r| \n|\r\n))*")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_TRAILER = re.compile(WS + rb"*trailer" + WS)
_OBJECT_END = re.compile(WS + rb"*endobj")
# PDFDocEncoding: Latin-1 but for these codes (and the control codes it leaves undefined)
_PDFDOC = str.maketrans(
    dict(zip(range(0x18, 0x20), "˘ˇˆ˙˝˛˚˜", strict=True))
    | dict(zip(range(0x80, 0x9F), "•†‡…—–ƒ⁄‹›−‰„“”‘’‚™ﬁﬂŁŒŠŸŽıłœšž", strict=True))
    | {0xA0: "€"}
)
# a string of these bytes reads alike in every reader of PDFDocEncoding (pypdf's included)
_PLAIN_TEXT = re.compile(rb"[\t\n\r\x18-\x7e\x80-\x9e\xa0-\xac\xae-\xff]*")


class Declined(BaseException):
    """Not the grammar rxleaflet writes: read the file with pypdf instead.

    A BaseException, not an Exception: reading facts tolerates broken parts of a file with
    ``except Exception``, and a decline (a string decoded or a stream decompressed on demand)
    must reach read_pdf rather than be taken for a broken part."""


class Name(str):
    """A PDF name, as "/Name" (pypdf's NameObject is a str too)."""

    __slots__ = ()

    def get_object(self) -> Name:
        return self


class Integer(int):
    __slots__ = ()

    def get_object(self) -> Integer:
        return self


class Real(float):
    __slots__ = ()

    def get_object(self) -> Real:
        return self

    def __repr__(self) -> str:  # as pypdf's FloatObject prints (str() of it too): 3. is "3"
        if self == 0:
            return "0.0"
        digits = max(1, 8 - int(math.log10(abs(self))))
        return f"{self:.{digits}f}".rstrip("0").rstrip(".")


class Boolean:
    """true or false; like pypdf's BooleanObject, not a number (it is no int)."""

    __slots__ = ("value",)

    def __init__(self, value: bool):
        self.value = value

    def get_object(self) -> Boolean:
        return self

    def __str__(self) -> str:
        raise Declined  # pypdf prints its objects its own way


class String(str):
    """A string's text (pypdf's TextStringObject is a str too)."""

    __slots__ = ()

    def get_object(self) -> String:
        return self


class Undecided:
    """A string whose text pypdf reads its own way (other PDFDocEncoding codes, other byte
    order marks, bytes that are no text): any use of it declines the file. The trailer's /ID
    is one, and the check never uses it."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes):
        self.raw = raw

    def get_object(self) -> Undecided:
        return self

    def _decline(self, *_arguments: Any) -> Any:
        raise Declined

    __str__ = __bool__ = __float__ = __int__ = __index__ = __len__ = __iter__ = _decline
    __eq__ = __ne__ = __hash__ = __contains__ = __getitem__ = __getattr__ = _decline  # type: ignore[assignment]


def string(raw: bytes) -> String | Undecided:
    """The string of ``raw`` bytes as pypdf reads it, when its reading is plain."""
    if raw.startswith(b"\xfe\xff"):
        try:
            return String(raw.decode("utf-16"))
        except UnicodeDecodeError:
            return Undecided(raw)
    if raw.startswith((b"\xff\xfe", b"\xef\xbb\xbf")) or not _PLAIN_TEXT.fullmatch(raw):
        return Undecided(raw)
    return String(raw.decode("latin-1").translate(_PDFDOC))


class Ref:
    """An indirect reference, resolved when asked (every one names an object that exists)."""

    __slots__ = ("idnum", "_document")
    generation = 0

    def __init__(self, idnum: int, document: Document):
        self.idnum = idnum
        self._document = document

    def get_object(self) -> Any:
        return self._document.resolve(self.idnum)

    def __repr__(self) -> str:
        return f"Ref({self.idnum})"

    # Like pypdf's IndirectObject, a reference stands in for its object where one is used
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.get_object(), name)

    def __getitem__(self, key: Any) -> Any:
        return self.get_object()[key]

    def __contains__(self, key: Any) -> bool:
        return key in self.get_object()

    def __iter__(self) -> Any:
        return iter(self.get_object())

    def __float__(self) -> float:
        return float(self.get_object())

    def __int__(self) -> int:
        return int(self.get_object())

    def __str__(self) -> str:
        return str(self.get_object())

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Ref)
            and self.idnum == other.idnum
            and self._document is other._document
        )

    def __hash__(self) -> int:
        return hash(self.idnum)


class Array(list[Any]):
    def get_object(self) -> Array:
        return self

    def __str__(self) -> str:
        raise Declined  # pypdf prints its objects its own way


class Dictionary(dict[str, Any]):
    """Keys are "/Name" strings. ``[key]`` follows a reference and ``.get`` does not: pypdf's
    DictionaryObject does the same, and the check is written against it."""

    indirect_reference: Ref | None = None

    def __getitem__(self, key: str) -> Any:
        return dict.__getitem__(self, key).get_object()

    def get_object(self) -> Dictionary:
        return self

    def __str__(self) -> str:
        raise Declined  # pypdf prints its objects its own way


class Stream(Dictionary):
    """A stream's dictionary and its data as written (``raw``)."""

    raw: bytes = b""
    limit: int = 0  # the largest decompressed data read here; larger is pypdf's to refuse

    def get_data(self) -> bytes:
        filters = dict.get(self, "/Filter")
        if filters is None:
            return self.raw
        if isinstance(filters, Array) and len(filters) == 1:
            filters = filters[0]
        if filters != "/FlateDecode" or "/DecodeParms" in self:
            raise Declined
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(self.raw, self.limit)
        except zlib.error:
            raise Declined from None
        if len(data) >= self.limit or not inflater.eof or inflater.unused_data:
            raise Declined
        return data


class Rectangle(NamedTuple):
    left: float
    bottom: float
    right: float
    top: float


class Page(Dictionary):
    """A page, as the check reads it; what only pypdf's general extractor does is declined."""

    @property
    def cropbox(self) -> Rectangle:
        """/CropBox, else /MediaBox (as pypdf: only a missing one is passed over)."""
        box = self.get("/CropBox")
        box = self.get("/MediaBox") if box is None else box
        box = box.get_object() if box is not None else None
        if not isinstance(box, Array) or len(box) != 4:
            raise Declined
        if not all(isinstance(value, (Integer, Real)) for value in box):
            raise Declined
        return Rectangle(*map(float, box))

    def get_contents(self) -> Any:
        raise Declined  # several content streams: pypdf joins them its own way

    def extract_text(self, **_options: Any) -> str:
        raise Declined


class Document:
    """A file in rxleaflet's grammar, every object read; Declined on anything else."""

    is_encrypted = False

    def __init__(self, data: bytes, *, max_stream_bytes: int, max_declared_length: int):
        self._data = data
        self._max_declared_length = max_declared_length
        self._limit = max_stream_bytes
        self._objects: dict[int, Any] = {}  # read so far
        self._spans: dict[int, tuple[int, int]] = {}  # idnum → where its value starts, its bound
        if not re.match(rb"%PDF-1\.\d", data):
            raise Declined
        offsets, size, trailer_at, end = self._table()
        self.trailer = self._parse(trailer_at, end, comments=True)
        if not isinstance(self.trailer, Dictionary) or self.trailer.get("/Size") != size:
            raise Declined
        if any(key in self.trailer for key in ("/Prev", "/XRefStm", "/Encrypt")):
            raise Declined
        self._place_objects(offsets)
        self.pages = self._page_list()

    def resolve(self, idnum: int) -> Any:
        """Object ``idnum``, read on first use (each once: objects do not overlap, so reading
        them all reads the file once)."""
        value = self._objects.get(idnum)
        if value is None:
            span = self._spans.get(idnum)
            if span is None:
                raise Declined  # pypdf reads a missing object as null, with a warning
            try:
                value = self._objects[idnum] = self._read_object(*span)
            except (ArithmeticError, LookupError, TypeError, ValueError):
                raise Declined from None  # read unlike pypdf, whatever it is: pypdf's to read
        return value

    @property
    def metadata(self) -> Dictionary | None:
        info = self.trailer.get("/Info")
        if info is None:
            return None
        if not isinstance(info, Ref) or not isinstance(info.get_object(), Dictionary):
            raise Declined
        values = dict.values(info.get_object())
        if not all(type(value) is String for value in values):
            raise Declined
        return info.get_object()

    def _table(self) -> tuple[dict[int, int], int, int, int]:
        """The in-use objects' offsets, the table's size, and where the trailer's dictionary
        starts and ends."""
        data = self._data
        tail = _TAIL.search(data, max(0, len(data) - 64))
        if tail is None or data.count(b"startxref") != 1 or data.count(b"%%EOF") != 1:
            raise Declined  # an incremental update, or not a classic table
        xref_at = int(tail.group(1))
        table = _XREF.match(data, xref_at)
        if table is None or int(table.group(1)) > MAX_OBJECTS:
            raise Declined
        count = int(table.group(1))
        entries = _XREF_ENTRIES.match(data, table.end(), table.end() + 20 * count)
        if entries is None or entries.end() != table.end() + 20 * count:
            raise Declined
        listed = _XREF_ENTRY.findall(data, table.end(), entries.end())
        if not listed or listed[0] != (b"0000000000", b"65535", b"f"):
            raise Declined
        in_use = [(idnum, entry) for idnum, entry in enumerate(listed) if entry[2] == b"n"]
        if any(generation != b"00000" for _, (_, generation, _) in in_use):
            raise Declined
        offsets = {idnum: int(offset) for idnum, (offset, _, _) in in_use}
        trailer = _TRAILER.match(data, entries.end())
        if trailer is None:
            raise Declined
        return offsets, count, trailer.end(), tail.start()

    def _place_objects(self, offsets: dict[int, int]) -> None:
        """Check every object's header is where the table says, and note its span."""
        data = self._data
        placed = sorted((offset, idnum) for idnum, offset in offsets.items())
        bounds = [offset for offset, _ in placed[1:]] + [len(data)]
        spans = self._spans
        for (offset, idnum), bound in zip(placed, bounds, strict=True):
            written = b"%d 0 obj" % idnum  # as rxleaflet writes it: what HEADER matches alike
            start = offset + len(written)
            if start <= bound and data.startswith(written, offset):
                spans[idnum] = (start, bound)
                continue
            header = HEADER.match(data, offset, bound)
            if header is None or int(header.group(1)) != idnum or header.group(2) != b"0":
                raise Declined
            spans[idnum] = (header.end(), bound)

    def _read_object(self, start: int, bound: int) -> Any:
        data = self._data
        end = data.find(b"endobj", start, bound)
        keyword = data.find(b"stream", start, bound)
        if end >= 0 and not 0 <= keyword < end:
            return self._body(start, end)
        if keyword >= 0:
            return self._stream(start, keyword, bound)
        raise Declined

    def _body(self, start: int, end: int) -> Any:
        element = STRUCT_ELEMENT.fullmatch(self._data, start, end)
        if element is not None:
            value = self._element(*element.groups())
            if value is not None:
                return value
        numbers = NUMBER_ARRAY.fullmatch(self._data, start, end)
        if numbers is not None:
            return _numbers(numbers.group(1))
        value = self._parse(start, end)
        if isinstance(value, Ref):
            raise Declined  # an object that is only a reference
        return value

    def _element(
        self,
        role: bytes,
        parent: bytes,
        alt: bytes | None,
        lang: bytes | None,
        page: bytes | None,
        kids: bytes,
    ) -> Dictionary | None:
        """STRUCT_ELEMENT's dictionary, as _parse reads it; None for _parse to read (and
        decline) a reference past MAX_OBJECTS."""
        known = _KNOWN.get
        if b"R" in kids:  # kids' references, perhaps with bare MCIDs
            array = Array()
            for number, reference in _KID.findall(kids):
                if not reference:
                    array.append(value if (value := known(number)) is not None else _number(number))
                elif int(number) > MAX_OBJECTS:
                    return None
                else:
                    array.append(Ref(int(number), self))
        else:  # bare MCIDs alone
            array = Array(
                [value if (value := known(n)) is not None else _number(n) for n in kids.split()]
            )
        if int(parent) > MAX_OBJECTS:
            return None
        element = Dictionary(
            {_TYPE: _STRUCT_ELEM, _S: known(role) or _name(role), _P: Ref(int(parent), self)}
        )
        if alt is not None:
            element[_ALT] = string(alt)
        if lang is not None:
            element[_LANG] = string(lang)
        if page is not None:
            if int(page) > MAX_OBJECTS:
                return None
            element[_PG] = Ref(int(page), self)
        element[_K] = array
        return element

    def _stream(self, start: int, keyword: int, bound: int) -> Stream:
        dictionary = self._parse(start, keyword)
        length = dict.get(dictionary, "/Length") if isinstance(dictionary, Dictionary) else None
        opening = STREAM_OPENING.match(self._data, keyword, bound)
        if type(length) is not Integer or opening is None:
            raise Declined
        if not 0 <= length <= self._max_declared_length:
            raise Declined
        finish = opening.end() + length
        closing = STREAM_CLOSING.match(self._data, finish, bound)
        if finish > bound or closing is None or not _OBJECT_END.match(self._data, closing.end()):
            raise Declined
        stream = Stream(dictionary)
        stream.raw = self._data[opening.end() : finish]
        stream.limit = self._limit
        return stream

    def _parse(self, start: int, end: int, *, comments: bool = False) -> Any:
        """The one value between ``start`` and ``end``, or Declined."""
        data = self._data
        tokens = (_TOKEN_OR_COMMENT if comments else _TOKEN).findall(data, start, end)
        if skipped(tokens, data, start, end):
            raise Declined
        stack: list[list[Any]] = []  # what holds the open arrays and dictionaries
        result: list[Any] = []
        items = result  # where the next value goes
        for token in tokens:
            first = token[0]
            known = _KNOWN.get(token)
            if known is not None:  # a name or number read before (most are)
                items.append(known)
            elif first == 0x2F:  # "/"
                items.append(_name(token))
            elif first in NUMBER_START:
                if token[-1] == 0x52:  # "R"
                    idnum, generation, _ = token.split()
                    if generation != b"0" or int(idnum) > MAX_OBJECTS:
                        raise Declined
                    items.append(Ref(int(idnum), self))
                else:
                    items.append(_number(token))
            elif token == b"<<" or token == b"[":
                if len(stack) >= MAX_DEPTH:
                    raise Declined
                stack.append(items)
                items = _DictionaryItems() if token == b"<<" else Array()
            elif token == b">>":
                if not stack or type(items) is not _DictionaryItems:
                    raise Declined
                done: Any = _dictionary(items)
                items = stack.pop()
                items.append(done)
            elif token == b"]":
                if not stack or type(items) is not Array:
                    raise Declined
                done = items
                items = stack.pop()
                items.append(done)
            elif first == 0x28:  # "("
                items.append(string(unescape(token[1:-1])))
            elif first == 0x3C:  # "<"
                items.append(string(hex_bytes(token[1:-1])))
            elif first == 0x25:  # "%": a comment (the trailer's only)
                continue
            elif token in (b"true", b"false"):
                items.append(Boolean(token == b"true"))
            else:
                raise Declined  # null: pypdf's NullObject has its own ways
        if stack or len(result) != 1:
            raise Declined
        return result[0]

    def _page_list(self) -> list[Page]:
        """The pages, in order: one /Pages node, every kid a page, nothing for them to inherit."""
        catalog = self.trailer.get("/Root")
        catalog = catalog.get_object() if isinstance(catalog, Ref) else None
        if not isinstance(catalog, Dictionary) or dict.get(catalog, "/Type") != "/Catalog":
            raise Declined  # pypdf then looks for another object that is a catalog
        node = catalog.get("/Pages")
        node = node.get_object() if isinstance(node, Ref) else None
        if not isinstance(node, Dictionary) or dict.get(node, "/Type") != "/Pages":
            raise Declined
        kids = dict.get(node, "/Kids")
        if not isinstance(kids, Array) or not kids or any(key in node for key in INHERITED):
            raise Declined
        if dict.get(node, "/Count") != len(kids) or not all(isinstance(k, Ref) for k in kids):
            raise Declined
        if len({kid.idnum for kid in kids}) != len(kids):
            raise Declined
        pages = []
        for kid in kids:
            page = self.resolve(kid.idnum)
            if type(page) is not Dictionary or dict.get(page, "/Type") != "/Page":
                raise Declined
            if "/Kids" in page:
                raise Declined
            page = Page(page)
            page.indirect_reference = kid
            self._objects[kid.idnum] = page
            pages.append(page)
        return pages


class _DictionaryItems(list[Any]):
    """The keys and values of a dictionary being read (an Array holds an array's items)."""


def _name(token: bytes) -> Name:
    written = token
    if b"#" in token:
        token = _NAME_CODE.sub(lambda code: bytes((int(code.group(1), 16),)), token)
        if not _PRINTABLE.fullmatch(token):
            raise Declined  # pypdf tries UTF-8, then GBK, then Latin-1
    if len(token) > MAX_NAME:
        raise Declined
    return _known(written, Name(token.decode("ascii")))


def _dictionary(items: list[Any]) -> Dictionary:
    keys = items[0::2]
    if len(items) % 2 or not all(type(key) is Name for key in keys):
        raise Declined
    if len(set(keys)) != len(keys):
        raise Declined  # pypdf has its own rule for repeated keys
    return Dictionary(zip(keys, items[1::2], strict=True))


def skipped(tokens: list[bytes], data: bytes, start: int, end: int) -> bool:
    """Whether findall skipped anything but white space between ``start`` and ``end``."""
    found = len(b"".join(tokens).translate(None, WHITE_SPACE))
    return found != len(data[start:end].translate(None, WHITE_SPACE))


def unescape(body: bytes) -> bytes:
    """A literal string's bytes, its (simple) escapes read."""
    return _ESCAPE.sub(_escaped, body) if b"\\" in body else body


def _escaped(escape: re.Match[bytes]) -> bytes:
    code = escape.group()[1:]
    return NAMED_ESCAPES.get(code) or bytes((int(code, 8),))


def _numbers(written: bytes) -> Array:
    """The numbers of NUMBER_ARRAY's group, each read as ``_number`` reads it, those read
    before looked up (a font's widths repeat the same few dozen values)."""
    # the group is numbers between PDF white space: bytes.split() splits them alike but at
    # a NUL (which it does not take for white space)
    texts = written.split() if b"\x00" not in written else NUMBERS.findall(written)
    known = _KNOWN.get
    return Array([value if (value := known(text)) is not None else _number(text) for text in texts])


def _number(text: bytes) -> Integer | Real:
    if len(text) > MAX_NUMBER:
        raise Declined
    return _known(text, Real(text.decode()) if b"." in text else Integer(text.decode()))


# Names and numbers as written → their (immutable) values: every file repeats the same ones
_KNOWN: dict[bytes, Name | Integer | Real] = {}
MAX_KNOWN = 10_000


def _known(token: bytes, value: Any) -> Any:
    if len(_KNOWN) < MAX_KNOWN:
        _KNOWN[token] = value
    return value


_TYPE, _STRUCT_ELEM, _S, _P, _ALT, _LANG, _PG, _K = (
    _name(b"/" + key) for key in (b"Type", b"StructElem", b"S", b"P", b"Alt", b"Lang", b"Pg", b"K")
)
