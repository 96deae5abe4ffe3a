"""`check` on the planted-defect corpus and on good PDFs from three engines.

Every defect must be caught by exactly its rules (and on its page), with --source and without
(then the PDF's embedded source is what it is checked against); every good PDF — ours in every
variant, Typst's and WeasyPrint's — must pass with no false alarm.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from rxleaflet.check import CheckOptions, check_pdf
from rxleaflet.contract import source_expectations
from rxleaflet.pipeline import RenderOptions, build, prepare
from rxleaflet.render import render_combined

from . import foreign
from .conftest import LIBRARY
from .corpus import DEFECTS, NEAR_MISSES
from .test_rtl import OTHER_ENGINES_RTL, RTL_LEAFLETS

AS_OF = dt.date(2025, 11, 1)  # before the seed monograph expired
CASES = [(defect, leaflet) for defect in DEFECTS for leaflet in defect.leaflets]


@pytest.fixture(scope="module")
def good() -> dict[str, bytes]:
    return {
        source.stem: build(prepare(source, RenderOptions(as_of=AS_OF)), "letter", AS_OF).pdf
        for source in sorted(LIBRARY.glob("*.yaml"))
    }


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 60
    assert len(DEFECTS) >= 20
    assert len({rule for defect in DEFECTS for rule in defect.rules}) >= 20


@pytest.mark.parametrize("with_source", [False, True], ids=["embedded", "given"])
@pytest.mark.parametrize(("defect", "leaflet"), CASES, ids=[f"{d.name}-{n}" for d, n in CASES])
def test_each_planted_defect_is_caught_by_its_rule(good, defect, leaflet, with_source) -> None:
    pdf = defect.edit(good[leaflet])
    expected = source_expectations(LIBRARY / f"{leaflet}.yaml", AS_OF) if with_source else None
    report = check_pdf(pdf, expected=expected, options=CheckOptions(as_of=AS_OF))
    assert {f.rule for f in report.errors} == defect.rules, [f.describe() for f in report.errors]
    if defect.page is not None:  # findings about the document as a whole name no page
        assert {f.page for f in report.errors if f.page is not None} == {defect.page}


@pytest.mark.parametrize(("name", "edit", "rules"), NEAR_MISSES, ids=[n for n, *_ in NEAR_MISSES])
def test_near_misses_raise_no_alarm(good, name, edit, rules) -> None:
    report = check_pdf(edit(good["lisinopril"]), options=CheckOptions(as_of=AS_OF))
    assert {f.rule for f in report.errors} == rules, [f.describe() for f in report.errors]


VARIANTS = {
    "letter": {},
    "a4": {"paper": "a4"},
    "large-print": {"large_print": True},
    "large-print-a4": {"large_print": True, "paper": "a4"},
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("source", sorted(LIBRARY.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_rxleaflet_variant_passes_without_a_source(source: Path, variant: str) -> None:
    options = VARIANTS[variant]
    leaflet = prepare(source, RenderOptions(as_of=AS_OF, **options))
    pdf = build(leaflet, str(options.get("paper", "letter")), AS_OF).pdf
    report = check_pdf(pdf, options=CheckOptions(as_of=AS_OF))
    assert report.errors == [] and report.source == "embedded", report.findings


def test_a_combined_print_file_passes_leaflet_by_leaflet() -> None:
    leaflets = [prepare(s, RenderOptions(as_of=AS_OF)) for s in sorted(LIBRARY.glob("*.yaml"))]
    report = check_pdf(render_combined(leaflets).pdf, options=CheckOptions(as_of=AS_OF))
    assert report.errors == [] and report.source == "embedded", report.findings


FOREIGN = [
    (engine, source, paper)
    for source in sorted(LIBRARY.glob("*.yaml"))
    for engine, paper in (("typst", "us-letter"), ("typst", "a4"), ("weasyprint", "letter"))
]


# Typst's Bengali page looks right, but its text layer does not read back: pdftotext gives
# "সেপ্টে ম্বম্বম্বর 2027 শেষ হওয়ায়ায়া" for "সেপ্টেম্বর 2027 শেষ হওয়া" (an ActualText repeated on a
# cluster's glyphs, another over part of a conjunct). check is right to refuse it.
TYPST_BENGALI = pytest.mark.xfail(
    strict=True, reason="Typst's Bengali text layer reads back garbled: rightly refused"
)


def _foreign_case(engine: str, source: Path, paper: str) -> object:
    marks = [OTHER_ENGINES_RTL] if source.stem in RTL_LEAFLETS else []
    if (engine, source.stem) == ("typst", "metformin-bn"):
        marks = [TYPST_BENGALI]
    return pytest.param(engine, source, paper, marks=marks, id=f"{engine}-{source.stem}-{paper}")


@pytest.mark.parametrize(("engine", "source", "paper"), [_foreign_case(*case) for case in FOREIGN])
def test_good_pdfs_from_other_engines_pass(engine: str, source: Path, paper: str, tmp_path) -> None:
    reason = foreign.available(engine)
    if reason:
        pytest.skip(reason)
    pdf = (
        foreign.typst_pdf(source, tmp_path, paper)
        if engine == "typst"
        else foreign.weasyprint_pdf(source, paper)
    )
    report = check_pdf(pdf, options=CheckOptions(as_of=AS_OF))
    assert report.errors == [] and report.source == "none", [f.describe() for f in report.errors]


RESAVERS = {
    "ghostscript": ["gs", "-q", "-dBATCH", "-sDEVICE=pdfwrite", "-o", "{out}", "{inp}"],
    "pdftocairo": ["pdftocairo", "-pdf", "{inp}", "{out}"],
}
# what a re-save may lose: tags, metadata, and the record that ties the embedded source to it
LOST_IN_A_RESAVE = {"tagged", "language", "title", "pdfua-identifier", "source-hash"}


@pytest.mark.parametrize("tool", sorted(RESAVERS))
@pytest.mark.parametrize("leaflet", ["metformin-zh-hans", "lisinopril"])
def test_a_resave_is_judged_only_on_what_it_loses(good, tool, leaflet, tmp_path) -> None:
    command = RESAVERS[tool]
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed (Debian: ghostscript, poppler-utils)")
    source, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(good[leaflet])
    subprocess.run([a.format(inp=source, out=out) for a in command], check=True, timeout=120)
    report = check_pdf(out.read_bytes(), options=CheckOptions(as_of=AS_OF))
    rules = {f.rule for f in report.errors}
    assert rules <= LOST_IN_A_RESAVE, [f.describe() for f in report.errors]
