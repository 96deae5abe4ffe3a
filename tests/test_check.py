"""`rxleaflet check`: a corpus of defective PDFs, each caught by the right rule; hostile input."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from rxleaflet.check import check_pdf
from rxleaflet.check.rules import CheckOptions
from rxleaflet.cli import main
from rxleaflet.contract import expectations_for
from rxleaflet.pipeline import RenderOptions, prepare
from rxleaflet.render import Typography, render_pdf
from rxleaflet.source.library import source_files

from .conftest import LIBRARY, SHAPED_SCRIPTS, TODAY, logical_page_texts
from .defects import without_footer
from .handmade import handmade_pdf

LISINOPRIL = LIBRARY / "lisinopril.yaml"


@pytest.fixture(scope="module")
def good():
    leaflet = prepare(LISINOPRIL, RenderOptions(as_of=TODAY))
    return leaflet, render_pdf(leaflet), expectations_for(leaflet)


def rules_failed(pdf: bytes, expected=None, **options) -> set[str]:
    options.setdefault("as_of", TODAY)
    report = check_pdf(pdf, expected=expected, options=CheckOptions(**options))
    return {finding.rule for finding in report.errors}


def rewrite(pdf: bytes, change) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("source", source_files(LIBRARY), ids=lambda p: p.stem)
def test_every_bundled_leaflet_passes_with_and_without_source(source: Path) -> None:
    leaflet = prepare(source, RenderOptions(allow_expired=True, as_of=TODAY))
    pdf = render_pdf(leaflet)
    as_of = min(TODAY, leaflet.monograph.attribution.expires)
    assert rules_failed(pdf, as_of=as_of) == set()
    assert rules_failed(pdf, expectations_for(leaflet), as_of=as_of) == set()


def test_good_pdf_passes(good) -> None:
    _, pdf, expected = good
    assert rules_failed(pdf) == set()
    assert rules_failed(pdf, expected) == set()


def test_disclaimer_sentence_removed(good) -> None:
    leaflet, _, expected = good
    source = leaflet.monograph.attribution
    shortened = source.disclaimer[0].plain.rsplit(". ", 2)[0] + "."
    from rxleaflet.source.markup import parse

    broken = dataclasses.replace(
        leaflet,
        monograph=dataclasses.replace(
            leaflet.monograph,
            attribution=dataclasses.replace(source, disclaimer=parse(shortened, markup=False)),
        ),
    )
    pdf = render_pdf(broken)
    assert "disclaimer" in rules_failed(pdf, expected)


def test_footer_missing_on_one_page(good) -> None:
    _, good_pdf, expected = good
    pdf = without_footer(good_pdf, 1)
    for expected_or_none in (expected, None):
        report = check_pdf(pdf, expected=expected_or_none, options=CheckOptions(as_of=TODAY))
        pages = {(f.rule, f.page) for f in report.errors}
        assert {("page-numbers", 2), ("expiry", 2)} <= pages
        # the running footer is read as the footer, so the end matter's copyright line on
        # page 2 does not stand in for it, with or without the source
        assert ("footer-copyright", 2) in pages
        assert not any(page == 1 for _, page in pages)


def test_required_heading_missing(good) -> None:
    leaflet, _, expected = good
    sections = tuple(s for s in leaflet.monograph.sections if s.kind != "how-to-use")
    pdf = render_pdf(
        dataclasses.replace(
            leaflet, monograph=dataclasses.replace(leaflet.monograph, sections=sections)
        )
    )
    assert "required-headings" in rules_failed(pdf)
    assert "required-headings" in rules_failed(pdf, expected)
    report = check_pdf(pdf, options=CheckOptions(as_of=TODAY))
    assert any(
        f.message == "profile 'monograph': required heading 'How to Use This Medication' is missing"
        for f in report.errors
    )


def test_expired(good) -> None:
    _, pdf, expected = good
    assert rules_failed(pdf, as_of=dt.date(2027, 11, 1)) == {"expiry"}
    assert rules_failed(pdf, expected, as_of=dt.date(2027, 11, 1)) == {"expiry"}


def test_untagged(good) -> None:
    _, pdf, _ = good

    def untag(writer: PdfWriter) -> None:
        del writer.root_object[NameObject("/StructTreeRoot")]
        del writer.root_object[NameObject("/MarkInfo")]

    assert "tagged" in rules_failed(rewrite(pdf, untag))


def test_font_not_embedded(good) -> None:
    _, pdf, _ = good

    def unembed(writer: PdfWriter) -> None:
        for page in writer.pages:
            for font in page["/Resources"]["/Font"].values():
                descriptor = font.get_object()["/FontDescriptor"].get_object()
                descriptor.pop(NameObject("/FontFile2"), None)

    assert "fonts-embedded" in rules_failed(rewrite(pdf, unembed))


def test_source_hash_mismatch(good, tmp_path: Path) -> None:
    _, pdf, _ = good
    changed = tmp_path / "lisinopril.yaml"
    changed.write_text(LISINOPRIL.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    other = expectations_for(prepare(changed, RenderOptions(as_of=TODAY)))
    assert rules_failed(pdf, other) == {"source-hash"}


def test_an_attachment_that_cannot_be_read_is_an_error(good) -> None:
    """A source whose file specification no reader can follow (NULs in its reference, as a
    doctored copy might hide it) is refused, not taken for a leaflet without a source."""
    _, pdf, _ = good
    spec = re.search(rb"/EF <<\s*/F (\d+) 0 R", pdf)
    assert spec is not None
    start, end = spec.span(1)
    broken = pdf[:start] + spec[1] + b"\x000\x00R" + pdf[end + 4 :]  # "N 0 R", same length
    assert len(broken) == len(pdf)
    report = check_pdf(broken, options=CheckOptions(as_of=TODAY))
    assert (
        "the PDF carries an attachment that cannot be read (a doctored copy can hide its "
        "source that way); make the PDF again from its source"
    ) in [f.message for f in report.errors if f.rule == "embedded-source"]


def test_page_of_seven_point_text(good) -> None:
    leaflet, _, _ = good
    tiny = dataclasses.replace(Typography.for_mode(False), body=7, small=7, footer=7)
    pdf = render_pdf(leaflet, typography=tiny)
    report = check_pdf(pdf, options=CheckOptions(as_of=TODAY))
    assert {f.rule for f in report.errors} == {"body-size"}
    assert any(f.page == 1 and "7 pt" in f.message for f in report.errors)


def test_readability_is_a_warning_with_the_grade(good) -> None:
    _, pdf, expected = good
    report = check_pdf(pdf, expected=expected, options=CheckOptions(as_of=TODAY, max_grade=5))
    assert report.passed
    assert [f.rule for f in report.findings] == ["readability"]
    assert report.metrics["fk_grade"] == pytest.approx(8.0, abs=1.0)


def test_the_read_back_before_a_write_runs_no_rule_that_only_warns(good) -> None:
    """build() acts on errors alone: the reading grade is neither computed nor reported."""
    _, pdf, expected = good
    options = CheckOptions(as_of=TODAY, max_grade=5, warnings=False)
    report = check_pdf(pdf, expected=expected, options=options)
    assert report.passed and report.findings == []
    assert "fk_grade" not in report.metrics
    planted = pdf.replace(b"/Lang (en-US)", b"/Lang (fr-FR)", 1)  # an error is still found
    assert planted != pdf
    found = check_pdf(planted, expected=expected, options=options)
    assert "language" in {f.rule for f in found.errors}


# -- hostile input ----------------------------------------------------------------------------


def hostile_corpus(good_pdf: bytes) -> dict[str, bytes]:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt(user_password="secret", owner_password="owner")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    restricted = PdfWriter(clone_from=PdfReader(io.BytesIO(good_pdf)))
    restricted.encrypt(user_password="", owner_password="owner", permissions_flag=0)
    restricted_bytes = io.BytesIO()
    restricted.write(restricted_bytes)
    many = PdfWriter()
    for _ in range(500):
        many.add_blank_page(612, 792)
    many_pages = io.BytesIO()
    many.write(many_pages)
    compressor = zlib.compressobj(9)
    chunk = b"0 0 m " * 1_000_000
    bomb = b"".join(compressor.compress(chunk) for _ in range(40)) + compressor.flush()
    return {
        "not-a-pdf.pdf": b"This is a text file, not a PDF.\n" * 10,
        "truncated.pdf": good_pdf[: len(good_pdf) // 3],
        "encrypted.pdf": encrypted.getvalue(),
        "restricted.pdf": restricted_bytes.getvalue(),
        "zero-pages.pdf": handmade_pdf(
            [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
        ),
        "500-pages.pdf": many_pages.getvalue(),
        "bomb.pdf": handmade_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb)
                + bomb
                + b"\nendstream",
            ]
        ),
        "cyclic.pdf": handmade_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
            ]
        ),
    }


def test_hostile_files_give_findings_quickly_and_others_are_still_checked(
    good, tmp_path: Path
) -> None:
    _, good_pdf, _ = good
    paths = []
    for name, data in hostile_corpus(good_pdf).items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    (tmp_path / "good.pdf").write_bytes(good_pdf)
    paths.append(str(tmp_path / "good.pdf"))
    paths.append(str(tmp_path / "does-not-exist.pdf"))
    result = CliRunner().invoke(
        main,
        ["check", "--format", "json", "--as-of", TODAY.isoformat(), *paths],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert files["good.pdf"]["status"] == "pass"
    expected_rules = {
        "not-a-pdf.pdf": "pdf-readable",
        "truncated.pdf": "pdf-readable",
        "encrypted.pdf": "pdf-encrypted",
        "zero-pages.pdf": "pdf-readable",
        "500-pages.pdf": "page-count",
        "bomb.pdf": "pdf-readable",
        "cyclic.pdf": "pdf-readable",
        "does-not-exist.pdf": "pdf-readable",
    }
    for name, rule in expected_rules.items():
        assert files[name]["status"] == "fail", name
        assert rule in {f["rule"] for f in files[name]["findings"]}, (name, files[name])


def test_text_report_format(good, tmp_path: Path) -> None:
    _, pdf, _ = good
    path = tmp_path / "lisinopril.pdf"
    path.write_bytes(pdf)
    result = CliRunner().invoke(
        main, ["check", str(path), "--source", str(LISINOPRIL), "--as-of", "2030-01-01"]
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"FAIL {path} (1 error(s), 0 warning(s))"
    assert lines[1] == "  error   [expiry] information expired 2027-10-31"
    assert lines[2].startswith(
        "  info    pages 2; profile monograph; checked against the given source; body text 11 pt"
    )


@pytest.mark.parametrize("source", source_files(LIBRARY), ids=lambda p: p.stem)
def test_fast_scanner_reads_the_same_text_as_pypdf(source: Path) -> None:
    from rxleaflet.check.pdfread import read_pdf
    from rxleaflet.check.rules import squeeze

    leaflet = prepare(source, RenderOptions(allow_expired=True, as_of=TODAY))
    pdf = render_pdf(leaflet)
    reader = PdfReader(io.BytesIO(pdf))
    shaped = leaflet.locale.script in SHAPED_SCRIPTS  # read through ActualText by pdftotext
    texts = logical_page_texts(pdf) if shaped else [page.extract_text() for page in reader.pages]
    for text, fact in zip(texts, read_pdf(pdf).pages, strict=True):
        if not leaflet.locale.rtl:  # pdftotext places spaces by numbers in Arabic by its rules
            assert squeeze(fact.text) == squeeze(text)
        assert min(fact.sizes) >= 8 and max(fact.sizes) <= 110  # the EXPIRED mark is large
        assert fact.hidden == []  # everything on our pages can be seen
        number = leaflet.locale.word("page", n=fact.number, m=len(reader.pages))
        assert fact.footer_from_tags and squeeze(number) in squeeze(fact.footer)
