"""The fast content scanner: strings, escapes, arrays, hex, CMaps — and what it refuses."""

from __future__ import annotations

import pytest

from rxleaflet.check.contentscan import FontDecoder, Unsupported, _parse_cmap, scan_text

LATIN = FontDecoder({bytes([code]): chr(code) for code in range(32, 127)}, 1)


def scan(content: bytes, forms: set[str] | None = None) -> tuple[str, list[tuple[str, float]]]:
    seen: list[tuple[str, float]] = []
    text = scan_text(content, {"F1": LATIN}, forms or set(), lambda t, s: seen.append((t, s)))
    return text, seen


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


@pytest.mark.parametrize(
    "content",
    [
        b"BT /F1 10 Tf (unbalanced Tj ET",
        b"BT /F9 10 Tf (x) Tj ET",
        b"BI /W 1 /H 1 ID \x00 EI",
        b"/Fm0 Do",
    ],
)
def test_what_it_does_not_read_is_refused(content: bytes) -> None:
    with pytest.raises(Unsupported):
        scan(content, forms={"Fm0"})


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
