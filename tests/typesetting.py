"""Count typesetting defects in a finished PDF, from outside: what a typesetter would not hand
over. It reads the page (text positions, marked content, the structure tree) with the checker's
reader, never the renderer's objects.

Defects counted:
- ``torn-unit``: a number and its unit (or a sign and its number) on two lines;
- ``orphan`` / ``widow``: a paragraph leaving a single line at the foot or head of a page;
- ``heading-at-foot``: a heading with fewer than two lines of text after it on its page;
- ``lead-in-alone``: a lead-in ending with ':' on one page, what it leads into on the next;
- ``short-last-line``: Chinese text whose last line has fewer than two characters besides
  punctuation;
- ``name-split``: the drug's name (the title) broken across two lines;
- ``repeated-page-number``: two pages with the same footer numbers ("Page 1 of 2" twice in a
  PDF of two leaflets);
- ``half-width``: the title or the boxed warning confined to one column of a two-column page;
- ``unbalanced-columns``: the last page's two columns ending more than four lines apart
  (a heading with its two lines cannot be parted, so level to the line is not always possible);
- ``list-split``: a list split across pages with fewer than two items on a side;
- ``end-matter-alone``: the end matter's first line alone at the foot of a page;
- ``short-page``: a page (not the last) ended early although what comes next would have fit;
- ``stranded-tail``: a last page with three lines of text or fewer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import yaml

from rxleaflet.check.pdfread import PdfFacts, StructElement, read_pdf
from rxleaflet.packagedata import PACKAGE
from rxleaflet.render.cjkbreak import has_cjk
from rxleaflet.render.glue import binds

HEADINGS = ("H1", "H2", "H3")
WARNING_WORDS = frozenset(
    yaml.safe_load(path.read_text("utf-8"))["words"]["warning"]
    for path in (PACKAGE / "data" / "strings").glob("*.yaml")
)


@dataclass(frozen=True)
class Line:
    page: int
    y: float  # baseline-ish (bottom of the text box)
    text: str
    height: float


@dataclass(frozen=True)
class Defect:
    kind: str
    page: int
    text: str


def _lines_by_element(facts: PdfFacts) -> dict[tuple[int, int], list[Line]]:
    """(page, MCID) → its lines, top to bottom."""
    found: dict[tuple[int, int], dict[float, list]] = defaultdict(lambda: defaultdict(list))
    for page in facts.pages:
        for run in page.runs:
            if run.mcid is None or run.artifact:
                continue
            key = (page.index, run.mcid)
            found[key][round(run.box[1], 1)].append(run)
    lines: dict[tuple[int, int], list[Line]] = {}
    for key, by_y in found.items():
        lines[key] = [
            Line(key[0], y, "".join(r.text for r in runs), max(r.box[3] - r.box[1] for r in runs))
            for y, runs in sorted(by_y.items(), key=lambda item: -item[0])
        ]
    return lines


def _leaves(root: StructElement) -> list[tuple[StructElement, list[tuple[int, int]]]]:
    """Every element that holds content directly, with its (page, MCID) pieces, in order."""
    found = []
    for element in root.walk():
        pieces = [kid for kid in element.kids if not isinstance(kid, StructElement)]
        if pieces:
            found.append((element, pieces))
    return found


def count_defects(pdf: bytes) -> list[Defect]:
    facts = read_pdf(pdf)
    assert facts.structure is not None
    lines = _lines_by_element(facts)
    defects: list[Defect] = []
    leaves = _leaves(facts.structure)
    sequence: list[tuple[StructElement, list[Line]]] = []
    for element, pieces in leaves:
        element_lines = [line for piece in pieces for line in lines.get(piece, [])]
        if element.role == "Lbl" or not element_lines:
            continue
        sequence.append((element, element_lines))
    parents = _parents(facts.structure)
    names = {
        " ".join(ls[0].text for ls in [lines_]).strip() for e, lines_ in sequence if e.role == "H1"
    }
    for index, (element, element_lines) in enumerate(sequence):
        text = " ".join(line.text for line in element_lines)
        for first, second in zip(element_lines, element_lines[1:], strict=False):
            words_before, words_after = first.text.split(), second.text.split()
            if words_before and words_after and binds(words_before[-1], words_after[0]):
                defects.append(
                    Defect("torn-unit", second.page + 1, f"{first.text} / {second.text}")
                )
        last = element_lines[-1]
        if len(element_lines) > 1 and has_cjk(text) and sum(c.isalnum() for c in last.text) < 2:
            defects.append(Defect("short-last-line", element_lines[-1].page + 1, text[-20:]))
        for first, second in zip(element_lines, element_lines[1:], strict=False):
            joined = first.text + second.text
            for name in names:
                at = joined.find(name)
                if 0 <= at < len(first.text) < at + len(name) and " " not in name:
                    defects.append(Defect("name-split", second.page + 1, f"{name}: {text[:40]}"))
        pages = [line.page for line in element_lines]
        if len(set(pages)) > 1 and element.role not in HEADINGS:
            head = pages.count(pages[0])
            tail = len(pages) - pages.index(pages[-1])
            if head == 1:
                defects.append(Defect("orphan", pages[0] + 1, text[:60]))
            if tail == 1:
                defects.append(Defect("widow", pages[-1] + 1, text[:60]))
        following = sequence[index + 1 :]
        if element.role in HEADINGS:
            after = [n for _, lines_ in following for n in lines_ if n.page == pages[-1]][:2]
            if len(after) < 2 and following:
                defects.append(Defect("heading-at-foot", pages[-1] + 1, text[:60]))
        lead_in = text.rstrip("* ").endswith(":") and following
        if lead_in and following[0][1][0].page != pages[-1]:
            defects.append(Defect("lead-in-alone", pages[-1] + 1, text[:60]))
    defects += _lists(facts, lines)
    defects += _repeated_page_numbers(facts)
    defects += _columns(facts, sequence)
    defects += _end_matter(facts, sequence, parents)
    defects += _page_fill(facts, sequence, _warning_elements(facts))
    return defects


def _parents(root: StructElement) -> dict[int, StructElement]:
    parent: dict[int, StructElement] = {}
    for element in root.walk():
        for kid in element.elements():
            parent[id(kid)] = element
    return parent


def _columns(facts: PdfFacts, sequence) -> list[Defect]:
    """Two-column pages: the title and the boxed warning run across both columns
    (``half-width``), and the last page's columns end level (``unbalanced-columns``)."""
    defects: list[Defect] = []
    body = [[r for r in page.runs if r.mcid is not None and not r.artifact and r.text.strip()]
            for page in facts.pages]  # fmt: skip
    middle = [(page.box[0] + page.box[2]) / 2 for page in facts.pages]
    two = [_right_column_lines(runs, m) >= 3 for runs, m in zip(body, middle, strict=True)]
    if not any(two):
        return defects
    warning = _warning_elements(facts)
    wide = [e for e, _ in sequence if e.role == "H1" or id(e) in warning]
    pieces = {p for e in wide for p in e.kids if isinstance(p, tuple)}
    for page, mcid in pieces:
        runs = [r for r in body[page] if r.mcid == mcid]
        if two[page] and runs and all(r.box[2] < middle[page] for r in runs) and len(runs) > 1:
            defects.append(Defect("half-width", page + 1, runs[0].text[:40]))
            break
    last = facts.page_count - 1
    left = [r.box[1] for r in body[last] if r.box[2] < middle[last]]
    right = [r.box[1] for r in body[last] if r.box[0] > middle[last]]
    if two[last] and left and right:
        line = max(r.size for r in body[last]) * 1.4
        if abs(min(left) - min(right)) > 4 * line:  # a heading and its two lines: what keeps allow
            defects.append(
                Defect("unbalanced-columns", last + 1, f"{min(left) - min(right):.0f} pt")
            )
    return defects


def _right_column_lines(runs, middle: float) -> int:
    """Lines that begin right of the page's middle: a second column's (a line of one column
    always begins at the left margin, whatever runs it is drawn in)."""
    starts: dict[float, float] = {}
    for run in runs:
        y = round(run.box[1])
        starts[y] = min(starts.get(y, run.box[0]), run.box[0])
    return sum(1 for x in starts.values() if x > middle)


def _repeated_page_numbers(facts: PdfFacts) -> list[Defect]:
    """Two pages whose footers carry the same numbers ("Page 1 of 2" twice in one PDF of two
    leaflets, with nothing saying which part each is in)."""
    seen: dict[tuple[int, ...], int] = {}
    defects = []
    for page in facts.pages:
        numbers = tuple(int(n) for n in re.findall(r"\d+", page.footer))
        if numbers in seen:
            defects.append(Defect("repeated-page-number", page.number, f"as page {seen[numbers]}"))
        seen.setdefault(numbers, page.number)
    return defects


def _lists(facts: PdfFacts, lines) -> list[Defect]:
    """Lists split across pages with fewer than two items on a side."""
    defects = []
    for lst in (e for e in facts.structure.walk() if e.role == "L"):  # type: ignore[union-attr]
        item_pages = []
        for item in lst.elements():
            pieces = [p for e in item.walk() for p in e.kids if not isinstance(p, StructElement)]
            pages = [lines[p][0].page for p in pieces if p in lines]
            if pages:
                item_pages.append(min(pages))
        for page in sorted(set(item_pages))[1:]:
            before = sum(1 for p in item_pages if p < page)
            after = sum(1 for p in item_pages if p >= page)
            if before < 2 or after < 2:
                defects.append(Defect("list-split", page + 1, f"{before} + {after} items"))
    return defects


def _end_matter(facts: PdfFacts, sequence, parents) -> list[Defect]:
    sections = [e for e in facts.structure.elements()[0].elements() if e.role == "Sect"]  # type: ignore[union-attr]
    if not sections:
        return []
    last = sections[-1]
    ours = [(e, ls) for e, ls in sequence if parents.get(id(e)) is last]
    if len(ours) < 2:
        return []
    first, second = ours[0][1], ours[1][1]
    if len(first) == 1 and second[0].page != first[0].page:
        return [Defect("end-matter-alone", first[0].page + 1, first[0].text[:60])]
    return []


def _part_ends(facts: PdfFacts) -> set[int]:
    """Pages (0-based) on which a part of a PDF of several leaflets ends: the next part
    starts on a new page by design."""
    ends = set()
    for part in (e for e in facts.structure.walk() if e.role == "Part"):  # type: ignore[union-attr]
        pages = [p for e in part.walk() for p, _ in (k for k in e.kids if isinstance(k, tuple))]
        if pages:
            ends.add(max(pages))
    return ends


def _warning_elements(facts: PdfFacts) -> set[int]:
    """ids of the elements in the boxed warning (which moves to a page whole when it can)."""
    found: set[int] = set()
    for element in facts.structure.walk():  # type: ignore[union-attr]
        kids = element.elements()
        if (
            element.role == "Sect"
            and kids
            and kids[0].role in HEADINGS
            and facts.element_text(kids[0]).strip() in WARNING_WORDS
        ):
            found |= {id(e) for e in element.walk()}
    return found


def _page_fill(facts: PdfFacts, sequence, warning: set[int]) -> list[Defect]:
    defects = []
    paired = _paired_items(facts)
    by_page: dict[int, list[Line]] = defaultdict(list)
    for _, element_lines in sequence:
        for line in element_lines:
            by_page[line.page].append(line)
    last_page = facts.page_count - 1
    if len(by_page.get(last_page, [])) <= 3 and facts.page_count > 1:
        defects.append(Defect("stranded-tail", last_page + 1, f"{len(by_page[last_page])} lines"))
    part_ends = _part_ends(facts)
    for page in range(facts.page_count - 1):
        body = by_page.get(page, [])
        if not body or not by_page.get(page + 1) or page in part_ends:
            continue
        room = min(line.y for line in body) - _footer_top(facts, page)
        start = _least_start(sequence, page + 1, warning, paired)
        labels = [r for r in facts.pages[page + 1].runs if r.artifact == "Layout" and r.text]
        if labels:  # a warning box continued: it carries at least four lines, under its label
            lines = sorted(by_page[page + 1], key=lambda line: -line.y)[:4]
            label = labels[0]
            start = [*lines, Line(page + 1, label.box[1], label.text, label.box[3] - label.box[1])]
        if not start:
            continue
        needed = max(n.y + n.height for n in start) - min(n.y for n in start)
        if room > needed * 1.25 + 24:  # what starts the next page would have fit here
            defects.append(Defect("short-page", page + 1, f"{room:.0f} pt left"))
    return defects


def _least_start(sequence, page: int, warning: set[int], paired: set[int]) -> list[Line]:
    """The least that may start a page, from the lines that start ``page``: its headings,
    lead-ins (ending ':', or a short line with no full stop, a run-in heading) and list items
    that go with the next (``paired``: a list's first, and the one before its last) whole,
    then two lines of what follows (all of a block of three; a heading's one-line paragraph
    brings the start of the next block); the boxed warning whole when it starts the page and
    is whole on it."""
    opening = [(e, ls) for e, ls in sequence if any(line.page == page for line in ls)]
    if opening and id(opening[0][0]) in warning:
        box = [(e, ls) for e, ls in sequence if id(e) in warning]
        if all(line.page == page for _, ls in box for line in ls):
            return [line for _, ls in box for line in ls]
    taken: list[Line] = []
    after_heading: int | None = None  # lines taken since the last heading
    for element, element_lines in sequence:
        here = [line for line in element_lines if line.page == page]
        if not here:
            if taken:
                break
            continue
        text = " ".join(line.text for line in element_lines)
        if element.role in HEADINGS or _leads_in(text, element_lines) or id(element) in paired:
            taken += here
            after_heading = 0 if element.role in HEADINGS else after_heading
            continue
        start = here if len(element_lines) <= 3 else here[:2]
        taken += start
        if after_heading is not None and after_heading + len(start) < 2:
            after_heading += len(start)
            continue
        break
    return taken


def _leads_in(text: str, lines: list[Line]) -> bool:
    text = text.rstrip("* ")
    return text.endswith(":") or (
        len(lines) == 1
        and len(text) <= 80
        and not text.endswith((".", "!", "?", "。", ")", "۔", "؟"))
    )


def _paired_items(facts: PdfFacts) -> set[int]:
    """ids of the LBody elements bound to the next item: a list's first and its one before
    last (a list breaks only with two items on each side)."""
    paired: set[int] = set()
    for lst in (e for e in facts.structure.walk() if e.role == "L"):  # type: ignore[union-attr]
        items = lst.elements()
        if len(items) >= 2:
            for item in (items[0], items[-2]):
                paired |= {id(e) for e in item.walk() if e.role == "LBody"}
    return paired


def _footer_top(facts: PdfFacts, page: int) -> float:
    """Where the text area ends above the footer: its top line, the rule above it and the
    gap the layout keeps (about two lines of footer type)."""
    runs = [r for r in facts.pages[page].runs if r.artifact and "Footer" in r.artifact]
    if not runs:
        return 0.0
    return max(r.box[3] for r in runs) + 2 * max(r.size for r in runs)
