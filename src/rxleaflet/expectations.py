"""What a leaflet's PDF must contain, derived from its source (never from the PDF itself)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import markup
from .layout import Leaflet, expiry_line
from .render import document_title, provenance


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
    """Expectations for ``leaflet``; ``paper`` None when the paper size is not known."""
    monograph, words = leaflet.monograph, leaflet.locale
    drug, source = monograph.drug, monograph.source
    content: list[tuple[str, str]] = []
    if leaflet.brand.name:
        content.append(("brand name", leaflet.brand.name))
    if leaflet.expired:
        content.append(("expired mark", words.word("expired_mark")))
    if leaflet.profile.banner:
        content.append(("banner", words.word(leaflet.profile.banner)))
    content.append(("title", drug.name))
    for what, text in (("form", drug.form), ("pronunciation", drug.pronunciation)):
        if text:
            content.append((what, text))
    content += [("brand name", brand) for brand in drug.brands]
    warning: list[str] = []
    if monograph.warning:
        warning = [words.word("warning"), *_items(monograph.warning)]
        content.append(("warning heading", warning[0]))
        content += [("warning text", text) for text in warning[1:]]
    required: list[str] = []
    reading = list(warning[1:])
    for section in monograph.sections:
        heading = leaflet.heading(section.kind, section.title)
        if section.kind in leaflet.profile.required_sections:
            required.append(heading)
        content.append((f"heading '{heading}'", heading))
        texts = _items(section.blocks)
        content += [(f"text of section '{section.kind}'", text) for text in texts]
        reading += texts
    disclaimer = _items(source.disclaimer)
    content.append(("copyright", source.copyright))
    content += [("notice", notice) for notice in source.notices]
    content += [("disclaimer", text) for text in disclaimer]
    if source.region:
        content.append(("region notice", source.region))
    if source.revised:
        revised = words.word("revised", date=words.full_date(source.revised))
        content.append(("revision date", revised))
    metadata = provenance(leaflet, paper or "")
    if paper is None:
        del metadata["RxLeafletPaper"]
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
        copyright=source.copyright,
        expiry=expiry_line(leaflet),
        expires=source.expires,
        page_pattern=words.words["page"],
        source_sha256=monograph.sha256,
        expired_mark=words.word("expired_mark"),
        expired=leaflet.expired,
        continuation_label=f"{words.word('warning')} {words.word('continued')}",
    )
