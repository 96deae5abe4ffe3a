"""Shaped scripts (issue #25, SPEC §17): Devanagari, Bengali and Gurmukhi drawn as HarfBuzz
glyph ids in Type0 fonts, read back exactly through ActualText by pdftotext and by `check`,
PDF/UA in every mode."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from rxleaflet.check import CheckOptions, check_pdf
from rxleaflet.check.bundled import bundled_face
from rxleaflet.check.shapedtext import shows_shaping
from rxleaflet.render.flowables import TextStyle, break_lines
from rxleaflet.render.fonts import fonts_for
from rxleaflet.render.shaping import register_shaped_face
from rxleaflet.source.coverage import fonts_folder
from rxleaflet.source.markup import Run

from . import foreign
from .conftest import LIBRARY, TODAY, render_source
from .defects import strip_embedded_source
from .tools import verapdf

# किताब: the i-sign is drawn before its consonant; क्ष, स्त्र, त्न: conjuncts; ZWNJ keeps the
# virama visible (क्‌ष), ZWJ asks for the half form (क्‍ष).
HINDI = (
    "लिसिनोप्रिल उच्च रक्तचाप (हाइपरटेंशन) का इलाज करती है। किताब, क्षमा, स्त्री, पत्नी, "
    "हिन्दी। ZWNJ: क्\u200cष, ZWJ: क्\u200dष."
)
# Bengali: vowel signs on both sides (কো), reph (র্ক), ya-phala after ZWJ (র‍্যাব); Gurmukhi:
# subjoined letters (ਪ੍ਰ, ਸ੍ਵ), addak (ਬਲੱਡ).
BENGALI = "লিসিনোপ্রিল উচ্চ রক্তচাপের চিকিৎসা করে। ক্ষমা, স্ত্রী, কে, কো, র্ক, র\u200d্যাব।"
PUNJABI = "ਲਿਸੀਨੋਪ੍ਰਿਲ ਹਾਈ ਬਲੱਡ ਪ੍ਰੈਸ਼ਰ ਦਾ ਇਲਾਜ ਕਰਦੀ ਹੈ। ਕਿ ਕੀ ਸ੍ਵ ਪ੍ਰ।"
PARAGRAPHS = (HINDI, BENGALI, PUNJABI)
FACES = ("NotoSansDevanagari", "NotoSansBengali", "NotoSansGurmukhi")
MODES = {
    "normal": {},
    "large-print": {"large_print": True},
    "two-column-a4": {"layout": "two-column", "paper": "a4"},
}


def _source(write_source) -> Path:
    text = (LIBRARY / "lisinopril.yaml").read_text(encoding="utf-8")
    anchor = "prevent strokes, heart attacks and kidney problems.\n"
    assert anchor in text
    added = "".join(f"\n      {paragraph} **बात करें। কথা বলুন। ਗੱਲ ਕਰੋ।**\n" for paragraph in PARAGRAPHS)
    text = text.replace(anchor, anchor + added)
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
    for face in FACES:
        font = fonts[f"{face}-Regular"]
        assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H"
        assert f"{face}-Bold" in fonts
    report = check_pdf(strip_embedded_source(pdf), options=CheckOptions(as_of=TODAY))
    assert report.errors == [], [f.describe() for f in report.errors]
    if shutil.which("pdftotext"):
        path = tmp_path / "hi.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        for paragraph in PARAGRAPHS:
            assert " ".join(paragraph.split()) in " ".join(text.split())


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
    verapdf.assert_compliant(paths)


@pytest.mark.parametrize("width", [30.0, 60.0, 120.0])
@pytest.mark.parametrize(
    "word", ["क्षमास्त्रीहिन्दीकिताबपत्नी", "ক্ষমাস্ত্রীকোর্কচিকিৎসা", "ਪ੍ਰੈਸ਼ਰਬਲੱਡਸ੍ਵਲਿਸੀਨੋਪ੍ਰਿਲ"]
)
def test_shaped_lines_break_only_between_syllables(word: str, width: float) -> None:
    style = TextStyle(size=11, leading=14, color="#000000")
    lines = break_lines([Run(f"{word} {word}")], style, fonts_for("en"), width)
    assert len(lines) >= 2
    assert "".join(t for line in lines for t, _ in line.pieces).replace(" ", "") == word * 2
    for line in lines[1:]:
        first = line.pieces[0][0].lstrip()
        assert unicodedata.category(first[0]) not in ("Mn", "Mc"), first  # no vowel sign first
    for line in lines:
        last = line.pieces[-1][0].rstrip()[-1]
        assert unicodedata.combining(last) != 9, line  # nor a dangling virama


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


# -- check: a shaped run's glyphs are the shaping of its ActualText ----------------------------


@pytest.fixture(scope="module")
def hindi_pdf(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("hindi")
    text = (LIBRARY / "lisinopril.yaml").read_text(encoding="utf-8")
    anchor = "prevent strokes, heart attacks and kidney problems.\n"
    source = folder / "lisinopril-hi.yaml"
    source.write_text(text.replace(anchor, f"{anchor}\n      {HINDI}\n"), encoding="utf-8")
    return strip_embedded_source(render_source(source))


def _first_page_content(pdf: bytes, change) -> bytes:
    """``pdf`` with page 1's content stream bytes passed through ``change``."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        page.contents_coalesce()
        data = page.obj.Contents.read_bytes()
        changed = change(data)
        assert changed != data
        page.obj.Contents.write(changed)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def _actual_text(text: str) -> bytes:
    return b"/ActualText <FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _findings(pdf: bytes) -> list[str]:
    return [f.describe() for f in check_pdf(pdf, options=CheckOptions(as_of=TODAY)).errors]


def test_an_actual_text_that_does_not_shape_into_its_glyphs_is_caught(hindi_pdf) -> None:
    assert _findings(hindi_pdf) == []
    said = "लिसिनोप्रिल उच्च रक्तचाप "  # the glyphs draw this; the span will say another word
    doctored = _first_page_content(
        hindi_pdf, lambda data: data.replace(_actual_text(said), _actual_text(said[:-6] + "नीचा "))
    )
    findings = _findings(doctored)
    assert any("[glyph-mismatch]" in f and "an /ActualText says" in f for f in findings), findings


def test_a_glyph_swapped_inside_a_shaped_run_is_caught(hindi_pdf) -> None:
    face = register_shaped_face("RxSansDeva", fonts_folder() / "NotoSansDevanagari-Regular.ttf")
    first, second = (face.shape(c).glyphs[0].gid for c in "लस")  # both drawn in the run

    def change(data: bytes) -> bytes:
        start = data.index(_actual_text("लिसिनोप्रिल उच्च रक्तचाप "))
        end = data.index(b"EMC", start)
        run = data[start:end]
        return data[:start] + run.replace(b"<%04X>" % first, b"<%04X>" % second, 1) + data[end:]

    findings = _findings(_first_page_content(hindi_pdf, change))
    assert any("an /ActualText says" in f for f in findings), findings


def test_shaped_text_outside_its_span_is_foreign(hindi_pdf) -> None:
    def change(data: bytes) -> bytes:  # the first shaped run loses its span
        start = data.index(b"/Span <</ActualText")
        opened = data.index(b"BDC", start) + 3
        closed = data.index(b"EMC", opened)
        return data[:start] + data[opened:closed] + data[closed + 3 :]

    findings = _findings(_first_page_content(hindi_pdf, change))
    assert any("[foreign-construct]" in f and "outside a shaped run" in f for f in findings), (
        findings
    )


def test_a_shaped_glyph_drawn_differently_is_caught(hindi_pdf) -> None:
    face = register_shaped_face("RxSansDeva", fonts_folder() / "NotoSansDevanagari-Regular.ttf")
    drawn, instead = (face.shape(c).glyphs[0].gid for c in "लस")
    with pikepdf.open(io.BytesIO(hindi_pdf)) as document:
        fonts = document.pages[0].obj.Resources.Font
        font = next(f for f in fonts.values() if "Devanagari-Regular" in str(f.BaseFont))
        holder = font.DescendantFonts[0].FontDescriptor
        program = TTFont(io.BytesIO(holder.FontFile2.read_bytes()))
        order = program.getGlyphOrder()
        program["glyf"][order[drawn]] = program["glyf"][order[instead]]  # "ल" draws "स"
        out = io.BytesIO()
        program.save(out)
        holder.FontFile2.write(out.getvalue())
        saved = io.BytesIO()
        document.save(saved)
    findings = _findings(saved.getvalue())
    assert any("not the font's own" in f for f in findings), findings


def _per_character_spans(face, text: str) -> list[tuple[str, list[int]]]:
    """``text`` as a right-to-left run is drawn: a span per character, each cluster's glyphs
    in the span of its first character."""
    glyphs: dict[int, list[int]] = {}
    for cluster, gid in face.shaped_clusters(text):
        glyphs.setdefault(cluster, []).append(gid)
    return [(char, glyphs.get(index, [])) for index, char in enumerate(text)]


def test_spans_per_character_are_judged_as_one_shaped_run() -> None:
    face = bundled_face("NotoSansDevanagari-Regular")
    spans = _per_character_spans(face, "किताब क्षमा")
    assert shows_shaping(face, spans)
    first, second = next(i for i, s in enumerate(spans) if s[1]), 2  # कि's and ता's spans
    swapped = [list(s) for s in spans]
    swapped[first][1], swapped[second][1] = spans[second][1], spans[first][1]
    assert not shows_shaping(face, [tuple(s) for s in swapped])  # a letter's glyph moved
    dropped = [
        (text, glyphs[1:] if i == second else glyphs) for i, (text, glyphs) in enumerate(spans)
    ]
    assert not shows_shaping(face, dropped)  # a glyph missing
    doubled = [
        (text, glyphs * 2 if i == second else glyphs) for i, (text, glyphs) in enumerate(spans)
    ]
    assert not shows_shaping(face, doubled)  # a glyph drawn twice
    said = [("ख" if i == second else text, glyphs) for i, (text, glyphs) in enumerate(spans)]
    assert not shows_shaping(face, said)  # the ActualText says another letter


def test_another_engines_shaped_runs_are_judged_by_outline(tmp_path) -> None:
    """Typst renumbers the glyphs of its subsets and puts an ActualText on each cluster: its
    glyphs are found in the bundled face by outline, and each span must shape into them."""
    reason = foreign.available("typst")
    if reason:
        pytest.skip(reason)
    text = (LIBRARY / "lisinopril.yaml").read_text(encoding="utf-8")
    anchor = "prevent strokes, heart attacks and kidney problems.\n"
    source = tmp_path / "lisinopril-hi.yaml"
    source.write_text(text.replace(anchor, f"{anchor}\n      {HINDI}\n"), encoding="utf-8")
    pdf = foreign.typst_pdf(source, tmp_path)
    glyph_findings = [f for f in _findings(pdf) if "[glyph-mismatch]" in f]
    assert glyph_findings == []

    with pikepdf.open(io.BytesIO(pdf)) as document:  # two clusters' glyphs trade places
        page = document.pages[0]
        instructions = [list(item) for item in pikepdf.parse_content_stream(page)]
        shown, inside = [], False
        for operands, operator in instructions:
            if str(operator) == "BDC" and "/ActualText" in operands[1]:
                inside = True
            elif str(operator) == "EMC":
                inside = False
            elif inside and str(operator) in ("Tj", "TJ") and len(shown) < 2:
                shown.append(operands)
        first, second = shown
        first[0], second[0] = second[0], first[0]
        instructions = [pikepdf.ContentStreamInstruction(*item) for item in instructions]
        page.obj.Contents = document.make_stream(pikepdf.unparse_content_stream(instructions))
        doctored = io.BytesIO()
        document.save(doctored)
    assert any("an /ActualText says" in f for f in _findings(doctored.getvalue()))


@pytest.mark.parametrize(
    ("leaflet", "faces"),
    [("metformin", []), ("metformin-hi", ["RxSansDeva", "RxSansDeva-Bold"]),
     ("metformin-bn", ["RxSansBeng", "RxSansBeng-Bold"])],
)  # fmt: skip
def test_a_whole_leaflet_loads_only_the_shaped_faces_its_text_needs(
    leaflet: str, faces: list[str]
) -> None:
    """Rendering the English leaflet reads no Indic face; the Hindi one reads Devanagari only
    (its regular and bold), the Bengali one Bengali only (SPEC §17, issue #25 item 8)."""
    code = (
        "from pathlib import Path; from rxleaflet.pipeline import RenderOptions, build, prepare; "
        "from rxleaflet.render import shaping; "
        f"leaflet = prepare(Path({str(LIBRARY / f'{leaflet}.yaml')!r}), "
        f"RenderOptions(as_of=__import__('datetime').date.fromisoformat({TODAY.isoformat()!r}))); "
        "build(leaflet, 'letter'); print(sorted(shaping._FACES))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(sorted(faces))
