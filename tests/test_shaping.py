"""Shaped scripts (issue #25, SPEC §17): Devanagari drawn as HarfBuzz glyph ids in a Type0
font, read back exactly through ActualText by pdftotext and by `check`, PDF/UA in every mode."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from rxleaflet.check import CheckOptions, check_pdf
from rxleaflet.render.flowables import TextStyle, break_lines
from rxleaflet.render.fonts import fonts_for
from rxleaflet.render.shaping import register_shaped_face
from rxleaflet.source.coverage import fonts_folder
from rxleaflet.source.markup import Run

from .conftest import LIBRARY, TODAY, render_source
from .defects import strip_embedded_source
from .tools import verapdf

# किताब: the i-sign is drawn before its consonant; क्ष, स्त्र, त्न: conjuncts; ZWNJ keeps the
# virama visible (क्‌ष), ZWJ asks for the half form (क्‍ष).
HINDI = (
    "लिसिनोप्रिल उच्च रक्तचाप (हाइपरटेंशन) का इलाज करती है। किताब, क्षमा, स्त्री, पत्नी, "
    "हिन्दी। ZWNJ: क्\u200cष, ZWJ: क्\u200dष."
)
MODES = {
    "normal": {},
    "large-print": {"large_print": True},
    "two-column-a4": {"layout": "two-column", "paper": "a4"},
}


def _source(write_source) -> Path:
    text = (LIBRARY / "lisinopril.yaml").read_text(encoding="utf-8")
    anchor = "prevent strokes, heart attacks and kidney problems.\n"
    assert anchor in text
    text = text.replace(anchor, f"{anchor}\n      {HINDI} **डॉक्टर से बात करें।**\n")
    return write_source(text, name="lisinopril-hi.yaml")


def test_devanagari_is_shaped_in_logical_order_with_conjuncts() -> None:
    face = register_shaped_face("RxSansDeva", fonts_folder() / "NotoSansDevanagari-Regular.ttf")
    run = face.shape("कि")
    assert [g.cluster for g in run.glyphs] == [0, 0]  # one cluster, two glyphs
    sign, consonant = run.glyphs
    assert face._reverse().get(consonant.gid) == ord("क")  # the consonant comes second:
    assert face._reverse().get(sign.gid) in (None, ord("ि"))  # the i-sign is drawn before it
    assert len(face.shape("क्ष").glyphs) == 1  # one conjunct glyph for three characters
    assert len(face.shape("क्\u200cष").glyphs) > 1  # ZWNJ: no conjunct


@pytest.mark.parametrize("mode", sorted(MODES))
def test_devanagari_reads_back_exactly_and_passes_check(mode: str, write_source, tmp_path) -> None:
    pdf = render_source(_source(write_source), **MODES[mode])  # render's own read-back passed
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]: font.get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    deva = fonts["NotoSansDevanagari-Regular"]
    assert deva["/Subtype"] == "/Type0" and deva["/Encoding"] == "/Identity-H"
    assert "NotoSansDevanagari-Bold" in fonts
    report = check_pdf(strip_embedded_source(pdf), options=CheckOptions(as_of=TODAY))
    assert report.errors == [], [f.describe() for f in report.errors]
    if shutil.which("pdftotext"):
        path = tmp_path / "hi.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert " ".join(HINDI.split()) in " ".join(text.split())


def test_verapdf_finds_no_failed_rule_in_devanagari(write_source, tmp_path) -> None:
    reason = verapdf.unavailable_reason()
    if reason:
        pytest.skip(reason)
    source = _source(write_source)
    paths = []
    for mode, options in MODES.items():
        path = tmp_path / f"{mode}.pdf"
        path.write_bytes(render_source(source, **options))
        paths.append(path)
    results, output = verapdf.validate(paths)
    assert len(results) == len(paths), output
    assert not [r for r in results if not r.compliant or r.failed_rules], output


@pytest.mark.parametrize("width", [30.0, 60.0, 120.0])
def test_devanagari_lines_break_only_between_clusters(width: float) -> None:
    style = TextStyle(size=11, leading=14, color="#000000")
    word = "क्षमास्त्रीहिन्दीकिताबपत्नी"
    lines = break_lines([Run(f"{word} {word}")], style, fonts_for("en"), width)
    assert len(lines) >= 2
    assert "".join(t for line in lines for t, _ in line.pieces).replace(" ", "") == word * 2
    for line in lines[1:]:
        first = line.pieces[0][0].lstrip()
        assert unicodedata.category(first[0]) not in ("Mn", "Mc"), first  # no vowel sign first
    for line in lines:
        assert not line.pieces[-1][0].rstrip().endswith("्"), line  # nor a dangling virama


def test_a_latin_leaflet_never_loads_a_shaped_face() -> None:
    # (uharfbuzz itself is imported by ReportLab's ttfonts whenever it is installed)
    code = (
        "import sys; from rxleaflet.render import shaping; "
        "from rxleaflet.render.fonts import fonts_for; "
        "from rxleaflet.render.flowables import TextStyle, break_lines; "
        "from rxleaflet.source.markup import Run; "
        "break_lines([Run('Take one tablet daily.')], TextStyle(size=11, leading=14, "
        "color='#000000'), fonts_for('en'), 200); "
        "print(bool(shaping._FACES), 'fontTools' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
