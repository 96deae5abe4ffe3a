"""The fast content scanner: strings, escapes, arrays, hex, CMaps — and what it refuses."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import math
import re
import time
from collections.abc import Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rxleaflet.check.contentscan import (
    PageScan,
    Resources,
    ScanTimeout,
    _low_high,
    _rounded_size,
    _Scanner,
    scan_page,
)
from rxleaflet.check.fontdecode import FontDecoder, Malformed, Unsupported, cmap_blocks
from rxleaflet.check.fontdecode import parse_cmap as _parse_cmap

OPERATOR_SOUP = st.sampled_from(
    ["BT", "ET", " ", "(", ")", "\\", "<", ">", "[", "]", "/F1", "/Fm0", "Do", "Tf", "Tj", "TJ",
     "Tm", "cm", "q", "Q", "'", '"', "1", "-2.5", "0", "\n", "%", "BI", "ID", "41", "e"]
)  # fmt: skip
CMAP_SOUP = st.sampled_from(
    ["begincodespacerange", "endcodespacerange", "beginbfchar", "endbfchar", "beginbfrange",
     "endbfrange", "<", ">", "[", "]", "00", "FF", "0041", "D83D", "DE00", " ", "\n", "1"]
)  # fmt: skip
ESCAPE_SOUP = st.sampled_from(
    [b"\\", b"\\(", b"\\)", b"n", b"\r", b"\n", b"0", b"7", b"8", b"a", b"\xff"]
)
LATIN = FontDecoder({bytes([code]): chr(code) for code in range(32, 127)}, 1)


def scan(content: bytes, forms: set[str] | None = None) -> tuple[str, list[tuple[str, float]]]:
    found = scan_page(content, Resources({"F1": LATIN}, forms or set()))
    return found.text, [(run.text, run.size) for run in found.runs]


def test_literal_strings_with_escapes_and_nested_parentheses() -> None:
    text, _ = scan(rb"BT /F1 10 Tf (a\(b\) \053 (nested) \\ end) Tj ET")
    assert text == r"a(b) + (nested) \ end"


def test_sizes_follow_the_text_and_graphics_matrices() -> None:
    _, seen = scan(
        b"q 2 0 0 2 0 0 cm BT /F1 6 Tf 1.5 0 0 1.5 0 0 Tm (big) Tj ET Q BT /F1 9 Tf (plain) Tj ET"
    )
    assert seen == [("big", 18.0), ("plain", 9.0)]


def test_tj_arrays_hex_strings_and_kerning_spaces() -> None:
    text, _ = scan(b"BT /F1 10 Tf [(Hel) 20 (lo) -400 (world)] TJ <48 69> Tj ET")
    assert text == "Hello worldHi"  # no positioning between them: one run of text


def test_operators_inside_strings_are_not_operators() -> None:
    text, _ = scan(b"BT /F1 10 Tf (not an ET or a BT Tj) Tj ET")
    assert text == "not an ET or a BT Tj"


def test_a_form_xobject_is_left_to_the_general_extractor() -> None:
    with pytest.raises(Unsupported):
        scan(b"/Fm0 Do", forms={"Fm0"})


@pytest.mark.parametrize(
    "content",
    [b"BT /F1 10 Tf (unbalanced Tj ET", b"BT /F9 10 Tf (x) Tj ET", b"BI /W 1 /H 1 ID \x00"],
)
def test_broken_content_is_malformed(content: bytes) -> None:
    with pytest.raises(Malformed):
        scan(content)


def test_inline_images_are_skipped_and_deeply_nested_strings_read() -> None:
    text, _ = scan(b"BI /W 1 /H 1 ID \x00\xff EI BT /F1 10 Tf (a (b (c (d)))) Tj ET")
    assert text == "a (b (c (d)))"


def test_cmap_bfchar_bfrange_and_arrays() -> None:
    cmap = _parse_cmap(b"""
        1 begincodespacerange <00> <FF> endcodespacerange
        2 beginbfchar <01> <0041> <02> <D835DC00> endbfchar
        2 beginbfrange <10> <12> <0061> <20> <21> [<00E9> <00FC>] endbfrange
    """)
    assert cmap.decode(b"\x01\x02\x10\x11\x12\x20\x21") == "A\U0001d400abcéü"
    assert cmap.decode(b"\x99") == "\ufffd"


def test_two_byte_cmaps() -> None:
    cmap = _parse_cmap(
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange "
        b"1 beginbfchar <0102> <2265> endbfchar"
    )
    assert cmap.decode(b"\x01\x02") == "≥"


# -- properties: the scanner reads what the writer writes, and nothing else raises -------------


@settings(max_examples=300, deadline=None)
@example(rb"BT /F1 10 Tf (\8) Tj ET")  # a backslash before a non-octal digit is dropped
@example(rb"BT /F1 10 Tf (\9\8\777) Tj ET")
@example(b"1 0 0 1 x y cm")
@example(b"BT /F1 1e999 Tf (a) Tj ET")
@given(
    content=st.binary(max_size=300)
    | st.lists(OPERATOR_SOUP, max_size=60).map(lambda parts: " ".join(parts).encode())
)
def test_any_bytes_raise_nothing_but_the_readers_own_errors(content: bytes) -> None:
    with contextlib.suppress(Unsupported, Malformed):
        scan(content, forms={"Fm0"})


@settings(max_examples=300, deadline=None)
@example(b"1 begincodespacerange <0000> <FFFF> endcodespacerange")
@example(b"1 beginbfrange <00> <FF> <FFFF> endbfrange")
@example(b"1 beginbfchar <0G> <0041> endbfchar")
@given(
    data=st.binary(max_size=300)
    | st.lists(CMAP_SOUP, max_size=60).map(lambda parts: " ".join(parts).encode())
)
def test_any_cmap_bytes_raise_nothing_but_malformed(data: bytes) -> None:
    try:
        decoder = _parse_cmap(data)
    except Malformed:
        return
    assert isinstance(decoder.decode(b"\x00\x01"), str)


# the lazy regular expression cmap_blocks replaced (quadratic where ends are missing)
LAZY_CMAP_BLOCK = re.compile(rb"begin(bfchar|bfrange|codespacerange)(.*?)end\1", re.S)


@settings(max_examples=300, deadline=None)
@example(b"beginbfchar <01> <0041> beginbfrange <02> <03> <0042> endbfrange endbfchar")
@example(b"beginbfchar beginbfchar <01> <0041> endbfchar endbfcharendbfchar")
@example(b"beginbfrange x beginbfchar <01> <0041> endbfchar")  # a kind never ended
@given(data=st.lists(CMAP_SOUP, max_size=60).map(lambda parts: " ".join(parts).encode()))
def test_cmap_blocks_are_the_lazy_regexs(data: bytes) -> None:
    assert cmap_blocks(data) == LAZY_CMAP_BLOCK.findall(data)


def test_a_cmap_of_blocks_never_ended_is_read_in_linear_time() -> None:
    """Each beginning without an end would send the lazy regex to the end of the data."""
    data = b"beginbfchar <01> <0041> " * 20_000
    started = time.perf_counter()
    assert cmap_blocks(data) == []
    assert time.perf_counter() - started < 0.5


def test_kept_cmap_decodings_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept decodings are emptied when full, and a CMap still reads the same."""
    from rxleaflet.check import fontdecode

    monkeypatch.setattr(fontdecode, "_KEPT", 4)
    monkeypatch.setattr(fontdecode, "_TEXTS", {})  # none kept before (other tests keep some)
    monkeypatch.setattr(fontdecode, "_CODES", {})
    pairs = b"".join(b"<%02X> <%04X>\n" % (code, 0x41 + code) for code in range(10))
    decoder = _parse_cmap(b"10 beginbfchar\n" + pairs + b"endbfchar")
    assert decoder.decode(bytes(range(10))) == "ABCDEFGHIJ"
    assert len(fontdecode._TEXTS) <= 4 and len(fontdecode._CODES) <= 4


def test_one_byte_tables_are_the_lookups() -> None:
    """The table and widths are preset rows filled in; a code outside 0-255 (a negative
    /FirstChar's widths, a two-byte code in a one-byte CMap) fills nothing."""
    mapping = {b"\x01": "A", b"\x01\x02": "B", b"": "C", b"\xff": "D"}
    widths = {-3: 100.0, 0: 250.0, 255: 300.0, 256: 400.0}
    decoder = FontDecoder(mapping, 1, widths, 600.0)
    assert decoder.table == {code: mapping.get(bytes((code,)), "\ufffd") for code in range(256)}
    assert decoder.byte_widths == [widths.get(code, 600.0) for code in range(256)]
    many = {bytes((code >> 8, code & 0xFF)): "x" for code in range(300)} | mapping
    wide = {code: float(code) for code in range(-10, 300)}
    decoder = FontDecoder(many, 1, wide, 600.0)
    assert decoder.table == {code: many.get(bytes((code,)), "\ufffd") for code in range(256)}
    assert decoder.byte_widths == [wide.get(code, 600.0) for code in range(256)]


def test_overlapping_cmap_ranges_are_refused_quickly() -> None:
    ranges = b"".join(b"<%04X> <FFFF> <0000>\n" % start for start in range(256))
    with pytest.raises(Malformed, match="more codes"):
        _parse_cmap(
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n256 beginbfrange\n"
            + ranges
            + b"endbfrange"
        )


SPECIAL_FLOATS = st.sampled_from([0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan])


@settings(max_examples=500, deadline=None)
@example(values=(0.0, -0.0, -0.0, 0.0))  # equal values of either sign: the first is kept
@example(values=(math.nan, 1.0, -1.0, 2.0))  # a NaN first is never replaced
@example(values=(1.0, math.nan, -1.0, math.nan))
@given(values=st.tuples(*[st.floats() | SPECIAL_FLOATS] * 4))
def test_a_runs_box_bounds_are_min_and_max(values: tuple[float, float, float, float]) -> None:
    assert repr(_low_high(values)) == repr((min(values), max(values)))


@given(height=st.floats(min_value=0.0) | SPECIAL_FLOATS.map(abs))
def test_kept_rounded_sizes_are_round(height: float) -> None:
    assert repr(_rounded_size(height)) == repr(round(height, 1))
    assert repr(_rounded_size(height)) == repr(round(height, 1))  # kept the first time


def test_octal_escape_rule_matches_the_pdf_reference() -> None:
    text, _ = scan(rb"BT /F1 10 Tf (\8\101\1011) Tj ET")
    assert text == "8AA1"


@settings(max_examples=400, deadline=None)
@example(b"a\\\r\nb\\\rc\\\nd")  # line continuations: CR LF, CR, LF
@example(b"\\0\\08\\777\\x\\\\\\(")  # short and overflowing octal, an unknown escape
@given(body=st.lists(ESCAPE_SOUP, max_size=16).map(b"".join))
def test_a_string_token_unescapes_as_the_character_reader_reads_it(body: bytes) -> None:
    """The fast pass unescapes a whole string token with one regex; ``literal`` (used where
    parentheses nest) reads byte by byte. Both must give the same bytes."""
    from rxleaflet.check.contentscan import _TOKEN, _unescape, literal

    token = b"(" + body + b")"
    whole = _TOKEN.fullmatch(token)
    if whole is None or whole.lastgroup != "s":
        return  # not one string token: the scanner would not hand it to _unescape
    assert _unescape(token) == literal(token, 1)[0]


def _drawable_alphabet() -> list[str]:
    from rxleaflet.source.coverage import BASE_FONTS, drawable

    return sorted(c for c in drawable(tuple(BASE_FONTS)) if c.isprintable() and not c.isspace())


@settings(max_examples=60, deadline=None)
@example("≥ 200 µg")
@example("(a) \\ [b] <c> %d")
@example("\U0001d400")  # beyond U+FFFF: a surrogate pair in the ToUnicode map
@given(text=st.text(alphabet=st.sampled_from(_drawable_alphabet()) | st.just(" "), max_size=40))
def test_text_the_writer_draws_reads_back_exactly(text: str) -> None:
    import io

    from reportlab.pdfgen.canvas import Canvas

    from rxleaflet.check.pdfread import read_pdf
    from rxleaflet.render import pdfobjects
    from rxleaflet.render.fonts import fonts_for
    from rxleaflet.render.pdfobjects import draw_line

    text = " ".join(text.split())
    pdfobjects.install_reportlab_fixes()
    fonts = fonts_for("en")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    draw_line(canvas, fonts.segments(text, False), 72, 720, 11)
    canvas.showPage()
    canvas.save()
    facts = read_pdf(buffer.getvalue())
    assert facts.pages[0].text == text


# -- the fast pass reads as the general one ----------------------------------------------------
# scan_page reads a page with run_listed (one regex call, our files' usual pairings as single
# tokens, operators through a table) and falls back to run (token by token) only where the fast
# pass gives up. Both must find the same text, runs and paints, or refuse alike.

PAIRING_SOUP = st.sampled_from(
    ["BT", "ET", "/F1 12 Tf", "/F1", "12", "Tf", "(Take 1 \\(one\\)) Tj", "(x)Tj", "(y)", "Tj",
     "/P <</MCID 3>> BDC", "/P<</MCID 3.5>>BDC", "/Span <</ActualText <FEFF0041>>> BDC",
     "/Span <</ActualText <FE FF 00 42>>>BDC", "/Artifact <</Type /Pagination>> BDC", "EMC",
     "<<", ">>", "/MCID", "BDC", "1 0 0 1 54 720 cm", "q", "Q", ".1 .2 .3 rg", "0.5 g", "0 9 Td",
     "2 -3 TD", "T*", "14 TL", "[(a) -300 (b)] TJ", "(c) '", "1 2 (d) \"", "1 1 5 5 re f",
     "3 Tr", "50 Tz", "2 Ts", "1 Tc", "4 Tw", "0 0 1 1 re W n", "1 0 0 1 x y cm", "ID", "1 ID",
     "%", "\n", " ", "(", ")", "[", "]", "-", ".", "Tfx", "Tjj", "BDCx", "/F1 1e9 Tf",
     "BT 0 9 Td /F1 12 Tf (Take 2) Tj ET", "BT 1 2 Td /F1 9 Tf (a)Tj ET", "BT -1 .5 Td /F2 9 Tf",
     "BT 1 2 Td /F1 9 Tf (a) Tj ETx", "BT 1 2 Td /F1 9 Tf (a \\) b) Tj ET", "ET BT",
     "[ -250 <41> 80 <42 4> ] TJ", "[<43>-1.5.5<4>]TJ", "[ ] TJ", "[ - <41> ] TJ", "[ 1 ]TJx",
     "[ <41> (b) ] TJ", "<4 1>", "<41 00>"]
)  # fmt: skip


def _outcome(read: Callable[[], PageScan | None]) -> object:
    """What a pass found, as comparable values; "refused" for any of its errors."""
    try:
        found = read()
    except (Malformed, Unsupported, ScanTimeout, ValueError, IndexError, KeyError, TypeError,
            OverflowError, AttributeError):  # fmt: skip
        return "refused"
    if found is None:
        return None  # the fast pass gave up: scan_page reads the page with the general one
    return (
        found.text,
        [dataclasses.astuple(run) for run in found.runs],
        [dataclasses.astuple(paint) for paint in found.paints],
    )


def _same_either_way(content: bytes, resources: Callable[[], Resources]) -> bool:
    """The fast and the general pass agree on ``content``; False when the fast one gave up."""
    fast = _outcome(lambda: _Scanner(content, resources(), None).run_listed())
    if fast is None:
        return False
    assert fast == _outcome(lambda: _Scanner(content, resources(), None).run()), content
    return True


@settings(max_examples=500, deadline=None)
@example(b"/P <</MCID 3>> BDC BT /F1 12 Tf 0 9 Td (a) Tj ET EMC")
@example(b"/Tf /F1 12 Tf (a) Tj")  # names that end as the pairings do
@example(b"/BDC <</MCID 1>> BDC /RC /F1 9 Tf (b)Tj EMC")
@example(b"[ /P <</MCID 3>> BDC ]")  # a pairing inside an array: refused, as separate tokens
@example(b"BT /F1 9 Tf 0 0 1 ID (x) Tj ET")  # an inline image after numbers: the general pass
@example(b"BT /F1 10 Tf [ -250 <41> 80 <42 4> ] TJ (c) Tj ET")  # glyphs with adjustments
# the fast pass reads "/Tag <</MCID n>> BDC" in one step only where begin_marked would read the
# same: not an artifact (page furniture, whatever its MCID), not after other operands (which
# begin_marked reads as its tag and properties)
@example(b"/Artifact <</MCID 3>> BDC BT 0 9 Td /F1 12 Tf (a) Tj ET EMC")
@example(b"1 /P <</MCID 3>> BDC BT 0 9 Td /F1 12 Tf (a) Tj ET EMC")
@given(content=st.lists(PAIRING_SOUP, max_size=40).map(lambda parts: " ".join(parts).encode()))
def test_the_fast_pass_reads_as_the_general_one(content: bytes) -> None:
    _same_either_way(content, lambda: Resources({"F1": LATIN}, {"Fm0"}))


def test_the_fast_pass_reads_rendered_leaflets_as_the_general_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every page read back while rendering leaflets in five scripts (Latin, Arabic with its
    ActualText spans, Devanagari, Han, Nastaliq): the fast pass reads each one whole, and
    exactly as the general pass does."""
    from rxleaflet.check import contentscan, pdfread

    from .conftest import LIBRARY, render_source

    pages: list[tuple[bytes, Resources]] = []

    def recording(content: bytes, resources: Resources, deadline: float | None = None):
        pages.append((content, copy.copy(resources)))
        return scan_page(content, resources, deadline)

    monkeypatch.setattr(contentscan, "scan_page", recording)
    monkeypatch.setattr(pdfread, "scan_page", recording, raising=False)
    for name in ("metformin", "metformin-ar", "metformin-hi", "metformin-zh-hans", "metformin-ur"):
        render_source(LIBRARY / f"{name}.yaml")
    assert len(pages) >= 10
    for content, resources in pages:
        fonts = dict(resources.fonts)
        assert _same_either_way(
            content, lambda r=resources, f=fonts: dataclasses.replace(r, fonts=dict(f))
        )


def test_an_inline_image_after_numbers_paints_over_the_text_beneath() -> None:
    """``/BPC 8 ID``: the operator came paired with its number, and the fast pass once read on
    through the image's bytes without painting it, missing text the image covers."""
    from rxleaflet.check.visibility import hidden_text

    found = scan_page(
        b"BT /F1 12 Tf 100 100 Td (secret) Tj ET "
        b"q 500 0 0 500 0 0 cm BI /W 1 /H 1 /CS /G /BPC 8 ID abc EI Q",
        Resources({"F1": LATIN}),
    )
    assert [paint.box for paint in found.paints] == [(0.0, 0.0, 500.0, 500.0)]
    hidden = hidden_text(found.runs, found.paints, (0.0, 0.0, 612.0, 792.0))
    assert [(h.text, h.reason) for h in hidden or []] == [
        ("secret", "covered by an image drawn after it")
    ]


@pytest.mark.parametrize("first", ["seen", "hidden"])
def test_one_fill_over_two_backgrounds_is_judged_against_each(first: str) -> None:
    """The visibility check works a colour pair's contrast out once a page: dark grey text on
    the white page can be read, the same text on a black shape cannot, in either order."""
    from rxleaflet.check.visibility import hidden_text

    lines = {
        "seen": b"BT /F1 12 Tf 400 400 Td (seen) Tj ET ",
        "hidden": b"BT /F1 12 Tf 100 100 Td (hidden) Tj ET ",
    }
    second = "hidden" if first == "seen" else "seen"
    found = scan_page(
        b"0 g 0 0 300 300 re f 0.1 g " + lines[first] + lines[second], Resources({"F1": LATIN})
    )
    hidden = hidden_text(found.runs, found.paints, (0.0, 0.0, 612.0, 792.0))
    assert [(h.text, h.reason) for h in hidden or []] == [
        ("hidden", "colour contrast 1.20:1 against what lies beneath")
    ]
