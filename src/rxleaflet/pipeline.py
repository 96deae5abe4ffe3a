"""The library API: source file → checked leaflet → verified PDF bytes → written file."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .check import CheckOptions, check_pdf
from .contract import DEFAULT_OPTIONS, Leaflet, RenderOptions, expectations_for, prepare
from .errors import VerificationError
from .output import write_atomic
from .packagedata import PAPERS
from .render import render_pdf

__all__ = ["PAPERS", "RenderOptions", "Rendered", "build", "output_path", "prepare", "render_file"]


@dataclass(frozen=True)
class Rendered:
    """A verified PDF, not yet written."""

    leaflet: Leaflet
    pdf: bytes
    pages: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def build(leaflet: Leaflet, paper: str = "letter", as_of: dt.date | None = None) -> Rendered:
    """Render and read back; raise VerificationError (nothing written) when anything is wrong."""
    pdf = render_pdf(leaflet, paper)
    report = check_pdf(
        pdf,
        expected=expectations_for(leaflet, paper),
        options=CheckOptions(as_of=as_of, allow_expired=leaflet.expired),
    )
    if report.errors:
        raise VerificationError([f.describe() for f in report.errors], path=leaflet.monograph.path)
    return Rendered(leaflet, pdf, report.pages or 0)


def output_path(leaflet: Leaflet, output: Path | None) -> Path:
    """``output`` when it names a .pdf file, else ``<output or .>/<id>.pdf``."""
    if output is not None and output.suffix.lower() == ".pdf":
        return output
    return (output or Path(".")) / f"{leaflet.monograph.id}.pdf"


def render_file(
    source: Path, output: Path | None, options: RenderOptions = DEFAULT_OPTIONS
) -> tuple[Rendered, Path]:
    """Prepare, build and atomically write one leaflet; return it and where it went."""
    leaflet = prepare(source, options)
    rendered = build(leaflet, options.paper, options.as_of)
    target = output_path(leaflet, output)
    write_atomic(target, rendered.pdf)
    return rendered, target
