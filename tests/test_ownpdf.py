"""The reader of rxleaflet's own PDF grammar (check/ownpdf.py): every leaflet rxleaflet renders
is read by it, to exactly the facts pypdf reads; every other file it reads to the same facts or
declines; and nothing a hostile file holds makes it raise anything but Declined."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import zlib

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import create_string_object

from rxleaflet.check import ownpdf
from rxleaflet.check.ownpdf import Declined, Document
from rxleaflet.check.pdfread import LIMITS, PdfFacts, read_own_grammar, read_pdf, read_with_pypdf
from rxleaflet.pipeline import RenderOptions, build, prepare
from rxleaflet.render import render_combined

from . import foreign
from .conftest import LIBRARY
from .corpus import DEFECTS, NEAR_MISSES
from .handmade import one_page_pdf

AS_OF = dt.date(2025, 11, 1)
LEAFLETS = sorted(LIBRARY.glob("*.yaml"))
VARIANTS = {
    "letter": {},
    "large-print-a4": {"large_print": True, "paper": "a4"},
    "two-column": {"layout": "two-column"},
}


def _open(data: bytes) -> Document:
    return Document(
        data,
        max_stream_bytes=LIMITS["zlib_maximum_output_length"],
        max_declared_length=LIMITS["maximum_declared_stream_length"],
    )


def _own(data: bytes) -> PdfFacts | None:
    return read_own_grammar(data, max_pages=50, deadline=None, budget=None)


def _pypdf(data: bytes) -> PdfFacts:
    return read_with_pypdf(data, max_pages=50, deadline=None, budget=None)


def _same_or_declined(data: bytes) -> bool:
    """Whether the own reader read ``data`` (True) or declined it; what it read is pypdf's."""
    own = _own(data)
    if own is not None:
        assert own == _pypdf(data)
    return own is not None


def _render(source, **options: object) -> bytes:
    leaflet = prepare(source, RenderOptions(as_of=AS_OF, **options))  # type: ignore[arg-type]
    return build(leaflet, str(options.get("paper", "letter")), AS_OF).pdf


@pytest.fixture(scope="module")
def good() -> dict[str, bytes]:
    return {source.stem: _render(source) for source in LEAFLETS}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("source", LEAFLETS, ids=lambda p: p.stem)
def test_every_leaflet_rxleaflet_renders_is_read_without_pypdf_to_pypdf_facts(
    source, variant
) -> None:
    data = _render(source, **VARIANTS[variant])
    own = _own(data)
    assert own is not None  # not declined: the render path's read-back needs no pypdf
    assert own == _pypdf(data)
    assert own.text.strip() and own.structure is not None and own.xmp


def test_a_combined_print_file_and_a_counter_page_are_read_the_same(good) -> None:
    names = ("lisinopril", "humira")
    combined = render_combined(
        [prepare(LIBRARY / f"{n}.yaml", RenderOptions(as_of=AS_OF)) for n in names]
    )
    assert _same_or_declined(combined.pdf)


@pytest.mark.parametrize(("defect", "leaflet"), [(d, n) for d in DEFECTS for n in d.leaflets],
                         ids=lambda v: getattr(v, "name", v))  # fmt: skip
def test_the_planted_defect_corpus_reads_the_same_or_is_declined(good, defect, leaflet) -> None:
    _same_or_declined(defect.edit(good[leaflet]))


@pytest.mark.parametrize(("name", "edit", "rules"), NEAR_MISSES, ids=[n for n, *_ in NEAR_MISSES])
def test_near_misses_read_the_same_or_are_declined(good, name, edit, rules) -> None:
    _same_or_declined(edit(good["lisinopril"]))


def test_a_file_pypdf_rewrote_is_read_the_same(good) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(good["metformin"])))
    out = io.BytesIO()
    writer.write(out)
    assert _same_or_declined(out.getvalue())  # pypdf writes a grammar this reader accepts


def test_other_engines_pdfs_read_the_same_or_are_declined(tmp_path) -> None:
    source = LIBRARY / "lisinopril.yaml"
    made = []
    if foreign.available("typst") is None:
        made.append(foreign.typst_pdf(source, tmp_path))
    if foreign.available("weasyprint") is None:
        made.append(foreign.weasyprint_pdf(source))
    if not made:
        pytest.skip("neither Typst nor WeasyPrint is installed")
    accepted = [_same_or_declined(data) for data in made]
    # Typst writes a classic table and plain objects: read here too, to the same facts
    assert accepted[:1] == [True] if foreign.available("typst") is None else True


MINIMAL = one_page_pdf(b"BT ET")
# Each hostile file: what the own reader must decline (read_pdf then reads it with pypdf)
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"


def _reindexed(data: bytes) -> bytes:
    """A handmade file after an edit of its objects, its cross-reference table made right."""
    body = data[: data.rindex(b"\nxref\n") + 1]
    offsets = [m.start() + 1 for m in re.finditer(rb"\n\d+ 0 obj", body)]
    table = b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    table += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = data[data.index(b"trailer", len(body)) : data.index(b"startxref", len(body))]
    return body + table + trailer + b"startxref\n%d\n%%%%EOF\n" % len(body)


def _edited(old: bytes, new: bytes, data: bytes | None = None) -> bytes:
    data = MINIMAL if data is None else data
    assert old in data
    return _reindexed(data.replace(old, new, 1))


def _with(body: bytes) -> bytes:
    """A one-page file whose fifth object, ``body``, is its page's resources."""
    return one_page_pdf(b"BT ET", b"5 0 R", extra=[body])


def _shift_offsets(data: bytes, by: int) -> bytes:
    return re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m[1]) + by), data)


def _bomb() -> bytes:
    squeezed = zlib.compress(b"0 0 m " * 2_000_000, 9)  # 12 MB of content from 12 KB
    return _edited(
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(squeezed)
        + squeezed
        + b"\nendstream",
        one_page_pdf(b""),
    )


def _incremental(data: bytes) -> bytes:
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    writer.add_metadata({"/Title": "changed"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _object_streams(data: bytes) -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


HOSTILE = {
    "bad offsets": _shift_offsets(MINIMAL, 3),
    "offsets into another object": _shift_offsets(MINIMAL, -40),
    "two cross-reference sections": _incremental(MINIMAL),
    "object streams": _object_streams(MINIMAL),
    "a repeated key": _with(b"<< /A 1 /A 2 >>"),
    "a length too long": _edited(b"<< /Length 5 >>", b"<< /Length 8 >>"),
    "a length too short": _edited(b"<< /Length 5 >>", b"<< /Length 4 >>"),
    "a length elsewhere": _edited(b"<< /Length 5 >>", b"<< /Length 5 0 R >>", _with(b"5")),
    "deep nesting": _with(b"[" * 101 + b"]" * 101),
    "very deep nesting": _with(b"<< /A " * 100_000 + b">>" * 100_000),
    "a comment": _with(b"<< /A 1 % here\n>>"),
    "null": _with(b"<< /A null >>"),
    "an odd escape": _with(b"<< /A (a\\/b) >>"),
    "an object that is only a reference": _with(b"5 0 R"),
    "a reference to nothing": _with(b"<< /A 9 0 R >>"),
    "a generation": _with(b"<< /A 3 1 R >>"),
    "an unknown filter": _edited(b"<< /Length 5 >>", b"<< /Length 5 /Filter /LZWDecode >>"),
    "a string in another encoding": _edited(b"/Type /Catalog", b"/Type /Catalog /Lang (\x9f)"),
    "a Latin-1 name": _with(b"<< /Caf#E9 1 >>"),
    "inherited resources": _edited(b"/Count 1", b"/Count 1 /Resources << >>"),
    "nested page tree": _edited(b"/Kids [3 0 R]", b"/Kids [2 0 R]"),
    "a wrong count": _edited(b"/Count 1", b"/Count 2"),
    "no pages": _edited(b"/Kids [3 0 R] /Count 1", b"/Kids [] /Count 0"),
    "encrypted": _edited(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 1 0 R"),
    "a truncated file": MINIMAL[:-30],
    "an empty crop box": _edited(b"/MediaBox", b"/CropBox [] /MediaBox"),
    "a free object referred to": MINIMAL.replace(b"0000000058 00000 n", b"0000000058 00000 f"),
    # an object in use of another generation: its "2 0 R" names nothing to pypdf
    "a generation in the table": MINIMAL.replace(b"0000000058 00000 n", b"0000000058 00001 n"),
    "an endless name": _with(b"/" + b"A" * 5000),
    "an endless number": _with(b"1" * 100),
    "PDF 2.0": MINIMAL.replace(b"%PDF-1.7", b"%PDF-2.0"),
    # a NUL is white space to the tokeniser but not to split(): it was read as a broken part
    "a reference with NULs": _with(b"<< /A 3\x000\x00R >>"),
    # pypdf looks only 20 bytes ahead for the R of a reference: it reads this one as nothing
    "a padded reference": _with(b"<< /A 3" + b" " * 25 + b"0 R >>"),
    # pypdf then looks for an object typed /Catalog elsewhere (a decoy's pages)
    "a root without its type": _edited(b"/Type /Catalog", b"/Tipe /Catalog"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_declined_and_read_by_pypdf_as_before(name) -> None:
    """Declined when the file is opened, or when what is declined is read (a stream's data, a
    string's text); either way read_pdf's facts are pypdf's."""
    data = HOSTILE[name]
    with contextlib.suppress(Declined):
        _open(data)
    assert _own(data) is None
    try:
        assert read_pdf(data) == _pypdf(data)
    except Exception as error:  # noqa: BLE001 - the same refusal either way
        with pytest.raises(type(error)):
            _pypdf(data)


def test_the_minimal_file_and_its_fifth_objects_are_read() -> None:
    assert _same_or_declined(MINIMAL)
    values = b"<< /A [1 -2.5 .5 +3] /B (x\\(y\\)\\251) /C <41 42> /D true >>"
    assert _same_or_declined(_with(values))
    assert _same_or_declined(_with(b"<< /Subtype /application#2Fyaml >>"))
    assert _open(_with(b"<< /S /application#2Fyaml >>")).resolve(5)["/S"] == "/application/yaml"


def test_a_number_array_split_at_nuls_reads_as_pypdf_reads_it() -> None:
    """A NUL is white space between a widths array's numbers (to pypdf too), but not to
    bytes.split(), which the one-step reading of such arrays uses when there is none."""
    data = _with(b"[ 1\x002\x00\x00-3.5 0 ]")
    value = _open(data).resolve(5)
    assert value == [1, 2, -3.5, 0] == PdfReader(io.BytesIO(data)).get_object(5)
    types = [ownpdf.Integer, ownpdf.Integer, ownpdf.Real, ownpdf.Integer]
    assert [type(number) for number in value] == types


def test_a_decompression_bomb_is_left_to_pypdf_and_its_limit() -> None:
    data = _bomb()
    _open(data)  # the file is in the grammar: the bomb goes off only when its page is read
    assert _own(data) is None
    facts = read_pdf(data)
    assert facts.pages[0].problem is not None and "decompression limit" in facts.pages[0].problem


def test_a_string_decodes_as_pypdf_decodes_it_or_declines() -> None:
    samples = [bytes((code,)) for code in range(256)] + [
        b"\xfe\xff\x00A\x00\xe9",
        b"\xfe\xff\x00",
        b"\xff\xfeA\x00",
        b"\xef\xbb\xbfA",
        b"\x00A",
        b"",
        b"Metformin \x84 Patient",
    ]
    read = 0
    for raw in samples:
        value = ownpdf.string(raw)
        if isinstance(value, ownpdf.Undecided):
            with pytest.raises(Declined):
                str(value)
            continue
        read += 1
        assert value == str(create_string_object(raw)), raw
    assert read > 200  # ASCII, Latin-1 and PDFDocEncoding's own codes are read here


_TOKENS = st.sampled_from(
    [b"/Type", b"/A#20", b"/A#2", b"5 0 R", b"5 0R", b"12", b"-3.5", b"+", b".", b"(ab)",
     b"(a\\)b)", b"(up stream)", b"<41 42>", b"<4>", b"<", b">", b"<<", b">>", b"[", b"]",
     b"true", b"null", b"%", b"\x00", b"\x0b", b"\xff", b"{", b"R", b"stream\n", b"endobj",
     b"endstream", b"xref", b"trailer", b"startxref", b"%%EOF", b" ", b"\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, derandomize=True)
@example(b"", 0)
@given(insert=st.lists(_TOKENS, max_size=6).map(b" ".join), at=st.integers(0, 10_000))
def test_any_change_to_a_file_is_read_the_same_or_declined(insert: bytes, at: int) -> None:
    position = at % (len(MINIMAL) + 1)
    data = MINIMAL[:position] + insert + MINIMAL[position:]
    with contextlib.suppress(Declined):  # the only exception it may raise
        _open(data)
    _same_or_declined(data)


_ELEMENTS = [
    b"\n<< /Type /StructElem /S /P /P 6 0 R /Pg 2 0 R /K [ 1 ] >>\n",
    b"\n<< /Type /StructElem /S /Sect /P 6 0 R /K [ 11 0 R 12 0 R 13 0 R ] >>\n",
    b"<< /Type /StructElem /S /Figure /P 6 0 R /Alt (A pill) /Lang (en-US) /Pg 2 0 R /K [ 1 2 0 R"
    b" 3 ] >>",
    b"<< /Type /StructElem /S /P /P 20000 0 R /Pg 20001 0 R /K [ 0 0 R 007 0 R 99999 ] >>",
    b"<< /Type /StructElem /S /P /P 20000 0 R /K [ 0 0 R 0 00 R 20001 0 R ] >>",
    b"<< /Type /StructElem /S /P /P 20000 0 R /K [ 0 0 R 20001 0 R ] >>",
    b"<< /Type /StructElem /S /P /P 20001 0 R /K [ ] >>",
]


def _read_value(read: object) -> object:
    """What a reading gave, comparably: its value's types and values, or Declined."""

    def comparable(value: object) -> object:
        if isinstance(value, ownpdf.Ref):
            return ("Ref", value.idnum)
        if isinstance(value, dict):
            return type(value), [(comparable(k), comparable(v)) for k, v in dict.items(value)]
        if isinstance(value, list):
            return type(value), [comparable(item) for item in value]
        if isinstance(value, ownpdf.Undecided):
            return type(value), value.raw
        return type(value), value

    try:
        return comparable(read())  # type: ignore[operator]
    except Declined:
        return Declined


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    element=st.sampled_from(_ELEMENTS),
    edits=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 2), _TOKENS), max_size=3),
)
def test_a_structure_element_read_in_one_match_reads_as_the_general_parser(
    element: bytes, edits: list[tuple[int, int, bytes]]
) -> None:
    body = bytearray(element)
    for at, removed, token in edits:
        at %= len(body) + 1
        body[at : at + removed] = token
    document = Document.__new__(Document)
    document._data = b"1 0 obj" + bytes(body) + b"endobj"
    start, end = 7, 7 + len(body)
    fast = _read_value(lambda: document._body(start, end))
    general = _read_value(lambda: document._parse(start, end))
    if isinstance(general, tuple) and general[0] == "Ref":
        general = Declined  # an object that is only a reference
    assert fast == general


def _contents(element: object) -> list[object]:
    """A structure tree's (page, MCID) contents and roles, in order."""
    found: list[object] = []
    for kid in element.kids:  # type: ignore[attr-defined]
        found += [kid] if isinstance(kid, tuple) else [kid.role, *_contents(kid)]
    return found


@pytest.mark.parametrize("levels", range(46, 52))
def test_bare_mcids_read_in_place_stop_at_the_depth_the_walk_stops_at(levels) -> None:
    """The structure walk reads a /K list's bare MCIDs in place instead of walking each: as deep
    as it reads an MCID given as a marked-content reference, and no deeper."""
    from rxleaflet.check.pdfread import _structure

    def catalog(content: object) -> ownpdf.Dictionary:
        node = ownpdf.Dictionary({"/S": ownpdf.Name("/Span"), "/K": ownpdf.Array([content])})
        for _ in range(levels):
            node = ownpdf.Dictionary({"/S": ownpdf.Name("/Div"), "/K": ownpdf.Array([node])})
        node["/Pg"] = ownpdf.Ref(7, None)  # type: ignore[arg-type]
        # the root's /K a list: the innermost /K list then stands at an even depth, as deep
        # as the walk goes (100) in one of the cases
        root = ownpdf.Dictionary({"/K": ownpdf.Array([node])})
        return ownpdf.Dictionary({"/StructTreeRoot": root})

    reference = ownpdf.Dictionary({"/Type": ownpdf.Name("/MCR"), "/MCID": ownpdf.Integer(5)})
    bare = _structure(catalog(ownpdf.Integer(5)), {7: 1})
    assert bare is not None
    assert _contents(bare) == _contents(_structure(catalog(reference), {7: 1}))
    assert ((1, 5) in _contents(bare)) == (levels < 49)  # the boundary is tried
