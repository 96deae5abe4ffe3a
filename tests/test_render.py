"""Rendered PDFs, read back: text, footers, fonts, metadata, sizes, determinism."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from rxleaflet import __version__
from rxleaflet.check.pdfread import read_pdf
from rxleaflet.check.rules import squeeze
from rxleaflet.errors import ExpiredError, VerificationError
from rxleaflet.pipeline import RenderOptions, build, prepare
from rxleaflet.render import render_pdf
from rxleaflet.source.library import source_files
from rxleaflet.source.locales import locale_for
from rxleaflet.source.monograph import load_monograph

from .conftest import (
    LIBRARY,
    SHAPED_SCRIPTS,
    TODAY,
    logical_page_texts,
    page_texts,
    render_source,
)

BUNDLED = source_files(LIBRARY)


def text_sizes(pdf: bytes) -> list[list[float]]:
    """Font size of every non-blank text piece, per page, measured from the content streams."""
    sizes: list[list[float]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found: list[float] = []

        def visit(text, cm, tm, font, size, found=found):
            if text.strip():
                found.append(size * tm[3] * cm[3] if tm and cm else size)

        page.extract_text(visitor_text=visit)
        sizes.append(found)
    return sizes


@pytest.mark.parametrize("source", BUNDLED, ids=lambda p: p.stem)
@pytest.mark.parametrize(("paper", "large"), [("letter", False), ("a4", False), ("letter", True)])
def test_bundled_leaflets_render_completely(source: Path, paper: str, large: bool) -> None:
    pdf = render_source(source, paper=paper, large_print=large, allow_expired=True)
    reader = PdfReader(io.BytesIO(pdf))
    monograph = load_monograph(source)
    total = len(reader.pages)
    locale = locale_for(monograph.language)
    # pypdf reads shaped glyphs, not their ActualText: check's reader does (pdftotext too,
    # placing spaces beside numbers in Arabic script by its own rules)
    if locale.rtl:
        texts = [page.text for page in read_pdf(pdf).pages]
    else:
        texts = (logical_page_texts if locale.script in SHAPED_SCRIPTS else page_texts)(pdf)
    words = (locale.words["page"], locale.words["expires"].partition("{date}")[0].strip())
    for number, text in enumerate(texts, start=1):
        text = squeeze(text)  # Chinese lines break without spaces
        assert squeeze(words[0].format(n=number, m=total)) in text
        assert squeeze(words[1]) in text
        assert squeeze(monograph.attribution.copyright) in text
    joined = " ".join(texts)
    assert squeeze(monograph.drug.name) in squeeze(texts[0])
    width = float(reader.pages[0].mediabox.width)
    assert width == pytest.approx(612 if paper == "letter" else 595.28, abs=0.1)
    body = min(min(sizes) for sizes in text_sizes(pdf))
    assert body >= (18 if large else 8)
    assert "\x00" not in joined


def test_seed_leaflet_is_the_seed_verbatim() -> None:
    from .conftest import SEED

    seed = SEED.read_text(encoding="utf-8")
    pdf = render_source(LIBRARY / "baclofen-intrathecal.yaml", allow_expired=True)
    footer = "Copyright © 2025 TraceGains, Inc. All rights reserved."
    bodies = [
        text.rsplit(footer, 1)[0]
        .replace("EXPIRED — not for patient use", "")  # the mark at the top of a page
        .replace("EXPIRED —\nnot for patient use", "")  # the mark across the page
        for text in page_texts(pdf)
    ]
    extracted = re.sub(r"\s+", " ", " ".join(bodies))
    chrome = ("My Cart", "Learn more about", "Drug", "Pronounced", "Baclofen", '"BACK-low-fen"')
    for paragraph in seed.split("\n\n"):
        paragraph = paragraph.strip()
        if (
            not paragraph
            or paragraph.startswith(chrome)
            or paragraph.startswith("Information expires")
        ):
            continue
        assert re.sub(r"\s+", " ", paragraph) in extracted, paragraph[:60]
    assert "Information expires December 2025" in " ".join(page_texts(pdf))
    assert "My Cart" not in extracted


def test_fonts_are_embedded_subsets_with_tounicode() -> None:
    pdf = render_source(LIBRARY / "lisinopril.yaml")
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts, "no fonts"
    for name, font in fonts.items():
        assert re.match(r"/[A-Z]{6}\+Noto", name), name
        assert "/FontFile2" in font["/FontDescriptor"], name
        assert "/ToUnicode" in font, name
        assert "Helvetica" not in name


def test_metadata_and_provenance(write_source) -> None:
    path = write_source()
    pdf = render_source(path)
    reader = PdfReader(io.BytesIO(pdf))
    info = reader.metadata
    assert info["/Title"] == "Testdrug — Patient Information"
    assert info["/RxLeafletId"] == "testdrug"
    assert info["/RxLeafletLanguage"] == "en-US"
    assert info["/RxLeafletProfile"] == "monograph"
    assert info["/RxLeafletExpires"] == "2027-06-30"
    assert info["/RxLeafletSourceSHA256"] == load_monograph(path).sha256
    assert info["/RxLeafletVersion"] == __version__
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-US"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert root["/MarkInfo"]["/Marked"].value is True
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "Testdrug — Patient Information" in xmp
    spec = root["/Names"]["/EmbeddedFiles"]["/Names"][1].get_object()
    assert spec["/F"] == "testdrug.yaml" and spec["/AFRelationship"] == "/Source"
    source = spec["/EF"]["/F"].get_object()
    assert source["/Subtype"] == "/application/yaml"  # its MIME type, as a PDF name
    assert source.get_data() == path.read_bytes()


def test_spanish_leaflet_has_spanish_furniture_and_language() -> None:
    pdf = render_source(LIBRARY / "metformina.yaml")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "es-US"
    first = page_texts(pdf)[0]
    assert "Advertencia" in first
    assert f"Página 1 de {len(reader.pages)}" in first
    assert "La información vence en septiembre de 2027" in first
    assert reader.metadata["/Title"] == "Metformina — Información para el paciente"


def test_medication_guide_says_so_at_the_top() -> None:
    pdf = render_source(LIBRARY / "ibuprofen-medication-guide.yaml")
    first = page_texts(pdf)[0]
    assert first.startswith("Medication Guide\nIbuprofen")
    assert "What is the most important information I should know about" in first
    assert PdfReader(io.BytesIO(pdf)).metadata["/Title"] == "Ibuprofen — Medication Guide"
    assert min(min(s) for s in text_sizes(pdf)) >= 8


def test_same_inputs_give_identical_bytes() -> None:
    source = LIBRARY / "lisinopril.yaml"
    assert render_source(source) == render_source(source)


def test_different_epoch_changes_only_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    source = LIBRARY / "lisinopril.yaml"
    first = render_source(source)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert render_source(source) != first


def test_expired_is_refused_by_default_and_marked_when_allowed() -> None:
    source = LIBRARY / "baclofen-intrathecal.yaml"
    with pytest.raises(ExpiredError) as caught:
        prepare(source, RenderOptions(as_of=TODAY))
    assert str(caught.value) == (
        f"{source}: information expired 2025-12-31; get a current monograph, or use "
        "--allow-expired to print it marked 'not for patient use'"
    )
    pdf = render_source(source, allow_expired=True)
    texts = page_texts(pdf)
    assert len(texts) >= 2
    for text in texts:
        assert "EXPIRED — not for patient use" in text


def test_as_of_decides_expiry() -> None:
    source = LIBRARY / "baclofen-intrathecal.yaml"
    import datetime as dt

    leaflet = prepare(source, RenderOptions(as_of=dt.date(2025, 12, 31)))
    assert not leaflet.expired
    with pytest.raises(ExpiredError):
        prepare(source, RenderOptions(as_of=dt.date(2026, 1, 1)))


def test_long_warning_splits_with_border_on_every_part(write_leaflet) -> None:
    long_warning = "\n\n".join(
        f"Warning paragraph {i}. " + "Do not stop suddenly. " * 30 for i in range(8)
    )
    pdf = render_source(write_leaflet(warning=long_warning))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    for page in reader.pages[:2]:
        content = page.get_contents().get_data().decode("latin-1")
        # each part of the box is stroked and filled (B) inside an artifact
        assert re.search(r"/Artifact <</Type /Layout>> BDC.*? re B\b", content, re.S), content[:400]
    texts = page_texts(pdf)
    assert "Warning paragraph 7." in " ".join(texts)
    assert texts[1].startswith("Warning (continued)\n")
    assert "Warning (continued)" not in texts[0]


def test_large_print_sizes() -> None:
    pdf = render_source(LIBRARY / "lisinopril.yaml", large_print=True)
    sizes = [s for page in text_sizes(pdf) for s in page]
    assert min(sizes) >= 14  # footer furniture
    reader = PdfReader(io.BytesIO(pdf))
    body_sizes = set()
    for page in reader.pages:
        content = page.get_contents().get_data().decode("latin-1")
        for match in re.finditer(r"/P <</MCID \d+>> BDC(.*?)EMC", content, re.S):
            body_sizes |= {float(s) for s in re.findall(r"/F\d+\+\d+ ([\d.]+) Tf", match.group(1))}
    assert body_sizes and min(body_sizes) >= 18
    headings = set()
    for page in reader.pages:
        content = page.get_contents().get_data().decode("latin-1")
        for match in re.finditer(r"/H([12]) <</MCID \d+>> BDC(.*?)EMC", content, re.S):
            headings |= {
                (match.group(1), float(s))
                for s in re.findall(r"/F\d+\+\d+ ([\d.]+) Tf", match.group(2))
            }
    assert all(size >= (22 if level == "1" else 20) for level, size in headings)


def test_verification_failure_writes_nothing(monkeypatch, write_source, tmp_path) -> None:
    from rxleaflet import pipeline

    def lossy(leaflet, paper="letter"):
        pdf = render_pdf(leaflet, paper)
        return pdf.replace(b"/ToUnicode", b"/ToUnicodX")  # text no longer extracts

    monkeypatch.setattr(pipeline, "render_pdf", lossy)
    target = tmp_path / "out" / "testdrug.pdf"
    with pytest.raises(VerificationError) as caught:
        pipeline.render_file(write_source(), target, RenderOptions(as_of=TODAY))
    assert "PDF failed verification" in str(caught.value)
    assert any("missing" in reason for reason in caught.value.reasons)
    assert not target.exists()
    assert not list(tmp_path.glob("out/*"))


def test_build_checks_verification_against_source(write_source) -> None:
    leaflet = prepare(write_source(), RenderOptions(as_of=TODAY))
    assert build(leaflet).pdf.startswith(b"%PDF-")


def test_page_number_moves_below_a_long_expiry_line_instead_of_touching_it() -> None:
    from rxleaflet.render import Typography, page_size
    from rxleaflet.render.document import furniture_for
    from rxleaflet.render.fonts import fonts_for

    def furniture(source: str, **options):
        leaflet = prepare(LIBRARY / source, RenderOptions(as_of=TODAY, **options))
        typography = Typography.for_mode(leaflet.large_print)
        width = page_size(options.get("paper", "letter"))[0] - 2 * typography.margin
        return furniture_for(leaflet, typography, fonts_for("en"), width)

    assert furniture("lisinopril.yaml").number_at == "expiry"
    crowded = furniture("metformina.yaml", paper="a4", large_print=True)
    assert crowded.number_at != "expiry"
    pdf = render_source(LIBRARY / "metformina.yaml", paper="a4", large_print=True)
    assert "septiembre de 2027 \nPágina 1 de" in page_texts(pdf)[0]  # on a line of its own


def test_fast_text_codes_equal_reportlabs_split() -> None:
    """draw_line looks codes up in one pass where it can; the pieces must be ReportLab's own,
    for repeated, new, no-break-space, empty and second-subset (Chinese) text alike."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen.canvas import Canvas

    from rxleaflet.render import pdfobjects
    from rxleaflet.render.fonts import fonts_for

    pdfobjects.install_reportlab_fixes()
    fonts = fonts_for("zh-Hans")
    texts = ["Take one tablet", "Take one tablet", "≥ 200\xa0µg", "", "Take"]
    texts += ["每天两次，随餐服用。" * 30, "随餐服用", "ok 随餐"]
    ours, theirs = Canvas(io.BytesIO()), Canvas(io.BytesIO())
    for text in texts:
        for piece, font_name in fonts.segments(text, False) if text else [("", fonts.regular[0])]:
            font = pdfmetrics.getFont(font_name)
            expected = font.splitString(piece, theirs._doc)
            assert list(pdfobjects._split(font, piece, ours._doc)) == expected, piece


@pytest.mark.parametrize(
    ("language", "bold", "text"),
    [
        ("en", False, "Metformin ≥ 200 µg (Ωé)"),  # é, Ω: composite glyphs
        ("en", True, "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêë ǄǅǆǇǈǉ"),  # three components
        ("zh-Hans", False, "每天两次，随餐服用。500 毫克"),
        ("ko", True, "혈당 수치를 확인하세요"),
        ("en", False, ""),
    ],
)
def test_font_subsets_are_reportlabs_bytes(language: str, bold: bool, text: str) -> None:
    """render/subset.py keeps a font's glyphs and tables per process; the subset file it makes
    must be ReportLab's own, byte for byte, composite glyphs renumbered alike."""
    from reportlab.pdfbase import pdfmetrics

    from rxleaflet.render import pdfobjects, subset
    from rxleaflet.render.fonts import fonts_for

    pdfobjects.install_reportlab_fixes()
    fonts = fonts_for(language)
    face = pdfmetrics.getFont(fonts.regular[0]).face
    for piece, font_name in fonts.segments(text, bold) if text else [("", fonts.regular[0])]:
        face = pdfmetrics.getFont(font_name).face
        codes = [ord(char) for char in dict.fromkeys(piece)]
        for _ in range(2):  # the second time from what the first kept
            ours = subset.make_subset(face, codes)
            assert ours == subset.REPORTLAB_MAKE_SUBSET(face, codes), piece
    assert face.makeSubset.__func__ is subset.make_subset  # what render uses


@pytest.mark.parametrize(
    "text", ["1 0 0 1 54 738 cm", "12 0 obj\n", "/F1+0", "\x18\x1f", "a\tb", "µg ≥", "", b"raw"]
)
def test_ascii_first_encoding_equals_reportlabs_pdfdoc_codec(text: str | bytes) -> None:
    import reportlab.pdfbase.rl_codecs  # noqa: F401 - registers ReportLab's "extpdfdoc" codec

    from rxleaflet.render import pdfobjects

    def codec(value: Any) -> Any:  # ReportLab's pdfdocEnc
        return value.encode("extpdfdoc") if isinstance(value, str) else value

    def outcome(encode: Any) -> object:
        try:
            return encode(text)
        except UnicodeEncodeError as error:
            return ("refused", error.start)

    assert outcome(pdfobjects._ascii_first(codec)) == outcome(codec)


def test_integers_and_references_are_formatted_as_reportlab_formats_them() -> None:
    from reportlab.pdfbase import pdfdoc

    from rxleaflet.render import pdfobjects

    def original(element: Any, document: Any, toplevel: int = 0) -> bytes:  # ReportLab's chain
        return element.format(document) if isinstance(element, pdfdoc.PDFObject) else (
            pdfdoc.pdfdocEnc(pdfdoc.fp_str(element))
            if type(element) in (float, int)
            else pdfdoc.pdfdocEnc(str(element))
        )  # fmt: skip

    fast = pdfobjects._integers_and_references_first(original)
    document = pdfdoc.PDFDocument()
    numbered = document.Reference(pdfdoc.PDFArray([1, 2]))
    for value in [0, -7, 10**12, True, 2.5, numbered, pdfdoc.PDFName("Type")]:
        assert fast(value, document) == original(value, document), value
    unnumbered = pdfdoc.PDFObjectReference("nowhere")  # left to ReportLab, which refuses it
    with pytest.raises(KeyError, match="forward reference"):
        fast(unnumbered, document)
