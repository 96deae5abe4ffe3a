"""Our page flow (render/flow.py): where flowables land, when pages end, and that an impossible
flowable is an error rather than an endless run of pages."""

from __future__ import annotations

import pytest

from rxleaflet.render.flow import Column, Flowable, LayoutError, NewPage, PageShape, lay_out


class Canvas:
    """Records where each flowable is drawn, page by page."""

    def __init__(self) -> None:
        self.pages: list[list[tuple[str, float, float]]] = [[]]
        self.at = (0.0, 0.0)

    def saveState(self) -> None:  # noqa: N802
        pass

    def restoreState(self) -> None:  # noqa: N802
        self.at = (0.0, 0.0)

    def translate(self, x: float, y: float) -> None:
        self.at = (x, y)

    def showPage(self) -> None:  # noqa: N802
        self.pages.append([])

    def drawn(self, name: str) -> None:
        self.pages[-1].append((name, *self.at))


class Lines(Flowable):
    """``count`` lines of 10 pt; splits between lines, never leaving one alone."""

    def __init__(self, name: str, count: int, before: float = 0.0, after: float = 0.0):
        self.name, self.count = name, count
        self.spaceBefore, self.spaceAfter = before, after

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return availWidth, self.count * 10.0

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        fit = int(availHeight // 10)
        if fit < 2 or self.count - fit < 2:
            return []
        return [
            Lines(self.name + "a", fit, self.spaceBefore),
            Lines(self.name + "b", self.count - fit),
        ]

    def draw(self) -> None:
        self.canv.drawn(self.name)


ONE = PageShape(first=(Column(50, 100, 200, 100),), later=(Column(50, 100, 200, 80),))


def test_space_before_is_dropped_at_the_top_and_overlaps_the_space_after() -> None:
    canvas = Canvas()
    lay_out([Lines("a", 2, before=30, after=6), Lines("b", 1, before=10)], ONE, canvas)
    # a sits at the top (its 30 pt before dropped); b's 10 pt before overlaps a's 6 pt after
    assert canvas.pages == [[("a", 50, 180), ("b", 50, 160)], []]


def test_a_flowable_that_does_not_fit_is_split_and_continues_on_a_later_page() -> None:
    canvas = Canvas()
    lay_out([Lines("a", 7), Lines("b", 5)], ONE, canvas)
    assert canvas.pages[0] == [("a", 50, 130), ("ba", 50, 100)]
    assert canvas.pages[1] == [("bb", 50, 160)]  # later pages are 80 pt tall: top at 180
    assert canvas.pages[2] == []


def test_columns_fill_left_to_right_before_the_page_ends() -> None:
    shape = PageShape(
        first=(Column(0, 0, 90, 50), Column(110, 0, 90, 50)),
        later=(Column(0, 0, 90, 50), Column(110, 0, 90, 50)),
    )
    canvas = Canvas()
    lay_out([Lines("a", 4), Lines("b", 4), Lines("c", 4)], shape, canvas)
    assert canvas.pages[0] == [("a", 0, 10), ("b", 110, 10)]
    # the last page's columns are balanced: c's four lines, two in each column, level
    assert canvas.pages[1] == [("ca", 0, 30), ("cb", 110, 30)]


def test_what_spans_runs_across_the_columns_and_the_columns_start_below_it() -> None:
    shape = PageShape(
        first=(Column(0, 0, 90, 100), Column(110, 0, 90, 100)),
        later=(Column(0, 0, 90, 100), Column(110, 0, 90, 100)),
    )
    title = Lines("t", 2)
    title.span = True
    canvas = Canvas()
    lay_out([title, Lines("a", 6), Lines("b", 6)], shape, canvas)
    # t across both columns at the top (x 0, width 200); the columns start 4 pt below it
    assert canvas.pages[0][0] == ("t", 0, 80)
    assert [x for _, x, _ in canvas.pages[0][1:]] == [0, 110]


def test_a_new_page_starts_the_next_shape_with_its_first_page() -> None:
    other = PageShape(first=(Column(10, 20, 300, 300),), later=(Column(10, 20, 300, 200),))
    canvas = Canvas()
    lay_out([Lines("a", 1), NewPage(other), Lines("b", 1), NewPage(other), Lines("c", 1)],
            ONE, canvas)  # fmt: skip
    assert canvas.pages == [[("a", 50, 190)], [("b", 10, 310)], [("c", 10, 310)], []]


def test_a_flowable_too_tall_for_an_empty_frame_is_an_error_not_endless_pages() -> None:
    class Solid(Lines):
        def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
            return []

    with pytest.raises(LayoutError, match="Solid is too large for any frame"):
        lay_out([Lines("a", 1), Solid("big", 50)], ONE, Canvas())
