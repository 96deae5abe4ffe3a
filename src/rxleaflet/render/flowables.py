"""Tagged flowables: text laid out line by line from runs (never parsed as markup), and boxes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from ..source.markup import Run
from .fonts import BOLD, REGULAR, FontSet
from .tagging import StructNode, Tagger, artifact

Piece = tuple[str, str]  # (text, font name)


@dataclass(frozen=True)
class Line:
    pieces: tuple[Piece, ...]
    width: float


@dataclass(frozen=True)
class TextStyle:
    size: float
    leading: float
    color: str
    bold: bool = False
    space_before: float = 0.0
    space_after: float = 0.0


_MEASURED: dict[tuple[object, ...], tuple[tuple[Piece, ...], float]] = {}
_MEASURED_LIMIT = 50_000  # words; keeps memory flat over long batches


def _measure(
    word: tuple[tuple[str, bool], ...], bold: bool, size: float, fonts: FontSet
) -> tuple[tuple[Piece, ...], float]:
    """The font pieces of a word and its width, cached: batches repeat the same words."""
    key = (word, bold, size)
    found = _MEASURED.get(key)
    if found is None:
        pieces = tuple(seg for text, b in word for seg in fonts.segments(text, b or bold))
        found = (pieces, sum(stringWidth(text, font, size) for text, font in pieces))
        if len(_MEASURED) >= _MEASURED_LIMIT:
            _MEASURED.clear()
        _MEASURED[key] = found
    return found


def _space_font(pieces: Sequence[Piece]) -> str:
    """Spaces take the font of the text before them (fewer font switches), never the symbols'."""
    font = pieces[-1][1] if pieces else REGULAR
    return font if font in (REGULAR, BOLD) else REGULAR


def break_lines(runs: Sequence[Run], style: TextStyle, fonts: FontSet, width: float) -> list[Line]:
    """Greedy, left-aligned line breaking at spaces; an over-long word is broken by characters.

    Every line but the last ends with a space so that extracted text keeps its words apart.
    """
    size = style.size
    space = stringWidth(" ", REGULAR, size)
    lines: list[Line] = []
    current: list[Piece] = []
    current_width = 0.0

    def finish(trailing_space: bool) -> None:
        nonlocal current, current_width
        if current:
            if trailing_space:
                current.append((" ", _space_font(current)))
            lines.append(Line(_merge(current), current_width))
        current, current_width = [], 0.0

    for word in _words(runs):
        pieces, word_width = _measure(word, style.bold, size, fonts)
        if current and current_width + space + word_width <= width:
            current.append((" ", _space_font(current)))
            current.extend(pieces)
            current_width += space + word_width
            continue
        finish(trailing_space=True)
        if word_width <= width:
            current, current_width = list(pieces), word_width
            continue
        chunks = _break_word(list(pieces), size, width)
        for chunk, chunk_width in chunks[:-1]:
            current, current_width = chunk, chunk_width
            finish(trailing_space=False)
        current, current_width = chunks[-1]
    finish(trailing_space=False)
    return lines


def _words(runs: Sequence[Run]) -> list[tuple[tuple[str, bool], ...]]:
    words: list[list[tuple[str, bool]]] = [[]]
    for run in runs:
        for index, part in enumerate(run.text.split(" ")):
            if index and words[-1]:
                words.append([])
            if part:
                words[-1].append((part, run.bold))
    return [tuple(word) for word in words if word]


def _break_word(pieces: list[Piece], size: float, width: float) -> list[tuple[list[Piece], float]]:
    chunks: list[tuple[list[Piece], float]] = []
    chunk: list[Piece] = []
    chunk_width = 0.0
    for text, font in pieces:
        for char in text:
            char_width = stringWidth(char, font, size)
            if chunk and chunk_width + char_width > width:
                chunks.append((_merge(chunk), chunk_width))  # type: ignore[arg-type]
                chunk, chunk_width = [], 0.0
            chunk.append((char, font))
            chunk_width += char_width
    if chunk:
        chunks.append((_merge(chunk), chunk_width))  # type: ignore[arg-type]
    return [(list(c), w) for c, w in chunks]


def _merge(pieces: Sequence[Piece]) -> tuple[Piece, ...]:
    merged: list[Piece] = []
    for text, font in pieces:
        if merged and merged[-1][1] == font:
            merged[-1] = (merged[-1][0] + text, font)
        else:
            merged.append((text, font))
    return tuple(merged)


class TextBlock(Flowable):
    """A paragraph, heading or list item, drawn as one tagged marked-content sequence per page."""

    def __init__(
        self,
        runs: Sequence[Run],
        style: TextStyle,
        *,
        node: StructNode,
        tagger: Tagger,
        fonts: FontSet,
        bullet: tuple[str, StructNode] | None = None,
        indent: float = 0.0,
        bookmark: tuple[str, str, int] | None = None,
        keep_with_next: bool = False,
        lines: list[Line] | None = None,
        line_width: float | None = None,
    ):
        super().__init__()
        self.runs = runs
        self.style = style
        self.node = node
        self.tagger = tagger
        self.fonts = fonts
        self.bullet = bullet
        self.indent = indent
        self.bookmark = bookmark
        self.keepWithNext = keep_with_next
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after
        self._lines = lines
        self._line_width = line_width

    def lines(self, width: float) -> list[Line]:
        text_width = width - self.indent
        if self._lines is None or self._line_width != text_width:
            self._lines = break_lines(self.runs, self.style, self.fonts, text_width)
            self._line_width = text_width
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.height = len(self.lines(availWidth)) * self.style.leading
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        lines = self.lines(availWidth)
        fit = int(availHeight // self.style.leading)
        if fit < 2 or len(lines) - fit < 2 or fit >= len(lines):
            return []
        first = self._part(lines[:fit], bullet=self.bullet, bookmark=self.bookmark)
        first.spaceAfter = 0
        rest = self._part(lines[fit:], bullet=None, bookmark=None)
        rest.spaceBefore = 0
        return [first, rest]

    def _part(
        self,
        lines: list[Line],
        bullet: tuple[str, StructNode] | None,
        bookmark: tuple[str, str, int] | None,
    ) -> TextBlock:
        return TextBlock(
            self.runs, self.style, node=self.node, tagger=self.tagger, fonts=self.fonts,
            bullet=bullet, indent=self.indent, bookmark=bookmark, keep_with_next=False,
            lines=lines, line_width=self._line_width,
        )  # fmt: skip

    def draw(self) -> None:
        canvas = self.canv
        style = self.style
        lines = self.lines(self.width)
        baseline = self.height - style.leading + (style.leading - style.size) / 2 + style.size * 0.2
        canvas.setFillColor(HexColor(style.color))
        if self.bookmark:
            key, title, level = self.bookmark
            canvas.bookmark_request(key, title, level, self.height)  # type: ignore[attr-defined]
        if self.bullet:
            symbol, label_node = self.bullet
            with self.tagger.content(canvas, label_node):
                draw_line(canvas, ((symbol, REGULAR),), 0, baseline, style.size)
        with self.tagger.content(canvas, self.node):
            for index, line in enumerate(lines):
                draw_line(
                    canvas, line.pieces, self.indent, baseline - index * style.leading, style.size
                )


def draw_line(canvas: object, pieces: Sequence[Piece], x: float, y: float, size: float) -> None:
    """One line of text at (x, y): each piece in its own font."""
    text = canvas.beginText(x, y)  # type: ignore[attr-defined]
    for piece, font in pieces:
        text.setFont(font, size)
        text.textOut(piece)
    canvas.drawText(text)  # type: ignore[attr-defined]


class Box(Flowable):
    """A bordered, tinted box around flowables; split across pages, every part keeps its border."""

    def __init__(
        self,
        children: list[Flowable],
        *,
        border: str,
        fill: str,
        border_width: float,
        padding: float,
        continued_label: tuple[str, TextStyle],
        continued: bool = False,
    ):
        super().__init__()
        self.children = children
        self.border = border
        self.fill = fill
        self.border_width = border_width
        self.padding = padding
        self.continued_label = continued_label
        self.continued = continued
        self.spaceBefore = 0
        self.spaceAfter = padding

    def _inner_width(self, width: float) -> float:
        return width - 2 * (self.padding + self.border_width)

    def _chrome_height(self) -> float:
        """Height taken by border, padding and, on continuation parts, the repeated label."""
        label = self.continued_label[1]
        header = label.leading + label.space_after if self.continued else 0.0
        return 2 * (self.padding + self.border_width) + header

    def _heights(self, width: float) -> list[float]:
        inner = self._inner_width(width)
        heights = []
        for index, child in enumerate(self.children):
            height = child.wrap(inner, 1e9)[1]
            if index:
                height += child.getSpaceBefore()
            if index < len(self.children) - 1:
                height += child.getSpaceAfter()
            heights.append(height)
        return heights

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.height = sum(self._heights(availWidth)) + self._chrome_height()
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        room = availHeight - self._chrome_height()
        inner = self._inner_width(availWidth)
        used = 0.0
        for index, (child, height) in enumerate(
            zip(self.children, self._heights(availWidth), strict=True)
        ):
            if used + height <= room:
                used += height
                continue
            before = child.getSpaceBefore() if index else 0
            parts = child.split(inner, room - used - before) if room - used - before > 0 else []
            head = self.children[:index] + parts[:1]
            tail = parts[1:] + self.children[index + 1 :] if parts else self.children[index:]
            if not head or (len(head) == 1 and head[0].keepWithNext):
                return []
            return [self._part(head, self.continued), self._part(tail, True)]
        return [self]

    def _part(self, children: list[Flowable], continued: bool) -> Box:
        return Box(
            children,
            border=self.border,
            fill=self.fill,
            border_width=self.border_width,
            padding=self.padding,
            continued_label=self.continued_label,
            continued=continued,
        )

    def draw(self) -> None:
        canvas = self.canv
        inset = self.border_width / 2
        with artifact(canvas):
            canvas.saveState()
            canvas.setFillColor(HexColor(self.fill))
            canvas.setStrokeColor(HexColor(self.border))
            canvas.setLineWidth(self.border_width)
            canvas.rect(
                inset, inset, self.width - 2 * inset, self.height - 2 * inset, stroke=1, fill=1
            )
            canvas.restoreState()
        x = self.padding + self.border_width
        y = self.height - x
        if self.continued:  # a repetition of the heading, for sighted readers only
            label, style = self.continued_label
            y -= style.leading
            with artifact(canvas):
                canvas.setFillColor(HexColor(style.color))
                draw_line(
                    canvas, ((label, BOLD),), x, y + style.leading - style.size * 1.05, style.size
                )
            y -= style.space_after
        inner = self._inner_width(self.width)
        for index, child in enumerate(self.children):
            if index:
                y -= child.getSpaceBefore()
            height = child.wrap(inner, 1e9)[1]
            y -= height
            child.drawOn(canvas, x, y)
            y -= child.getSpaceAfter()


class Rule(Flowable):
    """A horizontal line: decoration, so an artifact."""

    def __init__(self, color: str, thickness: float, space_before: float, space_after: float):
        super().__init__()
        self.color = color
        self.thickness = thickness
        self.spaceBefore = space_before
        self.spaceAfter = space_after

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        return availWidth, self.thickness

    def draw(self) -> None:
        with artifact(self.canv):
            self.canv.saveState()
            self.canv.setStrokeColor(HexColor(self.color))
            self.canv.setLineWidth(self.thickness)
            self.canv.line(0, self.thickness / 2, self.width, self.thickness / 2)
            self.canv.restoreState()


class Logo(Flowable):
    """The brand's logo, tagged as a Figure with its alternative text."""

    def __init__(self, path: str, height: float, *, node: StructNode, tagger: Tagger):
        from reportlab.lib.utils import ImageReader

        super().__init__()
        self.path = path
        self.node = node
        self.tagger = tagger
        pixel_width, pixel_height = ImageReader(path).getSize()
        self.draw_height = height
        self.draw_width = height * pixel_width / pixel_height
        self.spaceAfter = height * 0.25

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        scale = min(1.0, availWidth / self.draw_width)
        self.width, self.height = self.draw_width * scale, self.draw_height * scale
        return self.width, self.height

    def draw(self) -> None:
        with self.tagger.content(self.canv, self.node):
            self.canv.drawImage(self.path, 0, 0, self.width, self.height, mask="auto")
