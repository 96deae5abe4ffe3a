"""The rule table, tested as a table: every rule id has a case that fires it and one that does not.

Cases start from the facts read from a good leaflet and change one thing, as a faulty producer
would. A rule id without cases here fails the suite.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from rxleaflet.check.checker import resolve_subject
from rxleaflet.check.pdfread import FontFact, PdfFacts, read_pdf
from rxleaflet.check.rules import RULE_IDS, RULES, CheckOptions
from rxleaflet.contract import Expectations, expectations_for
from rxleaflet.pipeline import RenderOptions, prepare
from rxleaflet.render import render_pdf

from .conftest import LIBRARY, TODAY

Change = Callable[[PdfFacts], None]


@dataclass(frozen=True)
class Case:
    change: Change  # applied to a copy of the good facts
    with_source: bool = True  # check against the source's expectations, or without them
    options: dict[str, object] = field(default_factory=dict)


@pytest.fixture(scope="module")
def good() -> tuple[PdfFacts, Expectations]:
    leaflet = prepare(LIBRARY / "lisinopril.yaml", RenderOptions(as_of=TODAY))
    return read_pdf(render_pdf(leaflet)), expectations_for(leaflet)


def findings(facts: PdfFacts, expected: Expectations | None, **options: object) -> set[str]:
    options.setdefault("as_of", TODAY)
    subject = resolve_subject(facts, expected, CheckOptions(**options))  # type: ignore[arg-type]
    return {finding.rule for rule in RULES for finding in rule(subject)}


def drop_text(facts: PdfFacts, text: str, *, last: bool = False, page: int | None = None) -> None:
    """Remove ``text`` (matched across line breaks) from the first page that has it (or from
    ``page``); ``last``: its last occurrence, from the last page that has it."""
    pattern = r"\s*".join(map(re.escape, text.split()))
    pages = reversed(facts.pages) if last else facts.pages
    if page is not None:
        pages = [facts.pages[page]]
    for page in pages:
        matches = list(re.finditer(pattern, page.text))
        if matches:
            hit = matches[-1] if last else matches[0]
            page.text = page.text[: hit.start()] + page.text[hit.end() :]
            if page.content_text is not None:  # the same text, outside artifacts
                found = list(re.finditer(pattern, page.content_text))
                if found and not (last and pattern and len(found) < len(matches)):
                    hit = found[-1] if last else found[0]
                    page.content_text = (
                        page.content_text[: hit.start()] + page.content_text[hit.end() :]
                    )
            return
    raise AssertionError(f"text not found: {text!r}")


def replace_text(facts: PdfFacts, old: str, new: str) -> None:
    for page in facts.pages:
        if old in page.text:
            page.text = page.text.replace(old, new, 1)
            page.footer = page.footer.replace(old, new, 1)
            if page.content_text is not None:
                page.content_text = page.content_text.replace(old, new, 1)
            return
    raise AssertionError(f"text not found: {old!r}")


def drop_from_footer(facts: PdfFacts, text: str) -> None:
    """Remove ``text`` from every page's running footer (and the page text's copy of it)."""
    for page in facts.pages:
        assert text in page.footer, page.footer
        page.footer = page.footer.replace(text, "")
        head, sep, tail = page.text.rpartition(text)
        page.text = head + tail if sep else page.text


def hide_text(facts: PdfFacts) -> None:
    from rxleaflet.check.visibility import Hidden

    facts.pages[1].hidden = [Hidden("Keep taking lisinopril", "invisible text render mode 3")]


def setter(**values: object) -> Change:
    def change(facts: PdfFacts) -> None:
        for name, value in values.items():
            setattr(facts, name, value)

    return change


def info(**values: str | None) -> Change:
    def change(facts: PdfFacts) -> None:
        for key, value in values.items():
            if value is None:
                facts.info.pop(key, None)
            else:
                facts.info[key] = value

    return change


def first_page(**values: object) -> Change:
    def change(facts: PdfFacts) -> None:
        for name, value in values.items():
            setattr(facts.pages[0], name, value)

    return change


def seven_points(facts: PdfFacts) -> None:
    for page in facts.pages:
        total = sum(page.sizes.values())
        page.sizes.clear()
        page.sizes[7.0] = total
        page.runs = [dataclasses.replace(run, size=7.0) for run in page.runs]


def as_medication_guide(facts: PdfFacts) -> None:
    facts.info["RxLeafletProfile"] = "medication-guide"
    statement = "You may report side effects to FDA at 1-800-FDA-1088."
    for page in facts.pages[:1]:
        page.text = "Medication Guide\n" + page.text + "\n" + statement
        if page.content_text is not None:
            page.content_text = "Medication Guide\n" + page.content_text + "\n" + statement


def embed(data: bytes | None, name: str = "lisinopril.yaml") -> Change:
    from rxleaflet.check.pdfread import EmbeddedFile

    def change(facts: PdfFacts) -> None:
        facts.embedded_files = [EmbeddedFile(name, "rxleaflet source", "/Source", data)]

    return change


FIRES: dict[str, Case] = {
    "pdf-readable": Case(first_page(problem="the page's content cannot be read: broken")),
    "pdf-encrypted": Case(setter(encryption="the PDF is encrypted")),
    "page-count": Case(setter(stopped="the PDF has 51 pages; a leaflet has at most 50")),
    "tagged": Case(setter(marked=False)),
    "language": Case(setter(language=None), with_source=False),
    "title": Case(setter(display_doc_title=False), with_source=False),
    "fonts-embedded": Case(
        lambda facts: facts.fonts.append(FontFact("Helvetica", 1, False, True)), False
    ),
    "fonts-tounicode": Case(
        lambda facts: facts.fonts.append(FontFact("Custom", 1, True, False)), False
    ),
    "pdfua-identifier": Case(setter(xmp="<x:xmpmeta/>"), with_source=False),
    "required-headings": Case(lambda f: drop_text(f, "How to Use This Medication"), False),
    "warning": Case(lambda f: drop_text(f, "Do not take lisinopril if you are pregnant.")),
    "footer-copyright": Case(lambda f: drop_from_footer(f, "Copyright © 2026")),
    "page-numbers": Case(lambda f: replace_text(f, "Page 1 of 2", "Page 1 of 3"), False),
    "active-content": Case(setter(active_content=["a JavaScript action (run when opened)"])),
    "embedded-source": Case(embed(None), with_source=False),
    "invisible-text": Case(hide_text),
    "medication-guide-title": Case(
        lambda f: (as_medication_guide(f), replace_text(f, "Medication Guide\n", "")), False
    ),
    "fda-side-effects-statement": Case(
        lambda f: (as_medication_guide(f), replace_text(f, "FDA at", "us at")), False
    ),
    "disclaimer": Case(lambda f: drop_text(f, "does not contain all possible information")),
    "expiry": Case(lambda f: None, False, {"as_of": dt.date(2031, 1, 1)}),
    "source-content": Case(lambda f: drop_text(f, "Keep taking lisinopril even if you feel well.")),
    "source-hash": Case(info(RxLeafletSourceSHA256="0" * 64)),
    "metadata": Case(info(RxLeafletId="someone-else")),
    "body-size": Case(seven_points, with_source=False),
    "readability": Case(lambda f: None, True, {"max_grade": 1.0}),
}
# Near misses: a change that looks related but is allowed, so the rule must stay quiet.
QUIET: dict[str, Case] = {
    "pdf-readable": Case(first_page(problem=None)),
    "pdf-encrypted": Case(setter(encryption=None)),
    "page-count": Case(setter(stopped=None)),
    "tagged": Case(setter(marked=True)),
    "language": Case(setter(language="en-US")),
    "title": Case(info(Title="Lisinopril — Patient Information"), with_source=False),
    "fonts-embedded": Case(lambda f: f.fonts.append(FontFact("Type3", 1, True, True))),
    "fonts-tounicode": Case(lambda f: None),
    "pdfua-identifier": Case(setter(xmp='<rdf:Description pdfuaid:part="1"/>'), False),
    "required-headings": Case(lambda f: replace_text(f, "How to Use", "HOW TO USE"), False),
    "warning": Case(lambda f: drop_text(f, "Tablets and oral solution")),
    # the end matter's copyright line (page 2), not the footer's
    "footer-copyright": Case(lambda f: drop_text(f, "Copyright © 2026", page=1)),
    "page-numbers": Case(lambda f: None, with_source=False),
    "disclaimer": Case(lambda f: None, with_source=False),
    "expiry": Case(lambda f: None, False, {"as_of": dt.date(2027, 10, 31)}),
    "source-content": Case(lambda f: replace_text(f, "Lisinopril is", "Lisinopril  is")),
    "source-hash": Case(info(RxLeafletSourceSHA256="0" * 64), with_source=False),
    "metadata": Case(info(Producer="another producer")),
    "active-content": Case(setter(active_content=[])),
    "embedded-source": Case(lambda f: None, with_source=False),
    "invisible-text": Case(first_page(hidden=None)),  # not analysed is not hidden
    "medication-guide-title": Case(as_medication_guide, with_source=False),
    "fda-side-effects-statement": Case(as_medication_guide, with_source=False),
    "body-size": Case(lambda f: None, with_source=False),
    "readability": Case(lambda f: None, True, {"max_grade": 12.0}),
}


def test_every_rule_id_has_a_firing_and_a_quiet_case() -> None:
    assert set(FIRES) == set(RULE_IDS), "add cases for new rules, remove cases for old ones"
    assert set(QUIET) == set(RULE_IDS)


def _without_source(facts: PdfFacts) -> None:
    """No embedded source and no SHA-256 recorded for one: as another engine makes a PDF (a
    recorded SHA-256 without its source is an error of its own)."""
    facts.embedded_files = []
    facts.info.pop("RxLeafletSourceSHA256", None)


def _apply(good: tuple[PdfFacts, Expectations], case: Case) -> set[str]:
    facts = copy.deepcopy(good[0])
    if not case.with_source:
        _without_source(facts)  # nothing to compare with: the rules recognise what they can
    case.change(facts)
    return findings(facts, good[1] if case.with_source else None, **case.options)


@pytest.mark.parametrize("rule_id", sorted(RULE_IDS))
def test_rule_fires_on_its_defect(good, rule_id: str) -> None:
    assert rule_id in _apply(good, FIRES[rule_id])


@pytest.mark.parametrize("rule_id", sorted(RULE_IDS))
def test_rule_stays_quiet_on_a_near_miss(good, rule_id: str) -> None:
    assert rule_id not in _apply(good, QUIET[rule_id])


def test_good_facts_raise_nothing(good) -> None:
    facts, expected = good
    assert findings(facts, expected) == set()
    assert findings(facts, None) == set()  # against the source embedded in the PDF
    bare = copy.deepcopy(facts)
    _without_source(bare)
    assert findings(bare, None) == set()  # by what the rules recognise


def test_the_embedded_source_is_what_the_pdf_is_checked_against(good) -> None:
    facts, _ = good
    assert [f.relationship for f in facts.embedded_files] == ["/Source"]
    changed = copy.deepcopy(facts)
    replace_text(changed, "Keep taking lisinopril", "Stop taking lisinopril")
    assert findings(changed, None) == {"source-content"}
    _without_source(changed)
    assert findings(changed, None) == set()  # without a source the change cannot be seen


def test_expired_leaflet_rendered_on_purpose_must_carry_its_mark(good) -> None:
    facts, expected = good
    marked = dataclasses.replace(expected, expired=True)
    late = {"as_of": dt.date(2031, 1, 1), "allow_expired": True}
    assert findings(facts, marked, **late) == {"expiry"}  # no mark on the pages
    stamped = copy.deepcopy(facts)
    for page in stamped.pages:
        page.text = expected.expired_mark + "\n" + page.text
    assert "expiry" not in findings(stamped, marked, **late)
