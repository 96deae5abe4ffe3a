"""Text markup: paragraphs, bullets, bold; everything else prints exactly as typed."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rxleaflet.check.pdfread import read_pdf
from rxleaflet.check.rules import squeeze
from rxleaflet.errors import GlyphError, LeafletError, ProfileError, SourceError
from rxleaflet.source import markup
from rxleaflet.source.markup import BulletList, Paragraph, Run, parse
from rxleaflet.source.monograph import load_monograph

from .conftest import SHAPED_SCRIPTS, logical_page_texts, page_texts, render_source


def test_paragraphs_split_on_blank_lines_and_join_lines() -> None:
    blocks = parse("one\ntwo\n\n  \nthree\n")
    assert blocks == (Paragraph((Run("one two"),)), Paragraph((Run("three"),)))


def test_bullets_and_continuation_lines() -> None:
    blocks = parse("Intro:\n- first\n  continued\n- second\nAfter.")
    assert blocks[0] == Paragraph((Run("Intro:"),))
    assert isinstance(blocks[1], BulletList)
    assert [item.plain for item in blocks[1].items] == ["first continued", "second"]
    assert blocks[2] == Paragraph((Run("After."),))


def test_a_list_starts_a_block_or_follows_a_lead_in() -> None:
    assert isinstance(parse("- a\n- b")[0], BulletList)
    assert isinstance(parse("Take it:\n- with food")[1], BulletList)
    assert isinstance(parse("**Call your doctor if:**\n- you faint")[1], BulletList)
    assert isinstance(parse("Store it cold.\n\n- 2 °C to 8 °C")[1], BulletList)


def test_a_dash_line_after_a_paragraph_line_is_ambiguous(write_source) -> None:
    with pytest.raises(markup.MarkupError) as caught:
        parse("Store between 2 °C and\n- 20 °C in the freezer.")
    assert caught.value.offset == len("Store between 2 °C and\n")
    path = write_source(
        replace={"      Take one tablet daily.\n": "      Store at\n      - 20 °C.\n"}
    )
    with pytest.raises(SourceError) as refused:
        load_monograph(path)
    assert str(refused.value) == (
        f"{path}:15: sections[1].text: the line '- 20 °C.' starts with '- ' directly after a "
        "paragraph line, which is ambiguous: put a blank line (or a lead-in ending with ':') "
        "before a list, or join the line to the one above"
    )


def test_nested_bullets_are_refused_not_flattened() -> None:
    with pytest.raises(markup.MarkupError, match="nested list") as caught:
        parse("- outer\n  - inner")
    assert caught.value.offset == len("- outer\n")


def test_bold_pairs_and_unmatched_markers() -> None:
    assert parse("a **b** c")[0] == Paragraph((Run("a "), Run("b", True), Run(" c")))
    assert parse("2 ** 3 and **x")[0].plain == "2 ** 3 and **x"
    assert parse("****")[0].plain == "****"


def test_disclaimer_mode_keeps_everything_literal() -> None:
    blocks = parse("- not a list **not bold**", markup=False)
    assert blocks == (Paragraph((Run("- not a list **not bold**"),)),)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\u200b", "\u00ad", "\ue000", "\u2028"])
def test_invisible_characters_are_refused(char: str) -> None:
    with pytest.raises(markup.MarkupError) as caught:
        parse(f"abc{char}def")
    assert caught.value.offset == 3
    assert f"U+{ord(char):04X}" in str(caught.value)


LOOKALIKES = [
    "<font size=40>big</font>",
    '<img src="x.png"/>',
    '<a href="https://example.com">link</a>',
    "&amp; &lt; &#169;",
    "<br/>",
    "<b>unclosed bold",
    "a < b > c & d",
]


def test_reportlab_markup_lookalikes_print_as_typed(write_leaflet) -> None:
    path = write_leaflet("\n\n".join(LOOKALIKES))
    pdf = render_source(path)
    extracted = squeeze("".join(page_texts(pdf)))
    for lookalike in LOOKALIKES:
        assert squeeze(lookalike) in extracted


def test_dosing_symbols_read_back_exactly(write_source) -> None:
    dosing = "Take ≥ 200 µg, ≤ ½ tablet ± ¼, at 20 °C, ×2 — “Rx®” ‘TM™’ – • Ω Ж Ā"
    path = write_source(replace={"Take one tablet daily.": dosing})
    pdf = render_source(path)
    assert dosing in page_texts(pdf)[0]


def test_unprintable_emoji_is_a_glyph_error_naming_field(write_source) -> None:
    path = write_source(replace={"Take one tablet daily.": "Take one 💊 daily."})
    with pytest.raises(GlyphError) as caught:
        render_source(path)
    assert str(caught.value) == (
        f"{path}:14: character U+1F48A 💊 in sections[1].text cannot be printed by the bundled "
        "fonts; replace it with words or a supported character"
    )


PRINTABLE = st.characters(categories=("L", "M", "N", "P", "S", "Zs"), include_characters="*-<>&\n ")
TYPEABLE = st.one_of(
    st.text(alphabet=PRINTABLE, max_size=120),
    st.text(alphabet=st.sampled_from("ab *-<>&\n\t\u00e9\u2265\u00b5\u00bd"), max_size=80),
    st.text(alphabet=st.characters(categories=("L", "Zs", "Cc", "Cf", "Co")), max_size=40),
)


def own_page_texts(pdf: bytes) -> list[str]:
    return [page.text for page in read_pdf(pdf).pages]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example("**")
@example("किताब क्षमा: **স্ত্রী** ਪ੍ਰ")  # shaped: read back through its ActualText
@example("A\x85")  # YAML reads U+0085 (NEL) as a line break
@example("\U0001d400 bold A")  # beyond U+FFFF: ToUnicode needs a surrogate pair
@example("- ")
@example("\u0606\u0606")  # Arabic-Indic cube roots in English: two glyphs each, shaped
@example("\u0606\u0607")  # two different Arabic-Indic signs: pypdf reads them right to left
@example("<b>& **bold** </b>")
@example("x" * 200)
@example("a\n- b\n  c\n\n- d **e")
@example("a:\n- b\n  - c")  # nested: refused
@example("**x " * 50)  # many openings without closings
@given(text=TYPEABLE)
def test_any_text_renders_and_reads_back_or_is_refused(write_leaflet, text: str) -> None:
    path: Path = write_leaflet(text)
    try:
        pdf = render_source(path)
    except (SourceError, GlyphError, ProfileError) as error:
        assert str(error).startswith(str(path))
        return
    except LeafletError as error:  # e.g. VerificationError: text did not read back
        pytest.fail(f"rendered but did not read back: {error}")
    # pypdf reads a shaped run (Devanagari, Bengali, Gurmukhi) by its glyphs, in visual order;
    # pdftotext reads its /ActualText. Both put characters of the Arabic block (the Arabic-Indic
    # signs an English text may hold: "؆؇") in right-to-left order whatever the paragraph's
    # direction; that text is read by the check's own reader, which follows the content.
    scripts = {unicodedata.name(char, "").split(" ")[0] for char in text}
    if any(script.startswith("ARABIC") for script in scripts):
        reader = own_page_texts
    else:
        reader = logical_page_texts if scripts & SHAPED_SCRIPTS else page_texts
    # pypdf reads a shaped glyph that has no character of its own (the cube root's "3" in
    # Naskh) by its ToUnicode entry, a zero-width space; the run's ActualText holds the text
    extracted = squeeze("".join(reader(pdf)).replace("\u200b", ""))
    position = extracted.index("HowtoUseThisMedication")
    for block in load_monograph(path).sections[1].blocks:  # what YAML made of the text
        for item in block.items if isinstance(block, BulletList) else (block,):
            position = extracted.index(squeeze(item.plain), position)
