"""Read the facts a compliance check needs from any PDF, within hard limits on time and memory.

The PDF may be ours, someone else's, broken or hostile: nothing here trusts it. Every limit is
a finding, never a hang: a time budget for the whole file that holds inside a page too, caps on
decompressed streams, CMaps, structure elements and embedded files, and pypdf's own warnings
kept off the terminal.

A file in the grammar rxleaflet itself writes (every leaflet it renders, read back before it is
written) is read by check/ownpdf.py; any other, or anything that reader declines, by pypdf, to
the same facts. pypdf is imported only then: it costs a sixth of a cold render to import.
"""

from __future__ import annotations

import contextlib
import io
import signal
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .contentscan import Box, PageScan, Resources, ScanTimeout, TextRun, matrix_scale, scan_page
from .fontdecode import FontDecoder, Malformed, Unsupported, font_decoder
from .ownpdf import Array, Declined, Dictionary, Document, Page, Ref, Stream
from .visibility import Hidden, hidden_text

MAX_PAGES = 50  # a patient leaflet is a few pages; more is refused without reading content
TIME_BUDGET_SECONDS = 10.0
MAX_STRUCTURE_ELEMENTS = 50_000
MAX_EMBEDDED_BYTES = 2_000_000
FOOTER_BAND = 0.15  # untagged PDFs: text in the bottom 15 % of the page is its footer
LIMITS: dict[str, Any] = {
    "zlib_maximum_output_length": 8_000_000,
    "lzw_maximum_output_length": 8_000_000,
    "run_length_maximum_output_length": 8_000_000,
    "maximum_declared_stream_length": 8_000_000,
    "page_tree_maximum_depth": 32,
    "page_tree_maximum_entries": 10_000,
    "outline_maximum_entries": 10_000,
}
ACTIVE_ACTIONS = frozenset(
    ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/Rendition", "/Movie", "/Sound",
     "/Hide", "/SetOCGState")
)  # fmt: skip
EXECUTABLE_SUFFIXES = (
    ".exe", ".dll", ".com", ".bat", ".cmd", ".scr", ".msi", ".ps1", ".vbs", ".js", ".jar", ".sh",
    ".app", ".apk", ".bin", ".elf", ".so", ".dylib",
)  # fmt: skip
EXECUTABLE_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"#!",
    b"\xca\xfe\xba\xbe",
    b"\xcf\xfa\xed\xfe",
    b"PK\x03\x04",
)


def might_be_signed(data: bytes) -> bool:
    """Whether ``data`` may hold a signature: a signature dictionary's /ByteRange in plain
    sight, or object streams it could hide in."""
    return b"/ByteRange" in data or b"/ObjStm" in data


class UnreadablePdf(Exception):
    """The file cannot be checked at all; ``rule`` says which finding to report."""

    def __init__(self, message: str, rule: str = "pdf-readable"):
        super().__init__(message)
        self.message = message
        self.rule = rule


@dataclass(frozen=True)
class FontFact:
    name: str
    page: int
    embedded: bool
    to_unicode: bool


@dataclass
class PageFact:
    number: int
    text: str = ""
    sizes: Counter[float] = field(default_factory=Counter)  # size (pt) → characters at it
    runs: list[TextRun] = field(default_factory=list)  # text shown, in drawing order
    problem: str | None = None
    footer: str = ""  # the running footer: pagination artifacts, else the bottom band
    footer_from_tags: bool = False
    content_text: str | None = None  # the text outside artifacts (None: not known)
    hidden: list[Hidden] | None = None  # None: visibility was not analysed
    box: Box = (0.0, 0.0, 612.0, 792.0)
    index: int = 0  # 0-based position in the whole file (number may count within a leaflet)
    user_unit: float = 1.0  # the size of the page's unit in points (/UserUnit)
    reading: tuple[bytes, dict[str, set[str]]] = (b"", {})  # content and resource names

    @property
    def dominant_size(self) -> float | None:
        return self.sizes.most_common(1)[0][0] if self.sizes else None


@dataclass
class StructElement:
    """A structure element: its role and, in order, child elements and (page, MCID) contents."""

    role: str
    kids: list[StructElement | tuple[int, int]] = field(default_factory=list)
    lang: str | None = None
    alt: str | None = None

    def elements(self) -> list[StructElement]:
        return [kid for kid in self.kids if isinstance(kid, StructElement)]

    def walk(self) -> list[StructElement]:
        """This element and all below it, in reading order."""
        found, pending = [], [self]
        while pending:
            element = pending.pop()
            found.append(element)
            pending.extend(reversed(element.elements()))
        return found

    def contents(self) -> list[tuple[int, int]]:
        """The (page, MCID) contents of this element and all below it, in reading order."""
        found: list[tuple[int, int]] = []
        pending: list[StructElement | tuple[int, int]] = [self]
        while pending:
            item = pending.pop()
            if isinstance(item, StructElement):
                pending.extend(reversed(item.kids))
            else:
                found.append(item)
        return found


@dataclass(frozen=True)
class EmbeddedFile:
    name: str
    description: str | None
    relationship: str | None
    data: bytes | None  # None when larger than MAX_EMBEDDED_BYTES or unreadable
    readable: bool = True  # False: its file specification or stream could not be read


@dataclass
class PdfFacts:
    page_count: int
    pages: list[PageFact]
    info: dict[str, str]
    language: str | None
    display_doc_title: bool
    marked: bool
    has_structure_tree: bool
    xmp: str
    fonts: list[FontFact]
    encryption: str | None  # why the file is encrypted or restricted, when it is
    stopped: str | None = None  # why content reading stopped early, when it did
    structure: StructElement | None = None
    mcid_text: dict[tuple[int, int], str] = field(default_factory=dict)  # (page, MCID) → text
    embedded_files: list[EmbeddedFile] = field(default_factory=list)
    active_content: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(page.text for page in self.pages)

    def element_text(self, element: StructElement) -> str:
        """The text of ``element`` and everything below it, in reading order."""
        parts = (self.mcid_text.get(item, "") for item in element.contents())
        return " ".join(part for part in parts if part)


def read_pdf(
    data: bytes,
    *,
    max_pages: int | None = MAX_PAGES,
    time_budget: float | None = TIME_BUDGET_SECONDS,
) -> PdfFacts:
    """Facts from ``data``; raise UnreadablePdf when the file cannot be checked at all."""
    if b"%PDF-" not in data[:1024]:
        raise UnreadablePdf("not a PDF file (no %PDF- header)")
    deadline = time.monotonic() + time_budget if time_budget is not None else None
    limits = {"max_pages": max_pages, "deadline": deadline, "budget": time_budget}
    facts = read_own_grammar(data, **limits)
    return facts if facts is not None else read_with_pypdf(data, **limits)


def read_own_grammar(
    data: bytes, *, max_pages: int | None, deadline: float | None, budget: float | None
) -> PdfFacts | None:
    """Facts from a file in rxleaflet's own grammar (check/ownpdf.py), or None when that
    reader declines it. Any failure here is the reader's, not the file's: pypdf reads it."""
    try:
        document = Document(
            data,
            max_stream_bytes=LIMITS["zlib_maximum_output_length"],
            max_declared_length=LIMITS["maximum_declared_stream_length"],
        )
        return _read(document, None, max_pages, deadline, budget)
    except (Declined, Exception):  # noqa: BLE001 - pypdf reads what this reader does not
        return None


def read_with_pypdf(
    data: bytes, *, max_pages: int | None, deadline: float | None, budget: float | None
) -> PdfFacts:
    """Facts from any PDF, through pypdf; raise UnreadablePdf when it cannot be checked."""
    import logging  # with pypdf, which logs through it; a render's read-back never needs it

    from pypdf import apply_configuration
    from pypdf.errors import DependencyError, FileNotDecryptedError

    logger = logging.getLogger("pypdf")
    level, logger.level = logger.level, logging.CRITICAL  # hostile files make thousands
    try:
        with apply_configuration(**LIMITS), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader, encryption = _open_with_pypdf(data)
            return _read(reader, encryption, max_pages, deadline, budget)
    except UnreadablePdf:
        raise
    except RecursionError:
        raise UnreadablePdf("the PDF's object structure is cyclic or too deep") from None
    except MemoryError:
        raise UnreadablePdf("the PDF needs more memory than allowed to read") from None
    except (DependencyError, FileNotDecryptedError):
        raise UnreadablePdf(
            "the PDF is encrypted (with a cipher that needs a password or an extra library); "
            "leaflets must not be encrypted",
            "pdf-encrypted",
        ) from None
    except Exception as error:  # noqa: BLE001 - any parser failure is a finding, not a crash
        raise UnreadablePdf(f"the PDF cannot be read: {_short(error)}") from None
    finally:
        logger.level = level


def _open_with_pypdf(data: bytes) -> tuple[Any, str | None]:
    """pypdf's reader of ``data``, and why the file is encrypted when it is."""
    from pypdf import PdfReader

    from .preload import preload_objects

    reader = PdfReader(io.BytesIO(data), strict=False)
    encryption = None
    if reader.is_encrypted:
        if not reader.decrypt(""):
            raise UnreadablePdf("the PDF is encrypted and needs a password", "pdf-encrypted")
        encryption = "the PDF is encrypted (it opens without a password but may restrict use)"
    else:
        preload_objects(reader, data)
    return reader, encryption


def _read(
    reader: Any,
    encryption: str | None,
    max_pages: int | None,
    deadline: float | None,
    budget: float | None,
) -> PdfFacts:
    """The facts, through either reader: pypdf's PdfReader or ownpdf's Document."""
    page_count = len(reader.pages)
    if page_count == 0:
        raise UnreadablePdf("the PDF has no pages")
    catalog: Any = reader.trailer["/Root"]
    facts = PdfFacts(
        page_count=page_count,
        pages=[],
        info=_info(reader),
        language=_string(catalog.get("/Lang")),
        display_doc_title=_bool(_get(catalog, "/ViewerPreferences", "/DisplayDocTitle")),
        marked=_bool(_get(catalog, "/MarkInfo", "/Marked")),
        has_structure_tree="/StructTreeRoot" in catalog,
        xmp=_xmp(catalog),
        fonts=[],
        encryption=encryption,
    )
    if max_pages is not None and page_count > max_pages:
        facts.stopped = f"the PDF has {page_count} pages; a leaflet has at most {max_pages}"
        return facts
    decoders: dict[int, FontDecoder] = {}
    for number, page in enumerate(reader.pages, start=1):
        if deadline is not None and time.monotonic() > deadline:
            facts.stopped = f"reading stopped at page {number}: over {budget:.0f} s"
            break
        fact, scan = _page(page, number, decoders, deadline)
        if fact.problem and "over the time limit" in fact.problem:
            facts.stopped = f"reading stopped at page {number}: over {budget:.0f} s"
        facts.pages.append(fact)
        facts.fonts.extend(_fonts(page, number))
        if scan is not None:
            for run in scan.runs:
                if run.mcid is not None:
                    key = (number - 1, run.mcid)
                    facts.mcid_text[key] = facts.mcid_text.get(key, "") + run.text
        if facts.stopped:
            break
    pages = {
        p.indirect_reference.idnum: i for i, p in enumerate(reader.pages) if p.indirect_reference
    }
    facts.structure = _structure(catalog, pages)
    facts.embedded_files = _embedded_files(catalog)
    facts.active_content = _active_content(catalog, reader, facts.embedded_files)
    return facts


def _page(
    page: Any, number: int, decoders: dict[int, FontDecoder], deadline: float | None
) -> tuple[PageFact, PageScan | None]:
    fact = PageFact(number, index=number - 1)
    try:
        box = page.cropbox
        fact.box = (float(box.left), float(box.bottom), float(box.right), float(box.top))
    except Exception:  # noqa: BLE001 - a page without a usable box keeps Letter's
        pass
    with contextlib.suppress(Exception):
        fact.user_unit = float(page.get("/UserUnit", 1.0))
    try:
        data = _content_bytes(page)
    except Exception as error:  # noqa: BLE001 - a broken page is a finding
        if isinstance(page, Page):
            raise Declined from None  # the finding would quote this reader's error, not pypdf's
        if _pypdf_error(error, "LimitReachedError"):
            fact.problem = "a content stream is larger than any leaflet needs (decompression limit)"
        else:
            fact.problem = f"the page's content cannot be read: {_short(error)}"
        return fact, None
    fact.reading = (data, _resource_names(page))
    try:
        scan = scan_page(data, _resources(page, decoders), deadline)
    except ScanTimeout:
        fact.problem = "reading the page's content went over the time limit"
        return fact, None
    except Malformed as error:
        fact.problem = f"the page's content cannot be read: {error}"
        return fact, None
    except (Unsupported, AttributeError, KeyError, TypeError, ValueError):  # odd resources too
        _fall_back(page, fact, deadline)
        return fact, None
    fact.text = scan.text
    if any(run.artifact for run in scan.runs):
        fact.content_text = "\n".join(run.text for run in scan.runs if not run.artifact)
    for run in scan.runs:
        visible = len(run.text) - run.text.count(" ") - run.text.count("\n")
        if visible and run.size:
            fact.sizes[run.size] += visible
            fact.runs.append(run)
    fact.hidden = hidden_text(scan.runs, scan.paints, fact.box)
    _footer(fact)
    return fact, scan


def _content_bytes(page: Any) -> bytes:
    """The page's content: its one stream's data as it is, or pypdf's joining of several."""
    contents = page.get("/Contents")
    resolved = contents.get_object() if contents is not None else None
    if _is_stream(resolved):
        return resolved.get_data()
    joined = page.get_contents()
    return joined.get_data() if joined is not None else b""


def _fall_back(page: Any, fact: PageFact, deadline: float | None) -> None:
    """pypdf's general extractor, for what the fast scanner does not interpret (text only),
    held to the deadline by a timer where the process allows one (the main thread)."""

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        visible = len(text) - text.count(" ") - text.count("\n")
        scaled = round(size * matrix_scale(tm) * matrix_scale(cm), 1)
        if visible and scaled:
            fact.sizes[scaled] += visible
            fact.runs.append(
                TextRun(text, scaled, (0, 0, 0, 0), 0, None, None, None, 1.0, 0, 1.0, None)
            )

    try:
        with _alarm(deadline):
            fact.text = page.extract_text(visitor_text=visit) or ""
    except ScanTimeout:
        fact.problem = "reading the page's content went over the time limit"
    except RecursionError:
        fact.problem = "the page's content is nested too deeply to read"
    except Exception as error:  # noqa: BLE001 - a broken page is a finding
        fact.problem = f"the page's content cannot be read: {_short(error)}"
    fact.footer = fact.text  # no positions: the whole page stands in for its footer


@contextlib.contextmanager
def _alarm(deadline: float | None) -> Iterator[None]:
    if deadline is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    remaining = max(0.01, deadline - time.monotonic())

    def expire(_signal: int, _frame: Any) -> None:
        raise ScanTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, remaining)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _footer(fact: PageFact) -> None:
    tagged = [r for r in fact.runs if r.artifact and r.artifact.startswith("Pagination")]
    footer = [r for r in tagged if r.artifact == "Pagination/Footer"]
    middle = (fact.box[1] + fact.box[3]) / 2
    footer = footer or [r for r in tagged if r.box[3] < middle]
    if footer:
        fact.footer_from_tags = True
    else:
        band = fact.box[1] + FOOTER_BAND * (fact.box[3] - fact.box[1])
        footer = [r for r in fact.runs if (r.box[1] + r.box[3]) / 2 < band]
    fact.footer = "\n".join(run.text for run in footer)


def _resources(page: Any, decoders: dict[int, FontDecoder]) -> Resources:
    resources = _dict(page.get("/Resources"))
    fonts: dict[str, Any] = {}
    for name, reference in _dict(resources.get("/Font")).items():
        key = reference.idnum if _is_reference(reference) else id(reference)

        def make(reference: Any = reference, key: int = key) -> FontDecoder:
            if key not in decoders:
                decoders[key] = font_decoder(reference.get_object())
            return decoders[key]

        fonts[str(name)[1:]] = make
    forms = {
        str(name)[1:]
        for name, x in _dict(resources.get("/XObject")).items()
        if x.get_object().get("/Subtype") != "/Image"
    }
    alphas = {}
    for name, state in _dict(resources.get("/ExtGState")).items():
        value = _dict(state).get("/ca")
        if value is not None:
            alphas[str(name)[1:]] = float(value)
    spaces = {}
    for name, space in _dict(resources.get("/ColorSpace")).items():
        space = space.get_object()
        family = space[0] if isinstance(space, list) and space else space
        spaces[str(name)[1:]] = _components(family, space)
    return Resources(fonts, forms, alphas, spaces)


def _resource_names(page: Any) -> dict[str, set[str]]:
    """The names of the page's resources by kind, for comparison with a second reader."""
    try:
        resources = _dict(page.get("/Resources"))
        return {
            str(kind): {str(name) for name in group.get_object()}
            for kind, group in resources.items()
            if isinstance(group.get_object(), dict)
        }
    except Exception:  # noqa: BLE001 - unreadable resources are compared as none
        return {}


def _components(family: Any, space: Any) -> int:
    family = str(family)
    if family == "/Pattern":
        return 0
    if family in ("/DeviceGray", "/CalGray", "/Indexed", "/Separation"):
        return 1
    if family in ("/DeviceCMYK",):
        return 4
    if family == "/ICCBased":
        try:
            return int(space[1].get_object().get("/N", 3))
        except Exception:  # noqa: BLE001
            return 3
    return 3


def _dict(value: Any) -> Any:
    if value is None:
        return {}
    value = value.get_object() if hasattr(value, "get_object") else value
    return value if isinstance(value, dict) else {}


def _structure(catalog: Any, pages: dict[int, int]) -> StructElement | None:
    """The structure tree, bounded in size; None when there is none or it cannot be read."""
    try:
        root = catalog["/StructTreeRoot"].get_object()
    except Exception:  # noqa: BLE001
        return None
    top = StructElement("StructTreeRoot")
    seen: set[int] = set()
    budget = [MAX_STRUCTURE_ELEMENTS]

    def walk(node: Any, into: StructElement, page: int | None, depth: int) -> None:
        if depth > 100 or budget[0] <= 0:
            return
        # this reader's arrays and dictionaries are no references of either reader: the
        # pypdf test is left for other values (the tree is mostly these)
        if type(node) is Ref or (type(node) not in _OWN_CONTAINERS and _is_reference(node)):
            if node.idnum in seen:
                return
            seen.add(node.idnum)
            node = node.get_object()
        if isinstance(node, int):
            if page is not None:
                into.kids.append((page, int(node)))
            return
        if isinstance(node, list):
            kids = into.kids
            for kid in node:
                if isinstance(kid, int):  # a bare MCID (no reference is an int): as walk reads it
                    if page is not None and depth < 100 and budget[0] > 0:
                        kids.append((page, int(kid)))
                else:
                    walk(kid, into, page, depth + 1)
            return
        if not isinstance(node, dict):
            return
        own_page = node.get("/Pg")
        if own_page is not None and (type(own_page) is Ref or _is_reference(own_page)):
            page = pages.get(own_page.idnum, page)
        kind = node.get("/Type")
        if kind == "/MCR":
            if page is not None and "/MCID" in node:
                into.kids.append((page, int(node["/MCID"])))
            return
        if kind == "/OBJR" or "/S" not in node:
            if "/K" in node and kind != "/OBJR":
                walk(node["/K"], into, page, depth + 1)
            return
        budget[0] -= 1
        element = StructElement(
            str(node["/S"]).lstrip("/"),
            lang=_string(node.get("/Lang")),
            alt=_string(node.get("/Alt")),
        )
        into.kids.append(element)
        if "/K" in node:
            walk(node["/K"], element, page, depth + 1)

    try:
        walk(root.get("/K"), top, None, 0)
    except Exception:  # noqa: BLE001 - an unreadable tree counts as none
        return None
    return top


_OWN_CONTAINERS = (Array, Dictionary, Page, Stream)


def _embedded_files(catalog: Any) -> list[EmbeddedFile]:
    specs: list[Any] = []
    try:
        names = _dict(_dict(catalog.get("/Names")).get("/EmbeddedFiles"))
        pending, visited = [names], 0
        while pending and visited < 1000:
            node = _dict(pending.pop())
            visited += 1
            entries = node.get("/Names")
            if entries is not None:
                specs.extend(list(entries.get_object())[1::2])
            for kid in node.get("/Kids", []) or []:
                pending.append(kid)
        specs.extend(list(catalog.get("/AF", []) or []))
    except Exception:  # noqa: BLE001
        pass
    found: dict[object, EmbeddedFile] = {}
    for spec in specs[:100]:
        try:
            identity = spec.idnum if _is_reference(spec) else None
            spec = spec.get_object()
            name = str(spec.get("/UF") or spec.get("/F") or "(unnamed)")
            stream = _dict(spec.get("/EF")).get("/F")
            data = None
            if stream is not None:
                stream = stream.get_object()
                declared = int(_dict(stream.get("/Params")).get("/Size", 0) or 0)
                if declared <= MAX_EMBEDDED_BYTES:
                    data = stream.get_data()
                    data = data if len(data) <= MAX_EMBEDDED_BYTES else None
            entry = EmbeddedFile(
                name, _string(spec.get("/Desc")), _string(spec.get("/AFRelationship")), data
            )
            found.setdefault(identity or (name, entry.relationship), entry)
        except Exception:  # noqa: BLE001 - an unreadable attachment is listed without data
            unreadable = EmbeddedFile("(unreadable)", None, None, None, readable=False)
            found.setdefault(("(unreadable)", None), unreadable)
    return list(found.values())


def _active_content(catalog: Any, reader: Any, files: list[EmbeddedFile]) -> list[str]:
    """What in the file would run code or act on its own when opened."""
    found: list[str] = []

    def action(value: Any, where: str) -> None:
        pending, steps = [value], 0
        while pending and steps < 100:
            steps += 1
            item = _dict(pending.pop())
            kind = item.get("/S")
            if kind in ACTIVE_ACTIONS:
                found.append(f"a {str(kind).lstrip('/')} action ({where})")
            following = item.get("/Next")
            if following is not None:
                pending.extend(following if isinstance(following, list) else [following])

    try:
        if "/OpenAction" in catalog and isinstance(catalog["/OpenAction"].get_object(), dict):
            action(catalog["/OpenAction"], "run when the document opens")
        for trigger in _dict(catalog.get("/AA")).values():
            action(trigger, "a document event")
        if "/JavaScript" in _dict(catalog.get("/Names")):
            found.append("document-level JavaScript")
        if "/XFA" in _dict(catalog.get("/AcroForm")):
            found.append("an XFA form (scriptable)")
        for number, page in enumerate(reader.pages[:MAX_PAGES], start=1):
            for trigger in _dict(page.get("/AA")).values():
                action(trigger, f"page {number} event")
            for annotation in list(page.get("/Annots", []) or [])[:500]:
                annotation = _dict(annotation)
                if "/A" in annotation:
                    action(annotation["/A"], f"a link or widget on page {number}")
                for trigger in _dict(annotation.get("/AA")).values():
                    action(trigger, f"a link or widget on page {number}")
    except Exception:  # noqa: BLE001 - what cannot be read is not reported as active
        pass
    for file in files:
        data = file.data or b""
        if file.name.lower().endswith(EXECUTABLE_SUFFIXES) or data.startswith(EXECUTABLE_MAGIC):
            found.append(f"an embedded executable or archive ({file.name})")
    return found


def _fonts(page: Any, number: int) -> list[FontFact]:
    found: list[FontFact] = []
    try:
        for font in _dict(_dict(page.get("/Resources")).get("/Font")).values():
            found.append(_font_fact(font.get_object(), number))
    except Exception:  # noqa: BLE001 - unreadable font dictionaries are reported as not embedded
        found.append(FontFact("(unreadable font resources)", number, False, False))
    return found


def _font_fact(font: Any, number: int) -> FontFact:
    name = str(font.get("/BaseFont", "(unnamed)")).lstrip("/")
    subtype = font.get("/Subtype")
    descriptor_owner = font
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        descendants = descendants.get_object() if descendants is not None else []
        descriptor_owner = descendants[0].get_object() if descendants else {}
    descriptor = descriptor_owner.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    embedded = subtype == "/Type3" or any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )
    return FontFact(name, number, embedded, "/ToUnicode" in font)


def _info(reader: Any) -> dict[str, str]:
    try:
        metadata: Any = reader.metadata or {}
        return {str(k).lstrip("/"): str(v) for k, v in metadata.items()}
    except Exception:  # noqa: BLE001
        return {}


def _xmp(catalog: Any) -> str:
    try:
        stream = catalog.get("/Metadata")
        return stream.get_object().get_data().decode("utf-8", "replace") if stream else ""
    except Exception:  # noqa: BLE001
        return ""


def _get(dictionary: Any, *keys: str) -> Any:
    value = dictionary
    for key in keys:
        if _is_reference(value):
            value = value.get_object()
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value.get_object() if _is_reference(value) else value


def _is_reference(value: Any) -> bool:
    """Whether ``value`` is an indirect reference, of either reader (pypdf's class is looked at
    only when pypdf is loaded: a reference of a file it read)."""
    return isinstance(value, Ref) or _pypdf_instance(value, "IndirectObject")


def _is_stream(value: Any) -> bool:
    return isinstance(value, Stream) or _pypdf_instance(value, "StreamObject")


def _pypdf_instance(value: Any, name: str) -> bool:
    generic = sys.modules.get("pypdf.generic")
    return generic is not None and isinstance(value, getattr(generic, name))


def _pypdf_error(error: BaseException, name: str) -> bool:
    errors = sys.modules.get("pypdf.errors")
    return errors is not None and isinstance(error, getattr(errors, name))


def _bool(value: Any) -> bool:
    return bool(getattr(value, "value", False)) if value is not None else False


def _string(value: Any) -> str | None:
    return str(value) if value is not None else None


def _short(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if len(text) <= 160 else text[:157] + "…"
