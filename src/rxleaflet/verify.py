"""Read a finished PDF back, independently of how it was made, and list what is missing or wrong."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from . import markup
from .layout import Leaflet, expiry_line
from .render import document_title, provenance

_WHITESPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Text without any white space: what must survive extraction character for character."""
    return _WHITESPACE.sub("", text)


@dataclass(frozen=True)
class Expectations:
    """What a leaflet's PDF must contain, derived from its source, not from the PDF."""

    title: str
    language: str
    metadata: dict[str, str]
    content: list[tuple[str, str]]  # (what, text) in reading order
    copyright: str
    expiry: str
    page_pattern: str
    repeated_mark: str | None = None
    continuation_label: str = ""  # repeated at the top of a page when the warning box continues
    headings: list[str] = field(default_factory=list)


def expectations_for(leaflet: Leaflet, paper: str) -> Expectations:
    monograph, words = leaflet.monograph, leaflet.locale
    drug, source = monograph.drug, monograph.source
    content: list[tuple[str, str]] = []
    headings: list[str] = []
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
    if monograph.warning:
        content.append(("warning heading", words.word("warning")))
        headings.append(words.word("warning"))
        content += [("warning text", block.plain) for block in monograph.warning]
    for section in monograph.sections:
        heading = leaflet.heading(section.kind, section.title)
        headings.append(heading)
        content.append((f"heading '{heading}'", heading))
        for block in section.blocks:
            items = block.items if isinstance(block, markup.BulletList) else (block,)
            content += [(f"text of section '{section.kind}'", item.plain) for item in items]
    content.append(("copyright", source.copyright))
    content += [("notice", notice) for notice in source.notices]
    content += [("disclaimer", block.plain) for block in source.disclaimer]
    if source.region:
        content.append(("region notice", source.region))
    if source.revised:
        content.append(
            ("revision date", words.word("revised", date=words.full_date(source.revised)))
        )
    return Expectations(
        title=document_title(leaflet),
        language=monograph.language,
        metadata=provenance(leaflet, paper),
        content=content,
        copyright=source.copyright,
        expiry=expiry_line(leaflet),
        page_pattern=words.words["page"],
        repeated_mark=words.word("expired_mark") if leaflet.expired else None,
        continuation_label=f"{words.word('warning')} {words.word('continued')}",
        headings=headings,
    )


def verify_pdf(data: bytes, expected: Expectations) -> list[str]:
    """Reasons the PDF fails; empty when every expected text, footer and fact is found."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = [page.extract_text() or "" for page in reader.pages]
        info: Any = reader.metadata or {}
        catalog: Any = reader.trailer["/Root"]
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        return [f"the PDF cannot be read back: {error}"]
    reasons: list[str] = []
    if not pages:
        return ["the PDF has no pages"]
    body = []
    for number, text in enumerate(pages, start=1):
        footer = expected.copyright + expected.expiry
        footer += expected.page_pattern.format(n=number, m=len(pages))
        tail = squeeze(footer)
        if number > 1 and expected.repeated_mark:
            tail = squeeze(expected.repeated_mark) + tail
        page_text = squeeze(text)
        if not page_text.endswith(tail):
            reasons.append(
                f"page {number}: footer missing or incomplete (expected "
                f"'{expected.page_pattern.format(n=number, m=len(pages))}', "
                "the copyright and the expiry)"
            )
        else:
            page_text = page_text[: len(page_text) - len(tail)]
        body.append(page_text.removeprefix(squeeze(expected.continuation_label)))
    reasons += _missing_in_order(expected.content, "".join(body))
    if info.get("/Title") != expected.title:
        reasons.append(f"document title is {info.get('/Title')!r}, expected {expected.title!r}")
    for key, value in expected.metadata.items():
        if info.get(f"/{key}") != value:
            reasons.append(f"metadata {key} is {info.get(f'/{key}')!r}, expected {value!r}")
    if catalog.get("/Lang") != expected.language:
        reasons.append(
            f"document language is {catalog.get('/Lang')!r}, expected {expected.language!r}"
        )
    if "/StructTreeRoot" not in catalog or "/MarkInfo" not in catalog:
        reasons.append("the PDF is not tagged (no structure tree or MarkInfo)")
    return reasons


def _missing_in_order(content: list[tuple[str, str]], body: str) -> list[str]:
    reasons = []
    position = 0
    for what, text in content:
        wanted = squeeze(text)
        found = body.find(wanted, position)
        if found < 0:
            snippet = text if len(text) <= 60 else text[:57] + "…"
            where = "missing" if body.find(wanted) < 0 else "out of order"
            reasons.append(f"{what} {where}: '{snippet}'")
            continue
        position = found + len(wanted)
    return reasons
