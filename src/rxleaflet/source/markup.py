"""The leaflet text markup: paragraphs, `- ` bullet lists and `**bold**`; all else is literal."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_SPACES = re.compile(r"[ \t]+")
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


def describe_char(char: str) -> str:
    """``U+00E9 é`` (or the Unicode name for invisible characters)."""
    code = f"U+{ord(char):04X}"
    if unicodedata.category(char)[0] in "CZ" and char != " ":
        return f"{code} ({unicodedata.name(char, 'unnamed character').lower()})"
    return f"{code} {char}"


def check_characters(text: str) -> None:
    """Refuse characters that would print as nothing: controls, format, unassigned, private use."""
    if text.replace("\n", "").replace("\t", "").isprintable():
        return  # fast path: str.isprintable refuses a superset of what is refused here
    for offset, char in enumerate(text):
        if char in "\n\t":
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn") or category in ("Zl", "Zp"):
            raise MarkupError(
                f"character {describe_char(char)} is invisible or undefined and would not print; "
                "remove it or replace it with visible text",
                offset,
            )


def parse(text: str, *, markup: bool = True) -> tuple[Block, ...]:
    """Split ``text`` into blocks. With ``markup=False`` only paragraphs exist (verbatim text)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    check_characters(text)
    blocks: list[Block] = []
    for chunk in re.split(r"\n[ \t]*\n", text):
        blocks.extend(_parse_chunk(chunk, markup))
    return tuple(blocks)


def _parse_chunk(chunk: str, markup: bool) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[list[str]] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(_paragraph(" ".join(paragraph), markup))
            paragraph.clear()

    def flush_items() -> None:
        if items:
            blocks.append(BulletList(tuple(_paragraph(" ".join(item), markup) for item in items)))
            items.clear()

    for line in chunk.split("\n"):
        stripped = line.strip(" \t")
        if not stripped:
            continue
        if markup and stripped.startswith(_BULLET) and stripped[len(_BULLET) :].strip():
            flush_paragraph()
            items.append([stripped[len(_BULLET) :].strip(" \t")])
        elif items and line[:1] in (" ", "\t"):
            items[-1].append(stripped)
        else:
            flush_items()
            paragraph.append(stripped)
    flush_paragraph()
    flush_items()
    return blocks


def _paragraph(text: str, markup: bool) -> Paragraph:
    text = _SPACES.sub(" ", text)
    if not markup:
        return Paragraph((Run(text),))
    runs: list[Run] = []
    position = 0
    for match in _BOLD.finditer(text):
        if match.start() > position:
            runs.append(Run(text[position : match.start()]))
        runs.append(Run(match.group(1), bold=True))
        position = match.end()
    if position < len(text):
        runs.append(Run(text[position:]))
    return Paragraph(tuple(runs))
