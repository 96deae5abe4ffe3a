"""Our own page flow: flowables placed down the columns of page after page.

ReportLab's document templates do this in general (and importing them costs a cold render
about 45 ms); a leaflet needs only a little of it: frames filled top to bottom, a flowable
that does not fit is split or moved on, and pages of a "first page" and a "later pages"
shape. The placement rules are ReportLab's (space before is dropped at the top of a frame
and overlaps the space after the flowable above), so that the pages come out the same.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_FUZZ = 1e-6  # ReportLab's tolerance when deciding that a flowable overflows its frame


class LayoutError(Exception):
    """A flowable fits no frame, not even an empty one (a programming error, not bad input)."""


class Flowable:
    """Something placed in a frame: ``wrap`` says its size for a width, ``split`` cuts it to a
    height (or gives ``[]``), ``draw`` draws it on ``self.canv`` with its bottom left at 0, 0."""

    span: bool = False  # runs across all the columns of a page (see lay_out)
    spaceBefore: float = 0.0  # noqa: N815 - the names ReportLab's flowables use
    spaceAfter: float = 0.0  # noqa: N815
    width: float = 0.0
    height: float = 0.0
    canv: Any

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        return []

    def draw(self) -> None:
        pass

    def getSpaceBefore(self) -> float:  # noqa: N802
        return self.spaceBefore

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.spaceAfter

    def drawOn(self, canvas: Any, x: float, y: float) -> None:  # noqa: N802
        canvas.saveState()
        canvas.translate(x, y)
        self.canv = canvas
        self.draw()
        del self.canv
        canvas.restoreState()


@dataclass(frozen=True)
class Column:
    """A frame: a rectangle filled from the top."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class PageShape:
    """The columns of a leaflet's first page, and of its later pages."""

    first: tuple[Column, ...]
    later: tuple[Column, ...]


@dataclass(frozen=True)
class NewPage:
    """In a story: end the page here; what follows starts a page of ``shape``."""

    shape: PageShape


@dataclass
class _Frame:
    column: Column
    top: float = field(init=False)
    at_top: bool = True
    space_after_above: float = 0.0  # the space after the last flowable placed

    def __post_init__(self) -> None:
        self.top = self.column.y + self.column.height

    def _space_before(self, flowable: Flowable) -> float:
        if self.at_top:
            return 0.0
        return max(flowable.getSpaceBefore() - self.space_after_above, 0.0)

    def add(self, flowable: Flowable, canvas: Any, draw: bool = True) -> bool:
        """Place and draw ``flowable`` if it fits (only place it: ``draw`` False)."""
        space = self._space_before(flowable)
        room = self.top - self.column.y - space
        if room <= 0:
            return False
        _, height = flowable.wrap(self.column.width, room)
        y = self.top - height - space
        if y < self.column.y - _FUZZ:
            return False
        after = flowable.getSpaceAfter()
        if draw:
            flowable.drawOn(canvas, self.column.x, y)
        y -= after
        self.space_after_above = after
        if y != self.top:
            self.at_top = False
        self.top = y
        return True

    def split(self, flowable: Flowable) -> list[Flowable]:
        room = self.top - self.column.y - self._space_before(flowable)
        return flowable.split(self.column.width, room) if room > 0 else []


def lay_out(story: Iterable[Flowable | NewPage], first: PageShape, canvas: Any) -> None:
    """Place ``story`` on pages of ``first``'s shape (a ``NewPage`` changes it), calling
    ``canvas.showPage()`` after each page.

    On pages of several columns, flowables marked ``span`` (the title block, the dispense
    record, the boxed warning) that start a page run across all its columns, and the columns
    begin below them; the columns of the story's last page are balanced."""
    pending: deque[Flowable | NewPage] = deque(story)
    shape, columns = first, first.first
    frames: list[_Frame] = []
    spanning = False  # the page's first frame runs across all its columns
    postponed: dict[int, Flowable] = {}  # moved on once already (held, so ids stay unique)

    def end_page(next_shape: PageShape, next_columns: tuple[Column, ...]) -> None:
        nonlocal shape, columns
        canvas.showPage()
        frames.clear()
        shape, columns = next_shape, next_columns

    def start_columns(top: float) -> None:
        """Columns from ``top`` down, balanced when the rest of the story ends on them."""
        nonlocal columns, spanning
        spanning = False
        below = tuple(Column(c.x, c.y, c.width, min(c.height, top - c.y)) for c in columns)
        columns = _balanced(below, list(pending)) if len(below) > 1 else below
        frames.clear()
        frames.append(_Frame(columns[0]))

    while pending:
        if not frames:  # a page begins
            first_item = pending[0]
            if len(columns) > 1 and getattr(first_item, "span", False):
                frames.append(_Frame(_across(columns)))
                spanning = True
            elif len(columns) > 1:
                start_columns(columns[0].y + columns[0].height)
            else:
                frames.append(_Frame(columns[0]))
        item = pending[0]
        if spanning and not isinstance(item, NewPage) and not getattr(item, "span", False):
            start_columns(frames[0].top - GUTTER_BELOW_SPAN)
            if columns[0].height <= 0:
                end_page(shape, shape.later)
                continue
        pending.popleft()
        if isinstance(item, NewPage):
            end_page(item.shape, item.shape.first)
            continue
        frame = frames[-1]
        if frame.add(item, canvas):
            continue
        parts = frame.split(item)
        if parts:
            if not frame.add(parts[0], canvas):
                raise LayoutError(f"{type(item).__name__} split, but its first part does not fit")
            pending.extendleft(reversed(parts[1:]))
            continue
        if id(item) in postponed and _whole_column(frame, shape):
            raise LayoutError(f"{type(item).__name__} is too large for any frame")
        postponed[id(item)] = item  # to the next column, or page: tried again until a whole one
        pending.appendleft(item)
        if not spanning and len(frames) < len(columns):
            frames.append(_Frame(columns[len(frames)]))
        else:
            end_page(shape, shape.later)
    if frames:
        canvas.showPage()


def _whole_column(frame: _Frame, shape: PageShape) -> bool:
    """Whether ``frame`` is empty and as tall as a column of a later page: what does not fit
    there fits nowhere. (A page-one column below a tall title, warning and dispense box can be
    far shorter: a heading with its two lines moves on from it, and from the column beside it,
    to the next page.)"""
    return frame.at_top and frame.column.height >= max(c.height for c in shape.later) - 1


GUTTER_BELOW_SPAN = 4.0  # points between what spans the columns and the columns
_BALANCE_STEPS = 12


def _across(columns: tuple[Column, ...]) -> Column:
    """One frame as wide as all ``columns`` together."""
    left, right = min(c.x for c in columns), max(c.x + c.width for c in columns)
    return Column(left, columns[0].y, right - left, columns[0].height)


def _fits(items: list[Flowable | NewPage], columns: tuple[Column, ...]) -> bool:
    """Whether ``items`` all fit in ``columns`` (placed, not drawn)."""
    pending: deque[Flowable | NewPage] = deque(items)
    frames = [_Frame(columns[0])]
    while pending:
        item = pending.popleft()
        if isinstance(item, NewPage):
            return False
        frame = frames[-1]
        if frame.add(item, None, draw=False):
            continue
        parts = frame.split(item)
        if parts and frame.add(parts[0], None, draw=False):
            pending.extendleft(reversed(parts[1:]))
            continue
        if len(frames) == len(columns):
            return False
        pending.appendleft(item)  # into the next column
        frames.append(_Frame(columns[len(frames)]))
    return True


def _balanced(columns: tuple[Column, ...], rest: list[Flowable | NewPage]) -> tuple[Column, ...]:
    """``columns`` shortened from below as far as ``rest`` still fits them, when ``rest`` (the
    end of the story) fits them at all: the last page's columns end level."""
    if any(isinstance(item, NewPage) for item in rest) or not _fits(rest, columns):
        return columns
    top = columns[0].y + columns[0].height
    low, high = 0.0, columns[0].height
    for _ in range(_BALANCE_STEPS):
        middle = (low + high) / 2
        trial = tuple(Column(c.x, top - middle, c.width, middle) for c in columns)
        if _fits(rest, trial):
            high = middle
        else:
            low = middle
    return tuple(Column(c.x, top - high, c.width, high) for c in columns)
