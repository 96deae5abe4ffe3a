"""The library API: source file → checked leaflet → verified PDF bytes → written file."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from . import locales
from .brand import HOUSE_STYLE, Brand, check_contrast
from .errors import ExpiredError, VerificationError
from .expectations import expectations_for
from .layout import Leaflet, Typography
from .monograph import load_monograph
from .output import write_atomic
from .profiles import check_profile
from .render import render_pdf
from .rules import CheckOptions
from .verify import check_pdf, describe

PAPERS = ("letter", "a4")


@dataclass(frozen=True)
class RenderOptions:
    paper: str = "letter"
    large_print: bool = False
    allow_expired: bool = False
    as_of: dt.date | None = None
    brand: Brand = field(default=HOUSE_STYLE)


@dataclass(frozen=True)
class Rendered:
    """A verified PDF, not yet written."""

    leaflet: Leaflet
    pdf: bytes
    pages: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def prepare(source: Path, options: RenderOptions = RenderOptions()) -> Leaflet:
    """Load and check a source file: format, profile, glyphs, brand colours, expiry."""
    monograph = load_monograph(source)
    profile = check_profile(monograph)
    brand = options.brand
    check_contrast(brand.colors)
    today = options.as_of or dt.date.today()
    expired = today > monograph.source.expires
    if expired and not options.allow_expired:
        raise ExpiredError(
            f"information expired {monograph.source.expires.isoformat()}; get a current "
            "monograph, or use --allow-expired to print it marked 'not for patient use'",
            path=monograph.path,
        )
    return Leaflet(
        monograph=monograph,
        profile=profile,
        locale=locales.locale_for(monograph.language),
        brand=brand,
        typography=Typography.for_mode(options.large_print),
        expired=expired,
    )


def build(leaflet: Leaflet, paper: str = "letter", as_of: dt.date | None = None) -> Rendered:
    """Render and read back; raise VerificationError (nothing written) when anything is wrong."""
    pdf = render_pdf(leaflet, paper)
    report = check_pdf(
        pdf,
        expected=expectations_for(leaflet, paper),
        options=CheckOptions(as_of=as_of, allow_expired=leaflet.expired),
    )
    if report.errors:
        raise VerificationError([describe(f) for f in report.errors], path=leaflet.monograph.path)
    return Rendered(leaflet, pdf, report.pages or 0)


def output_path(leaflet: Leaflet, output: Path | None) -> Path:
    """``output`` when it names a .pdf file, else ``<output or .>/<id>.pdf``."""
    if output is not None and output.suffix.lower() == ".pdf":
        return output
    return (output or Path(".")) / f"{leaflet.monograph.id}.pdf"


def render_file(
    source: Path, output: Path | None, options: RenderOptions = RenderOptions()
) -> tuple[Rendered, Path]:
    """Prepare, build and atomically write one leaflet; return it and where it went."""
    leaflet = prepare(source, options)
    rendered = build(leaflet, options.paper, options.as_of)
    target = output_path(leaflet, output)
    write_atomic(target, rendered.pdf)
    return rendered, target
