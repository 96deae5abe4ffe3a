"""The logical structure of a leaflet and the marked-content operators that tie drawing to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from reportlab.pdfgen.canvas import Canvas


@dataclass(eq=False)
class StructNode:
    """A structure element (PDF 1.7 §14.7.2): a role, children in reading order, and content."""

    role: str
    children: list[StructNode | MarkedContent] = field(default_factory=list)
    alt: str | None = None
    lang: str | None = None  # set where a part's language differs from the document's

    def add(self, role: str, **attributes: str | None) -> StructNode:
        child = StructNode(role, **attributes)  # type: ignore[arg-type]
        self.children.append(child)
        return child


class MarkedContent(NamedTuple):
    """One marked-content sequence: page index (0-based) and its MCID on that page (a named
    tuple: quicker to make than a frozen dataclass, hundreds per leaflet)."""

    page: int
    mcid: int


class Tagger:
    """Numbers marked-content sequences per page while the canvas draws."""

    def __init__(self, root: StructNode):
        self.root = root
        self._next_mcid: dict[int, int] = {}
        self.page_contents: dict[int, list[tuple[int, StructNode]]] = {}
        self.lines: dict[int, int] = {}  # drawn page index → lines of text drawn on it

    def count_lines(self, canvas: Canvas, lines: int) -> None:
        page = canvas.getPageNumber() - 1
        self.lines[page] = self.lines.get(page, 0) + lines

    def content(self, canvas: Canvas, node: StructNode) -> _Sequence:
        """Draw real content belonging to ``node`` (a leaf element such as P, H1, Lbl), in
        a ``with`` block: the marked-content sequence ends with it."""
        page = canvas.getPageNumber() - 1
        mcid = self._next_mcid.get(page, 0)
        self._next_mcid[page] = mcid + 1
        node.children.append(MarkedContent(page, mcid))
        self.page_contents.setdefault(page, []).append((mcid, node))
        canvas.addLiteral(f"/{node.role} <</MCID {mcid}>> BDC")
        return _Sequence(canvas)


class _Sequence:
    """An open marked-content sequence: EMC when the ``with`` block ends, however it ends (a
    plain class: a generator-based context manager costs twice as much, for every paragraph)."""

    __slots__ = ("canvas",)

    def __init__(self, canvas: Canvas):
        self.canvas = canvas

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exception: object) -> None:
        self.canvas.addLiteral("EMC")


def artifact(canvas: Canvas, kind: str = "Layout", subtype: str | None = None) -> _Sequence:
    """Draw decoration or page furniture that assistive technology should skip, in a
    ``with`` block."""
    properties = f"/Type /{kind}" + (f" /Subtype /{subtype}" if subtype else "")
    canvas.addLiteral(f"/Artifact <<{properties}>> BDC")
    return _Sequence(canvas)
