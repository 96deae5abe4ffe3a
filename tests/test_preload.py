"""The check's fast object reader (check/preload.py): whatever it reads must be exactly what
pypdf would have read, and whatever is not simple must be left to pypdf."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import IndirectObject, StreamObject

from rxleaflet.check.preload import preload_objects

from .conftest import LIBRARY, render_source
from .handmade import handmade_pdf, one_page_pdf

# PDF values, mostly well formed, now and then with a token pypdf must read instead
_LEAF = st.sampled_from(
    [b"/Type", b"/K", b"/A#20", b"5 0 R", b"5 0R", b"12", b"-3.5", b"+", b".", b"(ab)",
     b"(a\\)b)", b"(up stream)", b"<41 42>", b"<4>", b"<", b">", b"true", b"false", b"null",
     b"nullx", b"%", b"\x00", b"\x0b", b"\xff", b"{", b"R"]
)  # fmt: skip
_KEY = st.sampled_from([b"/Type", b"/K", b"/P", b"/A#20", b"5", b"(k)"])
OBJECT = st.recursive(
    _LEAF,
    lambda inner: (
        st.lists(inner, max_size=5).map(lambda items: b"[ " + b" ".join(items) + b" ]")
        | st.lists(st.tuples(_KEY, inner), max_size=4).map(
            lambda pairs: b"<< " + b" ".join(key + b" " + value for key, value in pairs) + b" >>"
        )
    ),
    max_leaves=12,
)


def _difference(ours: Any, theirs: Any, path: str = "") -> str | None:
    """Where two pypdf values differ in type or value (references compared, not followed)."""
    if type(ours) is not type(theirs):
        return f"{path}: {type(ours).__name__} against {type(theirs).__name__}"
    if isinstance(ours, StreamObject) and ours._data != theirs._data:
        return f"{path}: stream data {ours._data[:20]!r} against {theirs._data[:20]!r}"
    if isinstance(ours, IndirectObject):
        same = (ours.idnum, ours.generation) == (theirs.idnum, theirs.generation)
        return None if same else f"{path}: {ours} against {theirs}"
    if isinstance(ours, dict):
        if set(ours) != set(theirs):
            return f"{path}: keys {sorted(ours)} against {sorted(theirs)}"
        for key in ours:
            found = _difference(dict.__getitem__(ours, key), dict.__getitem__(theirs, key), key)
            if found:
                return f"{path}{found}"
        return None
    if isinstance(ours, list):
        if len(ours) != len(theirs):
            return f"{path}: {len(ours)} items against {len(theirs)}"
        pairs = zip(list.__iter__(ours), list.__iter__(theirs), strict=True)
        for index, (mine, other) in enumerate(pairs):
            found = _difference(mine, other, f"[{index}]")
            if found:
                return f"{path}{found}"
        return None
    return None if (ours == theirs and repr(ours) == repr(theirs)) else f"{path}: {ours!r}"


def _preloaded_against_pypdf(data: bytes) -> tuple[int, list[str]]:
    ours = PdfReader(io.BytesIO(data), strict=False)
    count = preload_objects(ours, data)
    theirs = PdfReader(io.BytesIO(data), strict=False)
    differences = []
    for (generation, idnum), value in list(ours.resolved_objects.items()):
        other = theirs.get_object(IndirectObject(idnum, generation, theirs))
        found = _difference(value, other)
        if found:
            differences.append(f"object {idnum}: {found}")
    return count, differences


def test_objects_read_ahead_are_exactly_what_pypdf_reads() -> None:
    for name in ("lisinopril", "metformin-zh-hans", "humira"):
        count, differences = _preloaded_against_pypdf(render_source(LIBRARY / f"{name}.yaml"))
        assert count > 50, name  # the structure tree, pages, fonts: read here, not by pypdf
        assert differences == [], name


def test_a_file_pypdf_wrote_reads_the_same_too() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(render_source(LIBRARY / "metformin.yaml"))))
    out = io.BytesIO()
    writer.write(out)
    count, differences = _preloaded_against_pypdf(out.getvalue())
    assert count > 50
    assert differences == []


def test_what_is_not_simple_is_left_to_pypdf() -> None:
    data = one_page_pdf(
        b"BT /F1 12 Tf (x) Tj ET",
        extra=[
            b"<< /Title (a\\/b) >>",  # an escape readers differ on
            b"<< /A 1 /A 2 >>",
            b"<< /B 1 % a comment\n >>",
            b"<< /Length 9 0 R >>\nstream\nabc\nendstream",  # a length elsewhere
            b"3",
        ],
    )
    reader = PdfReader(io.BytesIO(data), strict=False)
    assert preload_objects(reader, data) == 5  # catalog, pages, page, its content, the number
    assert sorted(idnum for _, idnum in reader.resolved_objects) == [1, 2, 3, 4, 9]
    # the odd escape, the repeated key, the comment and the stream: read by pypdf, as before
    assert reader.get_object(5)["/Title"] == "a/b"
    assert reader.get_object(8).get_data() == b"abc"
    assert reader.get_object(4).get_data() == b"BT /F1 12 Tf (x) Tj ET"


def test_an_encrypted_file_is_read_by_pypdf_alone() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(render_source(LIBRARY / "metformin.yaml"))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert preload_objects(reader, out.getvalue()) == 0


def test_offsets_that_all_point_at_one_object_cost_one_pass_over_the_file() -> None:
    data = render_source(LIBRARY / "lisinopril.yaml")
    reader = PdfReader(io.BytesIO(data), strict=False)
    table = reader.xref[0]
    first = min(table.values())
    for idnum in table:
        table[idnum] = first  # every entry now points at one object: only its own id matches
    assert preload_objects(reader, data) <= 1


def test_objects_without_an_end_stop_the_read_ahead_at_once() -> None:
    """Each costs a search of MAX_OBJECT_BYTES: charged to the budget (the file's own size),
    the first one ends the read ahead instead of thousands of searches over the same bytes."""

    class Counted(bytes):
        searches = 0

        def find(self, *arguments: Any) -> int:  # type: ignore[override]
            Counted.searches += 1
            return super().find(*arguments)

    headers = b"".join(b"%d 0 obj [ 1 2 3\n" % number for number in range(1, 2001))
    data = Counted(handmade_pdf([b"<< /Type /Catalog >>"]) + headers)
    reader = PdfReader(io.BytesIO(data), strict=False)
    body = len(handmade_pdf([b"<< /Type /Catalog >>"]))
    for number in range(1, 2001):  # point the table at the unterminated objects
        reader.xref[0][number] = (
            body + headers.index(b"\n%d 0 obj" % number) + 1 if number > 1 else body
        )
    Counted.searches = 0
    assert preload_objects(reader, data) == 0
    assert Counted.searches == 1


@settings(max_examples=300, deadline=None)
@example(b"<< /K [ 5 0 R 12 -3.5 (ab) <41 42> ] /Type false /A null >>")  # read ahead
@example(b"<< /K 5 0R >>")  # "0R": no reference, no number: left to pypdf
@example(b"[ 1 2 ] stream")
@example(b"5 0 R")  # an object that is only a reference: pypdf resolves it (this once crashed)
@given(body=OBJECT)
def test_any_object_is_read_as_pypdf_reads_it_or_left_to_pypdf(body: bytes) -> None:
    _read_as_pypdf_reads_it_or_left(body)


def test_an_object_that_is_only_a_reference_does_not_make_the_file_unreadable() -> None:
    from rxleaflet.check.pdfread import read_pdf

    facts = read_pdf(one_page_pdf(b"BT ET", extra=[b"5 0 R"]))
    assert facts.page_count == 1


@settings(max_examples=300, deadline=None)
@example(b"", b"\n", b"\nendstream", 0, b"q Q")  # what ReportLab writes
@example(b"/Filter /FlateDecode", b"\r\n", b"\r\nendstream", 0, b"x\x9c")
@example(b"", b"\n", b"\nendstream", 1, b"q Q")  # one byte too long: pypdf corrects it
@given(
    filters=st.sampled_from([b"", b"/Filter /FlateDecode", b"/Filter [ /A85 ]"]),
    eol=st.sampled_from([b"\n", b"\r\n", b"\r", b" \n", b""]),
    closing=st.sampled_from(
        [b"\nendstream", b"endstream", b"\r\nendstream", b"\n\nendstream", b" endstream", b"\nend"]
    ),
    error=st.sampled_from([0, 0, 0, -1, 1, 5]),
    payload=st.binary(max_size=40),
)
def test_any_stream_is_read_as_pypdf_reads_it_or_left_to_pypdf(
    filters: bytes, eol: bytes, closing: bytes, error: int, payload: bytes
) -> None:
    head = b"<< /Length %d %s >>\nstream" % (len(payload) + error, filters)
    _read_as_pypdf_reads_it_or_left(head + eol + payload + closing)


def _read_as_pypdf_reads_it_or_left(body: bytes) -> None:
    """``body`` as object 5 of a file: read ahead exactly as pypdf reads it, or left to pypdf."""
    data = one_page_pdf(b"BT ET", extra=[body])
    reader = PdfReader(io.BytesIO(data), strict=False)
    preload_objects(reader, data)
    if (0, 5) in reader.resolved_objects:
        theirs = PdfReader(io.BytesIO(data), strict=False).get_object(5)
        assert _difference(reader.resolved_objects[(0, 5)], theirs) is None
