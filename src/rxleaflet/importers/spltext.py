"""The text of an SPL section as blocks (paragraphs and list items), in reading order.

Real labels write the same thing many ways, and each is read as the label means it:

- The XML file's own line breaks are white space; only ``<br/>`` ends a line.
- A line or paragraph that starts with a typed bullet ("•", "o", "-", "1.") is a list item;
  "o" (or a Greek omicron), "◦" and dashes are the second level under "•". ``<list>`` items
  are list items, and a list inside an item is one level deeper. Leaflets have one level of
  bullets, so deeper items keep their nesting visible: their text starts with "– ".
- A table is read row by row (head, body, foot); each cell's text is read like any other, so a
  guide laid out in a one-column table gives its headings and paragraphs in order, and the
  short cells of a many-column table become list items.
- A ``<footnote>`` goes after its paragraph, marked "*" at its place and before its text.
- Superscript and subscript digits and signs become the Unicode superscript and subscript
  characters ("mg²", "CO₂"), so "10<sup>3</sup>" does not read as 103.
- Soft hyphens, zero-width spaces and byte-order marks are removed and counted.
- Figures (``renderMultiMedia``) are counted, not read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

V3 = "{urn:hl7-org:v3}"
BREAK = "\n"  # a <br/> inside runs; other white space is folded into single spaces
INVISIBLE = {"\u00ad": "soft hyphen", "\u200b": "zero-width space", "\ufeff": "byte-order mark"}
_INVISIBLE = re.compile("[" + "".join(INVISIBLE) + "]")
_SPACES = re.compile(r"\s+")
_SUPER = str.maketrans("0123456789+-−=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿ")
_SUB = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
_SUPERABLE = re.compile(r"[0-9+\-−=()n]+")
_SUBABLE = re.compile(r"[0-9+\-−=()]+")
# a typed bullet and the level it stands for (0: first level, 1: second)
_MARKERS = (
    (re.compile(r"^\s*[•●▪■◆➢►✓]\s*"), 0),
    (re.compile(r"^\s*(?:[oο◦○▫□°]\s+|[◦○▫□°]|[-–—]\s+)"), 1),
)
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}[.)]|\(\d{1,2}\)|[a-z][.)])\s+(?=\S)")
BLOCK_TAGS = frozenset(
    f"{V3}{t}" for t in ("paragraph", "list", "table", "section", "text", "component")
)
FIGURES = frozenset((f"{V3}renderMultiMedia", f"{V3}observationMedia"))
FOOTNOTE_MARKS = ("*", "†", "‡", "§")
NESTED_MARK = "– "

Run = tuple[str, bool]  # text, bold


@dataclass
class Block:
    """A paragraph, or one list item (``level`` ≥ 0); lists are consecutive items."""

    runs: list[Run]
    level: int | None = None  # None: a paragraph

    @property
    def text(self) -> str:
        return " ".join("".join(t for t, _ in self.runs).split())

    @property
    def all_bold(self) -> bool:
        return bool(self.text) and all(bold for t, bold in self.runs if t.strip())

    @property
    def item(self) -> bool:
        return self.level is not None


@dataclass
class Reader:
    """Reads sections' text into blocks, counting what it removes and skips."""

    removed: Counter[str] = field(default_factory=Counter)
    figures: int = 0

    # -- blocks ------------------------------------------------------------------------------

    def blocks(self, element: Any, level: int | None = None) -> list[Block]:
        """The blocks of a container with mixed content (``<text>``, ``<td>``, ``<item>``…):
        inline runs become paragraphs (or items, inside a list), split at ``<br/>``."""
        out: list[Block] = []
        runs: list[Run] = []
        notes: list[list[Run]] = []

        def flush() -> None:
            out.extend(self._lines(runs, level))
            runs.clear()
            for mark, note in zip(_marks(len(notes)), notes, strict=True):
                out.extend(self._lines([(mark + " ", False), *note], None))
            notes.clear()

        if element.text:
            runs.append((self._clean(element.text), False))
        for child in element:
            if child.tag in BLOCK_TAGS:
                flush()
                out.extend(self._block(child, level))
            elif child.tag in FIGURES:
                self.figures += 1
            elif child.tag == f"{V3}footnote":
                notes.append(self.runs(child, False))
                runs.append((_marks(len(notes))[-1], False))
            else:
                runs.extend(self.runs(child, False, notes))
            if child.tail:
                runs.append((self._clean(child.tail), False))
        flush()
        return out

    def _block(self, element: Any, level: int | None) -> list[Block]:
        tag = element.tag.removeprefix(V3)
        if tag == "list":
            return self._list(element, 0 if level is None else level + 1)
        if tag == "table":
            return self._table(element, level)
        if tag == "section":
            title = element.find(f"{V3}title")
            heading = self.runs(title, True) if title is not None else []
            blocks = self._lines(heading, None)
            for child in element:
                if child.tag in (f"{V3}text", f"{V3}component"):
                    blocks += self._block(child, level)
            return blocks
        if tag == "component":
            return [b for s in element.findall(f"{V3}section") for b in self._block(s, level)]
        return self.blocks(element, level)  # paragraph, text

    def _list(self, element: Any, level: int) -> list[Block]:
        out: list[Block] = []
        for item in element.findall(f"{V3}item"):
            # the item's own text is an item at this level (each of its paragraphs one); a
            # list or a typed "o" bullet inside it is one level deeper
            out += self.blocks(item, level)
        return out

    def _table(self, element: Any, level: int | None) -> list[Block]:
        """Row by row; inside a list item, the table's text is one level deeper."""
        inner = None if level is None else level + 1
        rows: list[Any] = []
        for part in ("thead", "tbody", "tfoot"):
            for group in element.findall(f"{V3}{part}"):
                rows += group.findall(f"{V3}tr")
        rows += element.findall(f"{V3}tr")
        out: list[Block] = []
        caption = element.find(f"{V3}caption")
        if caption is not None:
            out += self._lines(self.runs(caption, False), None)
        columns = max((len(row.findall(f"{V3}td")) + len(row.findall(f"{V3}th")) for row in rows),
                      default=0)  # fmt: skip
        for row in rows:
            for cell in row:
                if cell.tag not in (f"{V3}td", f"{V3}th"):
                    continue
                blocks = self.blocks(cell, inner)
                if columns > 1 and len(blocks) == 1 and not blocks[0].item and not (
                    blocks[0].all_bold
                ):  # a short cell of a many-column table: a list item
                    blocks[0].level = 0
                out += blocks
        return out

    def _lines(self, runs: list[Run], level: int | None) -> list[Block]:
        """Runs split at <br/> into paragraphs (items inside a list); typed bullets → items."""
        out: list[Block] = []
        line: list[Run] = []
        for text, bold in [*runs, (BREAK, False)]:
            pieces = text.split(BREAK)
            for index, piece in enumerate(pieces):
                if index:
                    if "".join(t for t, _ in line).strip():
                        out.extend(_typed(part, level) for part in _bullets(line))
                    line = []
                if piece:
                    line.append((piece, bold))
        return out

    # -- runs --------------------------------------------------------------------------------

    def runs(self, element: Any, bold: bool, notes: list[list[Run]] | None = None) -> list[Run]:
        """An inline element's text as runs: bold from ``styleCode``, ``<br/>`` as BREAK."""
        tag = element.tag.removeprefix(V3)
        if element.tag in FIGURES:
            self.figures += 1
            return []
        if tag == "br":
            return [(BREAK, bold)]
        bold = bold or "bold" in (element.get("styleCode") or "").lower()
        out: list[Run] = []
        if element.text:
            out.append((self._clean(element.text), bold))
        for child in element:
            if child.tag == f"{V3}footnote" and notes is not None:
                notes.append(self.runs(child, False))
                out.append((_marks(len(notes))[-1], bold))
            else:
                out += self.runs(child, bold, notes)
            if child.tail:
                out.append((self._clean(child.tail), bold))
        if tag in ("sup", "sub"):
            return [(_script(text, tag), b) for text, b in out]
        return out

    def _clean(self, text: str) -> str:
        """XML white space (the file's line breaks among it) as single spaces; invisible
        characters removed and counted."""
        if _INVISIBLE.search(text):
            for char in _INVISIBLE.findall(text):
                self.removed[INVISIBLE[char]] += 1
            text = _INVISIBLE.sub("", text)
        return _SPACES.sub(" ", text)


def _marks(count: int) -> list[str]:
    return [
        FOOTNOTE_MARKS[i] if i < len(FOOTNOTE_MARKS) else f"[{i + 1}]" for i in range(count)
    ]


def _script(text: str, tag: str) -> str:
    """Superscript/subscript text as the characters that keep its meaning."""
    stripped = text.strip()
    if tag == "sup" and _SUPERABLE.fullmatch(stripped):
        return text.replace(stripped, stripped.translate(_SUPER))
    if tag == "sub" and _SUBABLE.fullmatch(stripped):
        return text.replace(stripped, stripped.translate(_SUB))
    return text  # ®, ™, *, †, "th", letters: as they are


_LATER_BULLET = re.compile(r"\s[•●▪■]\s")


def _bullets(line: list[Run]) -> list[list[Run]]:
    """A line that starts with a bullet and has more ("• fever • chills", a two-column list
    typed as one line): one line per bullet."""
    text = "".join(t for t, _ in line)
    if not _MARKERS[0][0].match(text):
        return [line]
    cuts = [m.start() + 1 for m in _LATER_BULLET.finditer(text)]
    parts, start = [], 0
    for cut in [*cuts, len(text)]:
        parts.append(_slice(line, start, cut))
        start = cut
    return [part for part in parts if "".join(t for t, _ in part).strip()]


def _slice(line: list[Run], start: int, end: int) -> list[Run]:
    out: list[Run] = []
    position = 0
    for text, bold in line:
        piece = text[max(start - position, 0) : max(end - position, 0)]
        if piece:
            out.append((piece, bold))
        position += len(text)
    return out


def _typed(line: list[Run], level: int | None) -> Block:
    """A line that starts with a typed bullet or number is a list item, at the level the
    bullet stands for; the bullet itself is the list's now."""
    text = "".join(t for t, _ in line)
    for pattern, depth in _MARKERS:
        match = pattern.match(text)
        if match and text[match.end() :].strip():
            base = 0 if level is None else level
            return Block(_strip(line, match.end()), base + depth)
    if _NUMBERED.match(text):
        return Block(line, 0 if level is None else level)
    return Block(line, level)


def _strip(line: list[Run], count: int) -> list[Run]:
    """The runs without their first ``count`` characters."""
    out = _slice(line, count, sum(len(t) for t, _ in line))
    # a second typed bullet ("• •feel very weak") is the same bullet again
    text = "".join(t for t, _ in out)
    for pattern, _depth in _MARKERS[:1]:
        match = pattern.match(text)
        if match and text[match.end() :].strip():
            return _strip(out, match.end())
    return out
