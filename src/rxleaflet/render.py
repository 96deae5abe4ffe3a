"""Render a composed leaflet to tagged PDF bytes: pages, footers, structure tree, metadata."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from . import __version__, packagedata, pdfobjects
from .brand import MUTED_TEXT
from .flowables import Line, TextStyle, break_lines
from .fonts import REGULAR, FontSet, load_fonts
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

    @property
    def height(self) -> float:
        return (len(self.copyright) + 1) * self.style.leading + self.style.size


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
    """Holds pages back until the end so that footers can say "Page N of M" and bookmarks and
    the structure tree can point at real page objects."""

    def __init__(self, *args: Any, finish: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []
        self._bookmarks: dict[int, list[tuple[str, str, int, float]]] = {}
        self._finish = finish

    def bookmark_request(self, key: str, title: str, level: int, top: float) -> None:
        _, y = self.absolutePosition(0, top)
        self._bookmarks.setdefault(self.getPageNumber(), []).append((key, title, level, y))

    def showPage(self) -> None:  # noqa: N802
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            page = self.getPageNumber()
            for key, title, level, y in self._bookmarks.get(page, []):
                self.bookmarkHorizontalAbsolute(key, y)
                self.addOutlineEntry(title, key, level=level)
            self._finish.decorate(self, page, total)
            super().showPage()
        self._finish.finalize(self)
        super().save()


class _Finisher:
    def __init__(
        self,
        leaflet: Leaflet,
        furniture: PageFurniture,
        tagger: Tagger,
        margin: float,
        width: float,
    ):
        self.leaflet = leaflet
        self.furniture = furniture
        self.tagger = tagger
        self.margin = margin
        self.width = width

    def decorate(self, canvas: Canvas, page: int, total: int) -> None:
        furniture, margin = self.furniture, self.margin
        style = furniture.style
        if furniture.expired_mark and page > 1:
            mark = furniture.mark_style
            _, height = canvas._pagesize
            with artifact(canvas, "Pagination", "Header"):
                canvas.setFillColor(HexColor(mark.color))
                _text(
                    canvas,
                    [(furniture.expired_mark, "RxSans-Bold")],
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
                _text(canvas, list(line.pieces), margin, y, style.size)
                y -= style.leading
            _text(canvas, [(furniture.expiry + " ", REGULAR)], margin, y, style.size)
            number = furniture.page_pattern.format(n=page, m=total)
            number_width = canvas.stringWidth(number, REGULAR, style.size)
            _text(canvas, [(number, REGULAR)], margin + self.width - number_width, y, style.size)

    def finalize(self, canvas: Canvas) -> None:
        leaflet = self.leaflet
        pdfobjects.write_structure_tree(canvas, self.tagger)
        facts = provenance(leaflet, _paper_name(canvas._pagesize))
        pdfobjects.write_document_metadata(
            canvas,
            title=document_title(leaflet),
            language=leaflet.monograph.language,
            author=leaflet.brand.name or leaflet.monograph.source.copyright,
            subject=leaflet.locale.word(leaflet.profile.title_suffix),
            keywords=", ".join((leaflet.monograph.drug.name, *leaflet.monograph.drug.brands)),
            creator=PRODUCT,
            provenance=facts,
        )
        canvas.showOutline()


def _paper_name(size: tuple[float, float]) -> str:
    for name, (width, height) in packagedata.load("page_sizes.yaml").items():
        if abs(width - size[0]) < 0.5 and abs(height - size[1]) < 0.5:
            return str(name)
    return "custom"


def _text(canvas: Canvas, pieces: list[tuple[str, str]], x: float, y: float, size: float) -> None:
    text = canvas.beginText(x, y)
    for piece, font in pieces:
        text.setFont(font, size)
        text.textOut(piece)
    canvas.drawText(text)


def furniture_for(leaflet: Leaflet, fonts: FontSet, width: float) -> PageFurniture:
    t = leaflet.typography
    style = t.style(t.footer, MUTED_TEXT, after=0)
    copyright_lines = break_lines([Run(leaflet.monograph.source.copyright)], style, fonts, width)
    mark = leaflet.locale.word("expired_mark") if leaflet.expired else None
    return PageFurniture(
        copyright=copyright_lines,
        expiry=expiry_line(leaflet),
        page_pattern=leaflet.locale.words["page"],
        expired_mark=mark,
        style=style,
        mark_style=t.style(t.footer * 1.3, leaflet.brand.colors.warning, bold=True, after=0),
    )


def render_pdf(leaflet: Leaflet, paper: str = "letter") -> bytes:
    """The finished, tagged PDF for ``leaflet`` as bytes (deterministic under SOURCE_DATE_EPOCH)."""
    fonts = load_fonts()
    size = page_size(paper)
    margin = leaflet.typography.margin
    width = size[0] - 2 * margin
    furniture = furniture_for(leaflet, fonts, width)
    tagger = Tagger(StructNode("Document"))
    story = compose(leaflet, fonts, tagger)
    finisher = _Finisher(leaflet, furniture, tagger, margin, width)
    bottom = margin + furniture.height + leaflet.typography.body * 0.8
    # pages after the first repeat the expired mark in a band above the body
    band = furniture.mark_style.leading * 1.3 if furniture.expired_mark else 0.0

    def body_frame(top_band: float) -> Frame:
        return Frame(
            margin,
            bottom,
            width,
            size[1] - margin - top_band - bottom,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )

    templates = [
        PageTemplate("first", [body_frame(0.0)], autoNextPageTemplate="later"),
        PageTemplate("later", [body_frame(band)]),
    ]
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=size,
        pageTemplates=templates,
        title=document_title(leaflet),
        lang=leaflet.monograph.language,
        initialFontName=REGULAR,
        invariant=0,
        pageCompression=1,
    )

    def make_canvas(*args: Any, **kwargs: Any) -> _LeafletCanvas:
        kwargs["initialFontName"] = REGULAR
        kwargs["lang"] = leaflet.monograph.language
        return _LeafletCanvas(*args, finish=finisher, **kwargs)

    template.build(story, canvasmaker=make_canvas)
    return buffer.getvalue()
