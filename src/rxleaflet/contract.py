"""What a leaflet's PDF must contain, derived from its source (never from a PDF).

The renderer draws what this module says, and the checker verifies it: both depend on this
contract, never on each other. It holds the decided leaflet (source, profile, language, brand,
print mode), the reading order of its text, the running footer and the provenance metadata.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import ExpiredError, SourceError
from .source import locales, markup
from .source.brand import HOUSE_STYLE, Brand, check_contrast
from .source.dispense import DispenseRecord, directions_for
from .source.locales import Locale
from .source.monograph import Monograph, load_monograph
from .source.profiles import Profile, check_profile


@dataclass(frozen=True)
class Leaflet:
    """A checked source and the choices made for it: everything the layout needs."""

    monograph: Monograph
    profile: Profile
    locale: Locale
    brand: Brand
    large_print: bool
    expired: bool
    layout: str = "single"  # or "two-column"
    dispense: DispenseRecord | None = None  # whom it is for: printed on page 1, nowhere else

    def heading(self, kind: str, title: str | None) -> str:
        return title or self.locale.heading(self.profile.name, kind, self.monograph.drug.name)


@dataclass(frozen=True)
class RenderOptions:
    paper: str = "letter"
    large_print: bool = False
    layout: str = "single"  # "two-column": two columns of a narrower measure, fewer sheets
    dispense: DispenseRecord | None = None
    allow_expired: bool = False
    as_of: dt.date | None = None
    brand: Brand = field(default=HOUSE_STYLE)


DEFAULT_OPTIONS = RenderOptions()
MAX_YEARS_VALID = 5


def prepare(
    source: Path, options: RenderOptions = DEFAULT_OPTIONS, data: bytes | None = None
) -> Leaflet:
    """Load and check a source file (or its bytes ``data``, named ``source``): format,
    profile, glyphs, brand colours, expiry."""
    monograph = load_monograph(source, data)
    profile = check_profile(monograph)
    brand = options.brand
    check_contrast(brand.colors)
    today = options.as_of or dt.date.today()
    attribution = monograph.attribution
    if attribution.expires > today.replace(
        year=today.year + MAX_YEARS_VALID, day=min(today.day, 28)
    ):
        raise SourceError(
            f"source.expires {attribution.expires.isoformat()} is more than {MAX_YEARS_VALID} "
            f"years after today ({today.isoformat()}); patient information is reviewed at least "
            f"every {MAX_YEARS_VALID} years — check the date",
            path=monograph.path,
            line=attribution.expires_line,
        )
    expired = today > attribution.expires
    if expired and not options.allow_expired:
        raise ExpiredError(
            f"information expired {monograph.attribution.expires.isoformat()}; get a current "
            "monograph, or use --allow-expired to print it marked 'not for patient use'",
            path=monograph.path,
        )
    if expired and options.dispense is not None:  # --allow-expired or not
        raise ExpiredError(
            f"information expired {monograph.attribution.expires.isoformat()}: an expired "
            "leaflet is never for a patient, so it takes no dispense record; get a current "
            "monograph",
            path=monograph.path,
        )
    if options.dispense is not None:  # refuse directions the patient could not read, unlabelled
        directions_for(options.dispense, monograph.language)
    return Leaflet(
        monograph=monograph,
        profile=profile,
        locale=locales.locale_for(monograph.language),
        brand=brand,
        large_print=options.large_print,
        layout=options.layout,
        dispense=options.dispense,
        expired=expired,
    )


def source_expectations(
    source: Path, as_of: dt.date | None = None, data: bytes | None = None
) -> Expectations:
    """What a PDF made from ``source`` (a file, or its bytes ``data``) must contain, whether or
    not it was marked expired (expiry itself is judged by the expiry rule)."""
    leaflet = prepare(source, RenderOptions(allow_expired=True, as_of=as_of), data)
    return expectations_for(dataclasses.replace(leaflet, expired=False))


def dispense_lines(leaflet: Leaflet) -> list[str]:
    """The "Prepared for" block, line by line, in the leaflet's language (empty without one)."""
    record, words, brand = leaflet.dispense, leaflet.locale, leaflet.brand
    if record is None:
        return []
    lines = [
        f"{words.label('prepared_for')}{record.patient}",
        f"{words.label('rx_number')}{record.rx}",
        f"{words.label('filled')}{words.full_date(record.filled)}",
    ]
    if record.prescriber:
        lines.append(f"{words.label('prescriber')}{record.prescriber}")
    directions = directions_line(leaflet)
    if directions:
        lines.append(directions[0])
    pharmacy = " · ".join(part for part in (brand.name, brand.phone) if part)
    if pharmacy:
        lines.append(pharmacy)
    return lines


def directions_line(leaflet: Leaflet) -> tuple[str, str | None] | None:
    """The dispense record's directions line, and their language when it is not the
    leaflet's (the label then names it, in its own words: "복용 방법 (English): …")."""
    if leaflet.dispense is None:
        return None
    directions = directions_for(leaflet.dispense, leaflet.monograph.language)
    if directions is None:
        return None
    text, language = directions
    words = leaflet.locale
    if language is None:
        return f"{words.label('directions')}{text}", None
    own = locales.locale_for(language).own_name
    return f"{words.word('directions_in', language=own)}{words.colon}{text}", language


def expiry_line(leaflet: Leaflet) -> str:
    """The footer's "Information expires …" in the leaflet's language."""
    attribution, words = leaflet.monograph.attribution, leaflet.locale
    when = (
        words.month_year(attribution.expires)
        if attribution.expires_month_only
        else words.full_date(attribution.expires)
    )
    return words.word("expires", date=when)


def document_title(leaflet: Leaflet) -> str:
    return f"{leaflet.monograph.drug.name} — {leaflet.locale.word(leaflet.profile.title_suffix)}"


def provenance(leaflet: Leaflet, paper: str) -> dict[str, str]:
    """The facts a reviewer needs to trace a PDF back to its source (document info keys)."""
    monograph = leaflet.monograph
    return {
        "RxLeafletId": monograph.id,
        "RxLeafletLanguage": monograph.language,
        "RxLeafletProfile": leaflet.profile.name,
        "RxLeafletExpires": monograph.attribution.expires.isoformat(),
        "RxLeafletSourceSHA256": monograph.sha256,
        "RxLeafletVersion": __version__,
        "RxLeafletWarning": "yes" if monograph.warning else "no",
        "RxLeafletPaper": paper,
        "RxLeafletLayout": leaflet.layout,
    }


@dataclass(frozen=True)
class Expectations:
    title: str
    language: str
    profile: str
    metadata: dict[str, str]
    content: list[tuple[str, str]]  # (what, text) in reading order
    required_headings: list[str]  # the profile's required headings, in order
    warning: list[str]  # warning heading and paragraphs; empty when there is no warning
    disclaimer: list[str]
    reading: list[str]  # the patient-facing text whose readability is measured
    copyright: str
    expiry: str
    expires: dt.date
    page_pattern: str
    source_sha256: str
    expired_mark: str = ""  # shown on every page of a PDF rendered with --allow-expired
    expired: bool = False  # whether the PDF must carry that mark
    continuation_label: str = ""  # repeated at the top of a page when the warning box continues


def _items(blocks: tuple[markup.Block, ...]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        items = block.items if isinstance(block, markup.BulletList) else (block,)
        out += [item.plain for item in items]
    return out


def expectations_for(leaflet: Leaflet, paper: str | None = None) -> Expectations:
    """Expectations for ``leaflet``; ``paper`` None when the paper size and layout are not
    known (a PDF checked against its source only)."""
    monograph, words = leaflet.monograph, leaflet.locale
    drug, attribution = monograph.drug, monograph.attribution
    content: list[tuple[str, str]] = []
    if leaflet.expired:  # the band above everything else, the brand included
        content.append(("expired mark", words.word("expired_mark")))
    if leaflet.brand.name:
        content.append(("brand name", leaflet.brand.name))
    if leaflet.profile.banner:
        content.append(("banner", words.word(leaflet.profile.banner)))
    content.append(("title", drug.name))
    for what, text in (("form", drug.form), ("pronunciation", drug.pronunciation)):
        if text:
            content.append((what, text))
    content += [("brand name", brand) for brand in drug.brands]
    content += [("dispense record", line) for line in dispense_lines(leaflet)]
    warning: list[str] = []
    if monograph.warning:
        warning = [words.word("warning"), *_items(monograph.warning)]
        content.append(("warning heading", warning[0]))
        content += [("warning text", text) for text in warning[1:]]
    required: list[str] = []
    reading = list(warning[1:])
    required_kinds = leaflet.profile.required_for(monograph)
    for section in monograph.sections:
        heading = leaflet.heading(section.kind, section.title)
        if section.kind in required_kinds:
            required.append(heading)
        content.append((f"heading '{heading}'", heading))
        texts = _items(section.blocks)
        content += [(f"text of section '{section.kind}'", text) for text in texts]
        reading += texts
    disclaimer = _items(attribution.disclaimer)
    content.append(("copyright", attribution.copyright))
    content += [("notice", notice) for notice in attribution.notices]
    content += [("disclaimer", text) for text in disclaimer]
    if attribution.region:
        content.append(("region notice", attribution.region))
    if attribution.revised:
        revised = words.word("revised", date=words.full_date(attribution.revised))
        content.append(("revision date", revised))
    metadata = provenance(leaflet, paper or "")
    if paper is None:  # how it was rendered is not known from the source alone
        del metadata["RxLeafletPaper"], metadata["RxLeafletLayout"]
    return Expectations(
        title=document_title(leaflet),
        language=monograph.language,
        profile=leaflet.profile.name,
        metadata=metadata,
        content=content,
        required_headings=required,
        warning=warning,
        disclaimer=disclaimer,
        reading=reading,
        copyright=attribution.copyright,
        expiry=expiry_line(leaflet),
        expires=attribution.expires,
        page_pattern=words.words["page"],
        source_sha256=monograph.sha256,
        expired_mark=words.word("expired_mark"),
        expired=leaflet.expired,
        continuation_label=f"{words.word('warning')} {words.word('continued')}",
    )
