"""The leaflet text markup: paragraphs, `- ` bullet lists and `**bold**`; all else is literal."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .ignorables import DEFAULT_IGNORABLE, VARIATION_SELECTORS, first_ignorable, spelling_joiner

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# a run of spaces and tabs that is not a single space (which stays as it is): the same text
# as replacing every run, for a fraction of the replacements; each branch starts with a
# literal, which the regex engine scans for in C
_SPACES = re.compile(r"\t[ \t]*| [ \t]+")
_BULLET = "- "


@dataclass(frozen=True)
class Run:
    """A piece of text in one weight."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]

    @property
    def plain(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class BulletList:
    items: tuple[Paragraph, ...]

    @property
    def plain(self) -> str:
        return "\n".join(item.plain for item in self.items)


Block = Paragraph | BulletList


class MarkupError(ValueError):
    """A character that cannot go on a leaflet; ``offset`` is its index in the source text."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


_CONFUSABLE_SCRIPTS = frozenset(("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"))


def mixed_scripts(text: str) -> list[str]:
    """The scripts of ``text``'s letters when Latin letters mix with look-alikes (Cyrillic,
    Greek, …): a name that looks right but is not what it seems. Empty when the text is fine."""
    scripts = {unicodedata.name(c, "?").split(" ")[0] for c in text if c.isalpha()}
    if "LATIN" in scripts and scripts & _CONFUSABLE_SCRIPTS:
        return sorted(scripts)
    return []


def describe_char(char: str) -> str:
    """``U+00E9 é`` (or the Unicode name for invisible characters)."""
    code = f"U+{ord(char):04X}"
    hidden = unicodedata.category(char)[0] in "CZ" or DEFAULT_IGNORABLE.fullmatch(char)
    if hidden and char != " ":
        return f"{code} ({unicodedata.name(char, 'unnamed character').lower()})"
    return f"{code} {char}"


def check_characters(text: str) -> None:
    """Refuse characters that would print as nothing: every default-ignorable code point (but
    a joiner a script spells with), controls, format, unassigned, private use."""
    hidden = first_ignorable(text)
    if hidden:
        char = hidden.group()
        if VARIATION_SELECTORS.fullmatch(char):  # only CJK variants need them; no font has those
            raise MarkupError(
                f"character {describe_char(char)} (a variation selector) changes how the "
                "character before it looks without being seen; remove it",
                hidden.start(),
            )
        raise MarkupError(
            f"character {describe_char(char)} is invisible or undefined and would not print "
            "(Unicode Default_Ignorable_Code_Point); remove it or replace it with visible text",
            hidden.start(),
        )
    if text.replace("\n", "").replace("\t", "").isprintable():
        return  # fast path: str.isprintable refuses a superset of what is refused here
    for offset, char in enumerate(text):
        if char in "\n\t":
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn") or category in ("Zl", "Zp"):
            if category == "Cf" and spelling_joiner(text, offset):
                continue
            raise MarkupError(
                f"character {describe_char(char)} is invisible or undefined and would not print; "
                "remove it or replace it with visible text",
                offset,
            )


def parse(text: str, *, markup: bool = True) -> tuple[Block, ...]:
    """Split ``text`` into blocks. With ``markup=False`` only paragraphs exist (verbatim text).

    A bullet list starts a block: after a blank line, as the first line, or directly after a
    lead-in line ending with ':'. A '- ' line directly after any other paragraph line is
    ambiguous (a wrapped "- 20 °C" must never become a bullet) and is refused, as are indented
    (nested) bullets; either error gives the offset of the line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    check_characters(text)
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[list[str]] = []

    def flush() -> None:
        if paragraph:
            blocks.append(_paragraph(" ".join(paragraph), markup))
            paragraph.clear()
        if items:
            blocks.append(BulletList(tuple(_paragraph(" ".join(item), markup) for item in items)))
            items.clear()

    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        stripped = line.strip(" \t")
        if not stripped:
            flush()
            continue
        indented = line[:1] in (" ", "\t")
        bullet = markup and stripped.startswith(_BULLET) and bool(stripped[len(_BULLET) :].strip())
        if bullet and indented and (items or paragraph):
            raise MarkupError(
                "an indented '- ' line is a nested list, which leaflets do not have; "
                "make it an item of its own (no indent) or part of the item above",
                start,
            )
        if bullet:
            if paragraph and not _lead_in(paragraph[-1]):
                raise MarkupError(
                    f"the line '{stripped[:40]}' starts with '- ' directly after a paragraph "
                    "line, which is ambiguous: put a blank line (or a lead-in ending with ':') "
                    "before a list, or join the line to the one above",
                    start,
                )
            if paragraph:
                blocks.append(_paragraph(" ".join(paragraph), markup))
                paragraph.clear()
            items.append([stripped[len(_BULLET) :].strip(" \t")])
        elif items and indented:
            items[-1].append(stripped)
        else:
            if items:
                flush()
            paragraph.append(stripped)
    flush()
    return tuple(blocks)


def _lead_in(line: str) -> bool:
    return line.rstrip("*").rstrip().endswith(":")


def _paragraph(text: str, markup: bool) -> Paragraph:
    text = _SPACES.sub(" ", text)
    if not markup:
        return Paragraph((Run(text),))
    runs: list[Run] = []
    position = 0
    for start, end in _bold_spans(text):
        if start > position:
            runs.append(Run(text[position:start]))
        runs.append(Run(text[start + 2 : end], bold=True))
        position = end + 2
    if position < len(text):
        runs.append(Run(text[position:]))
    return Paragraph(tuple(runs))


def _bold_spans(text: str) -> list[tuple[int, int]]:
    """(opening, closing) offsets of each ``**bold**`` pair, in linear time.

    An opening ``**`` is followed by a non-space, a closing one follows a non-space, and at
    least one character lies between; each opening takes the nearest closing after it (the
    same pairs as the regular expression ``\\*\\*(?=\\S)(.+?)(?<=\\S)\\*\\*``, without its
    quadratic search when closings are missing).
    """
    stars = []
    index = text.find("**")
    while index >= 0:
        stars.append(index)
        index = text.find("**", index + 1)
    closings = [i for i in stars if i > 0 and not text[i - 1].isspace()]
    spans: list[tuple[int, int]] = []
    position = 0  # text before this is taken
    pointer = 0  # into closings
    for opening in stars:
        if opening < position or opening + 2 >= len(text) or text[opening + 2].isspace():
            continue
        while pointer < len(closings) and closings[pointer] < opening + 3:
            pointer += 1
        if pointer == len(closings):
            break  # no closing after this opening, so none after any later one either
        closing = closings[pointer]
        spans.append((opening, closing))
        position = closing + 2
    return spans
