"""``rxleaflet import spl``: FDA Structured Product Labeling (HL7 v3 XML) → a leaflet source.

The patient-facing part of a label is its Medication Guide (LOINC 42231-1, profile
``medication-guide``, split at the 21 CFR 208.20 questions) or its Patient Package Insert
(42230-3, profile ``patient-information``, its headings as written). Text is kept word for
word: paragraphs, bold runs, lists (nested lists become a lead-in and a list; tables become
bullets), sub- and superscripts as characters, line breaks as new paragraphs. Left out, and
said so: the title block (it becomes the title), figures, the Instructions for Use that depend
on them, and everything that is not for patients (the boxed warning for professionals among
it).

The leaflet's warning box is the guide's own summary: the first paragraph of "What is the most
important information I should know about …?" (it stays in that section too). A patient
insert gets no warning box.

XML is parsed with defusedxml: no entity expansion, no external entities, no network.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException

from ..errors import LeafletError
from ..files import read_or_refuse
from ..source.questions import question_kind

V3 = "{urn:hl7-org:v3}"
MEDICATION_GUIDE, PATIENT_INSERT = "42231-1", "42230-3"
NDC_SYSTEM = "2.16.840.1.113883.6.69"
MAX_LABEL_BYTES = 20_000_000
INSTRUCTIONS = re.compile(r"instructions for use", re.IGNORECASE)


class ImportError_(LeafletError):  # noqa: N801 - not the builtin
    """The label cannot become a leaflet source; the message says what was found."""


@dataclass
class Block:
    kind: str  # "paragraph", "list", "figure"
    runs: list[tuple[str, bool]] = field(default_factory=list)  # paragraph text, bold or not
    items: list[list[tuple[str, bool]]] = field(default_factory=list)  # list items

    @property
    def text(self) -> str:
        return " ".join("".join(t for t, _ in self.runs).split())

    @property
    def all_bold(self) -> bool:
        return bool(self.text) and all(bold for t, bold in self.runs if t.strip())


@dataclass
class Imported:
    """The parts of a leaflet source, and what was left out."""

    profile: str
    name: str
    generic: str | None
    form: str | None
    pronunciation: str | None
    sections: list[tuple[str, str, list[Block]]]  # (kind, title as written, blocks)
    warning: list[Block]
    ndc: list[str]
    set_id: str
    version: str
    effective: dt.date
    labeler: str | None
    left_out: list[str]


def read_label(path: Path) -> Any:
    data = read_or_refuse(path, MAX_LABEL_BYTES, what="label file", error=ImportError_)
    try:
        return SafeXml.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                  forbid_external=True)  # fmt: skip
    except DefusedXmlException as error:
        raise ImportError_(
            f"the XML uses a DTD or entities ({type(error).__name__}), which SPL does not need "
            "and which are refused for safety",
            path=path,
        ) from None
    except SafeXml.ParseError as error:
        raise ImportError_(f"not well-formed XML: {error}", path=path) from None


def parse_label(path: Path) -> Imported:
    root = read_label(path)
    if root.tag != f"{V3}document":
        raise ImportError_("not an SPL document (no HL7 v3 <document> root)", path=path)
    sections = list(root.iter(f"{V3}section"))
    patient = [s for s in sections if _code(s) in (MEDICATION_GUIDE, PATIENT_INSERT)]
    if not patient:
        found = ", ".join(
            sorted({f"{_code(s)} {_display(s)}".strip() for s in sections if _code(s)})
        )
        raise ImportError_(
            "the label has no patient-facing section (no Medication Guide, LOINC 42231-1, and "
            f"no Patient Package Insert, 42230-3); it has: {found or 'no sections'}",
            path=path,
        )
    section = patient[0]
    guide = _code(section) == MEDICATION_GUIDE
    inside = set(map(id, section.iter()))
    professional = sorted({
        f"{_code(s)} {_display(s).lower().removesuffix(' section')}" for s in sections
        if id(s) not in inside and _code(s) not in ("42229-5", "48780-1")
    })  # fmt: skip
    left_out = [
        f"{len(professional)} sections for professionals, not patient text: "
        + ", ".join(professional)
    ] if professional else []  # fmt: skip
    blocks = _blocks(section, left_out)
    title_block, blocks = _title_block(blocks)
    name, generic, form_word, labeler, ndc = _product(root)
    pronunciation = next(
        (
            m.group(1)
            for b in title_block
            if (m := re.search(r"\(([A-Za-z]+(?:-[A-Za-z]+)+)\)", b.text))
        ),
        None,
    )
    if title_block:
        left_out.insert(0, "the title block (" + " / ".join(b.text for b in title_block)
                        + "), printed as the title instead")  # fmt: skip
    split, instructions = _split(blocks, guide)
    if instructions:
        left_out.append(
            f"the Instructions for Use ({instructions} set(s)), which depend on their figures"
        )
    warning = []
    for kind, _title, content in split:
        if kind == "most-important":
            first = next((b for b in content if b.kind == "paragraph" and not b.all_bold), None)
            warning = [first] if first else []
    form = _form(title_block, generic) or form_word
    effective = _date(root.find(f"{V3}effectiveTime"), path)
    return Imported(
        profile="medication-guide" if guide else "patient-information",
        name=name, generic=generic, form=form, pronunciation=pronunciation, sections=split,
        warning=warning, ndc=ndc,
        set_id=_attribute(root, "setId", "root"),
        version=_attribute(root, "versionNumber", "value"),
        effective=effective, labeler=labeler, left_out=left_out,
    )  # fmt: skip


def _attribute(root: Any, tag: str, name: str) -> str:
    element = root.find(f"{V3}{tag}")
    return element.get(name, "") if element is not None else ""


def _code(section: Any) -> str | None:
    code = section.find(f"{V3}code")
    return code.get("code") if code is not None else None


def _display(section: Any) -> str:
    code = section.find(f"{V3}code")
    return (code.get("displayName") or "") if code is not None else ""


def _date(element: Any, path: Path) -> dt.date:
    value = element.get("value", "") if element is not None else ""
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise ImportError_("the document has no effectiveTime (YYYYMMDD)", path=path) from None


def _product(root: Any) -> tuple[str, str | None, str | None, str | None, list[str]]:
    name = generic = form = labeler = None
    for product in root.iter(f"{V3}manufacturedProduct"):
        inner = product.find(f"{V3}name")
        if inner is not None and name is None:
            name = " ".join("".join(inner.itertext()).split())
            generic_name = product.find(f"{V3}asEntityWithGeneric/{V3}genericMedicine/{V3}name")
            if generic_name is not None:
                generic = " ".join("".join(generic_name.itertext()).split())
            form_code = product.find(f"{V3}formCode")
            if form_code is not None and form_code.get("displayName"):
                form = form_code.get("displayName", "").lower()
    organization = root.find(f"{V3}author/{V3}assignedEntity/{V3}representedOrganization/{V3}name")
    if organization is not None:
        labeler = " ".join("".join(organization.itertext()).split())
    ndc: list[str] = []
    for code in root.iter(f"{V3}code"):
        value = code.get("code", "")
        if code.get("codeSystem") == NDC_SYSTEM and value.count("-") == 2 and value not in ndc:
            ndc.append(value)
    return name or "Unnamed", generic, form, labeler, ndc


# -- the section's text as blocks -------------------------------------------------------------


def _blocks(section: Any, left_out: list[str]) -> list[Block]:
    blocks: list[Block] = []
    figures = 0
    for element in section.iter():
        if element.tag == f"{V3}title" and element is not section.find(f"{V3}title"):
            text = " ".join("".join(element.itertext()).split())
            if text:
                blocks.append(Block("paragraph", [(text, True)]))
        if element.tag != f"{V3}text":
            continue
        for child in element:
            figures += _element(child, blocks)
    if figures:
        left_out.append(f"{figures} figure(s)")
    return blocks


def _element(element: Any, blocks: list[Block]) -> int:
    """Append the blocks of one element of a section's <text>; return the figures skipped."""
    tag = element.tag.removeprefix(V3)
    if tag == "paragraph":
        for runs in _split_at_breaks(_runs(element)):
            if "".join(t for t, _ in runs).strip():
                blocks.append(Block("paragraph", runs))
        return len(list(element.iter(f"{V3}renderMultiMedia")))
    if tag == "list":
        return _list(element, blocks)
    if tag == "table":
        items = [runs for cell in element.iter() if cell.tag in (f"{V3}td", f"{V3}th")
                 if (runs := _strip_marker(_runs(cell)))]  # fmt: skip
        if items:
            blocks.append(Block("list", items=items))
        return 0
    if tag == "renderMultiMedia":
        return 1
    figures = 0
    for child in element:
        figures += _element(child, blocks)
    return figures


def _list(element: Any, blocks: list[Block]) -> int:
    figures = 0
    current: list[list[tuple[str, bool]]] = []
    for item in element.findall(f"{V3}item"):
        nested = [c for c in item if c.tag in (f"{V3}list", f"{V3}table")]
        own = _strip_marker(_runs(item, skip=(f"{V3}list", f"{V3}table")))
        figures += len(list(item.iter(f"{V3}renderMultiMedia")))
        if not nested:
            if own:
                current.append(own)
            continue
        if current:
            blocks.append(Block("list", items=current))
            current = []
        if own:
            blocks.append(Block("paragraph", own))  # the lead-in of what it held
        for child in nested:
            figures += _element(child, blocks)
    if current:
        blocks.append(Block("list", items=current))
    return figures


def _runs(element: Any, skip: tuple[str, ...] = ()) -> list[tuple[str, bool]]:
    """The text of an element as (text, bold) runs; <br/> as "\\n"."""
    runs: list[tuple[str, bool]] = []

    def walk(node: Any, bold: bool) -> None:
        if node.tag in skip or node.tag == f"{V3}renderMultiMedia":
            if node.tail:
                runs.append((node.tail, bold_outer[-1]))
            return
        style = (node.get("styleCode") or "").lower()
        inner = bold or "bold" in style
        if node.tag == f"{V3}br":
            runs.append(("\n", inner))
        elif node.text:
            runs.append((node.text, inner))
        bold_outer.append(inner)
        for child in node:
            walk(child, inner)
        bold_outer.pop()
        if node.tail:
            runs.append((node.tail, bold))

    bold_outer = [False]
    if element.text:
        runs.append((element.text, False))
    for child in element:
        walk(child, False)
    return runs


def _split_at_breaks(runs: list[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    parts: list[list[tuple[str, bool]]] = [[]]
    for text, bold in runs:
        pieces = text.split("\n")
        for index, piece in enumerate(pieces):
            if index:
                parts.append([])
            if piece:
                parts[-1].append((piece, bold))
    return parts


def _strip_marker(runs: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """A table cell's own bullet ("• fever") is the list's bullet now."""
    if runs and "".join(t for t, _ in runs).strip():
        text, bold = runs[0]
        runs = [(re.sub(r"^\s*[•◦▪‣∙·●○-]\s*", "", text), bold), *runs[1:]]
        return runs if "".join(t for t, _ in runs).strip() else []
    return []


def _title_block(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """The bold lines the guide opens with (MEDICATION GUIDE, name, generic, form)."""
    count = 0
    while count < len(blocks) and count < 6 and blocks[count].kind == "paragraph" and (
        blocks[count].all_bold and len(blocks[count].text) <= 60
        and not _question(blocks[count].text)
    ):  # fmt: skip
        count += 1
    return blocks[:count], blocks[count:]


def _form(title_block: list[Block], generic: str | None) -> str | None:
    lines = [b.text for b in title_block[1:]] if title_block else []
    lines = [line for line in lines if not re.search(r"\([A-Za-z]+(?:-[A-Za-z]+)+\)", line)]
    words = " ".join(line for line in lines if line.upper() != "MEDICATION GUIDE")
    return words or None


def _question(text: str) -> str | None:
    return question_kind(text)


def _split(blocks: list[Block], guide: bool) -> tuple[list[tuple[str, str, list[Block]]], int]:
    """Sections at each heading: the questions for a guide (every bold line of a patient
    insert that reads as a heading otherwise), as (kind, title as written, blocks); and how
    many sets of Instructions for Use followed (left out: they depend on their figures)."""
    sections: list[tuple[str, str, list[Block]]] = []
    used: set[str] = set()
    intro: list[Block] = []
    instructions = 0
    for index, block in enumerate(blocks):
        heading = block.kind == "paragraph" and block.all_bold
        if heading and len(block.text) <= 40 and INSTRUCTIONS.search(block.text):
            instructions = sum(
                1 for b in blocks[index:] if b.all_bold and INSTRUCTIONS.fullmatch(b.text.strip())
            )
            break
        kind = _question(block.text) if heading else None
        if kind is None and not guide and heading and len(block.text) <= 90:
            kind = None if block.text.endswith(":") else "custom"
        if kind is not None:
            if kind != "custom" and kind in used:
                kind = "custom"
            used.add(kind)
            sections.append((kind, block.text, []))
        elif sections:
            sections[-1][2].append(block)
        else:
            intro.append(block)
    if intro:
        title = "Medication Guide" if guide else "Patient Information"
        sections.insert(0, ("custom", title, intro))
    return [(kind, title, content) for kind, title, content in sections if content], instructions
