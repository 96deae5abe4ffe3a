"""Compliance reports for people (text) and machines (JSON, schema documented in the README)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .. import __version__
from .checker import Report

JSON_SCHEMA_VERSION = 1


def as_text(reports: Sequence[Report]) -> str:
    lines = []
    for report in reports:
        warnings = len(report.findings) - len(report.errors)
        counts = f"{len(report.errors)} error(s), {warnings} warning(s)"
        lines.append(f"{'PASS' if report.passed else 'FAIL'} {report.path} ({counts})")
        lines += [f"  {finding.severity:<7} {finding.describe()}" for finding in report.findings]
        lines += [f"  signed  {signature.describe()}" for signature in report.signatures]
        metrics = _metrics_line(report)
        if metrics:
            lines.append(f"  info    {metrics}")
    return "\n".join(lines)


def _metrics_line(report: Report) -> str:
    parts = []
    if report.pages is not None:
        parts.append(f"pages {report.pages}")
    if report.profile:
        parts.append(f"profile {report.profile}")
    parts.append(
        {
            "given": "checked against the given source",
            "embedded": "checked against its embedded source",
            "none": "no source: checked by what the rules recognise",
        }[report.source]
    )
    metrics = report.metrics
    if metrics.get("body_size_pt") is not None:
        parts.append(f"body text {metrics['body_size_pt']:g} pt")
    if "fk_grade" in metrics:
        grade = metrics["fk_grade"]
        parts.append(
            "Flesch–Kincaid grade "
            + (f"{grade:g}" if grade is not None else "not computed (not English)")
        )
    if metrics.get("expires"):
        parts.append(f"expires {metrics['expires']}")
    return "; ".join(parts)


def as_json(reports: Sequence[Report]) -> str:
    document = {
        "schema": JSON_SCHEMA_VERSION,
        "rxleaflet": __version__,
        "passed": all(report.passed for report in reports),
        "files": [
            {
                "path": report.path,
                "status": "pass" if report.passed else "fail",
                "profile": report.profile,
                "pages": report.pages,
                "source": report.source,
                "metrics": report.metrics,
                "signatures": [signature.as_json() for signature in report.signatures],
                "findings": [
                    {
                        "rule": f.rule,
                        "severity": f.severity,
                        "message": f.message,
                        "page": f.page,
                        "found": f.found,
                    }
                    for f in report.findings
                ],
            }
            for report in reports
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
