"""Brand files: identity on the leaflet, refused when colours are unreadable or the logo is bad."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from rxleaflet.errors import BrandError
from rxleaflet.source.brand import Colors, contrast_ratio, load_brand

from .conftest import LIBRARY, REPO, page_texts, render_source

EXAMPLE_BRAND = REPO / "examples" / "brand" / "brand.yaml"


def brand_file(tmp_path: Path, extra: str = "", logo: bool = False) -> Path:
    if logo:
        Image.new("RGB", (120, 40), (11, 83, 148)).save(tmp_path / "logo.png")
    path = tmp_path / "brand.yaml"
    path.write_text(
        textwrap.dedent("""\
        rxleaflet-brand: 1
        name: Riverside Community Pharmacy
        address: "12 Main St, Springfield, IL 62701"
        phone: "(217) 555-0100"
        """)
        + textwrap.dedent(extra),
        encoding="utf-8",
    )
    return path


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    for _, text, _, background, minimum in Colors().pairs():
        assert contrast_ratio(text, background) >= minimum >= 4.5


def test_body_text_on_warning_fill_needs_seven_to_one(tmp_path: Path) -> None:
    path = brand_file(tmp_path, 'colors:\n  warning: "#000000"\n  warning_fill: "#8C8C8C"\n')
    with pytest.raises(
        BrandError,
        match=r"body text #1A1A1A on warning_fill #8C8C8C has "
        r"contrast 5\.\d\d:1; at least 7\.0:1 is required",
    ):
        load_brand(path)


def test_low_contrast_accent_is_refused_with_ratio(tmp_path: Path) -> None:
    path = brand_file(tmp_path, 'colors:\n  accent: "#99CCFF"\n')
    with pytest.raises(BrandError) as caught:
        load_brand(path)
    assert str(caught.value) == (
        f"{path}: accent (headings, title) #99CCFF on white page #FFFFFF has contrast 1.68:1; "
        "at least 4.5:1 is required — choose a darker or lighter colour"
    )


def test_warning_on_its_fill_is_checked(tmp_path: Path) -> None:
    path = brand_file(tmp_path, 'colors:\n  warning: "#E06666"\n  warning_fill: "#FDECEA"\n')
    with pytest.raises(
        BrandError,
        match=r"warning \(warning heading\) #E06666 on warning_fill "
        r"#FDECEA has contrast 2\.93:1",
    ):
        load_brand(path)


def test_missing_logo_is_refused(tmp_path: Path) -> None:
    path = brand_file(tmp_path, "logo: nowhere.png\nlogo_alt: Riverside\n")
    with pytest.raises(BrandError, match="logo 'nowhere.png' cannot be read"):
        load_brand(path)


def test_logo_without_alt_text_is_refused(tmp_path: Path) -> None:
    path = brand_file(tmp_path, "logo: logo.png\n", logo=True)
    with pytest.raises(BrandError, match="a logo needs 'logo_alt'"):
        load_brand(path)


def test_logo_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_text("not an image")
    path = brand_file(tmp_path, "logo: logo.png\nlogo_alt: Riverside\n")
    with pytest.raises(BrandError, match="is not a PNG or JPEG image"):
        load_brand(path)


def test_bad_colour_syntax(tmp_path: Path) -> None:
    path = brand_file(tmp_path, "colors:\n  accent: blue\n")
    with pytest.raises(BrandError, match="colour accent must be '#RRGGBB'"):
        load_brand(path)


def test_branded_leaflet_shows_identity_and_tagged_logo(tmp_path: Path, write_source) -> None:
    path = brand_file(
        tmp_path,
        'logo: logo.png\nlogo_alt: "Riverside logo"\ncolors:\n  accent: "#1B5E20"\n',
        logo=True,
    )
    brand = load_brand(path)
    pdf = render_source(write_source(), brand=brand)
    first = page_texts(pdf)[0]
    assert first.startswith("Riverside Community Pharmacy\n12 Main St, Springfield, IL 62701")
    reader = PdfReader(io.BytesIO(pdf))
    figures = []

    def walk(node):
        node = node.get_object()
        if node.get("/S") == "/Figure":
            figures.append(node)
        kids = node.get("/K")
        if isinstance(kids, list):
            for kid in kids:
                if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                    walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert [f["/Alt"] for f in figures] == ["Riverside logo"]
    assert reader.metadata["/Author"] == "Riverside Community Pharmacy"


def test_a_brand_gives_the_same_bytes_wherever_its_folder_is(tmp_path: Path) -> None:
    """Machines of a sharded batch mount the brand at different paths: the logo's name in the
    PDF comes from its pixels, not its path."""
    pdfs = []
    for folder in ("here", "there/deeper"):
        (tmp_path / folder).mkdir(parents=True)
        for name in ("brand.yaml", "logo.png"):
            (tmp_path / folder / name).write_bytes((EXAMPLE_BRAND.parent / name).read_bytes())
        brand = load_brand(tmp_path / folder / "brand.yaml")
        pdfs.append(render_source(LIBRARY / "lisinopril.yaml", brand=brand))
    assert b"/Subtype /Image" in pdfs[0]
    assert pdfs[0] == pdfs[1]
