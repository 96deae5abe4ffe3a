"""Tagged flowables: text laid out line by line from runs (never parsed as markup), and boxes."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ..source.markup import Run
from .cjkbreak import break_offsets, has_cjk
from .flow import Flowable
from .fonts import REGULAR, SYMBOLS, FontSet, clusters, text_width
from .glue import MAY_BIND, MAY_BIND_A_SPACE, binds
from .pdfobjects import color, draw_line, draw_lines
from .shaping import shaped_face
from .tagging import StructNode, Tagger, artifact

Piece = tuple[str, str]  # (text, font name)


class Line(NamedTuple):
    """A broken line: its (text, font) pieces and its width (a named tuple: a leaflet makes
    hundreds, and a frozen dataclass takes four times as long to make)."""

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


Measure = tuple[tuple[Piece, ...], float, "str | None", str]
"""A word's font pieces, its width, the one font all its pieces are in (None when several) and
its text."""

# the word-measure cache: (bold, size, font set) → the words measured so far in that style, a
# word of one run by its text, a word of several runs by its (text, bold) runs
_MEASURED: dict[tuple[bool, float, str], dict[object, Measure]] = {}
_MEASURED_LIMIT = 50_000  # words in one style; keeps memory flat over long batches


def _measure(word: Sequence[tuple[str, bool]], bold: bool, size: float, fonts: FontSet) -> Measure:
    """The font pieces of a word and its width."""
    pieces = tuple(seg for text, b in word for seg in fonts.segments(text, b or bold))
    font = pieces[0][1]
    one = all(piece_font == font for _, piece_font in pieces)
    width = sum(text_width(text, piece_font, size) for text, piece_font in pieces)
    return pieces, width, font if one else None, "".join(text for text, _ in pieces)


def _measured(
    words: Sequence[Sequence[tuple[str, bool]]], style: TextStyle, fonts: FontSet, cache: bool
) -> list[Measure]:
    """``_measure`` of each word, cached: batches repeat the same words (never patient data,
    which is measured with ``cache`` off). A word of one run, most words, is looked up by its
    text alone, in the cache of its style."""
    bold, size, name = style.bold, style.size, fonts.name
    if not cache:
        return [_measure(word, bold, size, fonts) for word in words]
    styles = (_style_cache(bold, size, name), _style_cache(True, size, name))
    measured: list[Measure] = []
    add = measured.append
    for word in words:
        if type(word) is _OneRunWords:  # the words of a run, looked up in one call when known
            known = styles[word.bold]
            start = len(measured)
            try:
                measured.extend(map(known.__getitem__, word))
            except KeyError:  # a word not measured yet: one by one
                del measured[start:]
                for text in word:
                    found = known.get(text)
                    if found is None:
                        found = known[text] = _measure(((text, word.bold),), bold, size, fonts)
                    add(found)
            continue
        elif len(word) == 1:
            text, strong = word[0]
            known = styles[strong]
            found = known.get(text)
            if found is None:
                found = known[text] = _measure(word, bold, size, fonts)
        else:
            key = tuple(word)
            known = styles[0]
            found = known.get(key)
            if found is None:
                found = known[key] = _measure(word, bold, size, fonts)
        add(found)
    return measured


def _style_cache(bold: bool, size: float, name: str) -> dict[object, Measure]:
    """The measured words of one style (emptied when it holds _MEASURED_LIMIT words)."""
    known = _MEASURED.setdefault((bold, size, name), {})
    if len(known) >= _MEASURED_LIMIT:
        known.clear()
    return known


def break_lines(
    runs: Sequence[Run],
    style: TextStyle,
    fonts: FontSet,
    width: float,
    cache: bool = True,
    unbreakable: tuple[str, ...] = (),
) -> list[Line]:
    """Lines of ``runs`` at most ``width`` wide (see _greedy_lines). Text set without spaces
    (Chinese) never ends a paragraph on a last line of fewer than two characters besides
    punctuation ("好|转。"), and no line breaks inside the words of ``unbreakable`` (the
    drug's names)."""
    cjk = any(has_cjk(run.text) for run in runs)
    if not cjk:
        measured = _measured(_joined(runs, chunked=cache), style, fonts, cache)
        if not fonts.rtl:
            lines = _one_font_words_lines(measured, style.size, width)
            if lines is not None:
                return lines
        return _greedy_lines(measured, [True] * len(measured), style, fonts, width)
    units = _words(runs, unbreakable, cjk)
    measured = _measured([word for word, _ in units], style, fonts, cache)
    spaced = [space for _, space in units]
    lines = _greedy_lines(measured, spaced, style, fonts, width)
    if len(lines) < 2:
        return lines
    for _ in range(3):  # each try moves at least one unit down from the line before the last
        if _characters(lines[-1]) >= 2:
            break
        limits = {len(lines) - 2: lines[-2].width - 0.01}
        fewer = _greedy_lines(measured, spaced, style, fonts, width, limits)
        if len(fewer) != len(lines):
            break
        lines = fewer
    return lines


def _characters(line: Line) -> int:
    """Characters on ``line`` that are not punctuation or spaces."""
    return sum(1 for text, _ in line.pieces for char in text if char.isalnum())


def _one_font_words_lines(measured: list[Measure], size: float, width: float) -> list[Line] | None:
    """_greedy_lines for the common case, in less work per word: a left-to-right paragraph of
    words separated by spaces, each word in one font that is not the symbols', none wider than
    the line (else None: that is _greedy_lines' to do). A space takes the font of the word
    before it; the lines, their pieces and their widths come out as _greedy_lines makes them."""
    if not measured:
        return []
    _, widths, word_fonts, texts = zip(*measured, strict=True)
    font = word_fonts[0]
    one_font = word_fonts.count(font) == len(word_fonts)  # most paragraphs (found by identity)
    if one_font and (font is None or font == SYMBOLS):
        return None
    if not one_font and (None in word_fonts or SYMBOLS in word_fonts):
        return None
    if max(widths) > width:
        return None
    if one_font:
        gaps = itertools.repeat(_space_width(font, size))
        breaks, line_width = _break_points(widths, gaps, width)
        lines, start = [], 0
        for end, broken_width in breaks:
            lines.append(Line(((" ".join(texts[start:end]) + " ", font),), broken_width))
            start = end
        lines.append(Line(((" ".join(texts[start:]), font),), line_width))
        return lines
    spaces = {name: _space_width(name, size) for name in set(word_fonts)}
    breaks, line_width = _break_points(widths, [spaces[name] for name in word_fonts], width)
    lines, start = [], 0
    for end, broken_width in [*breaks, (len(texts), line_width)]:
        pieces = [
            (" ".join([texts[at] for at in group]) + " ", name)
            for name, group in itertools.groupby(range(start, end), word_fonts.__getitem__)
        ]
        if end == len(texts):  # the last line ends with its last word, not a space
            pieces[-1] = (pieces[-1][0][:-1], pieces[-1][1])
        lines.append(Line(tuple(pieces), broken_width))
        start = end
    return lines


def _break_points(
    widths: Sequence[float], gaps: Iterable[float], width: float
) -> tuple[list[tuple[int, float]], float]:
    """Greedy breaking of words ``widths`` wide with ``gaps`` between them (a space after each
    word but the last, in its font): each line after the first as (its first word, the width of
    the line before it), and the last line's width."""
    breaks: list[tuple[int, float]] = []
    line_width = widths[0]
    for index, (gap, word_width) in enumerate(zip(gaps, widths[1:]), 1):  # noqa: B905
        if line_width + gap + word_width <= width:
            line_width += gap + word_width
        else:
            breaks.append((index, line_width))
            line_width = word_width
    return breaks, line_width


@functools.lru_cache(maxsize=1024)
def _space_width(font: str, size: float) -> float:
    """The width of a space in ``font`` at ``size`` (font data: the same in every leaflet)."""
    return text_width(" ", font, size)


def _greedy_lines(
    measured: list[Measure],
    spaced: list[bool],
    style: TextStyle,
    fonts: FontSet,
    width: float,
    limits: dict[int, float] | None = None,
) -> list[Line]:
    """Greedy, left-aligned line breaking at spaces, and between the characters of Chinese
    text; an over-long word is broken by characters. ``measured`` are the words, ``spaced``
    whether a space comes before each.

    A line that breaks at a space ends with one, so that extracted text keeps its words apart;
    a line that breaks inside Chinese text does not (its words have no spaces between them).
    A space takes the font of the text before it (fewer font switches: Korean text is words
    of Hangul between spaces), and that font's width; never the symbols' font, and on a
    right-to-left line not a shaped face's before a Latin word or a number.
    """
    size = style.size
    full_width = width
    spaces: dict[str, float] = {}  # the width of a space in each font
    lines: list[Line] = []
    done: list[Piece] = []  # the line's pieces before the open one, neighbours in one font merged
    texts: list[str] = []  # the open piece: its texts, all in ``font``
    font = REGULAR
    line_width = 0.0
    rtl = fonts.rtl
    for (pieces, word_width, _, _), space_before in zip(measured, spaced, strict=True):
        if limits:
            width = limits.get(len(lines), full_width)
        if texts:
            gap = 0.0
            if space_before:  # on this line either way: between two words, or at its end
                latin = pieces[0][1] if pieces[0][1] != SYMBOLS else REGULAR
                if font == SYMBOLS:
                    done.append(("".join(texts), font))
                    texts, font = [], REGULAR
                elif rtl and shaped_face(font) and not shaped_face(latin):
                    # before a Latin word or a number on a right-to-left line, the Latin
                    # face's space: Nastaliq's is a seventh of an em ("ستمبر2027")
                    done.append(("".join(texts), font))
                    texts, font = [], latin
                texts.append(" ")
                gap = spaces.get(font) or spaces.setdefault(font, text_width(" ", font, size))
            if line_width + gap + word_width <= width:
                line_width += gap + word_width
            else:
                done.append(("".join(texts), font))
                lines.append(Line(tuple(done), line_width))
                done, texts = [], []
        if not texts:  # the word starts a line
            if word_width > width:
                chunks = _break_word(list(pieces), size, width)
                lines.extend(Line(tuple(chunk), chunk_width) for chunk, chunk_width in chunks[:-1])
                last, word_width = chunks[-1]
                pieces = tuple(last)
            font, line_width = pieces[0][1], word_width
        for text, piece_font in pieces:
            if piece_font == font:
                texts.append(text)
            else:
                done.append(("".join(texts), font))
                texts, font = [text], piece_font
    if texts:
        done.append(("".join(texts), font))
        lines.append(Line(tuple(done), line_width))
    return lines


Word = tuple[tuple[str, bool], ...]  # (text, bold) runs


class _OneRunWords(list[str]):
    """Words of one run, each a word on its own, all of one boldness (_joined's ``chunked``)."""

    __slots__ = ("bold",)

    def __init__(self, words: list[str], bold: bool):
        super().__init__(words)
        self.bold = bold


def _joined(
    runs: Sequence[Run], chunked: bool = False
) -> list[list[tuple[str, bool]] | _OneRunWords]:
    """The words of ``runs`` between spaces, as (text, bold) runs, with the spaces that must
    not break (a number and its unit, a sign and its number) kept inside them. ``chunked``:
    the words of a run that are words on their own come together, as one _OneRunWords (but
    the run's last word, which the next run may continue or bind to)."""
    joined: list[list[tuple[str, bool]] | _OneRunWords] = []
    open_word = False  # no space yet after the last word: the next run's text continues it
    last = ""  # the last character of the last word (glue.may_bind tells most words apart)
    for run in runs:
        text = run.text
        if not text:
            continue
        bold = run.bold
        parts = text.split(" ")
        rest: list[str] = []
        if len(parts) > 2 and parts[0] and MAY_BIND_A_SPACE.search(text) is None:
            # no space in the run that may bind: after its first word, each is a word alone
            parts, rest = parts[:1], parts[1:]
        for index, part in enumerate(parts):
            if not part:
                continue
            if open_word and not index:
                joined[-1].append((part, bold))
            elif (last in MAY_BIND or last.isdecimal()) and binds(joined[-1][-1][0], part):
                joined[-1] += [(" ", joined[-1][-1][1]), (part, bold)]
            else:
                joined.append([(part, bold)])
            last = part[-1]
        if rest:
            words = [part for part in rest if part]
            if chunked and len(words) > 1:
                joined.append(_OneRunWords(words[:-1], bold))
                joined.append([(words[-1], bold)])
            else:
                joined += [[(part, bold)] for part in words]
            last = text.rstrip(" ")[-1]
        open_word = bool((rest or parts)[-1])
    return joined


def _words(
    runs: Sequence[Run], unbreakable: tuple[str, ...] = (), cjk: bool | None = None
) -> list[tuple[Word, bool]]:
    """The units a line may break between, each with whether a space comes before it: words,
    with the spaces that must not break (a number and its unit, a sign and its number) kept
    inside them, and Chinese text cut where it may break (``cjk``: whether any run has
    Chinese text, when the caller knows)."""
    joined = _joined(runs)
    if cjk is None:
        cjk = any(has_cjk(run.text) for run in runs)
    if not cjk:
        return [(tuple(word), True) for word in joined]
    units: list[tuple[Word, bool]] = []
    for word in joined:
        text = "".join(part for part, _ in word)
        if not has_cjk(text):
            units.append((tuple(word), True))
            continue
        inside = {
            offset
            for name in unbreakable
            for start in _occurrences(text, name)
            for offset in range(start + 1, start + len(name))
        }
        offsets = break_offsets(text)
        if inside:
            offsets = [offset for offset in offsets if offset not in inside]
        cuts = [0, *offsets, len(text)]
        if len(word) == 1:  # most words: one run, cut by slicing its text
            bold = word[0][1]
            slices = [((text[start:end], bold),) for start, end in itertools.pairwise(cuts)]
            units.append((slices[0], True))
            units += zip(slices[1:], itertools.repeat(False))
            continue
        units.extend(
            (_slice(word, start, end), index == 0)
            for index, (start, end) in enumerate(itertools.pairwise(cuts))
        )
    return units


def _occurrences(text: str, name: str) -> list[int]:
    found, start = [], text.find(name) if name else -1
    while start >= 0:
        found.append(start)
        start = text.find(name, start + 1)
    return found


def _slice(word: list[tuple[str, bool]], start: int, end: int) -> Word:
    """The runs of ``word`` between character offsets ``start`` and ``end``."""
    pieces: list[tuple[str, bool]] = []
    offset = 0
    for text, bold in word:
        low, high = max(start, offset), min(end, offset + len(text))
        if low < high:
            pieces.append((text[low - offset : high - offset], bold))
        offset += len(text)
    return tuple(pieces)


def _break_word(pieces: list[Piece], size: float, width: float) -> list[tuple[list[Piece], float]]:
    chunks: list[tuple[list[Piece], float]] = []
    chunk: list[Piece] = []
    chunk_width = 0.0
    for text, font in pieces:
        for char in clusters(text, font):
            char_width = text_width(char, font, size)
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
        keep_with_next: bool | str = False,
        lines: list[Line] | None = None,
        line_width: float | None = None,
        unbreakable: tuple[str, ...] = (),
    ):
        super().__init__()
        self.runs = runs
        self.unbreakable = unbreakable  # names no line may break inside (Chinese text)
        self.style = style
        self.node = node
        self.tagger = tagger
        self.fonts = fonts
        self.bullet = bullet
        self.indent = indent
        self.bookmark = bookmark
        self.keep_next = keep_with_next  # bound to what follows by a Keep (see bind)
        self.private = False  # patient data: not kept in the word-measure cache
        self.list_position: tuple[int, int] | None = None  # (index, length) for list items
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after
        self._lines = lines
        self._line_width = line_width

    def lines(self, width: float) -> list[Line]:
        text_width = width - self.indent
        if self._lines is None or self._line_width != text_width:
            self._lines = break_lines(
                self.runs, self.style, self.fonts, text_width, cache=not self.private,
                unbreakable=self.unbreakable,
            )  # fmt: skip
            self._line_width = text_width
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.height = len(self.lines(availWidth)) * self.style.leading
        return availWidth, self.height

    def min_height(self, width: float) -> float:
        """The least this block may put on a page: two lines (no orphan) when two are left for
        the next page (no widow), else all of it."""
        count = len(self.lines(width))
        return (count if count <= 3 else 2) * self.style.leading

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        lines = self.lines(availWidth)
        fit = int(availHeight // self.style.leading)
        if fit >= len(lines):
            return []
        if len(lines) - fit < 2:
            fit = len(lines) - 2  # no widow: a line goes over with the last one
        if fit < 2:
            return []  # no orphan: the whole block goes to the next page
        first = self._part(lines[:fit], bullet=self.bullet, bookmark=self.bookmark)
        first.spaceAfter = 0
        rest = self._part(lines[fit:], bullet=None, bookmark=None)
        rest.spaceBefore = 0
        return [first, rest]

    def split_at_sentence(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        """Like ``split``, but after a line that ends a sentence when one does (else as split)."""
        lines = self.lines(availWidth)
        fit = min(int(availHeight // self.style.leading), len(lines) - 2)
        for count in range(fit, 1, -1):
            text = "".join(piece for piece, _ in lines[count - 1].pieces).rstrip()
            if text.endswith(SENTENCE_ENDS):
                return self.split(availWidth, count * self.style.leading + 0.01)
        return self.split(availWidth, availHeight)

    def _part(
        self,
        lines: list[Line],
        bullet: tuple[str, StructNode] | None,
        bookmark: tuple[str, str, int] | None,
    ) -> TextBlock:
        part = TextBlock(
            self.runs, self.style, node=self.node, tagger=self.tagger, fonts=self.fonts,
            bullet=bullet, indent=self.indent, bookmark=bookmark, keep_with_next=False,
            lines=lines, line_width=self._line_width, unbreakable=self.unbreakable,
        )  # fmt: skip
        part.list_position = self.list_position
        part.private = self.private  # a part set again at another width: still patient data
        return part

    def draw(self) -> None:
        canvas = self.canv
        style = self.style
        lines = self.lines(self.width)
        baseline = self.height - style.leading + (style.leading - style.size) / 2 + style.size * 0.2
        canvas.setFillColor(color(style.color))
        if self.bookmark:
            key, title, level = self.bookmark
            canvas.bookmark_request(key, title, level, self.height)  # type: ignore[attr-defined]
        rtl = self.fonts.rtl  # mirrored: lines flush right, the bullet at the right
        if self.bullet:
            symbol, label_node = self.bullet
            with self.tagger.content(canvas, label_node):
                right = self.width if rtl else None
                draw_line(canvas, ((symbol, REGULAR),), 0, baseline, style.size, right)
        self.tagger.count_lines(canvas, len(lines))
        with self.tagger.content(canvas, self.node):
            if not rtl:
                draw_lines(canvas, lines, self.indent, baseline, style.leading, style.size)
                return
            right = self.width - self.indent
            for index, line in enumerate(lines):
                y = baseline - index * style.leading
                draw_line(canvas, line.pieces, self.indent, y, style.size, right)


class Band(Flowable):
    """A solid band of colour with white text on it: the EXPIRED mark at the top of a page."""

    def __init__(self, text: TextBlock, fill: str, padding: float):
        super().__init__()
        self.text = text
        self.fill = fill
        self.padding = padding
        self.spaceBefore = 0
        self.spaceAfter = text.style.size * 0.6

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        _, text_height = self.text.wrap(availWidth - 2 * self.padding, availHeight)
        self.width, self.height = availWidth, text_height + 2 * self.padding
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        with artifact(canvas):
            canvas.saveState()
            canvas.setFillColor(color(self.fill))
            canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
            canvas.restoreState()
        self.text.drawOn(canvas, self.padding, self.padding)


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
        continued_label: tuple[tuple[Piece, ...], TextStyle],
        continued: bool = False,
        rtl: bool = False,
    ):
        super().__init__()
        self.rtl = rtl  # the repeated label flush right
        self.children = children
        self.border = border
        self.fill = fill
        self.border_width = border_width
        self.padding = padding
        self.continued_label = continued_label
        self.continued = continued
        self.fresh_page_height = 1e9  # set by bind(): a frame this tall is a new page
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
        """The box whole on the next page when it fits on an empty one; else parts broken
        between its paragraphs and list items (a list keeps two items on each side, a lead-in
        stays with what it leads into, a continued part carries at least MIN_TAIL_LINES), and
        inside a paragraph only at the end of a sentence, when one paragraph fills a page."""
        fresh = availHeight >= self.fresh_page_height - 1
        if not fresh and self.wrap(availWidth, availHeight)[1] <= self.fresh_page_height:
            return []
        room = availHeight - self._chrome_height()
        heights = self._heights(availWidth)
        used, index = 0.0, 0
        while index < len(self.children) and used + heights[index] <= room:
            used += heights[index]
            index += 1
        if index == len(self.children):
            return [self]
        index = _list_break(self.children, index)
        while index and getattr(self.children[index - 1], "keep_next", False):
            index -= 1  # a heading or lead-in goes with what follows it
        while index > 1 and _lines(self.children[index:]) < MIN_TAIL_LINES:
            index -= 1  # too little would continue: take a block along with it
        if index:
            return [self._part(self.children[:index], self.continued),
                    self._part(self.children[index:], True)]  # fmt: skip
        if not fresh:
            return []  # not even its first block fits here: the whole box moves on
        return self._split_in_first_block(availWidth, room)

    def _split_in_first_block(self, width: float, room: float) -> list[Flowable]:
        """A block taller than the page (after the heading that leads into it): cut after the
        last sentence that fits, or after any line when no sentence ends on the page."""
        inner = self._inner_width(width)
        heights = self._heights(width)
        lead = 0
        while lead < len(self.children) - 1 and getattr(self.children[lead], "keep_next", False):
            lead += 1  # the heading stays on this page, above the start of its text
        block = self.children[lead]
        left = room - sum(heights[:lead]) - (block.getSpaceBefore() if lead else 0)
        parts: list[Flowable] = []
        if isinstance(block, TextBlock):
            parts = block.split_at_sentence(inner, left)
        if not parts and left > 0:
            parts = block.split(inner, left)
        if not parts:
            return []
        head = [*self.children[:lead], parts[0]]
        tail = [*parts[1:], *self.children[lead + 1 :]]
        return [self._part(head, self.continued), self._part(tail, True)]

    def min_height(self, width: float) -> float:
        first = self.children[0] if self.children else None
        inner = self._inner_width(width)
        measure = getattr(first, "min_height", None)
        least = measure(inner) if measure is not None else 0.0
        return self._chrome_height() + least

    def _part(self, children: list[Flowable], continued: bool) -> Box:
        part = Box(
            children,
            border=self.border,
            fill=self.fill,
            border_width=self.border_width,
            padding=self.padding,
            continued_label=self.continued_label,
            continued=continued,
            rtl=self.rtl,
        )
        part.fresh_page_height = self.fresh_page_height
        return part

    def draw(self) -> None:
        canvas = self.canv
        inset = self.border_width / 2
        with artifact(canvas):
            canvas.saveState()
            canvas.setFillColor(color(self.fill))
            canvas.setStrokeColor(color(self.border))
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
                canvas.setFillColor(color(style.color))
                right = self.width - x if self.rtl else None
                draw_line(
                    canvas, label, x, y + style.leading - style.size * 1.05, style.size, right
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


SENTENCE_ENDS = (".", "!", "?", ":", "。", "！", "？", "：", ".)", ".\u201d", "۔", "؟")  # ۔ Urdu
KEEP_IF_ONE_LINE = "if one line"  # a keep_next value: bind only a one-line block to what follows
MIN_TAIL_LINES = 4  # a warning box continued on the next page carries at least this much text


def _lines(flowables: list[Flowable]) -> int:
    return sum(len(f._lines or []) if isinstance(f, TextBlock) else 1 for f in flowables)


def _list_break(children: list[Flowable], index: int) -> int:
    """Where to break a box before ``children[index]`` so that a list keeps at least two items
    on each side (or moves whole)."""
    position = getattr(children[index], "list_position", None)
    if position is None:
        return index
    item, length = position
    start = index - item
    if item >= 2 and length - item >= 2:
        return index
    if length - item < 2 and length - 2 >= 2:
        return start + length - 2
    return start


class Keep(Flowable):
    """Binds flowables to what follows them: the heading (or lead-in ending with ':') goes to a
    page only with at least two lines (or the first item) of what follows, else to the next.

    It never draws: when asked to split, it hands back its parts once they may stand apart.
    """

    def __init__(self, head: list[Flowable], follower: Flowable, fresh_page_height: float):
        super().__init__()
        self.head = head
        self.follower = follower
        self.fresh_page_height = fresh_page_height  # a frame at least this tall is a new page
        self.spaceBefore = head[0].getSpaceBefore() if head else 0
        self.spaceAfter = follower.getSpaceAfter()
        self.span = all(getattr(f, "span", False) for f in (*head, follower))

    def _head_height(self, width: float) -> float:
        total = 0.0
        for index, flowable in enumerate(self.head):
            total += flowable.wrap(width, 1e9)[1] + flowable.getSpaceAfter()
            if index:
                total += flowable.getSpaceBefore()
        return total + self.follower.getSpaceBefore()

    def min_height(self, width: float) -> float:
        last = self.head[-1]
        if (
            isinstance(last, TextBlock)
            and last.keep_next == KEEP_IF_ONE_LINE
            and len(last.lines(width)) > 1
        ):
            # two lines of it already make a start: what follows it need not come along
            before = Keep(self.head[:-1], last, self.fresh_page_height)
            return before.min_height(width) if self.head[:-1] else last.min_height(width)
        follower = self.follower
        least = follower.min_height(width) if hasattr(follower, "min_height") else None
        if least is None:
            least = follower.wrap(width, 1e9)[1]
        return self._head_height(width) + least

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        return availWidth, availHeight + 1  # always decided in split

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        if self.min_height(availWidth) <= availHeight or self._fresh(availHeight):
            return [*self.head, self.follower]
        return []

    def _fresh(self, available: float) -> bool:
        return available >= self.fresh_page_height - 1

    def draw(self) -> None:  # pragma: no cover - split always replaces it
        raise AssertionError("a Keep is always split into its parts")


def bind(flowables: list[Flowable], fresh_page_height: float) -> list[Flowable]:
    """Replace each run of flowables marked ``keep_next`` and the one after it with a Keep."""
    out: list[Flowable] = []
    pending: list[Flowable] = []
    for flowable in flowables:
        if isinstance(flowable, Box):
            flowable.fresh_page_height = fresh_page_height
        if getattr(flowable, "keep_next", False):
            pending.append(flowable)
            continue
        if pending:
            out.append(Keep(pending, flowable, fresh_page_height))
            pending = []
        else:
            out.append(flowable)
    out.extend(pending)
    return out


class Rule(Flowable):
    """A horizontal line: decoration, so an artifact."""

    def __init__(
        self,
        color: str,
        thickness: float,
        space_before: float,
        space_after: float,
        keep_next: bool = False,
    ):
        super().__init__()
        self.keep_next = keep_next
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
            self.canv.setStrokeColor(color(self.color))
            self.canv.setLineWidth(self.thickness)
            self.canv.line(0, self.thickness / 2, self.width, self.thickness / 2)
            self.canv.restoreState()


class QrLink(Flowable):
    """A QR code (a Figure with alternative text) and, beside it, the same link in text."""

    def __init__(
        self,
        url: str,
        runs: Sequence[Run],
        style: TextStyle,
        *,
        size: float,
        figure: StructNode,
        text_node: StructNode,
        tagger: Tagger,
        fonts: FontSet,
    ):
        super().__init__()
        self.url = url
        self.size = size
        self.figure = figure
        self.tagger = tagger
        self.text = TextBlock(runs, style, node=text_node, tagger=tagger, fonts=fonts)
        self.gap = style.size
        self.spaceBefore = style.size * 0.3
        self.spaceAfter = style.space_after

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        _, text_height = self.text.wrap(availWidth - self.size - self.gap, availHeight)
        self.height = max(self.size, text_height)
        return availWidth, self.height

    def draw(self) -> None:
        from reportlab.graphics.barcode.qr import QrCodeWidget

        widget = QrCodeWidget(self.url, barLevel="M")  # builds the QR matrix; drawn here
        widget.qr.make()
        modules = widget.qr.modules
        quiet = 2  # modules of white border
        box = self.size / (len(modules) + 2 * quiet)
        top = self.height
        canvas = self.canv
        rtl = self.text.fonts.rtl  # mirrored: the code at the right, the link to its left
        left = self.width - self.size if rtl else 0.0
        with self.tagger.content(canvas, self.figure):
            canvas.saveState()
            canvas.setFillColor(color("#000000"))
            for row, cells in enumerate(modules):
                column = 0
                for dark, run in itertools.groupby(bool(cell) for cell in cells):
                    count = len(list(run))
                    if dark:
                        x = left + (column + quiet) * box
                        y = top - (row + quiet + 1) * box
                        canvas.rect(x, y, count * box, box, stroke=0, fill=1)
                    column += count
            canvas.restoreState()
        text_x = 0.0 if rtl else self.size + self.gap
        self.text.drawOn(canvas, text_x, self.height - self.text.height)


class Logo(Flowable):
    """The brand's logo, tagged as a Figure with its alternative text."""

    def __init__(
        self, path: str, height: float, *, node: StructNode, tagger: Tagger, right: bool = False
    ):
        from reportlab.lib.utils import ImageReader

        super().__init__()
        self.path = path
        self.right = right  # at the right of the column (a right-to-left page)
        self.node = node
        self.tagger = tagger
        pixel_width, pixel_height = ImageReader(path).getSize()
        self.draw_height = height
        self.draw_width = height * pixel_width / pixel_height
        self.spaceAfter = height * 0.25

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        scale = min(1.0, availWidth / self.draw_width)
        self.width, self.height = self.draw_width * scale, self.draw_height * scale
        self.left = availWidth - self.width if self.right else 0.0
        return self.width, self.height

    def draw(self) -> None:
        from reportlab.lib.utils import ImageReader

        with self.tagger.content(self.canv, self.node):
            image = ImageReader(self.path)
            self.canv.drawImage(image, self.left, 0, self.width, self.height, mask="auto")
