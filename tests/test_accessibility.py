"""PDF/UA-1: every bundled leaflet, in every variant, passes veraPDF; text extracts exactly."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from rxleaflet.contract import expectations_for
from rxleaflet.pipeline import RenderOptions, build_translated, prepare
from rxleaflet.render import render_combined
from rxleaflet.render.cjkbreak import has_cjk
from rxleaflet.source.brand import load_brand
from rxleaflet.source.library import source_files
from rxleaflet.source.monograph import load_monograph

from .conftest import LIBRARY, TODAY, render_source
from .test_rtl import RTL_LEAFLETS
from .tools import verapdf

VARIANTS = {
    "letter": {},
    "a4": {"paper": "a4"},
    "large": {"large_print": True},
    "large-a4": {"large_print": True, "paper": "a4"},
    "two-column": {"layout": "two-column"},
    "two-column-a4": {"layout": "two-column", "paper": "a4"},
}


@pytest.fixture(scope="module")
def brand(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("brand")
    Image.new("RGB", (160, 48), (27, 94, 32)).save(folder / "logo.png")
    (folder / "brand.yaml").write_text(
        'rxleaflet-brand: 1\nname: Riverside Community Pharmacy\nphone: "(217) 555-0100"\n'
        "logo: logo.png\nlogo_alt: Riverside Community Pharmacy\n"
        'colors: {accent: "#1B5E20", warning: "#8B0000", warning_fill: "#FFF4E5"}\n',
        encoding="utf-8",
    )
    return load_brand(folder / "brand.yaml")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, brand) -> dict[str, Path]:
    """Every bundled leaflet in every variant, branded and not (expired ones marked)."""
    folder = tmp_path_factory.mktemp("ua")
    out = {}
    for source in source_files(LIBRARY):
        for variant, options in VARIANTS.items():
            for branded in (False, True):
                extra = {"brand": brand} if branded else {}
                pdf = render_source(source, allow_expired=True, **options, **extra)
                path = folder / f"{source.stem}-{variant}{'-branded' if branded else ''}.pdf"
                path.write_bytes(pdf)
                out[path.name] = path
    leaflets = [
        prepare(source, RenderOptions(allow_expired=True, as_of=TODAY))
        for source in source_files(LIBRARY)
    ]
    combined = folder / "combined.pdf"
    combined.write_bytes(render_combined(leaflets).pdf)
    out[combined.name] = combined
    by_id = {leaflet.monograph.id: leaflet for leaflet in leaflets}
    bilingual = folder / "bilingual.pdf"  # --language zh-Hans --also en
    pair = [by_id["metformin-zh-hans"], by_id["metformin"]]
    bilingual.write_bytes(build_translated(*pair[:1], pair[1:], as_of=TODAY).pdf)
    out[bilingual.name] = bilingual
    return out


def test_verapdf_finds_no_failed_rule(rendered: dict[str, Path]) -> None:
    reason = verapdf.unavailable_reason()
    if reason:
        pytest.skip(reason)
    results, output = verapdf.validate(list(rendered.values()))
    assert len(results) == len(rendered), output
    failures = [r for r in results if not r.compliant or r.failed_rules]
    assert not failures, output


def structure(pdf: bytes) -> list[tuple[str, int]]:
    """(role, depth) of every structure element in tree order."""
    reader = PdfReader(io.BytesIO(pdf))
    found: list[tuple[str, int]] = []

    def walk(node, depth):
        node = node.get_object()
        if not isinstance(node, dict):
            return
        if "/S" in node:
            found.append((str(node["/S"])[1:], depth))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object"):
                walk(kid, depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"], 0)
    return found


def test_structure_tree_in_reading_order(brand) -> None:
    pdf = render_source(LIBRARY / "ibuprofen-medication-guide.yaml", brand=brand)
    roles = [role for role, _ in structure(pdf)]
    assert roles[0] == "Document"
    assert roles.index("Figure") < roles.index("H1")
    first_sect_after_h1 = roles.index("Sect", roles.index("H1"))
    assert roles[first_sect_after_h1 + 1] == "H2"  # the warning's own heading
    assert roles.count("H1") == 1
    assert roles.count("H2") == 1 + len(
        load_monograph(LIBRARY / "ibuprofen-medication-guide.yaml").sections
    )
    for index, role in enumerate(roles):
        if role == "LI":
            assert roles[index + 1 : index + 3] == ["Lbl", "LBody"]


def test_bookmarks_for_title_warning_and_sections() -> None:
    pdf = render_source(LIBRARY / "lisinopril.yaml")
    reader = PdfReader(io.BytesIO(pdf))
    titles = []

    def collect(items):
        for item in items:
            if isinstance(item, list):
                collect(item)
            else:
                titles.append(item.title)

    collect(reader.outline)
    assert titles == [
        "Lisinopril",
        "Warning",
        "Uses",
        "How to Use This Medication",
        "Side Effects",
        "Precautions",
        "Drug Interactions",
        "Storage",
    ]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("source", source_files(LIBRARY), ids=lambda p: p.stem)
def test_pdftotext_gives_the_words_exactly(source: Path, tmp_path: Path) -> None:
    if source.stem in RTL_LEAFLETS:
        pytest.skip("pdftotext's own bidi reordering moves spaces and punctuation beside numbers "
                    "in right-to-left text: tests/test_rtl.py compares its words instead")
    path = tmp_path / "x.pdf"
    path.write_bytes(render_source(source, allow_expired=True))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "\x00" not in text
    assert not re.search("[\ue000-\uf8ff]", text)
    leaflet = prepare(source, RenderOptions(allow_expired=True, as_of=TODAY))
    expected = expectations_for(leaflet, "letter")
    words, drug = leaflet.locale, leaflet.monograph.drug
    printed = [text for _, text in expected.content]
    printed += [
        expected.copyright,
        expected.expiry,
        words.word("expired_mark"),
        "•",
        words.label("pronounced") + (drug.pronunciation or ""),
        words.label("brands") + ", ".join(drug.brands),
        ", ".join(drug.brands),
    ]
    pages = text.count("\f")
    printed += [expected.page_pattern.format(n=n, m=pages) for n in range(1, pages + 1)]
    printed.append(expected.continuation_label)
    allowed = {word for line in printed for word in line.split()}
    # Chinese lines break between characters: a line's text is a piece of a printed line
    unspaced = "\n".join("".join(line.split()) for line in printed)
    extracted = text.split()
    joined = [
        word
        for word in extracted
        if word not in allowed and not (has_cjk(word) and word in unspaced)
    ]
    assert not joined, f"words not in the source (joined across lines?): {joined[:10]}"
    missing = {
        word
        for line in printed[: len(expected.content)]
        for word in line.split()
        if not has_cjk(word)
    }
    colon = words.colon.strip()  # "读音：èr": a full-width colon has no space after it
    parts = {part for word in extracted for part in word.split(colon)}
    assert not missing - set(extracted) - parts - {*drug.brands}


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils not installed")
def test_struct_text_puts_each_text_under_its_element(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(render_source(LIBRARY / "lisinopril.yaml"))
    tree = subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert '  H1 (block)\n    "Lisinopril"' in tree
    assert 'H2 (block)\n      "Warning"' in tree
    assert 'Lbl (block)\n          "•"' in tree
    assert "Page 1 of" not in tree  # footers are artifacts
