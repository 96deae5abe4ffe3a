"""Render a composed leaflet to tagged PDF bytes: pages, footers, structure tree, metadata."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
)

from . import __version__, packagedata, pdfobjects
from .brand import MUTED_TEXT
from .flowables import Line, TextStyle, break_lines, draw_line
from .fonts import BOLD, REGULAR, FontSet, load_fonts
from .layout import Leaflet, compose, expiry_line
from .markup import Run
from .tagging import StructNode, Tagger, artifact

PRODUCT = f"rxleaflet {__version__}"


@dataclass(frozen=True)
class PageFurniture:
    """What every page repeats, as artifacts: footer lines, page numbers, the expired mark."""

    copyright: list[Line]
    expiry: str
    page_pattern: str  # "Page {n} of {m}"
    expired_mark: str | None
    style: TextStyle
    mark_style: TextStyle
    number_below: bool  # "Page N of M" on its own line when it would not fit beside the expiry

    @property
    def height(self) -> float:
        lines = len(self.copyright) + 1 + self.number_below
        return lines * self.style.leading + self.style.size


def page_size(paper: str) -> tuple[float, float]:
    width, height = packagedata.load("page_sizes.yaml")[paper]
    return float(width), float(height)


def provenance(leaflet: Leaflet, paper: str) -> dict[str, str]:
    """The facts a reviewer needs to trace a PDF back to its source (document info keys)."""
    monograph = leaflet.monograph
    return {
        "RxLeafletId": monograph.id,
        "RxLeafletLanguage": monograph.language,
        "RxLeafletProfile": leaflet.profile.name,
        "RxLeafletExpires": monograph.source.expires.isoformat(),
        "RxLeafletSourceSHA256": monograph.sha256,
        "RxLeafletVersion": __version__,
        "RxLeafletWarning": "yes" if monograph.warning else "no",
        "RxLeafletPaper": paper,
    }


def document_title(leaflet: Leaflet) -> str:
    return f"{leaflet.monograph.drug.name} — {leaflet.locale.word(leaflet.profile.title_suffix)}"


class _LeafletCanvas(Canvas):
    """Holds pages back until the end so that footers can say "Page N of M", blank pages can
    make every leaflet start on an odd page, and bookmarks and the structure tree can point at
    the real page objects."""

    def __init__(self, *args: Any, finisher: _Finisher, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []
        self._bookmarks: dict[int, list[tuple[str, str, int, float]]] = {}
        self._finisher = finisher
        self.part = 0  # index of the leaflet being drawn; set by _StartPart

    def bookmark_request(self, key: str, title: str, level: int, top: float) -> None:
        _, y = self.absolutePosition(0, top)
        self._bookmarks.setdefault(self.getPageNumber(), []).append((key, title, level, y))

    def showPage(self) -> None:  # noqa: N802
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        finisher = self._finisher
        groups: list[list[dict[str, Any]]] = []
        for state in self._held:
            if not groups or groups[-1][0]["part"] != state["part"]:
                groups.append([])
            groups[-1].append(state)
        emitted = 0
        for group in groups:
            if finisher.odd_starts and emitted % 2:
                self._blank_page(group[0])
                emitted += 1
            first = emitted
            for number, state in enumerate(group, start=1):
                self.__dict__.update(state)
                drawn = self.getPageNumber()
                for key, title, level, y in self._bookmarks.get(drawn, []):
                    self.bookmarkHorizontalAbsolute(key, y)
                    self.addOutlineEntry(title, key, level=level)
                finisher.decorate(self, state["part"], number, len(group))
                super().showPage()
                finisher.page_map.append(emitted)
                emitted += 1
            finisher.ranges.append((first, emitted))
        finisher.finalize(self)
        super().save()

    def _blank_page(self, like: dict[str, Any]) -> None:
        """An empty page (so that the next leaflet starts on a right-hand page)."""
        self.__dict__.update(like)
        self._code: list[str] = []
        self._currentPageHasImages = 0
        super().showPage()


class _StartPart(Flowable):
    """Zero-size marker: the pages from here on belong to leaflet ``index``."""

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
        width: float,
        metadata: dict[str, Any],
        odd_starts: bool,
    ):
        self.furniture = furniture
        self.tagger = tagger
        self.margin = margin
        self.width = width
        self.metadata = metadata
        self.odd_starts = odd_starts
        self.page_map: list[int] = []  # drawn page index → final page index
        self.ranges: list[tuple[int, int]] = []  # each leaflet's final pages [start, end)

    def decorate(self, canvas: Canvas, part: int, page: int, total: int) -> None:
        furniture, margin = self.furniture[part], self.margin
        style = furniture.style
        if furniture.expired_mark and page > 1:
            mark = furniture.mark_style
            _, height = canvas._pagesize
            with artifact(canvas, "Pagination", "Header"):
                canvas.setFillColor(HexColor(mark.color))
                draw_line(
                    canvas,
                    [(furniture.expired_mark, BOLD)],
                    margin,
                    height - margin - mark.size,
                    mark.size,
                )
        with artifact(canvas, "Pagination", "Footer"):
            canvas.saveState()
            canvas.setStrokeColor(HexColor(MUTED_TEXT))
            canvas.setLineWidth(0.5)
            top = margin + furniture.height - style.size * 0.4
            canvas.line(margin, top, margin + self.width, top)
            canvas.restoreState()
            canvas.setFillColor(HexColor(style.color))
            y = top - style.leading
            for line in furniture.copyright:
                draw_line(canvas, list(line.pieces), margin, y, style.size)
                y -= style.leading
            draw_line(canvas, [(furniture.expiry + " ", REGULAR)], margin, y, style.size)
            if furniture.number_below:
                y -= style.leading
            number = furniture.page_pattern.format(n=page, m=total)
            number_width = canvas.stringWidth(number, REGULAR, style.size)
            draw_line(
                canvas, [(number, REGULAR)], margin + self.width - number_width, y, style.size
            )

    def finalize(self, canvas: Canvas) -> None:
        pdfobjects.write_structure_tree(canvas, self.tagger, self.page_map)
        pdfobjects.write_document_metadata(canvas, **self.metadata)
        canvas.showOutline()


def furniture_for(leaflet: Leaflet, fonts: FontSet, width: float) -> PageFurniture:
    t = leaflet.typography
    style = t.style(t.footer, MUTED_TEXT, after=0)
    copyright_lines = break_lines([Run(leaflet.monograph.source.copyright)], style, fonts, width)
    mark = leaflet.locale.word("expired_mark") if leaflet.expired else None
    expiry = expiry_line(leaflet)
    widest_number = leaflet.locale.word("page", n=888, m=888)
    side_by_side = stringWidth(f"{expiry}    {widest_number}", REGULAR, style.size)
    return PageFurniture(
        copyright=copyright_lines,
        expiry=expiry,
        page_pattern=leaflet.locale.words["page"],
        number_below=side_by_side > width,
        expired_mark=mark,
        style=style,
        mark_style=t.style(t.footer * 1.3, leaflet.brand.colors.warning, bold=True, after=0),
    )


@dataclass(frozen=True)
class Combined:
    """Several leaflets in one PDF; ``ranges[i]`` are leaflet i's pages, [start, end), 0-based."""

    pdf: bytes
    ranges: list[tuple[int, int]]


def render_pdf(leaflet: Leaflet, paper: str = "letter") -> bytes:
    """The finished, tagged PDF for ``leaflet`` as bytes (deterministic under SOURCE_DATE_EPOCH)."""
    metadata = {
        "title": document_title(leaflet),
        "language": leaflet.monograph.language,
        "author": leaflet.brand.name or leaflet.monograph.source.copyright,
        "subject": leaflet.locale.word(leaflet.profile.title_suffix),
        "keywords": ", ".join((leaflet.monograph.drug.name, *leaflet.monograph.drug.brands)),
        "creator": PRODUCT,
        "provenance": provenance(leaflet, paper),
    }
    return _render([leaflet], paper, metadata, odd_starts=False).pdf


def render_combined(leaflets: list[Leaflet], paper: str = "letter") -> Combined:
    """One print-ready PDF of ``leaflets``, each starting on an odd page, each numbered
    "Page N of M" on its own, each a Part (with its language) in the structure tree."""
    first = leaflets[0]
    ids = [leaflet.monograph.id for leaflet in leaflets]
    metadata = {
        "title": f"Patient leaflets ({len(leaflets)})",
        "language": first.monograph.language,
        "author": first.brand.name or "rxleaflet",
        "subject": "Patient leaflets for printing",
        "keywords": ", ".join(sorted({leaflet.monograph.drug.name for leaflet in leaflets})),
        "creator": PRODUCT,
        "provenance": {
            "RxLeafletIds": " ".join(ids),
            "RxLeafletVersion": __version__,
            "RxLeafletPaper": paper,
        },
    }
    return _render(leaflets, paper, metadata, odd_starts=True)


def _render(
    leaflets: list[Leaflet], paper: str, metadata: dict[str, Any], odd_starts: bool
) -> Combined:
    fonts = load_fonts()
    size = page_size(paper)
    margin = leaflets[0].typography.margin
    width = size[0] - 2 * margin
    tagger = Tagger(StructNode("Document"))
    single = len(leaflets) == 1 and not odd_starts
    furniture = [furniture_for(leaflet, fonts, width) for leaflet in leaflets]
    templates: dict[tuple[float, float], tuple[str, str]] = {}
    page_templates: list[PageTemplate] = []

    def template_for(part: PageFurniture) -> str:
        """Page templates are shared by leaflets with the same footer height and header band."""
        bottom = margin + part.height + leaflets[0].typography.body * 0.8
        band = part.mark_style.leading * 1.3 if part.expired_mark else 0.0
        key = (bottom, band)
        if key not in templates:
            names = (f"first{len(templates)}", f"later{len(templates)}")
            templates[key] = names
            height = size[1] - margin - bottom
            page_templates.extend(
                [
                    PageTemplate(
                        names[0],
                        [_frame(margin, bottom, width, height)],
                        autoNextPageTemplate=names[1],
                    ),
                    PageTemplate(names[1], [_frame(margin, bottom, width, height - band)]),
                ]
            )
        return templates[key][0]

    story: list[Flowable] = []
    for index, (leaflet, part) in enumerate(zip(leaflets, furniture, strict=True)):
        name = template_for(part)
        if index:
            story += [NextPageTemplate(name), PageBreak()]
        parent = tagger.root if single else tagger.root.add("Part", lang=leaflet.monograph.language)
        story.append(_StartPart(index))
        story += compose(leaflet, fonts, tagger, parent, key_prefix="" if single else f"{index}-")
    finisher = _Finisher(furniture, tagger, margin, width, metadata, odd_starts)
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer, pagesize=size, pageTemplates=page_templates, title=metadata["title"],
        lang=metadata["language"], initialFontName=REGULAR, invariant=0, pageCompression=1,
    )  # fmt: skip

    def make_canvas(*args: Any, **kwargs: Any) -> _LeafletCanvas:
        kwargs["initialFontName"] = REGULAR
        kwargs["lang"] = metadata["language"]
        return _LeafletCanvas(*args, finisher=finisher, **kwargs)

    document.build(story, canvasmaker=make_canvas)
    return Combined(buffer.getvalue(), finisher.ranges)


def _frame(x: float, y: float, width: float, height: float) -> Frame:
    return Frame(
        x, y, width, height, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body"
    )
