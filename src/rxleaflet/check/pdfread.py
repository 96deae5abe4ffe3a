"""Read the facts a compliance check needs from any PDF, within hard limits on time and memory.

The PDF may be ours, someone else's, broken or hostile: nothing here trusts it.
"""

from __future__ import annotations

import io
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import DictionaryObject, IndirectObject

from .contentscan import (
    FontDecoder,
    Unsupported,
    matrix_scale,
    page_fonts,
    page_forms,
    scan_text,
)

MAX_PAGES = 50  # a patient leaflet is a few pages; more is refused without reading content
TIME_BUDGET_SECONDS = 10.0
LIMITS: dict[str, Any] = {
    "zlib_maximum_output_length": 8_000_000,
    "lzw_maximum_output_length": 8_000_000,
    "run_length_maximum_output_length": 8_000_000,
    "maximum_declared_stream_length": 8_000_000,
    "page_tree_maximum_depth": 32,
    "page_tree_maximum_entries": 10_000,
    "outline_maximum_entries": 10_000,
}


class UnreadablePdf(Exception):
    """The file cannot be checked at all; ``rule`` says which finding to report."""

    def __init__(self, message: str, rule: str = "pdf-readable"):
        super().__init__(message)
        self.message = message
        self.rule = rule


@dataclass(frozen=True)
class FontFact:
    name: str
    page: int
    embedded: bool
    to_unicode: bool


@dataclass
class PageFact:
    number: int
    text: str = ""
    sizes: Counter[float] = field(default_factory=Counter)  # size (pt) → characters at it
    runs: list[tuple[str, float]] = field(default_factory=list)  # (text shown, size) in order
    problem: str | None = None

    @property
    def dominant_size(self) -> float | None:
        return self.sizes.most_common(1)[0][0] if self.sizes else None


@dataclass
class PdfFacts:
    page_count: int
    pages: list[PageFact]
    info: dict[str, str]
    language: str | None
    display_doc_title: bool
    marked: bool
    has_structure_tree: bool
    xmp: str
    fonts: list[FontFact]
    encryption: str | None  # why the file is encrypted or restricted, when it is
    stopped: str | None = None  # why content reading stopped early, when it did

    @property
    def text(self) -> str:
        return "\n".join(page.text for page in self.pages)


def read_pdf(
    data: bytes,
    *,
    max_pages: int | None = MAX_PAGES,
    time_budget: float | None = TIME_BUDGET_SECONDS,
) -> PdfFacts:
    """Facts from ``data``; raise UnreadablePdf when the file cannot be checked at all."""
    if b"%PDF-" not in data[:1024]:
        raise UnreadablePdf("not a PDF file (no %PDF- header)")
    with apply_configuration(**LIMITS):
        try:
            return _read(data, max_pages, time_budget)
        except UnreadablePdf:
            raise
        except RecursionError:
            raise UnreadablePdf("the PDF's object structure is cyclic or too deep") from None
        except MemoryError:
            raise UnreadablePdf("the PDF needs more memory than allowed to read") from None
        except Exception as error:  # noqa: BLE001 - any parser failure is a finding, not a crash
            raise UnreadablePdf(f"the PDF cannot be read: {_short(error)}") from None


def _read(data: bytes, max_pages: int | None, time_budget: float | None) -> PdfFacts:
    reader = PdfReader(io.BytesIO(data), strict=False)
    encryption = None
    if reader.is_encrypted:
        if not reader.decrypt(""):
            raise UnreadablePdf("the PDF is encrypted and needs a password", "pdf-encrypted")
        encryption = "the PDF is encrypted (it opens without a password but may restrict use)"
    page_count = len(reader.pages)
    if page_count == 0:
        raise UnreadablePdf("the PDF has no pages")
    catalog: Any = reader.trailer["/Root"]
    facts = PdfFacts(
        page_count=page_count,
        pages=[],
        info=_info(reader),
        language=_string(catalog.get("/Lang")),
        display_doc_title=_bool(_get(catalog, "/ViewerPreferences", "/DisplayDocTitle")),
        marked=_bool(_get(catalog, "/MarkInfo", "/Marked")),
        has_structure_tree="/StructTreeRoot" in catalog,
        xmp=_xmp(catalog),
        fonts=[],
        encryption=encryption,
    )
    if max_pages is not None and page_count > max_pages:
        facts.stopped = f"the PDF has {page_count} pages; a leaflet has at most {max_pages}"
        return facts
    started = time.monotonic()
    decoders: dict[int, FontDecoder] = {}
    for number, page in enumerate(reader.pages, start=1):
        if time_budget is not None and time.monotonic() - started > time_budget:
            facts.stopped = f"reading stopped at page {number}: over {time_budget:.0f} s"
            break
        facts.pages.append(_page(page, number, decoders))
        facts.fonts.extend(_fonts(page, number))
    return facts


def _page(page: Any, number: int, decoders: dict[int, FontDecoder]) -> PageFact:
    fact = PageFact(number)

    def add(text: str, size: float) -> None:
        visible = len(text) - text.count(" ") - text.count("\n")
        if visible and size:
            fact.sizes[size] += visible
            fact.runs.append((text, size))

    def visit_pypdf(text: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        add(text, round(size * matrix_scale(tm) * matrix_scale(cm), 1))

    try:
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
    except LimitReachedError:
        fact.problem = "a content stream is larger than any leaflet needs (decompression limit)"
        return fact
    except Exception as error:  # noqa: BLE001 - a broken page is a finding
        fact.problem = f"the page's content cannot be read: {_short(error)}"
        return fact
    try:
        fact.text = scan_text(data, page_fonts(page, decoders), page_forms(page), add)
        return fact
    except (Unsupported, AttributeError, KeyError, TypeError, ValueError):  # odd resources too
        fact.sizes.clear()
        fact.runs.clear()
    try:  # the general extractor, for what the fast scanner does not interpret
        fact.text = page.extract_text(visitor_text=visit_pypdf) or ""
    except RecursionError:
        fact.problem = "the page's content is nested too deeply to read"
    except Exception as error:  # noqa: BLE001 - a broken page is a finding
        fact.problem = f"the page's content cannot be read: {_short(error)}"
    return fact


def _fonts(page: Any, number: int) -> list[FontFact]:
    found: list[FontFact] = []
    try:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else {}
        for font in fonts.values():
            font = font.get_object()
            found.append(_font_fact(font, number))
    except Exception:  # noqa: BLE001 - unreadable font dictionaries are reported as not embedded
        found.append(FontFact("(unreadable font resources)", number, False, False))
    return found


def _font_fact(font: DictionaryObject, number: int) -> FontFact:
    name = str(font.get("/BaseFont", "(unnamed)")).lstrip("/")
    subtype = font.get("/Subtype")
    descriptor_owner = font
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        descendants = descendants.get_object() if descendants is not None else []
        descriptor_owner = descendants[0].get_object() if descendants else DictionaryObject()
    descriptor = descriptor_owner.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    embedded = subtype == "/Type3" or any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )
    return FontFact(name, number, embedded, "/ToUnicode" in font)


def _info(reader: PdfReader) -> dict[str, str]:
    try:
        metadata: Any = reader.metadata or {}
        return {str(k).lstrip("/"): str(v) for k, v in metadata.items()}
    except Exception:  # noqa: BLE001
        return {}


def _xmp(catalog: Any) -> str:
    try:
        stream = catalog.get("/Metadata")
        return stream.get_object().get_data().decode("utf-8", "replace") if stream else ""
    except Exception:  # noqa: BLE001
        return ""


def _get(dictionary: Any, *keys: str) -> Any:
    value = dictionary
    for key in keys:
        if isinstance(value, IndirectObject):
            value = value.get_object()
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value.get_object() if isinstance(value, IndirectObject) else value


def _bool(value: Any) -> bool:
    return bool(getattr(value, "value", False)) if value is not None else False


def _string(value: Any) -> str | None:
    return str(value) if value is not None else None


def _short(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if len(text) <= 160 else text[:157] + "…"
