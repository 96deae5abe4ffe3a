"""An SPL patient section's blocks as leaflet sections, and its warning box.

Headings are bold paragraphs: the 21 CFR 208.20 questions in every form labels write them
(``source/questions.py``), and in a patient insert any short bold line that reads as a heading
(not a sentence ending in "." and not a lead-in ending in ":"). A heading with nothing under it
before the next heading is not a section: it stays as a bold paragraph where it is, so no text
is ever dropped. The text before the first heading is a first section.

The warning box holds whole blocks of the most-important section only. A section of up to
WHOLE_SECTION_WORDS words is the box whole (the NSAID guides' list of risks must not stop at
the first). A longer one gives its first paragraph, with the list a lead-in (a paragraph
ending in ":") introduces; when that would start with a bare list, point at a list "above"
or "below", or end in ":", the whole section is the box.
"""

from __future__ import annotations

import re

from ..source.questions import question_kind
from .spltext import Block

INSTRUCTIONS = re.compile(r"instructions for use", re.IGNORECASE)
POINTING = re.compile(r"\b(above|below)\b", re.IGNORECASE)
MAX_TITLE_LINES = 6
WHOLE_SECTION_WORDS = 400
Section = tuple[str, str, list[Block]]  # kind, title as written, blocks


def title_block(
    blocks: list[Block], names: list[str | None]
) -> tuple[list[Block], list[Block]]:
    """The bold lines a guide opens with that its title prints instead ("MEDICATION GUIDE",
    the drug's name, generic name, pronunciation and form); and the other blocks. A line of
    the title block that says more (five words or more without the drug's name: "Medication
    Guide for Nonsteroidal Anti-inflammatory Drugs (NSAIDs)") stays, as text of the first
    section."""
    count = 0
    while count < min(len(blocks), MAX_TITLE_LINES) and (
        _title_line(blocks[count]) or count and _plain_title_line(blocks[count])
    ):
        count += 1
    known = [_squeeze(n) for n in names if n]
    title, kept = [], []
    for block in blocks[:count]:
        line = _squeeze(block.text)
        if line in BANNERS or any(n and n in line for n in known) or len(block.text.split()) <= 4:
            title.append(block)
        else:
            kept.append(block)
    return title, kept + blocks[count:]


BANNERS = frozenset(("medicationguide", "patientinformation", "patientpackageinsert"))


def _squeeze(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


PRONUNCIATION = re.compile(r"\(\s*[A-Za-z]+(?:-[A-Za-z]+)+\s*\)")


def _plain_title_line(block: Block) -> bool:
    """Under a bold name, the generic name, form and pronunciation in plain type ("atorvastatin
    calcium" / "tablets" / "(LIP-ih-tore)")."""
    return not block.item and (
        PRONUNCIATION.fullmatch(block.text) is not None
        or len(block.text.split()) <= 3 and not block.text.endswith((":", ".", "?"))
    )


def _title_line(block: Block) -> bool:
    return (
        not block.item and block.all_bold and len(block.text) <= 80
        and question_kind(block.text) is None and not block.text.endswith((":", "."))
    )  # fmt: skip


# The headings of FDA's opioid Medication Guide template, which are not questions
_TEMPLATE = {
    "most-important": r"important information about {drug}:",
    "what-is": r"{drug} is:",
    "who-should-not-take": r"do not take {drug} if you have:",
    "precautions": r"before taking {drug}, tell your (healthcare provider|doctor) if you "
                   r"have a history of:",
    "how-to-take": r"when taking {drug}:",
    "what-to-avoid": r"while taking {drug},? do not:",
    "side-effects": r"the possible side effects of {drug}:",
}
TEMPLATE = {
    kind: re.compile(r"\s*".join(p.replace("{drug}", "\0").split(" ")).replace("\0", ".{1,80}?"),
                     re.IGNORECASE)
    for kind, p in _TEMPLATE.items()
}  # fmt: skip


def _heading(block: Block, guide: bool, names: list[str]) -> str | None:
    """The kind a block heads ("custom" for an insert's own heading), or None. A question of
    21 CFR 208.20 is a heading bold or not (labels print it either way); so is the opioid
    template's "<drug> is:" when it names the drug."""
    if block.item or len(block.text) > 200:
        return None
    kind = question_kind(block.text)
    squeezed = "".join(block.text.split())
    if kind is None and not block.all_bold:
        named = _squeeze(block.text).startswith(tuple(n for n in names if n))
        return "what-is" if named and TEMPLATE["what-is"].fullmatch(squeezed) else None
    if kind is not None:
        return kind
    kind = next((k for k, pattern in TEMPLATE.items() if pattern.fullmatch(squeezed)), None)
    if kind is None and not guide and len(block.text) <= 90:
        kind = None if block.text.endswith((":", ".", ",", ";")) else "custom"
    return kind


def split(
    blocks: list[Block], guide: bool, intro_title: str, names: list[str | None]
) -> tuple[list[Section], int]:
    """Sections at each heading, as (kind, title as written, blocks); and how many sets of
    Instructions for Use followed (left out: they depend on their figures)."""
    squeezed = [_squeeze(n) for n in names if n and len(_squeeze(n)) >= 3]
    heads = [_heading(b, guide, squeezed) for b in blocks]
    for index in range(1, len(heads)):  # "Who should not take X?" / "Do not take X": the
        if heads[index] == "custom" and heads[index - 1] not in (None, "custom"):  # question
            heads[index] = None  # heads, its bold first line is text
    instructions = 0
    for index, block in enumerate(blocks):
        if block.all_bold and len(block.text) <= 40 and INSTRUCTIONS.search(block.text):
            instructions = sum(
                1 for b in blocks[index:] if b.all_bold and INSTRUCTIONS.fullmatch(b.text.strip())
            )
            blocks, heads = blocks[:index], heads[:index]
            break
    sections: list[Section] = [("custom", intro_title, [])]
    used: set[str] = set()
    for index, block in enumerate(blocks):
        kind = heads[index]
        following = heads[index + 1] if index + 1 < len(heads) else "end"
        if kind is not None and following is None:
            if kind != "custom" and kind in used:
                kind = "custom"  # a second "What is …?" is the label's own heading
            used.add(kind)
            sections.append((kind, block.text, []))
        else:
            sections[-1][2].append(block)
    return [s for s in sections if s[2]], instructions


def warning_box(sections: list[Section]) -> list[Block]:
    """Whole blocks of the most-important section (see the module's docstring)."""
    content = [  # a guide for a combination asks the question for each part
        block for kind, title, blocks in sections
        if kind == "most-important" or question_kind(title) == "most-important"
        for block in blocks
    ]  # fmt: skip
    if not content:
        return []
    chosen = _first_unit(content)
    text = " ".join(b.text for b in chosen)
    words = sum(len(b.text.split()) for b in content)
    if (
        words <= WHOLE_SECTION_WORDS or chosen[0].item or POINTING.search(text)
        or chosen[-1].text.rstrip("*").rstrip().endswith(":")
    ):  # fmt: skip
        return list(content)
    return chosen


def _first_unit(content: list[Block]) -> list[Block]:
    """The first paragraph (or list), and what its lead-in introduces."""
    chosen = [content[0]]
    index = 1
    if content[0].item:  # a list: all of it
        while index < len(content) and content[index].item:
            chosen.append(content[index])
            index += 1
        return chosen
    while index < len(content) and chosen[-1].text.endswith(":"):
        if content[index].item:
            while index < len(content) and content[index].item:
                chosen.append(content[index])
                index += 1
        else:
            chosen.append(content[index])
            index += 1
    return chosen
