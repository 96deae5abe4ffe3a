"""Render a composed leaflet to tagged PDF bytes: pages, footers, structure tree, metadata."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from .. import __version__, packagedata
from ..contract import Leaflet, document_title, expiry_line, provenance
from ..source.brand import MUTED_TEXT, WHITE, expired_band_color
from ..source.markup import Run
from . import pdfobjects
from .flow import Column, Flowable, NewPage, PageShape, lay_out
from .flowables import Line, TextBlock, TextStyle, bind, break_lines
from .fonts import REGULAR, FontSet, fonts_for
from .layout import Typography, compose
from .pdfobjects import HeldPage, PageHoldingCanvas, color, draw_line
from .tagging import StructNode, Tagger, artifact

PRODUCT = f"rxleaflet {__version__}"


@dataclass(frozen=True)
class PageFurniture:
    """What every page repeats, as artifacts: footer lines, page numbers, the expired mark."""

    brand: list[Line]  # the pharmacy's name and phone, on every page (empty without a brand)
    copyright: list[Line]
    expiry: list[Line]  # "Information expires …" (with "— EXPIRED" when past), broken to fit
    page_pattern: str  # "Page {n} of {m}", after "Part 1 of 2 · " when the PDF has parts
    expired_mark: str | None
    style: TextStyle
    mark_style: TextStyle
    number_at: str  # where "Page N of M" goes: "expiry" (beside it), "copyright", or "below"
    fonts: FontSet
    mark_lines: list[Line]  # the expired mark, broken to the page's width
    band_fill: str

    @property
    def band_height(self) -> float:
        """The EXPIRED band at the top of later pages, and the gap under it (0 when valid)."""
        if not self.expired_mark:
            return 0.0
        return len(self.mark_lines) * self.mark_style.leading + self.mark_style.size * 0.9

    @property
    def height(self) -> float:
        below = self.number_at == "below"
        lines = len(self.brand) + len(self.copyright) + len(self.expiry) + below
        return lines * self.style.leading + self.style.size


def page_size(paper: str) -> tuple[float, float]:
    width, height = packagedata.load("page_sizes.yaml")[paper]
    return float(width), float(height)


class _LeafletCanvas(PageHoldingCanvas):
    """Holds pages back until the end so that footers can say "Page N of M", blank pages can
    make every leaflet start on an odd page, and bookmarks and the structure tree can point at
    the real page objects."""

    def __init__(self, *args: Any, finisher: _Finisher, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._bookmarks: dict[int, list[tuple[str, str, int, float]]] = {}
        self._finisher = finisher
        self.part = 0  # index of the leaflet being drawn; set by _StartPart

    def bookmark_request(self, key: str, title: str, level: int, top: float) -> None:
        _, y = self.absolutePosition(0, top)
        self._bookmarks.setdefault(self.getPageNumber(), []).append((key, title, level, y))

    def save(self) -> None:
        finisher = self._finisher
        groups: list[list[HeldPage]] = []
        for held in self.held_pages():
            if not groups or groups[-1][0].attribute("part") != held.attribute("part"):
                groups.append([])
            groups[-1].append(held)
        emitted = 0
        for group in groups:
            if finisher.odd_starts and emitted % 2:
                self.emit_blank_page(group[0])
                emitted += 1
            first = emitted
            for number, held in enumerate(group, start=1):
                self.resume(held)
                drawn = self.getPageNumber()
                for key, title, level, y in self._bookmarks.get(drawn, []):
                    self.bookmarkHorizontalAbsolute(key, y)
                    self.addOutlineEntry(title, key, level=level)
                finisher.decorate(self, held.attribute("part"), number, len(group))
                self.emit_page()
                finisher.page_map.append(emitted)
                emitted += 1
            finisher.ranges.append((first, emitted))
        finisher.finalize(self)
        super().save()


class _StartPart(Flowable):
    """Zero-size marker: the pages from here on belong to leaflet ``index``."""

    span = True  # it opens a page's title block

    def __init__(self, index: int):
        super().__init__()
        self.index = index

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        self.canv.part = self.index  # type: ignore[attr-defined]


class _Finisher:
    """Page furniture per leaflet, then the structure tree and metadata at the end."""

    def __init__(
        self,
        furniture: list[PageFurniture],
        tagger: Tagger,
        margin: float,
        size: tuple[float, float],
        metadata: dict[str, Any],
        odd_starts: bool,
    ):
        self.furniture = furniture
        self.tagger = tagger
        self.margin = margin
        self.width = size[0] - 2 * margin
        self.page_height = size[1]
        self.metadata = metadata
        self.odd_starts = odd_starts
        self.page_map: list[int] = []  # drawn page index → final page index
        self.ranges: list[tuple[int, int]] = []  # each leaflet's final pages [start, end)

    def decorate(self, canvas: _LeafletCanvas, part: int, page: int, total: int) -> None:
        furniture, margin = self.furniture[part], self.margin
        style = furniture.style
        if furniture.expired_mark and page > 1:  # page 1 has it as text, at the top
            self.band(canvas, furniture)
        with artifact(canvas, "Pagination", "Footer"):
            canvas.saveState()
            canvas.setStrokeColor(color(MUTED_TEXT))
            canvas.setLineWidth(0.5)
            top = margin + furniture.height - style.size * 0.4
            canvas.line(margin, top, margin + self.width, top)
            canvas.restoreState()
            canvas.setFillColor(color(style.color))
            y = top - style.leading
            rtl = furniture.fonts.rtl  # mirrored: lines flush right, the page number at left
            flush = margin + self.width if rtl else None
            for line in [*furniture.brand, *furniture.copyright]:
                draw_line(canvas, list(line.pieces), margin, y, style.size, flush)
                y -= style.leading
            number = furniture.page_pattern.format(n=page, m=total, part=part + 1)
            fonts = furniture.fonts
            number_width = fonts.width(number, False, style.size)
            if furniture.expired_mark:  # the date is past: said in the band's colour
                canvas.setFillColor(color(furniture.band_fill))
            for line in furniture.expiry:
                draw_line(canvas, list(line.pieces), margin, y, style.size, flush)
                y -= style.leading
            y += style.leading  # the last expiry line's
            canvas.setFillColor(color(style.color))
            number_y = {"expiry": y, "copyright": y + style.leading * len(furniture.expiry),
                        "below": y - style.leading}  # fmt: skip
            number_at = number_y[furniture.number_at]
            pieces = fonts.segments(number, False)
            if rtl:
                draw_line(canvas, pieces, 0, number_at, style.size, margin + number_width)
            else:
                right = margin + self.width - number_width
                draw_line(canvas, pieces, right, number_at, style.size)

    def band(self, canvas: _LeafletCanvas, furniture: PageFurniture) -> None:
        """The EXPIRED band across the top of a later page: white on the band's colour."""
        mark, lines = furniture.mark_style, furniture.mark_lines
        top = self.page_height - self.margin
        with artifact(canvas, "Pagination", "Header"):
            canvas.saveState()
            canvas.setFillColor(color(furniture.band_fill))
            canvas.rect(self.margin, top - furniture.band_height, self.width,
                        furniture.band_height, stroke=0, fill=1)  # fmt: skip
            canvas.setFillColor(color(mark.color))
            pad = mark.size * 0.45
            baseline = top - pad - mark.leading + (mark.leading - mark.size) / 2 + mark.size * 0.2
            flush = self.margin + self.width - pad if furniture.fonts.rtl else None
            for line in lines:
                draw_line(canvas, list(line.pieces), self.margin + pad, baseline, mark.size, flush)
                baseline -= mark.leading
            canvas.restoreState()

    def finalize(self, canvas: _LeafletCanvas) -> None:
        pdfobjects.write_structure_tree(canvas, self.tagger, self.page_map)
        metadata = dict(self.metadata)
        sources = metadata.pop("sources")
        pdfobjects.write_document_metadata(canvas, **metadata)
        pdfobjects.write_embedded_sources(canvas, sources)
        canvas.showOutline()


def furniture_for(
    leaflet: Leaflet, typography: Typography, fonts: FontSet, width: float, parts: int = 1
) -> PageFurniture:
    """What ``leaflet``'s pages repeat; in a PDF of several ``parts`` (a leaflet and its
    translation) each page says which part it is in: "Part 1 of 2 · Page 1 of 2"."""
    t = typography
    style = t.style(t.footer, MUTED_TEXT, after=0)
    brand = leaflet.brand
    contact = " · ".join(part for part in (brand.name, brand.phone) if part)
    brand_lines = break_lines([Run(contact)], style, fonts, width) if brand.name else []
    copyright_lines = break_lines(
        [Run(leaflet.monograph.attribution.copyright)], style, fonts, width
    )
    mark = leaflet.locale.word("expired_mark") if leaflet.expired else None
    expiry = expiry_line(leaflet)
    page_pattern = leaflet.locale.words["page"]
    if parts > 1:
        part = leaflet.locale.words["part"].replace("{n}", "{part}").replace("{m}", str(parts))
        page_pattern = f"{part} · {page_pattern}"
    widest = fonts.width("    " + page_pattern.format(n=888, m=888, part=8), False, style.size)
    narrower = break_lines(
        [Run(leaflet.monograph.attribution.copyright)], style, fonts, width - widest
    )
    # "EXPIRED" of "EXPIRED — not for patient use" follows a date that is past
    stated = f"{expiry} — {mark.partition(' — ')[0]} " if mark else f"{expiry} "
    expiry_lines = break_lines([Run(stated, bool(mark))], style, fonts, width)
    last = expiry_lines[-1]  # ends with a space: extracted text keeps it apart from "Page N"
    expiry_lines[-1] = Line((*last.pieces, (" ", last.pieces[-1][1])), last.width)
    if expiry_lines[-1].width + widest <= width:
        number_at = "expiry"
    elif len(narrower) == len(copyright_lines):  # the copyright makes room for it
        number_at, copyright_lines = "copyright", narrower
    else:
        number_at = "below"
    mark_style = t.style(t.expired_mark, WHITE, bold=True, after=0)
    mark_lines = (
        break_lines([Run(mark, True)], mark_style, fonts, width - mark_style.size * 0.9)
        if mark
        else []
    )
    return PageFurniture(
        brand=brand_lines,
        copyright=copyright_lines,
        expiry=expiry_lines,
        page_pattern=page_pattern,
        number_at=number_at,
        expired_mark=mark,
        style=style,
        mark_style=mark_style,
        fonts=fonts,
        mark_lines=mark_lines,
        band_fill=expired_band_color(leaflet.brand.colors),
    )


@dataclass(frozen=True)
class Combined:
    """Several leaflets in one PDF; ``ranges[i]`` are leaflet i's pages, [start, end), 0-based."""

    pdf: bytes
    ranges: list[tuple[int, int]]
    last_page_lines: int = 0  # lines of text on the last page


def render_pdf(
    leaflet: Leaflet, paper: str = "letter", typography: Typography | None = None
) -> bytes:
    """The finished, tagged PDF for ``leaflet`` as bytes (deterministic under SOURCE_DATE_EPOCH).

    ``typography`` overrides the type sizes of the leaflet's print mode.
    """
    metadata = {
        "title": document_title(leaflet),
        "language": leaflet.monograph.language,
        "author": leaflet.brand.name or leaflet.monograph.attribution.copyright,
        "subject": leaflet.locale.word(leaflet.profile.title_suffix),
        "keywords": ", ".join((leaflet.monograph.drug.name, *leaflet.monograph.drug.brands)),
        "creator": PRODUCT,
        "provenance": provenance(leaflet, paper),
        "sources": [_source_file(leaflet)],
    }
    made = _render([leaflet], paper, metadata, odd_starts=False, typography=typography)
    if typography is None and len(made.ranges) == 1 and made.last_page_lines <= 3:
        # three lines or fewer alone on a last page: set the same text closer, if that saves it
        tight = Typography.for_leaflet(leaflet).tightened()
        closer = _render([leaflet], paper, metadata, odd_starts=False, typography=tight)
        if closer.ranges[0][1] < made.ranges[0][1]:
            return closer.pdf
    return made.pdf


def _source_file(leaflet: Leaflet) -> tuple[str, bytes, str]:
    """The leaflet's source, to travel inside its PDF (never any patient data)."""
    return (
        f"{leaflet.monograph.id}.yaml",
        leaflet.monograph.source_bytes,
        f"rxleaflet source of this leaflet (SHA-256 {leaflet.monograph.sha256})",
    )


def render_combined(
    leaflets: list[Leaflet], paper: str = "letter", title: str | None = None
) -> Combined:
    """One print-ready PDF of ``leaflets``, each starting on an odd page, each numbered
    "Page N of M" on its own, each a Part (with its language) in the structure tree."""
    first = leaflets[0]
    ids = [leaflet.monograph.id for leaflet in leaflets]
    metadata = {
        "title": title or f"Patient leaflets ({len(leaflets)})",
        "language": first.monograph.language,
        "author": first.brand.name or "rxleaflet",
        "subject": "Patient leaflets for printing",
        "keywords": ", ".join(sorted({leaflet.monograph.drug.name for leaflet in leaflets})),
        "creator": PRODUCT,
        "provenance": {
            "RxLeafletIds": " ".join(ids),
            "RxLeafletSourceSHA256s": " ".join(leaflet.monograph.sha256 for leaflet in leaflets),
            "RxLeafletVersion": __version__,
            "RxLeafletPaper": paper,
        },
        "sources": [_source_file(leaflet) for leaflet in leaflets],
    }
    return _render(leaflets, paper, metadata, odd_starts=True)


def _render(
    leaflets: list[Leaflet],
    paper: str,
    metadata: dict[str, Any],
    odd_starts: bool,
    typography: Typography | None = None,
) -> Combined:
    pdfobjects.install_reportlab_fixes()
    fonts = [fonts_for(leaflet.monograph.language) for leaflet in leaflets]
    size = page_size(paper)
    types = [typography or Typography.for_leaflet(leaflet) for leaflet in leaflets]
    margin = types[0].margin
    width = size[0] - 2 * margin
    tagger = Tagger(StructNode("Document"))
    single = len(leaflets) == 1 and not odd_starts
    furniture = [
        furniture_for(leaflet, t, f, width, parts=1 if single else len(leaflets))
        for leaflet, t, f in zip(leaflets, types, fonts, strict=True)
    ]
    shapes: dict[tuple[float, float], PageShape] = {}

    def shape_for(part: PageFurniture) -> PageShape:
        """Page shapes are shared by leaflets with the same footer height and header band."""
        bottom = margin + part.height + types[0].body * 0.8
        band = part.band_height + part.mark_style.size * 0.6 if part.expired_mark else 0.0
        rtl = part.fonts.rtl
        key = (bottom, band, rtl)
        if key not in shapes:
            height = size[1] - margin - bottom
            shapes[key] = PageShape(
                _columns(margin, bottom, width, height, types[0], rtl),
                _columns(margin, bottom, width, height - band, types[0], rtl),
            )
        return shapes[key]

    story: list[Flowable | NewPage] = []
    for index, (leaflet, t, part) in enumerate(zip(leaflets, types, furniture, strict=True)):
        shape = shape_for(part)
        # a frame at least this tall is a fresh page (the later pages' frame, the shorter one)
        fresh = (
            size[1]
            - 2 * margin
            - part.height
            - t.body * 0.8
            - (part.band_height + part.mark_style.size * 0.6 if part.expired_mark else 0.0)
        )
        if index:
            story.append(NewPage(shape))
        parent = tagger.root if single else tagger.root.add("Part", lang=leaflet.monograph.language)
        story.append(_StartPart(index))
        prefix = "" if single else f"{index}-"
        composed = compose(leaflet, t, part.fonts, tagger, parent, key_prefix=prefix)
        if index + 1 < len(leaflets):  # "English version follows", in this part's language
            following = leaflets[index + 1].locale.own_name
            composed.append(_next_part_notice(leaflet, following, t, part.fonts, tagger, parent))
        story += bind(composed, fresh)
    finisher = _Finisher(furniture, tagger, margin, size, metadata, odd_starts)
    buffer = io.BytesIO()
    canvas = _LeafletCanvas(
        buffer, pagesize=size, invariant=0, pageCompression=1, initialFontName=REGULAR,
        lang=metadata["language"], finisher=finisher,
    )  # fmt: skip
    lay_out(story, shape_for(furniture[0]), canvas)
    canvas.save()
    last = tagger.lines.get(max(tagger.lines), 0) if tagger.lines else 0
    return Combined(buffer.getvalue(), finisher.ranges, last)


def _next_part_notice(
    leaflet: Leaflet,
    following: str,
    typography: Typography,
    fonts: FontSet,
    tagger: Tagger,
    parent: StructNode,
) -> TextBlock:
    t = typography
    style = t.style(t.body, leaflet.brand.colors.accent, bold=True, before=t.body)
    text = leaflet.locale.word("next_part", language=following)
    return TextBlock([Run(text, True)], style, node=parent.add("P"), tagger=tagger, fonts=fonts)


def _columns(
    x: float, y: float, width: float, height: float, typography: Typography, rtl: bool = False
) -> tuple[Column, ...]:
    """The page's text columns: one, or several filled in reading order, left to right (right
    to left on a mirrored page)."""
    count, gutter = typography.columns, typography.gutter
    column = (width - gutter * (count - 1)) / count
    columns = tuple(Column(x + i * (column + gutter), y, column, height) for i in range(count))
    return columns[::-1] if rtl else columns
