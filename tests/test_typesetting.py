"""Typesetting a pharmacist would hand over: no torn doses, no stranded lines, branding and the
EXPIRED mark on every page, and a two-column layout for fewer sheets — counted from the
finished PDF by tests/typesetting.py."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pytest
import yaml
from PIL import Image
from pypdf import PdfReader

from rxleaflet.check.pdfread import read_pdf
from rxleaflet.packagedata import PACKAGE
from rxleaflet.pipeline import RenderOptions, build, prepare
from rxleaflet.source.brand import load_brand

from .conftest import LIBRARY, MINIMAL, TODAY
from .typesetting import count_defects

AS_OF = TODAY.replace(year=2025, month=11, day=1)  # the seed monograph is still valid


@pytest.fixture(scope="module")
def brand(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("brand")
    Image.new("RGB", (160, 48), (27, 94, 32)).save(folder / "logo.png")
    (folder / "brand.yaml").write_text(
        'rxleaflet-brand: 1\nname: Riverside Community Pharmacy\nphone: "(217) 555-0100"\n'
        'address: "12 Main St, Springfield, IL 62701"\nlogo: logo.png\nlogo_alt: Riverside\n',
        encoding="utf-8",
    )
    return load_brand(folder / "brand.yaml")


MODES = {
    "letter": {},
    "large-print-a4": {"large_print": True, "paper": "a4"},
    "branded-letter": {"branded": True},
    "branded-large-print-a4": {"branded": True, "large_print": True, "paper": "a4"},
    "two-column-letter": {"layout": "two-column"},
    "two-column-a4-branded": {"layout": "two-column", "paper": "a4", "branded": True},
}


def render(source: Path, brand, as_of=AS_OF, **mode) -> bytes:
    options = dict(mode)
    if options.pop("branded", False):
        options["brand"] = brand
    leaflet = prepare(source, RenderOptions(as_of=as_of, allow_expired=True, **options))
    return build(leaflet, str(options.get("paper", "letter")), as_of).pdf


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("source", sorted(LIBRARY.glob("*.yaml")), ids=lambda p: p.stem)
def test_no_typesetting_defects_in_any_bundled_leaflet(source: Path, mode: str, brand) -> None:
    if source.stem == "metformin-ur" and "two-column" not in mode:
        pytest.xfail(
            "short-page: the measure of what would have fitted takes Nastaliq lines by their "
            "glyphs (raised by text rise), not their 2.0 line spacing; the page is right to "
            "move a heading with its paragraph, or a paragraph's last two lines (no orphan)"
        )
    defects = count_defects(render(source, brand, **MODES[mode]))
    assert defects == [], defects


def _leaflet_with(tmp_path: Path, how_to_use: str, name: str = "probe.yaml") -> Path:
    data = yaml.safe_load(MINIMAL)
    data["sections"][1]["text"] = how_to_use
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, width=10**6), encoding="utf-8")
    return path


def test_doses_are_never_torn_from_their_units_wherever_the_line_ends(tmp_path, brand) -> None:
    doses = ["Doses ≥ 200 µg", "from 25 µg to 200 µg", "often ≤ 4.5 mIU/L", "at 20 °C (68 °F)"]
    paragraphs = [
        "x" * length + " " + "word " * (length % 7) + dose + " daily."
        for length in range(0, 70, 3)
        for dose in doses
    ]
    path = _leaflet_with(tmp_path, "\n\n".join(paragraphs))
    for mode in ("letter", "large-print-a4", "two-column-letter"):
        pdf = render(path, brand, as_of=TODAY, **MODES[mode])
        torn = [d for d in count_defects(pdf) if d.kind == "torn-unit"]
        assert torn == [], torn
        text = " ".join(" ".join(p.text.split()) for p in read_pdf(pdf).pages)
        for dose in doses:
            assert dose in text  # the text extracts exactly as written


def test_a_last_page_of_one_or_two_lines_is_saved_by_setting_the_text_closer(
    tmp_path, brand
) -> None:
    sentence = "Take this medicine with a full glass of water and stay upright for a while. "
    pages = None
    for count in range(10, 160):
        path = _leaflet_with(tmp_path, sentence * count, name=f"probe-{count}.yaml")
        pdf = render(path, brand, as_of=TODAY)
        reader = PdfReader(io.BytesIO(pdf))
        if pages is not None and len(reader.pages) > pages:
            break  # the first length that needs one more page
        pages = len(reader.pages)
    defects = [d for d in count_defects(pdf) if d.kind == "stranded-tail"]
    assert defects == []


def test_the_pharmacy_is_on_every_page_and_the_expired_mark_cannot_be_missed(brand) -> None:
    """A solid band at the top of every page, white on a dark red at 7:1 or more, at least
    14 pt; no translucent watermark over the text; the footer's date said to be past."""
    pdf = render(LIBRARY / "baclofen-intrathecal.yaml", brand, as_of=TODAY, large_print=True,
                 paper="a4", branded=True)  # fmt: skip
    facts = read_pdf(pdf)
    assert facts.page_count > 2
    mark = "EXPIRED — not for patient use"
    for page in facts.pages:
        assert "Riverside Community Pharmacy · (217) 555-0100" in page.footer
        assert "Information expires December 2025 — EXPIRED" in page.footer
        footer_sizes = {r.size for r in page.runs if r.artifact == "Pagination/Footer"}
        assert min(footer_sizes) >= 9
        assert not [r for r in page.runs if r.artifact == "Pagination/Watermark"]
        band = [r for r in page.runs if r.text.strip() and r.text.strip() in mark]
        assert " ".join(r.text.strip() for r in band) == mark, page.number
        assert all(r.size >= 14 and r.fill == (1.0, 1.0, 1.0) for r in band)
        top = max(r.box[3] for r in page.runs)
        assert max(r.box[3] for r in band) == top  # the first thing on the page
        assert _band_contrast(pdf, page.number - 1, band[0].box) >= 7
    structure = facts.structure
    assert structure is not None
    in_structure = [e for e in structure.walk() if facts.element_text(e) == mark]
    assert len(in_structure) == 1  # read once by a screen reader; artifacts elsewhere


def _band_contrast(pdf: bytes, index: int, box: tuple[float, float, float, float]) -> float:
    """White against the band's colour, as PDFium paints it just left of the text."""
    pdfium = pytest.importorskip("pypdfium2", reason="the check's renderer (pypdfium2)")
    from rxleaflet.source.brand import WHITE, contrast_ratio

    page = pdfium.PdfDocument(pdf)[index]
    image = page.render(scale=1).to_pil().convert("RGB")
    x, y = int(box[0]) - 3, int(page.get_height() - (box[1] + box[3]) / 2)
    red, green, blue = image.getpixel((x, y))
    return contrast_ratio(WHITE, f"#{red:02X}{green:02X}{blue:02X}")


def test_two_columns_use_fewer_pages_and_read_in_order(brand) -> None:
    for source in sorted(LIBRARY.glob("*.yaml")):
        single = read_pdf(render(source, brand))
        double = read_pdf(render(source, brand, layout="two-column"))
        assert double.page_count <= single.page_count
        assert (
            double.page_count < single.page_count
            or single.page_count == 1
            or (source.stem != "ibuprofen-medication-guide")
        )
    pdf = render(LIBRARY / "lisinopril.yaml", brand, layout="two-column")
    facts = read_pdf(pdf)
    body = " ".join(facts.pages[0].text.split())
    assert body.index("Uses") < body.index("How to Use") < body.index("Side Effects")


def test_two_columns_are_for_regular_print_only() -> None:
    from click.testing import CliRunner

    from rxleaflet.cli import main

    result = CliRunner().invoke(
        main, ["render", "lisinopril", "--layout", "two-column", "--large-print"]
    )
    assert result.exit_code == 2
    assert "large print uses one column" in result.output


@pytest.mark.parametrize(
    ("before", "after", "bound"),
    [
        ("≥", "200", True),
        ("200", "µg", True),
        ("(68", "°F)", True),
        ("4.5", "mIU/L", True),
        ("2", "tablets", True),
        ("١٠", "mg", True),  # Arabic-Indic digits are digits too
        ("10,", "mg", True),
        ("10)", "mg", True),
        ("take", "200", False),
        ("200", "people", False),
        ("≥", "adults", False),
        ("", "mg", False),
    ],
)
def test_which_spaces_bind_a_number_to_its_unit_or_sign(
    before: str, after: str, bound: bool
) -> None:
    from rxleaflet.render.glue import binds

    assert binds(before, after) is bound


@pytest.mark.parametrize(
    ("before", "after"),
    [("≥", "200"), ("200", "µg"), ("(68", "°F)"), ("4.5", "mIU/L"), ("١٠", "mg"),
     ("10,", "mg"), ("10)", "mg"), ("©", "AbbVie"), ("2.", "mL")],
)  # fmt: skip
def test_the_line_breakers_quick_test_finds_every_space_that_binds(before: str, after: str) -> None:
    """The line breaker takes a run's words without asking binds() when MAY_BIND_A_SPACE finds
    no space in it: it must find every space binds() would bind, inside a run as at its start
    (a sentence's "ends. " it may skip)."""
    from rxleaflet.render.flowables import TextStyle, break_lines
    from rxleaflet.render.fonts import fonts_for
    from rxleaflet.render.glue import MAY_BIND_A_SPACE, binds
    from rxleaflet.source.markup import Run

    text = f"Take a dose of {before} {after} daily"
    assert binds(before, after)
    assert MAY_BIND_A_SPACE.search(text) is not None
    assert MAY_BIND_A_SPACE.search("Take it daily. Never more.") is None
    fonts, style = fonts_for("en"), TextStyle(11, 15, "#000000")
    lead = f"Take a dose of {before}"
    width = fonts.width(lead, False, 11) + fonts.width(" ", False, 11) + 0.5
    texts = [
        "".join(t for t, _ in line.pieces) for line in break_lines([Run(text)], style, fonts, width)
    ]
    assert not any(line.rstrip().endswith(before) for line in texts[:-1]), texts


UNITS = yaml.safe_load((PACKAGE / "data" / "units.yaml").read_text("utf-8"))
LANGUAGE_OF = {"any": "en"}


@pytest.mark.parametrize("language", sorted(UNITS))
def test_numbers_stay_with_their_units_in_every_language(language: str) -> None:
    """For every unit of every language: "… 10 <unit>" set so that the line would end after
    "10" keeps the number and its unit on one line."""
    from rxleaflet.render.flowables import TextStyle, break_lines
    from rxleaflet.render.fonts import fonts_for
    from rxleaflet.source.markup import Run

    fonts = fonts_for(LANGUAGE_OF.get(language, language))
    style = TextStyle(11, 15, "#000000")
    for unit in UNITS[language]:
        lead = "Dose 10"
        width = fonts.width(lead, False, 11) + fonts.width(" ", False, 11) + 0.5
        lines = break_lines([Run(f"{lead} {unit} daily")], style, fonts, width)
        texts = ["".join(text for text, _ in line.pieces) for line in lines]
        assert not any(
            before.rstrip().endswith("10") and after.startswith(str(unit))
            for before, after in zip(texts, texts[1:], strict=False)
        ), (unit, texts)


def test_chinese_never_ends_on_one_character_nor_splits_the_drug_name() -> None:
    """At every width: the last line keeps two characters besides punctuation ("就|医。" is
    refused), and 二甲双胍 is never broken across lines."""
    from rxleaflet.render.flowables import TextStyle, break_lines
    from rxleaflet.render.fonts import fonts_for
    from rxleaflet.source.markup import Run

    fonts, style = fonts_for("zh-Hans"), TextStyle(10.5, 16.8, "#000000")
    text = "如果您出现乳酸酸中毒的症状，请立即停止服用二甲双胍并就医。二甲双胍的剂量由医生决定。"
    for width in range(45, 400, 3):  # from the name's own width up
        lines = break_lines([Run(text)], style, fonts, width, unbreakable=("二甲双胍",))
        texts = ["".join(piece for piece, _ in line.pieces) for line in lines]
        assert "".join(texts) == text  # nothing lost or added
        if len(texts) > 1:
            assert sum(char.isalnum() for char in texts[-1]) >= 2, (width, texts)
        ends = list(itertools.accumulate(len(t) for t in texts))[:-1]  # where lines break
        names = [m.start() for m in re.finditer("二甲双胍", text)]
        assert not [e for e in ends for n in names if n < e < n + 4], (width, texts)


def test_a_bilingual_pdf_says_which_part_each_page_is_in_and_what_follows() -> None:
    from rxleaflet.pipeline import build_translated

    options = RenderOptions(as_of=AS_OF, allow_expired=True)
    spanish = prepare(LIBRARY / "metformina.yaml", options)
    english = prepare(LIBRARY / "metformin.yaml", options)
    pdf = build_translated(spanish, [english], "letter", AS_OF).pdf
    facts = read_pdf(pdf)
    footers = [page.footer for page in facts.pages]
    assert "Parte 1 de 2 · Página 1 de 2" in footers[0]
    assert "Part 2 of 2 · Page 1 of 2" in footers[2]
    first_part = " ".join(page.text for page in facts.pages[:2])
    assert "Sigue la versión en English" in first_part  # at the end of the Spanish part
    assert count_defects(pdf) == []


def test_two_columns_span_the_title_block_and_balance_the_last_page(brand) -> None:
    """The counter's half-width and unbalanced-columns classes, on every bundled leaflet in
    two columns, branded and expired too (the band, the brand and the record span)."""
    for source in sorted(LIBRARY.glob("*.yaml")):
        pdf = render(source, brand, as_of=TODAY, layout="two-column", branded=True)
        kinds = {d.kind for d in count_defects(pdf)}
        assert not kinds & {"half-width", "unbalanced-columns"}, (source.stem, kinds)
    facts = read_pdf(render(LIBRARY / "lisinopril.yaml", brand, layout="two-column"))
    page = facts.pages[0]
    middle = (page.box[0] + page.box[2]) / 2
    warning = [r for r in page.runs if r.text.startswith("Warning")][0]
    wide = [r for r in page.runs if r.box[1] < warning.box[1] and r.box[2] > middle + 20]
    assert wide and min(r.box[0] for r in wide) < middle - 100  # a line of it crosses the gutter


def test_the_parts_of_a_split_patient_paragraph_stay_private(monkeypatch) -> None:
    """A patient paragraph split over two pages: each part breaks its lines again when set at
    another width, and must do so with the word-measure cache off, as the paragraph it came
    from (no patient's words kept in the process)."""
    from rxleaflet.render import flowables
    from rxleaflet.render.flowables import TextBlock, TextStyle
    from rxleaflet.render.fonts import fonts_for
    from rxleaflet.render.tagging import StructNode, Tagger
    from rxleaflet.source.markup import Run

    monkeypatch.setattr(flowables, "_MEASURED", {})
    root = StructNode("Document")
    words = " ".join(f"Zorbquux{n}" for n in range(40))
    block = TextBlock(
        [Run(words)], TextStyle(11, 15, "#000000"), node=root, tagger=Tagger(root),
        fonts=fonts_for("en"),
    )  # fmt: skip
    block.private = True
    first, rest = block.split(300, 15 * 4)
    for part in (first, rest):
        assert part.lines(200)  # another column's width: broken again
    kept = [word for words in flowables._MEASURED.values() for word in words]
    assert not [word for word in kept if "Zorbquux" in str(word)]
