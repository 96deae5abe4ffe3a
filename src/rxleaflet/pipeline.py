"""The library API: source file → checked leaflet → verified PDF bytes → written file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .check import CheckOptions, check_combined, check_pdf
from .contract import (
    DEFAULT_OPTIONS,
    Leaflet,
    RenderOptions,
    document_title,
    expectations_for,
    prepare,
)  # fmt: skip
from .errors import SettingsError, VerificationError, printable
from .output import write_atomic
from .packagedata import PAPERS
from .render import render_combined, render_pdf

if TYPE_CHECKING:
    from .signing import SigningKey

__all__ = [
    "PAPERS", "RenderOptions", "Rendered", "build", "build_combined", "build_translated",
    "output_path", "prepare", "render_file", "sign",
]  # fmt: skip


@dataclass(frozen=True)
class Rendered:
    """A verified PDF, not yet written."""

    leaflet: Leaflet
    pdf: bytes
    pages: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


MAX_EPOCH = 253_402_300_799  # 9999-12-31T23:59:59Z


def check_environment() -> None:
    """Refuse settings that would break every leaflet, before any work starts."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and not (epoch.strip().isdigit() and int(epoch) <= MAX_EPOCH):
        raise SettingsError(
            f"SOURCE_DATE_EPOCH={printable(epoch)[:40]!r} is not a number of seconds since "
            "1970-01-01; set it to one (e.g. the commit time) or unset it"
        )


def read_back_options(as_of: dt.date | None, allow_expired: bool) -> CheckOptions:
    """How a rendered PDF is read back before it is written: by the own reader alone (no
    second reading, no pixels), with only the rules that can refuse it (a warning is never
    read there)."""
    return CheckOptions(as_of=as_of, allow_expired=allow_expired, thorough=False, warnings=False)


def build(leaflet: Leaflet, paper: str = "letter", as_of: dt.date | None = None) -> Rendered:
    """Render and read back; raise VerificationError (nothing written) when anything is wrong."""
    check_environment()
    pdf = render_pdf(leaflet, paper)
    report = check_pdf(
        pdf,
        expected=expectations_for(leaflet, paper),
        options=read_back_options(as_of, leaflet.expired),
    )
    # The canvas and the PDF reader leave reference cycles behind: reclaim them now, in one
    # pass over the objects made since the last (the CLI sets the automatic passes far apart,
    # so that this is the only one most leaflets need; cheap where they are not).
    gc.collect(0)
    if report.errors:
        raise VerificationError([f.describe() for f in report.errors], path=leaflet.monograph.path)
    return Rendered(leaflet, pdf, report.pages or 0)


def build_combined(
    leaflets: list[Leaflet],
    paper: str = "letter",
    as_of: dt.date | None = None,
    title: str | None = None,
    path: Path | None = None,
) -> tuple[bytes, int]:
    """One PDF of ``leaflets`` (each from an odd page, numbered on its own), read back leaflet
    by leaflet against its own source; raise VerificationError when anything is wrong."""
    check_environment()
    combined = render_combined(leaflets, paper, title)
    parts = [
        (leaflet.monograph.id, expectations_for(leaflet, paper), pages)
        for leaflet, pages in zip(leaflets, combined.ranges, strict=True)
    ]
    allow_expired = any(leaflet.expired for leaflet in leaflets)  # prepare() let them through
    report = check_combined(combined.pdf, parts, read_back_options(as_of, allow_expired))
    if report.errors:
        raise VerificationError([f.describe() for f in report.errors], path=path)
    return combined.pdf, report.pages or 0


def build_translated(
    leaflet: Leaflet,
    translations: list[Leaflet],
    paper: str = "letter",
    as_of: dt.date | None = None,
) -> Rendered:
    """The leaflet, then the same medicine's leaflet in each other language, in one PDF (as
    Oregon asks: "in both English and the language requested")."""
    leaflets = [leaflet, *translations]
    title = " / ".join(document_title(each) for each in leaflets)
    pdf, pages = build_combined(leaflets, paper, as_of, title, leaflet.monograph.path)
    return Rendered(leaflet, pdf, pages)


def sign(rendered: Rendered, key: SigningKey) -> Rendered:
    """The verified PDF, signed with ``key`` (after verification: the signature's revision
    changes nothing the check reads)."""
    from .signing import sign_pdf

    return dataclasses.replace(rendered, pdf=sign_pdf(rendered.pdf, key))


def output_path(leaflet: Leaflet, output: Path | None) -> Path:
    """``output`` when it names a .pdf file, else ``<output or .>/<id>.pdf``."""
    if output is not None and output.suffix.lower() == ".pdf":
        return output
    return (output or Path(".")) / f"{leaflet.monograph.id}.pdf"


def write(rendered: Rendered, output: Path | None) -> Path:
    """Write a verified PDF atomically where ``output`` says; return where it went."""
    target = output_path(rendered.leaflet, output)
    write_atomic(target, rendered.pdf)
    return target


def render_file(
    source: Path, output: Path | None, options: RenderOptions = DEFAULT_OPTIONS
) -> tuple[Rendered, Path]:
    """Prepare, build and atomically write one leaflet; return it and where it went."""
    leaflet = prepare(source, options)
    rendered = build(leaflet, options.paper, options.as_of)
    return rendered, write(rendered, output)
