"""The glyphs drawn are the text read (issue #29 item 3): check/glyphs.py on its own terms.
The doctored leaflets it must catch are in the corpus (tests/corpus.py, test_corpus.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from rxleaflet.check.actualtext import _same_text
from rxleaflet.check.glyphs import _claims_too_much, glyph_problems
from rxleaflet.pipeline import RenderOptions, build, prepare

from . import attacks, foreign
from .conftest import LIBRARY

AS_OF = dt.date(2025, 11, 1)


@pytest.mark.parametrize(
    ("text", "too_much"),
    [
        ("fi", False), ("ffl", False), ("Th", False),  # ligatures
        ("e\u0301", False), ("\u1ec7", False),  # one letter with its marks
        ("\u0915\u094d\u0937", False), ("\u0644\u0627", False),  # क्ष, lam-alef
        (" ", False), ("\u00a0", False),  # white space claims nothing drawn
        (" not ", True), ("not", True), ("ab", True), ("Do take", True),
    ],
)  # fmt: skip
def test_what_one_glyph_may_claim(text: str, too_much: bool) -> None:
    assert _claims_too_much(text) is too_much


@pytest.mark.parametrize(
    ("actual", "shown", "same"),
    [
        ("medication", "medi- cation", True),  # a hyphenated word, said whole
        ("Do not take", "Do  not take", True),
        ("Do take", "Do not take", False),
        ("\u0915\u093f", "\u093f\u0915", True),  # कि drawn with its vowel sign first
        ("tno", "not", False),  # Latin is drawn in reading order
    ],
)
def test_actual_text_must_say_what_the_glyphs_show(actual: str, shown: str, same: bool) -> None:
    assert _same_text(actual, shown) is same


@pytest.fixture(scope="module")
def leaflet() -> bytes:
    source = LIBRARY / "lisinopril.yaml"
    return build(prepare(source, RenderOptions(as_of=AS_OF)), "letter", AS_OF).pdf


def test_own_fonts_are_the_bundled_faces_glyph_for_glyph(leaflet: bytes) -> None:
    assert glyph_problems(leaflet, own=True) == []
    (problem,) = glyph_problems(attacks.glyph_swapped("n", "u")(leaflet), own=True)
    assert "NotoSans-Regular" in problem.message and problem.text == "n"
    assert "not the font's own" in problem.message


def test_another_release_of_a_face_is_not_taken_for_a_doctored_copy(leaflet: bytes) -> None:
    """Without rxleaflet provenance, a font named like a bundled face whose glyphs mostly
    differ is another release of it: only a few changed glyphs are a doctored copy."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    edits = [attacks.glyph_swapped(a, b) for a, b in zip(letters, letters[1:] + "a", strict=True)]
    many = leaflet
    for edit in edits:
        many = edit(many)
    assert glyph_problems(many, own=False) == []
    assert glyph_problems(many, own=True) != []
    assert glyph_problems(edits[0](leaflet), own=False) != []


def test_another_engines_subsets_of_the_bundled_faces_match_glyph_for_glyph(tmp_path) -> None:
    """Typst embeds the bundled faces as Type 0 fonts with its own subsetter: held to the exact
    comparison (as if it were ours), every glyph is the face's own, through its CID mapping."""
    reason = foreign.available("typst")
    if reason:
        pytest.skip(reason)
    pdf = foreign.typst_pdf(LIBRARY / "lisinopril.yaml", tmp_path)
    assert glyph_problems(pdf, own=True) == []
    assert b"/Type0" in pdf and b"NotoSans-Regular" in pdf
