"""Check a PDF against the rules: the compliance report, and the read-back before every write.

What the PDF must contain comes, in this order, from the source given by the caller, from the
source the PDF carries inside it (every rxleaflet PDF embeds its own, checked against the
SHA-256 it records), or, for anyone else's PDF, from what the rules can recognise. A print file
of several leaflets (one Part per leaflet in its structure tree) is checked leaflet by leaflet.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..contract import Expectations, source_expectations
from ..errors import LeafletError
from ..files import FileRefused, read_regular_file
from .pdfread import (
    MAX_PAGES,
    EmbeddedFile,
    PdfFacts,
    StructElement,
    UnreadablePdf,
    might_be_signed,
    read_pdf,
)  # fmt: skip
from .rules import (
    DOCUMENT_RULES,
    ERROR,
    ERROR_RULES,
    LEAFLET_RULES,
    RULES,
    SOURCE_RULES,
    CheckOptions,
    Finding,
    Subject,
    readability,
    snippet,
    subject_for,
)

if TYPE_CHECKING:
    from .signatures import Signature

MAX_PDF_BYTES = 50_000_000
SOURCE_SUFFIXES = (".yaml", ".yml")


@dataclass
class Report:
    """The findings for one PDF."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, object] = field(default_factory=dict)
    profile: str | None = None
    pages: int | None = None
    source: str = "none"  # where the expectations came from: given, embedded or none
    signatures: list[Signature] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def passed(self) -> bool:
        return not self.errors


def check_pdf(
    data: bytes,
    *,
    expected: Expectations | None = None,
    options: CheckOptions | None = None,
    path: str = "",
) -> Report:
    """Run every rule on ``data``; with ``expected`` (from the source) the checks are exact."""
    options = options or CheckOptions()
    report = Report(path)
    report.signatures, found = _signatures(data, options)
    report.findings.extend(found)
    try:
        facts = read_pdf(data)
    except UnreadablePdf as error:
        report.findings.append(Finding(error.rule, ERROR, error.message))
        return report
    report.pages = facts.page_count
    if facts.stopped and facts.page_count > MAX_PAGES:
        whole = subject_for(facts, None, options)
        report.profile = whole.profile.name
        for rule in DOCUMENT_RULES:
            report.findings.extend(rule(whole))
        return report
    if options.thorough:
        _leave_contrast_to_pixels(facts)
    second = _second_reading(data, facts, options)
    if any(f.rule == "one-reading" for f in second):  # refused, not read as one of the two
        report.findings.extend(second)
        return report
    parts = combined_parts(facts)
    if expected is None and len(parts) > 1:
        report.findings.extend(second)
        return _check_parts(data, facts, parts, options, report)
    subject = resolve_subject(facts, expected, options)
    report.source = "given" if expected is not None else "embedded" if subject.expected else "none"
    report.profile = subject.profile.name
    for rule in RULES if options.warnings else ERROR_RULES:
        report.findings.extend(rule(subject))
    report.findings.extend(second)
    report.findings.extend(_pixel_findings(data, facts, options))
    report.findings.extend(_glyph_findings(data, facts, options))
    report.findings.extend(_grammar_findings(data, facts, options))
    report.metrics = subject.metrics
    return report


def _signatures(data: bytes, options: CheckOptions) -> tuple[list[Signature], list[Finding]]:
    """The file's signatures and what is wrong with them; their module (pyHanko's side, 2 ms
    to import) is loaded only for a file that may be signed, or when a signature is required."""
    if not options.trust and not might_be_signed(data):
        return [], []
    from .signatures import verify_signatures

    return verify_signatures(data, options)


def _leave_contrast_to_pixels(facts: PdfFacts) -> None:
    """Contrast guessed from the content stream (the last fill under a run's middle) is wrong
    where a box's border is filled under its background; the rendering judges contrast."""
    for page in facts.pages:
        if page.hidden:
            page.hidden = [h for h in page.hidden if not h.reason.startswith("colour contrast")]


def _second_reading(data: bytes, facts: PdfFacts, options: CheckOptions) -> list[Finding]:
    """What an independent reader (qpdf) disagrees on, and active content in any object."""
    if not options.thorough or facts.stopped or facts.encryption:
        return []
    if any(page.problem for page in facts.pages):
        return []  # such a page is a finding already; qpdf would meet the same bomb
    from .onereading import second_reading  # qpdf: only when the file is judged thoroughly

    readings = [page.reading for page in facts.pages]
    return [
        Finding(item.rule, ERROR, item.message, item.page)
        for item in second_reading(data, readings)
    ]


def _pixel_findings(data: bytes, facts: PdfFacts, options: CheckOptions) -> list[Finding]:
    """What the rendered pages hide, one finding per page (and reason); pages the reader could
    not read already have their own finding and are not rendered."""
    if not options.thorough or facts.stopped or facts.encryption:
        return []
    units = {page.index: page.user_unit for page in facts.pages}
    if any(page.problem for page in facts.pages):
        return []
    from .pixels import unseen_text  # PDFium and numpy (~0.15 s to import): not for read-back

    found: dict[tuple[int, str], list[str]] = {}
    for unseen in unseen_text(data, units):
        found.setdefault((unseen.page, unseen.reason), []).append(unseen.text)
    return [
        Finding(
            "invisible-text",
            ERROR,
            f"{len(texts)} piece(s) of text do not show on the rendered page: {reason}, "
            f"e.g. '{snippet(texts[0])}'",
            page,
            found=snippet(" ".join(texts), 200),
        )
        for (page, reason), texts in sorted(found.items())
    ]


def _glyph_findings(data: bytes, facts: PdfFacts, options: CheckOptions) -> list[Finding]:
    """Glyphs that draw something else than the text they claim to be (see glyphs.py)."""
    if not options.thorough or facts.stopped or facts.encryption:
        return []
    if any(page.problem for page in facts.pages):
        return []
    from .glyphs import glyph_problems  # fontTools and qpdf: only when judged thoroughly

    return [
        Finding("glyph-mismatch", ERROR, problem.message, problem.page, found=snippet(problem.text))
        for problem in glyph_problems(data, _records_rxleaflet(facts))
    ]


def _grammar_findings(data: bytes, facts: PdfFacts, options: CheckOptions) -> list[Finding]:
    """In a PDF that says rxleaflet made it, anything rxleaflet does not write (grammar.py)."""
    if not options.thorough or facts.stopped or facts.encryption:
        return []
    if not _records_rxleaflet(facts) or any(page.problem for page in facts.pages):
        return []
    from .grammar import foreign_constructs  # qpdf: only when judged thoroughly

    return [
        Finding(
            "foreign-construct",
            ERROR,
            f"not as rxleaflet wrote it: {foreign.what}, which rxleaflet never writes (the PDF "
            "records rxleaflet provenance)",
            foreign.page,
        )
        for foreign in foreign_constructs(data)
    ]


def _records_rxleaflet(facts: PdfFacts) -> bool:
    return any(key.startswith("RxLeaflet") for key in facts.info)


def resolve_subject(
    facts: PdfFacts, expected: Expectations | None, options: CheckOptions
) -> Subject:
    """The subject to check: with the given expectations, else those of the source embedded
    in the PDF (when it can be trusted), else none."""
    if expected is None:
        expected, problems = embedded_expectations(facts, None, options)
    else:  # the given source decides, but a PDF must not carry a source that is not its own
        _, problems = embedded_expectations(facts, None, options, parse=False)
    subject = subject_for(facts, expected, options)
    subject.source_problems = _source_layout(facts) + problems
    return subject


def _source_layout(facts: PdfFacts) -> list[Finding]:
    """A leaflet carries one source, marked as its source, or none and records none: a second
    source, a source marked as something else, or a recorded SHA-256 without its source is
    how a doctored copy would hide what it was made from."""
    sources = [f for f in facts.embedded_files if f.name.lower().endswith(SOURCE_SUFFIXES)]
    problems = [
        Finding(
            "embedded-source",
            ERROR,
            f"the embedded file {f.name} is YAML but marked {f.relationship or 'nothing'}, "
            "not /AFRelationship /Source",
        )
        for f in sources
        if f.relationship != "/Source"
    ]
    marked = [f.name for f in sources if f.relationship == "/Source"]
    if len(marked) > 1:
        problems.append(
            Finding(
                "embedded-source",
                ERROR,
                f"the PDF carries {len(marked)} sources ({', '.join(marked)}); a leaflet has one",
            )
        )
    if not all(f.readable for f in facts.embedded_files):
        problems.append(
            Finding(
                "embedded-source",
                ERROR,
                "the PDF carries an attachment that cannot be read (a doctored copy can hide "
                "its source that way); make the PDF again from its source",
            )
        )
    if not sources and facts.info.get("RxLeafletSourceSHA256"):
        problems.append(
            Finding(
                "embedded-source",
                ERROR,
                "the PDF records its source's SHA-256 but carries no source (it was removed)",
            )
        )
    return problems


@dataclass(frozen=True)
class Part:
    """One leaflet of a print file: its name, structure and pages (0-based, [start, end))."""

    name: str
    structure: StructElement
    pages: tuple[int, int]


def combined_parts(facts: PdfFacts) -> list[Part]:
    """The leaflets of a print file: the Parts under its Document element, each with the pages
    its content is on. A single leaflet gives one part or none."""
    root = facts.structure
    if root is None:
        return []
    documents = [e for e in root.elements() if e.role == "Document"] or [root]
    kids = [e for e in documents[0].elements() if e.role == "Part"]
    if len(kids) < 2:
        return []
    ids = facts.info.get("RxLeafletIds", "").split()
    parts = []
    for index, kid in enumerate(kids):
        pages = [page for page, _ in kid.contents()]
        if not pages:
            continue
        name = ids[index] if index < len(ids) else f"part {index + 1}"
        parts.append(Part(name, kid, (min(pages), max(pages) + 1)))
    return parts


def _check_parts(
    data: bytes, facts: PdfFacts, parts: list[Part], options: CheckOptions, report: Report
) -> Report:
    whole = subject_for(facts, None, options)
    report.profile = "combined"
    for rule in DOCUMENT_RULES:
        report.findings.extend(rule(whole))
    report.findings.extend(_pixel_findings(data, facts, options))
    report.findings.extend(_glyph_findings(data, facts, options))
    report.findings.extend(_grammar_findings(data, facts, options))
    hashes = facts.info.get("RxLeafletSourceSHA256s", "").split()
    embedded = 0
    for index, part in enumerate(parts):
        recorded = hashes[index] if index < len(hashes) else None
        expected, problems = embedded_expectations(facts, f"{part.name}.yaml", options, recorded)
        embedded += expected is not None
        findings = problems + check_part(facts, part, expected, options)
        report.findings.extend(
            dataclasses.replace(f, message=f"{part.name}: {f.message}") for f in findings
        )
    report.source = "embedded" if embedded == len(parts) else "none"
    return report


def check_part(
    facts: PdfFacts, part: Part, expected: Expectations | None, options: CheckOptions
) -> list[Finding]:
    """The leaflet rules on one part of a print file, its pages numbered from 1 on their own;
    findings give pages of the whole file."""
    start, end = part.pages
    pages = [
        dataclasses.replace(page, number=number)
        for number, page in enumerate(facts.pages[start:end], start=1)
    ]
    own = dataclasses.replace(facts, pages=pages, page_count=end - start)
    subject = subject_for(own, expected, options, part.structure)
    findings = []
    for rule in LEAFLET_RULES:
        for finding in rule(subject):
            page = start + finding.page if finding.page else None
            findings.append(dataclasses.replace(finding, page=page))
    return findings


def check_combined(
    data: bytes, parts: Sequence[tuple[str, Expectations, tuple[int, int]]], options: CheckOptions
) -> Report:
    """Check a print file before it is written: the file as a whole, then each leaflet's pages
    (given as ``(name, expectations, (start, end))``, 0-based) against its own source."""
    report = Report("", source="given")
    try:
        facts = read_pdf(data, max_pages=None, time_budget=None)
    except UnreadablePdf as error:
        report.findings.append(Finding(error.rule, ERROR, error.message))
        return report
    report.pages = facts.page_count
    found = combined_parts(facts)
    whole = subject_for(facts, None, options)
    for rule in DOCUMENT_RULES:
        report.findings.extend(rule(whole))
    if len(found) != len(parts):
        report.findings.append(
            Finding("tagged", ERROR, f"{len(parts)} leaflets, but {len(found)} Parts in the tree")
        )
        return report
    for (name, expected, pages), part in zip(parts, found, strict=True):
        if part.pages != pages:
            report.findings.append(
                Finding("page-count", ERROR, f"{name}: pages {part.pages}, expected {pages}")
            )
        findings = check_part(facts, part, expected, options)
        report.findings.extend(
            dataclasses.replace(f, message=f"{name}: {f.message}") for f in findings
        )
    return report


def _embedded_sources(facts: PdfFacts) -> list[EmbeddedFile]:
    return [
        f
        for f in facts.embedded_files
        if f.relationship == "/Source" and f.name.lower().endswith(SOURCE_SUFFIXES)
    ]


def embedded_expectations(
    facts: PdfFacts,
    name: str | None,
    options: CheckOptions,
    recorded: str | None = None,
    parse: bool = True,
) -> tuple[Expectations | None, list[Finding]]:
    """Expectations from the source embedded in the PDF (the one named ``name``, or the only
    one when ``name`` is None), once its SHA-256 is found
    to equal the one the PDF records; None (and why) when there is none to trust. With
    ``parse`` False only the SHA-256 is compared."""
    sources = _embedded_sources(facts)
    if name is not None:
        sources = [s for s in sources if s.name == name]
    if len(sources) != 1:
        return None, []
    source = sources[0]
    if source.data is None:
        return None, [
            Finding("embedded-source", ERROR, f"the embedded source {source.name} cannot be read")
        ]
    recorded = recorded or facts.info.get("RxLeafletSourceSHA256")
    digest = hashlib.sha256(source.data).hexdigest()
    if recorded != digest:
        return None, [
            Finding(
                "source-hash",
                ERROR,
                f"the embedded source {source.name} has SHA-256 {digest}, but the PDF records "
                f"{recorded or 'none'}: the PDF and its source do not belong together",
            )
        ]
    if not parse:
        return None, []
    try:
        expected = source_expectations(Path(source.name), options.as_of, source.data)
    except LeafletError as error:
        return None, [
            Finding("embedded-source", ERROR, f"the embedded source cannot be used: {error}")
        ]
    return expected, []


def check_file(
    path: Path, *, expected: Expectations | None = None, options: CheckOptions | None = None
) -> Report:
    """``check_pdf`` for a file on disk; a file that cannot be read is a finding too."""
    try:
        data = read_regular_file(path, MAX_PDF_BYTES, what="PDF file")
    except FileRefused as error:
        return Report(str(path), [Finding("pdf-readable", ERROR, f"the {error}")])
    except OSError as error:
        return Report(
            str(path), [Finding("pdf-readable", ERROR, f"cannot read the file: {error.strerror}")]
        )
    return check_pdf(data, expected=expected, options=options, path=str(path))


__all__ = ["SOURCE_RULES", "Report", "check_combined", "check_file", "check_pdf", "readability"]
