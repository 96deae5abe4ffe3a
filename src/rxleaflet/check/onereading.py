"""One reading of the file: a PDF that two careful readers would read differently is refused.

pypdf (which the rest of the check reads with) forgives a lot: a cross-reference table it
rebuilds, objects after the last %%EOF, a key twice in a dictionary. Viewers forgive the same
faults differently, so an adversary can show the patient one page and the checker another.
Here the file is read a second time, independently, by qpdf (through pikepdf): its repairs are
findings, and so is any page whose content or resources the two readers do not agree on. The
same pass looks in every object for active content, which a walk from the catalog can miss.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pikepdf

MAX_OBJECTS = 100_000  # leaflets have a few hundred; more objects are not all inspected
MAX_STRUCTURE_NODES = 50_000
_OBJECT = re.compile(rb"(?<![0-9])\d{1,10}\s+\d{1,5}\s+obj\b")
_DUPLICATE = re.compile(r"duplicate|duplicated key", re.I)
_REBUILT = re.compile(r"xref|startxref|damaged|reconstruct|offset", re.I)
ACTIVE = frozenset(
    ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/Rendition", "/Movie", "/Sound",
     "/Hide", "/SetOCGState", "/ResetForm")
)  # fmt: skip
_CONTAINERS = (pikepdf.Array, pikepdf.Dictionary, pikepdf.Stream)
LEAVING = frozenset(("/URI", "/GoToR", "/GoToE", "/Launch"))  # fine on a link, not on its own


@dataclass(frozen=True)
class Disagreement:
    rule: str  # "one-reading" or "active-content"
    message: str
    page: int | None = None


def second_reading(
    data: bytes, pypdf_pages: list[tuple[bytes, dict[str, set[str]]]]
) -> list[Disagreement]:
    """What a second, independent reading of ``data`` finds: repairs it needed, duplicate keys,
    objects after the end, pages read differently, structure on pages not in the page tree, and
    active content in any object. ``pypdf_pages`` is pypdf's reading of each page: its content
    and the names of its resources by kind."""
    found = list(_after_the_end(data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        return found  # encrypted files are refused by their own rule
    except Exception as error:  # noqa: BLE001 - a file qpdf cannot open is read differently
        return [*found, Disagreement("one-reading", f"qpdf cannot read the file: {error}")]
    with pdf:
        found.extend(_repairs(pdf))
        found.extend(_pages(pdf, pypdf_pages))
        found.extend(_structure_pages(pdf))
        found.extend(_active(pdf))
        found.extend(_repairs(pdf, after_reading=True))
    return _unique(found)


def _after_the_end(data: bytes) -> Iterator[Disagreement]:
    end = data.rfind(b"%%EOF")
    if end >= 0 and _OBJECT.search(data, end):
        yield Disagreement(
            "one-reading",
            "objects are defined after the last %%EOF: readers that rebuild the file take them, "
            "others do not",
        )


def _repairs(pdf: pikepdf.Pdf, after_reading: bool = False) -> Iterator[Disagreement]:
    for warning in pdf.get_warnings():
        if _DUPLICATE.search(warning):
            yield Disagreement(
                "one-reading",
                "a dictionary names the same key twice; readers differ in which one counts",
            )
        elif _REBUILT.search(warning) and not after_reading:
            yield Disagreement(
                "one-reading",
                "the cross-reference table does not match the file and has to be rebuilt; "
                "readers may rebuild it differently",
            )


def _pages(
    pdf: pikepdf.Pdf, pypdf_pages: list[tuple[bytes, dict[str, set[str]]]]
) -> Iterator[Disagreement]:
    if len(pdf.pages) != len(pypdf_pages):
        yield Disagreement(
            "one-reading", f"one reader finds {len(pypdf_pages)} pages, another {len(pdf.pages)}"
        )
        return
    for number, (page, (content, resources)) in enumerate(
        zip(pdf.pages, pypdf_pages, strict=True), start=1
    ):
        try:
            other = _content(page)
            names = _resource_names(page)
        except Exception:  # noqa: BLE001
            yield Disagreement("one-reading", "qpdf cannot read the page's content", number)
            continue
        if b"".join(other.split()) != b"".join(content.split()) or names != resources:
            yield Disagreement(
                "one-reading",
                "two PDF readers read different content or resources on this page",
                number,
            )


def _content(page: pikepdf.Page) -> bytes:
    contents = page.obj.get("/Contents")
    if contents is None:
        return b""
    if isinstance(contents, pikepdf.Array):
        return b"\n".join(item.read_bytes() for item in contents)
    return contents.read_bytes()


def _resource_names(page: pikepdf.Page) -> dict[str, set[str]]:
    resources = page.obj.get("/Resources")
    if not isinstance(resources, pikepdf.Dictionary):
        return {}
    return {
        str(kind): {str(name) for name in group}
        for kind, group in resources.items()
        if isinstance(group, pikepdf.Dictionary)
    }


def _structure_pages(pdf: pikepdf.Pdf) -> Iterator[Disagreement]:
    """Every /Pg in the structure tree must be a page of the page tree."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    pages = {page.obj.objgen for page in pdf.pages}
    for node in structure_dictionaries(root, MAX_STRUCTURE_NODES):
        target = node.get("/Pg")
        if target is not None and target.objgen not in pages:
            yield Disagreement(
                "one-reading",
                "the structure tree puts content on a page that is not in the page tree",
            )
            return


def structure_dictionaries(start: Any, limit: int) -> Iterator[pikepdf.Dictionary]:
    """The dictionaries of a structure tree from ``start`` down through /K (elements, and the
    marked-content and object references among their kids), at most ``limit`` nodes."""
    pending, seen = [start], 0
    while pending and seen < limit:
        node = pending.pop()
        seen += 1
        if isinstance(node, pikepdf.Array):
            pending.extend(node)
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue
        yield node
        kids = node.get("/K")
        if kids is not None:
            pending.append(kids)


def _active(pdf: pikepdf.Pdf) -> Iterator[Disagreement]:
    """Active content in any object, and actions that leave the document on open or in the
    outline (links may go to the web; a document may not send its reader there by itself)."""
    for obj in _dictionaries(pdf):
        kind = obj.get("/S")
        if "/JS" in obj or kind in ACTIVE:
            what = str(kind).lstrip("/") if kind in ACTIVE else "JavaScript"
            yield Disagreement("active-content", f"the PDF contains a {what} action")
    opening = pdf.Root.get("/OpenAction")
    if isinstance(opening, pikepdf.Dictionary) and opening.get("/S") in LEAVING:
        yield Disagreement(
            "active-content", f"the PDF runs a {str(opening.S).lstrip('/')} action when opened"
        )
    for item in _outline_items(pdf):
        action = item.get("/A")
        if isinstance(action, pikepdf.Dictionary) and action.get("/S") in LEAVING:
            yield Disagreement(
                "active-content",
                f"a bookmark runs a {str(action.S).lstrip('/')} action",
            )


def _dictionaries(pdf: pikepdf.Pdf) -> Iterator[Any]:
    """Every dictionary (and stream dictionary) reachable from the trailer, direct ones
    inside others included, each indirect object once, at most MAX_OBJECTS in all."""
    pending: list[Any] = [pdf.trailer]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while pending and visited < MAX_OBJECTS:
        node = pending.pop()
        visited += 1
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if isinstance(node, pikepdf.Array):
            pending.extend(item for item in node if isinstance(item, _CONTAINERS))
        elif isinstance(node, pikepdf.Dictionary | pikepdf.Stream):
            yield node
            pending.extend(
                value
                for key, value in node.items()
                if isinstance(value, _CONTAINERS) and key not in ("/Parent", "/P")
            )


def _outline_items(pdf: pikepdf.Pdf) -> Iterator[Any]:
    outlines = pdf.Root.get("/Outlines")
    pending = [outlines.get("/First")] if isinstance(outlines, pikepdf.Dictionary) else []
    seen: set[tuple[int, int]] = set()
    while pending and len(seen) < MAX_STRUCTURE_NODES:
        item = pending.pop()
        if not isinstance(item, pikepdf.Dictionary) or item.objgen in seen:
            continue
        seen.add(item.objgen)
        yield item
        pending.extend(x for x in (item.get("/Next"), item.get("/First")) if x is not None)


def _unique(found: list[Disagreement]) -> list[Disagreement]:
    unique: dict[tuple[str, str, int | None], Disagreement] = {}
    for item in found:
        unique.setdefault((item.rule, item.message, item.page), item)
    return list(unique.values())
