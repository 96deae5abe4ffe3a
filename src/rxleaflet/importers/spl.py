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
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException

from ..errors import LeafletError
from ..files import read_or_refuse
from ..source.locales import locale_for
from .splsections import Section, title_block, warning_box
from .splsections import split as split_sections
from .spltext import V3, Block, Reader

MEDICATION_GUIDE, PATIENT_INSERT = "42231-1", "42230-3"
NDC_SYSTEM = "2.16.840.1.113883.6.69"
MAX_LABEL_BYTES = 20_000_000
MAX_DEPTH = 200
MAX_ELEMENTS = 300_000
MAX_PATIENT_TEXT = 900_000  # characters; a leaflet source is at most 1,000,000 bytes


class ImportError_(LeafletError):  # noqa: N801 - not the builtin
    """The label cannot become a leaflet source; the message says what was found."""


@dataclass
class Imported:
    """The parts of a leaflet source, and what was left out."""

    profile: str
    name: str
    generic: str | None
    form: str | None
    pronunciation: str | None
    sections: list[Section]  # (kind, title as written, blocks)
    warning: list[Block]
    ndc: list[str]
    set_id: str
    version: str
    effective: dt.date
    labeler: str | None
    left_out: list[str]
    added: list[str] = field(default_factory=list)  # text the label lacks that the law needs


def read_label(path: Path) -> Any:
    """The label's XML tree, parsed as a stream so that a hostile file is refused early: no
    DTD or entities, at most MAX_ELEMENTS elements (real labels have a few thousand, a 20 MB
    one about 200,000) nested at most MAX_DEPTH deep (real ones: fewer than 40)."""
    data = read_or_refuse(path, MAX_LABEL_BYTES, what="label file", error=ImportError_)
    root, depth, count = None, 0, 0
    try:
        events = SafeXml.iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True,
                                   forbid_entities=True, forbid_external=True)  # fmt: skip
        for event, element in events:
            if event == "end":
                depth -= 1
                continue
            root = element if root is None else root
            depth, count = depth + 1, count + 1
            if depth > MAX_DEPTH:
                raise ImportError_(
                    f"elements are nested more than {MAX_DEPTH} deep; real labels nest fewer "
                    "than 40 (is this file an SPL label?)",
                    path=path,
                )
            if count > MAX_ELEMENTS:
                raise ImportError_(
                    f"the label has more than {MAX_ELEMENTS:,} XML elements; real labels have "
                    "a few thousand, the largest about 200,000 (is this file an SPL label?)",
                    path=path,
                )
    except DefusedXmlException as error:
        raise ImportError_(
            f"the XML uses a DTD or entities ({type(error).__name__}), which SPL does not need "
            "and which are refused for safety",
            path=path,
        ) from None
    except SafeXml.ParseError as error:
        raise ImportError_(f"not well-formed XML: {error}", path=path) from None
    if root is None:
        raise ImportError_("not well-formed XML: no element", path=path)
    return root


def parse_label(path: Path) -> Imported:
    root = read_label(path)
    if root.tag != f"{V3}document":
        raise ImportError_("not an SPL document (no HL7 v3 <document> root)", path=path)
    sections = list(root.iter(f"{V3}section"))
    patient = [s for s in sections if _code(s) in (MEDICATION_GUIDE, PATIENT_INSERT)]
    if not patient:
        found = ", ".join(dict.fromkeys(
            f"{_display(s).title().removeprefix('Spl ').removesuffix(' Section')} ({_code(s)})"
            for s in sections if _code(s) and _code(s) != "48780-1"
        ))  # fmt: skip
        raise ImportError_(
            "no patient section (a Medication Guide, LOINC 42231-1, or a Patient Package "
            f"Insert, 42230-3); found: {found or 'no sections'}",
            path=path,
        )
    section = patient[0]
    guide = _code(section) == MEDICATION_GUIDE
    what = "Medication Guide" if guide else "Patient Information (patient package insert)"
    inside = set(map(id, section.iter()))
    professional = sorted({
        f"{_code(s)} {_display(s).lower().removesuffix(' section')}" for s in sections
        if id(s) not in inside and _code(s) not in ("42229-5", "48780-1")
    })  # fmt: skip
    left_out = [
        f"{len(professional)} sections for professionals, not patient text: "
        + ", ".join(professional)
    ] if professional else []  # fmt: skip
    size = sum(len(text) for text in section.itertext())
    if size > MAX_PATIENT_TEXT:
        raise ImportError_(
            f"the {what} section holds {size:,} characters of text; a leaflet source holds at "
            f"most {MAX_PATIENT_TEXT:,} (is this the label's patient text?)",
            path=path,
        )
    reader = Reader()
    blocks = reader.blocks(_without_title(section))
    if not any(b.text for b in blocks):
        raise ImportError_(f"the {what} section is empty (it has no text)", path=path)
    name, generic, form_word, labeler, ndc = _product(root)
    title, blocks = title_block(blocks, [name, generic])
    pronunciation = next(
        (
            m.group(1)
            for b in title
            if (m := re.search(r"\(([A-Za-z]+(?:-[A-Za-z]+)+)\)", b.text))
        ),
        None,
    )
    if title:
        left_out.insert(0, "the title block (" + " / ".join(b.text for b in title)
                        + "), printed as the title instead")  # fmt: skip
    intro = "Medication Guide" if guide else "Patient Information"
    split, instructions = split_sections(blocks, guide, intro, [name, generic])
    if instructions:
        left_out.append(
            f"the Instructions for Use ({instructions} set(s)), which depend on their figures"
        )
    if reader.figures:
        left_out.append(f"{reader.figures} figure(s)")
    for name_, count in sorted(reader.removed.items()):
        left_out.append(f"{count} {name_}(s), removed (invisible; they would not print)")
    _require(split, guide, what, path)
    added = _side_effects_statement(split) if guide else []
    form = _form(title, generic) or form_word
    effective = _date(root.find(f"{V3}effectiveTime"), path)
    return Imported(
        profile="medication-guide" if guide else "patient-information",
        name=name, generic=generic, form=form, pronunciation=pronunciation, sections=split,
        warning=warning_box(split), ndc=ndc,
        set_id=_attribute(root, "setId", "root"),
        version=_attribute(root, "versionNumber", "value"),
        effective=effective, labeler=labeler, left_out=left_out, added=added,
    )  # fmt: skip


def _side_effects_statement(sections: list[Section]) -> list[str]:
    """A guide must carry FDA's side-effects statement (21 CFR 209.10); guides approved before
    2009 lack it. Then it is added at the end of the side-effects section, and said so."""
    locale = locale_for("en-US")
    text = " ".join(b.text for _k, _t, blocks in sections for b in blocks)
    if locale.statement_found("fda_side_effects", text):
        return []
    wording = locale.statements["fda_side_effects"]["wording"]
    blocks = next(blocks for kind, _t, blocks in sections if kind == "side-effects")
    blocks.append(Block([(wording, False)]))
    return [f'the side-effects statement of 21 CFR 209.10 ("{wording}"), which the label '
            "does not have, at the end of the side-effects section"]  # fmt: skip


def _without_title(section: Any) -> Any:
    """The section's content: its <text> and subsections (its own title is the SPL's name for
    the part, "SPL MEDGUIDE SECTION", not patient text)."""
    return _Container([c for c in section if c.tag in (f"{V3}text", f"{V3}component")])


class _Container:
    """A stand-in element holding some children of another (for ``Reader.blocks``)."""

    text = None

    def __init__(self, children: list[Any]) -> None:
        self._children = children

    def __iter__(self) -> Any:
        return iter(self._children)


REQUIRED = {
    "what-is": '"What is …?"',
    "side-effects": '"What are the possible side effects of …?"',
}


def _require(sections: list[Section], guide: bool, what: str, path: Path) -> None:
    """Refuse a label whose patient text lacks what every guide and insert has, naming the
    headings it does have (so the refusal speaks of the label, not of a profile)."""
    if not guide:
        return
    kinds = [kind for kind, _t, _b in sections]
    missing = [question for kind, question in REQUIRED.items() if kind not in kinds]
    if missing:
        headings = "; ".join(f'"{title}"' for _k, title, _b in sections) or "none"
        raise ImportError_(
            f"the {what} has no section headed {' or '.join(missing)} that rxleaflet "
            f"recognises; its headings are: {headings}",
            path=path,
        )


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




def _form(title: list[Block], generic: str | None) -> str | None:
    lines = [b.text for b in title[1:]] if title else []
    lines = [line for line in lines if not re.search(r"\([A-Za-z]+(?:-[A-Za-z]+)+\)", line)]
    words = " ".join(line for line in lines if line.upper() != "MEDICATION GUIDE")
    return words or None
