"""Right-to-left lines: the Unicode bidi algorithm (UAX #9) applied to one broken line.

Lines are broken in logical order (the order the text is written and read); only then is each
line of a right-to-left paragraph (Arabic, Persian, Urdu) put in visual order. Numbers, NDCs,
dates and Latin drug names keep their left-to-right order inside it ("0093-1048-01" is never
drawn "10-8401-3900"). The embedding levels come from python-bidi's UAX #9 implementation; the
line rules (L1: trailing white space at the paragraph level; L2: reverse by level) are here,
because they work on font pieces, not characters.

The content stream shows the runs in LOGICAL order, each moved to its visual x: text extraction
that follows the content (``check``) reads the text as written, and one that sorts by position
(pdftotext) finds the same runs where a reader sees them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from unicodedata import bidirectional, category

from bidi import algorithm
from bidi.mirror import MIRRORED

_RTL_BASE = 1  # the paragraph embedding level of a right-to-left paragraph
_WHITE_SPACE = frozenset(("WS", "S", "B", "BN"))
_STRONG_RTL = frozenset(("R", "AL", "AN"))  # Arabic letters, and Arabic-Indic digits
_LTR_ANCHORS = frozenset(("L", "EN"))  # Latin letters, European digits
_BRACKETS = frozenset(("Ps", "Pe", "Pi", "Pf"))  # brackets and quotation marks
_LRE = "\N{LEFT-TO-RIGHT EMBEDDING}"
_PDF = "\N{POP DIRECTIONAL FORMATTING}"


@dataclass(frozen=True)
class Segment:
    """Part of a line in one font at one embedding level; odd levels are drawn right-to-left."""

    start: int  # offset of its first character in the line's logical text
    text: str  # in logical order
    font: str
    level: int
    x: float = 0.0  # its left edge, relative to the line's left edge
    width: float = 0.0

    @property
    def rtl(self) -> bool:
        return self.level % 2 == 1


def levels(text: str) -> list[int]:
    """The resolved embedding level of each character of a line of a right-to-left paragraph.

    Every left-to-right island (see ``_islands``) is embedded left-to-right, as if written
    between LRE and PDF: by UAX #9 alone a number after an Arabic letter is an Arabic number
    and the hyphens of an NDC right-to-left, so "0093-1048-01" would be drawn "01-1048-0093".
    Rule L1 then puts white space at the end of the line back at the paragraph's level. A
    character rule X9 removes (ZWNJ, ZWJ) takes the level of the one before it, as UAX #9
    suggests, so that it stays inside its word's run."""
    if not any(bidirectional(char) in _STRONG_RTL for char in text):
        return [0] * len(text)  # nothing right to left (an address, a phone number): as written
    marked: list[str] = []
    origin: list[int | None] = []  # each marked character's index in ``text``
    starts, ends = _islands(text)
    for index, char in enumerate(text):
        if index in starts:
            marked.append(_LRE)
            origin.append(None)
        marked.append(char)
        origin.append(index)
        if index in ends:
            marked.append(_PDF)
            origin.append(None)
    storage = algorithm.get_empty_storage()
    storage["base_level"] = _RTL_BASE
    storage["base_dir"] = "R"
    algorithm.get_embedding_levels("".join(marked), storage, False, False)
    for position, char in enumerate(storage["chars"]):
        char["index"] = origin[position]  # rule X9 drops LRE, PDF, ZWNJ, ZWJ from the list
    algorithm.explicit_embed_and_overrides(storage, False)
    algorithm.resolve_weak_types(storage, False)
    algorithm.resolve_neutral_types(storage, False)
    algorithm.resolve_implicit_levels(storage, False)
    kept = {char["index"]: char["level"] for char in storage["chars"]}
    resolved: list[int] = []
    for index in range(len(text)):  # a dropped character takes the level of the one before it
        resolved.append(kept.get(index, resolved[-1] if resolved else _RTL_BASE))
    for opening, closing, level in _bracket_pairs(text, resolved):
        resolved[opening] = resolved[closing] = level
        for index in (opening - 1, closing + 1):  # white space beside it goes its way (N1)
            if 0 <= index < len(text) and bidirectional(text[index]) in _WHITE_SPACE:
                resolved[index] = min(resolved[index], level)
    for index in range(len(text) - 1, -1, -1):
        if bidirectional(text[index]) not in _WHITE_SPACE:
            break
        resolved[index] = _RTL_BASE
    return resolved


def _bracket_pairs(text: str, resolved: list[int]) -> list[tuple[int, int, int]]:
    """Rule N0 (python-bidi's algorithm predates it), simplified for a right-to-left paragraph:
    both brackets of a pair take one direction, right-to-left unless all between them is
    left-to-right (Latin letters or European digits) and so is what comes before the opening
    one ("Metformin (Glucophage)", "Pharmacy (217) 555-0100")."""
    pairs: list[tuple[int, int, int]] = []
    for opening, closing in _matched_brackets(text):
        before = [k for k in map(bidirectional, text[:opening]) if k in ("L", "R", "AL")]
        ltr = _left_to_right_inside(text, opening, closing) and before[-1:] == ["L"]
        pairs.append((opening, closing, resolved[opening - 1] if ltr else _RTL_BASE))
    return pairs


def _matched_brackets(text: str) -> Iterator[tuple[int, int]]:
    """(opening, closing) of each bracket pair, as UAX #9 pairs them (a closing bracket that
    does not match the last opening one stops the pairing)."""
    stack: list[int] = []
    for index, char in enumerate(text):
        if category(char) == "Ps":
            stack.append(index)
        elif category(char) == "Pe" and stack:
            opening = stack.pop()
            if MIRRORED.get(text[opening]) != char:
                stack.clear()
                continue
            yield opening, index


def _left_to_right_inside(text: str, opening: int, closing: int) -> bool:
    """Latin letters or European digits between the brackets, and no right-to-left letter."""
    kinds = {bidirectional(char) for char in text[opening + 1 : closing]}
    return bool(kinds & _LTR_ANCHORS) and not kinds & _STRONG_RTL


def _islands(text: str) -> tuple[set[int], set[int]]:
    """Where left-to-right islands start and end: runs of characters between brackets and
    right-to-left letters, from their first to their last Latin letter or European digit
    ("0093-1048-01", "15/01/2027", "20 °C", "1-800-FDA-1088", "Metformin 500 mg"). Brackets
    holding only left-to-right text inside an island stay in it ("IL 62701 · (217) 555-0100"
    is one phone number, not three numbers set right to left)."""
    starts: set[int] = set()
    ends: set[int] = set()
    start: int | None = None
    last = -1
    inside = _left_to_right_brackets(text)
    for index, char in enumerate([*text, "\n"]):
        kind = bidirectional(char)
        if start is not None and index in inside:
            continue
        if kind in _STRONG_RTL or category(char) in _BRACKETS or char == "\n":
            if start is not None:
                starts.add(start)
                ends.add(last)
            start = None
        elif kind in _LTR_ANCHORS:
            if start is None:
                start = index
            last = index
    return starts, ends


def _left_to_right_brackets(text: str) -> set[int]:
    """The positions of the brackets of pairs with left-to-right text only inside."""
    found: set[int] = set()
    for opening, closing in _matched_brackets(text):
        if _left_to_right_inside(text, opening, closing):
            found.update((opening, closing))
    return found


def segments(pieces: Sequence[tuple[str, str]]) -> list[Segment]:
    """``pieces`` (text, font) of one line cut where the embedding level changes, in logical
    order."""
    text = "".join(piece for piece, _ in pieces)
    resolved = levels(text)
    out: list[Segment] = []
    offset = 0
    for piece, font in pieces:
        start = offset
        for index in range(offset, offset + len(piece)):
            if index + 1 == offset + len(piece) or resolved[index + 1] != resolved[index]:
                out.append(Segment(start, text[start : index + 1], font, resolved[index]))
                start = index + 1
        offset += len(piece)
    return out


def visual_order(parts: Sequence[Segment]) -> list[Segment]:
    """Rule L2: from the highest level down to the lowest odd one, reverse every run of
    segments at that level or higher."""
    ordered = list(parts)
    if not ordered:
        return ordered
    highest = max(part.level for part in ordered)
    lowest_odd = min((part.level for part in ordered if part.rtl), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        index = 0
        while index < len(ordered):
            if ordered[index].level < level:
                index += 1
                continue
            end = index
            while end < len(ordered) and ordered[end].level >= level:
                end += 1
            ordered[index:end] = reversed(ordered[index:end])
            index = end
    return ordered
