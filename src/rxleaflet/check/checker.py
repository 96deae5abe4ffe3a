"""Check a PDF against the rules: the compliance report, and the read-back before every write."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..contract import Expectations
from .pdfread import UnreadablePdf, read_pdf
from .rules import (
    DOCUMENT_RULES,
    ERROR,
    LEAFLET_RULES,
    RULES,
    CheckOptions,
    Finding,
    subject_for,
)


@dataclass
class Report:
    """The findings for one PDF."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, object] = field(default_factory=dict)
    profile: str | None = None
    pages: int | None = None

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
    try:
        facts = read_pdf(data)
    except UnreadablePdf as error:
        report.findings.append(Finding(error.rule, ERROR, error.message))
        return report
    subject = subject_for(facts, expected, options)
    report.pages = facts.page_count
    report.profile = subject.profile.name
    for rule in RULES:
        report.findings.extend(rule(subject))
    report.metrics = subject.metrics
    return report


def check_combined(
    data: bytes, parts: Sequence[tuple[str, Expectations, tuple[int, int]]], options: CheckOptions
) -> Report:
    """Check a print file of several leaflets: the file as a whole, then each leaflet's pages
    (given as ``(name, expectations, (start, end))``, 0-based) against its own source."""
    report = Report("")
    try:
        facts = read_pdf(data, max_pages=None, time_budget=None)
    except UnreadablePdf as error:
        report.findings.append(Finding(error.rule, ERROR, error.message))
        return report
    report.pages = facts.page_count
    whole = subject_for(facts, None, options)
    for rule in DOCUMENT_RULES:
        report.findings.extend(rule(whole))
    for name, expected, (start, end) in parts:
        pages = [
            dataclasses.replace(page, number=number)
            for number, page in enumerate(facts.pages[start:end], start=1)
        ]
        part = dataclasses.replace(facts, pages=pages, page_count=end - start)
        subject = subject_for(part, expected, options)
        for rule in LEAFLET_RULES:
            for finding in rule(subject):
                page = start + finding.page if finding.page else None
                report.findings.append(
                    dataclasses.replace(finding, message=f"{name}: {finding.message}", page=page)
                )
    return report


MAX_PDF_BYTES = 50_000_000


def check_file(
    path: Path, *, expected: Expectations | None = None, options: CheckOptions | None = None
) -> Report:
    """``check_pdf`` for a file on disk; a file that cannot be read is a finding too."""
    try:
        size = path.stat().st_size
        if size > MAX_PDF_BYTES:
            return Report(
                str(path),
                [
                    Finding(
                        "pdf-readable",
                        ERROR,
                        f"the file is {size:,} bytes; a leaflet is never over {MAX_PDF_BYTES:,}",
                    )
                ],
            )
        data = path.read_bytes()
    except OSError as error:
        return Report(
            str(path), [Finding("pdf-readable", ERROR, f"cannot read the file: {error.strerror}")]
        )
    return check_pdf(data, expected=expected, options=options, path=str(path))
