"""The compliance rules: one function per rule, used by `rxleaflet check` and before every write.

Each rule looks at the facts read from a PDF and, where known, at what its source says the PDF
must contain (given with --source, or carried inside the PDF itself); it returns findings with
a stable rule id. Rules read the page as a person would: footers from the running footer, the
warning from the warning box, body size from body text, and only text that can be seen counts
as shown.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from ..contract import Expectations
from ..source import locales
from ..source.locales import Locale
from ..source.profiles import Profile, load_profile, profile_names
from ..source.questions import QUESTIONS
from .pdfread import PdfFacts, StructElement

ERROR, WARNING = "error", "warning"
MIN_ANY_TEXT_PT = 8.0
HEADINGS = frozenset(("H", "H1", "H2", "H3", "H4", "H5", "H6"))
BODY_ROLES = frozenset(("P", "LBody", "LI", "Lbl"))


def squeeze(text: str) -> str:
    """Text without any white space: what must survive extraction character for character."""
    return "".join(text.split())


def snippet(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    page: int | None = None
    found: str | None = None  # the text the rule found, where that helps a reviewer

    def describe(self) -> str:
        """One line: ``[rule] page N: message``."""
        where = f"page {self.page}: " if self.page else ""
        return f"[{self.rule}] {where}{self.message}"


@dataclass(frozen=True)
class CheckOptions:
    profile: str | None = None  # used when the PDF's metadata names none
    as_of: dt.date | None = None
    allow_expired: bool = False  # expired information was knowingly rendered, marked
    max_grade: float = 8.0
    thorough: bool = True  # a second reading (qpdf) and PDFium's pixels; off for our own read-back
    # the rules that can only warn (the reading grade): off for the read-back before a write,
    # which acts on errors alone (0.4 ms of a leaflet's 15 for a figure nobody would see)
    warnings: bool = True
    trust: tuple[bytes, ...] = ()  # DER roots: a valid signature chaining to one is required


@dataclass
class Subject:
    """A PDF (or one leaflet of a print file) under check, and what it must contain as far as
    that is known."""

    facts: PdfFacts
    expected: Expectations | None
    options: CheckOptions
    profile: Profile
    locales: list[Locale]  # the leaflet's language first; all supported when it is unknown
    drug: str | None
    metrics: dict[str, object]
    structure: StructElement | None = None  # this leaflet's part of the structure tree
    source_problems: list[Finding] = field(default_factory=list)  # why no embedded source

    @property
    def today(self) -> dt.date:
        return self.options.as_of or dt.date.today()

    @cached_property
    def squeezed_pages(self) -> list[tuple[int, str]]:
        return [(page.number, squeeze(page.text)) for page in self.facts.pages]

    @cached_property
    def squeezed_footers(self) -> dict[int, str]:
        return {page.number: squeeze(page.footer) for page in self.facts.pages}

    @cached_property
    def squeezed_body(self) -> str:
        """All page text in order, without each page's running footer and repeated furniture:
        the text outside artifacts where the PDF marks them, else with the furniture the
        source names taken out."""
        parts = []
        expected = self.expected
        for page in self.facts.pages:
            if page.content_text is not None and page.footer_from_tags:
                parts.append(squeeze(page.content_text))
                continue
            text = squeeze(page.text)
            if expected is not None:
                for item in (
                    expected.page_pattern.format(n=page.number, m=self.facts.page_count),
                    expected.expiry,
                    expected.copyright,
                ):
                    text = _remove_last(text, squeeze(item))
                if page.number > 1:
                    text = text.replace(squeeze(expected.expired_mark), "", 1)
                text = text.replace(squeeze(expected.continuation_label), "", 1)
            parts.append(text)
        return "".join(parts)

    @cached_property
    def elements(self) -> list[StructElement]:
        return self.structure.walk() if self.structure is not None else []


def subject_for(
    facts: PdfFacts,
    expected: Expectations | None,
    options: CheckOptions,
    structure: StructElement | None = None,
) -> Subject:
    info = facts.info
    language = expected.language if expected else info.get("RxLeafletLanguage") or facts.language
    if structure is not None and structure.lang:
        language = expected.language if expected else structure.lang
    supported = locales.supported_languages()
    chosen = (
        [locales.locale_for(language)]
        if language and locales.language_key(language) in supported
        else [locales.locale_for(code) for code in supported]
    )
    name = expected.profile if expected else info.get("RxLeafletProfile") or options.profile
    if name is None and _looks_like_medication_guide(facts, chosen):
        name = "medication-guide"
    profile = load_profile(name if name in profile_names() else "monograph")
    tree = structure if structure is not None else facts.structure
    subject = Subject(facts, expected, options, profile, chosen, None, {}, tree)
    subject.drug = _drug_name(subject)
    return subject


def _looks_like_medication_guide(facts: PdfFacts, chosen: list[Locale]) -> bool:
    """An unlabelled PDF whose first page opens with the words "Medication Guide"."""
    if not facts.pages:
        return False
    top = squeeze(facts.pages[0].text).casefold()[:300]
    return any(squeeze(loc.word("medication_guide")).casefold() in top for loc in chosen)


def _drug_name(subject: Subject) -> str | None:
    """The drug's name: from the title (``Drug — Patient Information``), else the first H1."""
    title = subject.facts.info.get("Title", "")
    if " — " in title and subject.structure is subject.facts.structure:
        return title.split(" — ")[0].strip()
    for element in subject.elements:
        if element.role == "H1":
            text = subject.facts.element_text(element).strip()
            if text:
                return text
    return None


# -- rules ------------------------------------------------------------------------------------

Rule = Callable[[Subject], Iterator[Finding]]


def readable(subject: Subject) -> Iterator[Finding]:
    for page in subject.facts.pages:
        if page.problem:
            yield Finding("pdf-readable", ERROR, page.problem, page.number)


def encrypted(subject: Subject) -> Iterator[Finding]:
    if subject.facts.encryption:
        yield Finding(
            "pdf-encrypted", ERROR, subject.facts.encryption + "; leaflets must not be encrypted"
        )


def page_count(subject: Subject) -> Iterator[Finding]:
    if subject.facts.stopped:
        yield Finding("page-count", ERROR, subject.facts.stopped + "; content was not checked")


def tagged(subject: Subject) -> Iterator[Finding]:
    facts = subject.facts
    if not facts.marked or not facts.has_structure_tree:
        missing = [
            name
            for name, present in (
                ("MarkInfo /Marked true", facts.marked),
                ("StructTreeRoot", facts.has_structure_tree),
            )
            if not present
        ]
        yield Finding("tagged", ERROR, f"not a tagged PDF: no {' and no '.join(missing)}")


def language(subject: Subject) -> Iterator[Finding]:
    found = subject.facts.language
    if not found:
        yield Finding("language", ERROR, "no document language (/Lang) is set")
    elif subject.expected and found != subject.expected.language:
        yield Finding(
            "language",
            ERROR,
            f"document language is {found!r}, expected {subject.expected.language!r}",
            found=found,
        )


def title(subject: Subject) -> Iterator[Finding]:
    found = subject.facts.info.get("Title", "").strip()
    if not found:
        yield Finding("title", ERROR, "the document has no title in its metadata")
    elif subject.expected and found != subject.expected.title:
        yield Finding(
            "title",
            ERROR,
            f"document title is {found!r}, expected {subject.expected.title!r}",
            found=found,
        )
    if not subject.facts.display_doc_title:
        yield Finding(
            "title",
            ERROR,
            "the viewer is not told to show the title (ViewerPreferences /DisplayDocTitle true)",
        )


def fonts(subject: Subject) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for font in subject.facts.fonts:
        if not font.embedded and ("embedded", font.name) not in seen:
            seen.add(("embedded", font.name))
            yield Finding("fonts-embedded", ERROR, f"font {font.name} is not embedded", font.page)
        if not font.to_unicode and ("unicode", font.name) not in seen:
            seen.add(("unicode", font.name))
            yield Finding(
                "fonts-tounicode",
                ERROR,
                f"font {font.name} has no ToUnicode map, so its text cannot be extracted reliably",
                font.page,
            )


def pdfua_identifier(subject: Subject) -> Iterator[Finding]:
    if not re.search(r"pdfuaid:part(?:>\s*|=[\"'])1\b", subject.facts.xmp):
        yield Finding(
            "pdfua-identifier",
            ERROR,
            "no PDF/UA identification (pdfuaid:part 1) in the XMP metadata",
        )


def active_content(subject: Subject) -> Iterator[Finding]:
    for what in subject.facts.active_content[:10]:
        yield Finding(
            "active-content", ERROR, f"the PDF contains {what}; a leaflet must not run anything"
        )


def embedded_source(subject: Subject) -> Iterator[Finding]:
    """Problems with the source the PDF carries (unreadable, or not the one it records)."""
    yield from subject.source_problems


def invisible_text(subject: Subject) -> Iterator[Finding]:
    for page in subject.facts.pages:
        if not page.hidden:
            continue
        reasons = Counter(hidden.reason for hidden in page.hidden)
        reason, count = reasons.most_common(1)[0]
        example = next(h.text for h in page.hidden if h.reason == reason)
        others = (
            f" (and {len(page.hidden) - count} more for other reasons)" if len(reasons) > 1 else ""
        )
        yield Finding(
            "invisible-text",
            ERROR,
            f"{count} piece(s) of text cannot be seen: {reason}, e.g. '{snippet(example)}'{others}",
            page.number,
            found=snippet(" ".join(h.text for h in page.hidden), 200),
        )


def required_headings(subject: Subject) -> Iterator[Finding]:
    body = subject.squeezed_body
    if subject.expected:
        patterns = [(h, re.escape(squeeze(h))) for h in subject.expected.required_headings]
    else:
        patterns = [
            (_heading_label(subject, kind), _heading_regex(subject, kind))
            for kind in subject.profile.required_sections
        ]
    position = 0
    for label, pattern in patterns:
        compiled = re.compile(pattern, re.IGNORECASE)
        match = compiled.search(body, position)
        if match is None:
            where = "out of order" if compiled.search(body) else "missing"
            yield Finding(
                "required-headings",
                ERROR,
                f"profile '{subject.profile.name}': required heading '{label}' is {where}",
            )
            continue
        position = match.end()


def warning(subject: Subject) -> Iterator[Finding]:
    expected = subject.expected
    if expected is not None:
        yield from _in_order(
            subject.squeezed_body, [("warning", t) for t in expected.warning], "warning"
        )
        if expected.warning:
            box = _warning_box(subject)
            if box is not None and not box[1]:
                yield Finding("warning", ERROR, "the warning box has a heading but no text")
        return
    if subject.facts.info.get("RxLeafletWarning") != "yes":
        return
    box = _warning_box(subject)
    if box is not None:
        if not box[1]:
            yield Finding("warning", ERROR, "the warning box has a heading but no text")
        return
    if subject.structure is not None and subject.elements:
        yield Finding(
            "warning",
            ERROR,
            "the metadata says the leaflet has a boxed warning, but no warning section "
            "(a section headed 'Warning') is in the structure",
        )
        return
    words = [squeeze(locale.word("warning")) for locale in subject.locales]
    if not any(word.casefold() in subject.squeezed_body.casefold() for word in words):
        yield Finding(
            "warning",
            ERROR,
            "the metadata says the leaflet has a boxed warning, but no warning heading was found",
        )


def footer_copyright(subject: Subject) -> Iterator[Finding]:
    expected = subject.expected
    for number, footer in subject.squeezed_footers.items():
        if expected is None:
            if not re.search(r"©|\(c\)|copyright", footer, re.I):
                yield Finding("footer-copyright", ERROR, "no copyright line in the footer", number)
        elif squeeze(expected.copyright) not in footer:
            yield Finding(
                "footer-copyright",
                ERROR,
                f"the footer's copyright line '{snippet(expected.copyright)}' is missing",
                number,
                found=footer or None,
            )


def page_numbers(subject: Subject) -> Iterator[Finding]:
    total = subject.facts.page_count
    patterns = (
        [subject.expected.page_pattern]
        if subject.expected
        else [locale.words["page"] for locale in subject.locales]
    )
    for number, footer in subject.squeezed_footers.items():
        wanted = [squeeze(p.format(n=number, m=total)).casefold() for p in patterns]
        if any(w in footer.casefold() for w in wanted):
            continue
        anything = [
            re.search(
                re.escape(squeeze(p))
                .replace(r"\{n\}", r"(\d{1,4})")
                .replace(r"\{m\}", r"(\d{1,4})"),
                footer,
                re.IGNORECASE,
            )
            for p in patterns
        ]
        found = next((m.group(0) for m in anything if m), None)
        detail = f"found '{found}'" if found else "no page number in the footer"
        shown = patterns[0].format(n=number, m=total)
        yield Finding("page-numbers", ERROR, f"expected '{shown}'; {detail}", number, found=found)


def _number_pattern(pattern: str) -> str:
    number = r"(\d{1,4})"
    return re.escape(squeeze(pattern)).replace(r"\{n\}", number).replace(r"\{m\}", number)


def disclaimer(subject: Subject) -> Iterator[Finding]:
    if subject.expected is not None:
        yield from _in_order(
            subject.squeezed_body,
            [("disclaimer", t) for t in subject.expected.disclaimer],
            "disclaimer",
        )
        return
    # without white space: a re-save may read a space between CJK characters, or none
    text = squeeze(subject.facts.text.lower())
    hints = [hint for locale in subject.locales for hint in locale.disclaimer_hints]
    found = [hint for hint in hints if squeeze(hint) in text]
    if not found:
        yield Finding(
            "disclaimer",
            ERROR,
            "no disclaimer found (heuristic: without a source, a disclaimer is recognised by its "
            "usual phrases; give --source to check it verbatim)",
        )


def expiry(subject: Subject) -> Iterator[Finding]:
    expected = subject.expected
    stated: dt.date | None = None
    for number, footer in subject.squeezed_footers.items():
        if expected is not None:
            found = (
                expected.expires
                if squeeze(expected.expiry).casefold() in footer.casefold()
                else None
            )
            if found is None:
                other = _stated_expiry(subject, footer)
                if other is not None:
                    yield Finding(
                        "expiry",
                        ERROR,
                        f"the footer says the information expires {other.isoformat()}; "
                        f"the source says {expected.expires.isoformat()}",
                        number,
                    )
                    continue
        else:
            found = _stated_expiry(subject, footer)
        if found is None:
            yield Finding("expiry", ERROR, "no expiry statement in the footer", number)
        elif stated is not None and found != stated:
            yield Finding(
                "expiry",
                ERROR,
                f"this page's footer says {found.isoformat()}, an earlier one {stated.isoformat()}",
                number,
            )
        stated = stated or found
    recorded = None
    with contextlib.suppress(ValueError, TypeError):
        recorded = dt.date.fromisoformat(subject.facts.info.get("RxLeafletExpires", ""))
    # with a source, the footer is held to the source and the metadata rule to the metadata
    if expected is None and stated is not None and recorded is not None and stated != recorded:
        yield Finding(
            "expiry",
            ERROR,
            f"the footer says the information expires {stated.isoformat()}, the metadata "
            f"(RxLeafletExpires) {recorded.isoformat()}",
        )
    stated = min(d for d in (stated, recorded) if d is not None) if stated or recorded else None
    if stated is None:
        return
    subject.metrics["expires"] = stated.isoformat()
    if subject.today > stated:
        if subject.options.allow_expired and expected is not None and expected.expired:
            yield from _expired_mark(subject, expected.expired_mark)
        else:
            yield Finding("expiry", ERROR, f"information expired {stated.isoformat()}")


# What dedicated rules check: source-content leaves it to them (one finding per defect).
_CHECKED_ELSEWHERE = frozenset(("warning heading", "warning text", "disclaimer"))


def source_content(subject: Subject) -> Iterator[Finding]:
    expected = subject.expected
    if expected is None:
        return
    required = set(expected.required_headings)
    banner_rule = "medication-guide-title" in subject.profile.checks
    items = [
        (what, text)
        for what, text in expected.content
        if what not in _CHECKED_ELSEWHERE
        and not (what.startswith("heading ") and text in required)
        and not (what == "banner" and banner_rule)
    ]
    yield from _in_order(subject.squeezed_body, items, "source-content")


def source_hash(subject: Subject) -> Iterator[Finding]:
    if subject.expected is None:
        return
    recorded = subject.facts.info.get("RxLeafletSourceSHA256")
    if recorded != subject.expected.source_sha256:
        yield Finding(
            "source-hash",
            ERROR,
            f"the PDF was made from a different source: its "
            f"SHA-256 is {recorded or 'not recorded'}, the source's is "
            f"{subject.expected.source_sha256}",
        )


def metadata(subject: Subject) -> Iterator[Finding]:
    if subject.expected is None:
        return
    for key, value in subject.expected.metadata.items():
        if key == "RxLeafletSourceSHA256":
            continue  # source-hash reports this one
        found = subject.facts.info.get(key)
        if found != value:
            yield Finding("metadata", ERROR, f"metadata {key} is {found!r}, expected {value!r}")


def body_size(subject: Subject) -> Iterator[Finding]:
    total: Counter[float] = Counter()
    for page in subject.facts.pages:
        total.update(page.sizes)
        size = page.dominant_size
        if size is not None and size < MIN_ANY_TEXT_PT:
            yield Finding(
                "body-size",
                ERROR,
                f"most text on this page is {size:g} pt; nothing "
                f"on a leaflet may be below {MIN_ANY_TEXT_PT:g} pt",
                page.number,
            )
    if not total:
        if subject.facts.pages:
            yield Finding("body-size", ERROR, "no text found (a scanned image?)")
        return
    body = _body_size(subject) or total.most_common(1)[0][0]
    subject.metrics["body_size_pt"] = body
    if body < subject.profile.min_body_pt:
        yield Finding(
            "body-size",
            ERROR,
            f"body text is {body:g} pt; at least {subject.profile.min_body_pt:g} pt is required",
        )


def medication_guide_title(subject: Subject) -> Iterator[Finding]:
    if "medication-guide-title" not in subject.profile.checks or not subject.facts.pages:
        return
    words = [squeeze(locale.word("medication_guide")).casefold() for locale in subject.locales]
    top = squeeze(subject.facts.pages[0].text).casefold()[:300]  # brand lines, banner, title
    if not any(word in top for word in words):
        yield Finding(
            "medication-guide-title",
            ERROR,
            "'Medication Guide' is not at the top of the first page (21 CFR 208.20)",
            1,
        )


def fda_statement(subject: Subject) -> Iterator[Finding]:
    if "fda-side-effects-statement" not in subject.profile.checks:
        return
    text = subject.facts.text
    for name in subject.profile.required_statements:
        if not any(
            loc.statement_found(name, text) for loc in subject.locales if name in loc.statements
        ):
            wording = subject.locales[0].statements.get(name, {}).get("wording", name)
            yield Finding(
                "fda-side-effects-statement",
                ERROR,
                f"the side-effects statement of 21 CFR 209.10 is missing: '{wording}'",
            )


def readability(subject: Subject) -> Iterator[Finding]:
    if not subject.locales or subject.locales[0].language != "en" or len(subject.locales) > 1:
        subject.metrics["fk_grade"] = None
        return
    if subject.expected is not None:
        texts = subject.expected.reading
    else:
        texts = _body_texts(subject) or [
            line for page in subject.facts.pages for line in page.text.splitlines()
        ]
    from .readability import flesch_kincaid_grade  # only when warnings are wanted

    grade = flesch_kincaid_grade(texts)
    subject.metrics["fk_grade"] = grade
    if grade is not None and grade > subject.options.max_grade:
        yield Finding(
            "readability",
            WARNING,
            f"Flesch–Kincaid grade level is {grade:g}; aim for "
            f"{subject.options.max_grade:g} or below (USP <1265>)",
        )


# Every rule id a finding can carry, with what it checks (the README's table says the same).
RULE_IDS: dict[str, str] = {
    "pdf-readable": "the file is a PDF that can be read",
    "pdf-encrypted": "the file is not encrypted or permission-restricted",
    "page-count": "at most 50 pages, read within the time limit",
    "tagged": "MarkInfo /Marked true and a structure tree",
    "language": "the document language is set (and is the leaflet's)",
    "title": "a title in the metadata, shown by the viewer",
    "fonts-embedded": "every font embedded",
    "fonts-tounicode": "every font with a ToUnicode map",
    "pdfua-identifier": "pdfuaid:part 1 in the XMP metadata",
    "active-content": "no JavaScript, launch or form-submit actions, no embedded executables",
    "embedded-source": "the source embedded in the PDF can be read and matches its SHA-256",
    "invisible-text": "every piece of text can be seen",
    "required-headings": "the profile's required headings, in order",
    "warning": "the boxed warning, with its text",
    "footer-copyright": "a copyright line in every page's footer",
    "page-numbers": "Page N of M in every page's footer",
    "disclaimer": "the disclaimer, in full",
    "expiry": "an expiry statement in every page's footer, agreeing with the metadata, not passed",
    "source-content": "every paragraph and bullet of the source, in order",
    "source-hash": "the source's SHA-256 equals the PDF's record of it",
    "metadata": "title and provenance keys as the source implies",
    "body-size": "body text large enough to read",
    "medication-guide-title": "'Medication Guide' at the top (21 CFR 208.20)",
    "fda-side-effects-statement": "the side-effects statement of 21 CFR 209.10",
    "readability": "reading grade level (a warning)",
}

# Rules about the file as a whole, and rules about one leaflet's pages (these also run on each
# leaflet of a combined print file).
DOCUMENT_RULES: tuple[Rule, ...] = (
    readable, encrypted, page_count, tagged, language, title, fonts, pdfua_identifier,
    active_content, embedded_source,
)  # fmt: skip
LEAFLET_RULES: tuple[Rule, ...] = (
    invisible_text, required_headings, warning, footer_copyright, page_numbers, disclaimer,
    expiry, source_content, body_size, medication_guide_title, fda_statement,
)  # fmt: skip
SOURCE_RULES: tuple[Rule, ...] = (source_hash, metadata)
ERROR_RULES: tuple[Rule, ...] = (*DOCUMENT_RULES, *LEAFLET_RULES, *SOURCE_RULES)  # may refuse
RULES: tuple[Rule, ...] = (*ERROR_RULES, readability)


# -- helpers ----------------------------------------------------------------------------------


def _warning_box(subject: Subject) -> tuple[str, str] | None:
    """(heading, text) of the warning section in the structure tree: a section whose heading
    is the language's word for Warning; None when the PDF has no such section."""
    words = {locale.word("warning").casefold() for locale in subject.locales}
    for element in subject.elements:
        if element.role != "Sect":
            continue
        kids = element.elements()
        if not kids or kids[0].role not in HEADINGS:
            continue
        heading = subject.facts.element_text(kids[0]).strip()
        if heading.casefold() in words:
            text = " ".join(subject.facts.element_text(kid) for kid in kids[1:]).strip()
            return heading, text
    return None


def _body_elements(subject: Subject) -> list[StructElement]:
    """Paragraphs and list items of headed sections (not the end matter, not the footer)."""
    found: list[StructElement] = []
    for element in subject.elements:
        if element.role != "Sect":
            continue
        kids = element.elements()
        if not kids or kids[0].role not in HEADINGS:
            continue
        for kid in kids[1:]:
            found.extend(e for e in kid.walk() if e.role in ("P", "LBody"))
    return found


def _body_texts(subject: Subject) -> list[str]:
    return [subject.facts.element_text(e) for e in _body_elements(subject)]


def _body_size(subject: Subject) -> float | None:
    """The commonest size of body text: by structure (paragraphs and list items of headed
    sections), else by the source's reading text, else None."""
    wanted: set[tuple[int, int]] = set()
    for element in _body_elements(subject):
        wanted.update(element.contents())
    sizes: Counter[float] = Counter()
    if wanted:
        for page in subject.facts.pages:
            for run in page.runs:
                if (page.index, run.mcid) in wanted:
                    sizes[run.size] += len(run.text.strip())
    elif subject.expected is not None:
        reading = "\n".join(squeeze(text) for text in subject.expected.reading)
        for page in subject.facts.pages:
            for run in page.runs:
                shown = squeeze(run.text)
                if len(shown) > 3 and shown in reading:
                    sizes[run.size] += len(shown)
    else:
        for page in subject.facts.pages:
            footer = set(page.footer.splitlines())
            for run in page.runs:
                if run.text not in footer:
                    sizes[run.size] += len(run.text.strip())
    return sizes.most_common(1)[0][0] if sizes else None


def _remove_last(text: str, part: str) -> str:
    index = text.rfind(part)
    return text if index < 0 or not part else text[:index] + text[index + len(part) :]


def _in_order(body: str, items: list[tuple[str, str]], rule: str) -> Iterator[Finding]:
    position = 0
    for what, text in items:
        wanted = squeeze(text)
        found = body.find(wanted, position)
        if found < 0:
            where = "missing" if body.find(wanted) < 0 else "out of order"
            yield Finding(rule, ERROR, f"{what} {where}: '{snippet(text)}'")
            continue
        position = found + len(wanted)


def _expired_mark(subject: Subject, mark: str) -> Iterator[Finding]:
    for number, text in subject.squeezed_pages:
        if squeeze(mark) not in text:
            yield Finding("expiry", ERROR, f"expired information without the '{mark}' mark", number)


def _heading_label(subject: Subject, kind: str) -> str:
    return subject.locales[0].heading(subject.profile.name, kind, subject.drug or "{drug}")


def _heading_regex(subject: Subject, kind: str) -> str:
    options = []
    if subject.profile.name in ("medication-guide", "patient-information") and kind in QUESTIONS:
        options.append(QUESTIONS[kind])  # as labels write the regulation's questions
    for locale in subject.locales:
        if subject.drug:
            heading = locale.heading(subject.profile.name, kind, subject.drug)
            options.append(re.escape(squeeze(heading)))
        else:  # the drug's name is unknown: any short run of text stands for it
            options.append(locale.heading_regex(subject.profile.name, kind))
    return "(?:" + "|".join(options) + ")"


def _stated_expiry(subject: Subject, text: str) -> dt.date | None:
    for locale in subject.locales:
        prefix, _, suffix = locale.words["expires"].partition("{date}")
        names = {*locale.months, *locale.standalone_months}
        names = sorted(names, key=len, reverse=True)  # "12月" before "1月"
        months = "|".join(re.escape(squeeze(name)) for name in names)
        for shape in (locale.full_date_pattern, locale.month_year_pattern):
            date_regex = re.escape(squeeze(shape))
            for name, group in (
                ("month", f"(?P<month>{months})"),
                ("day", r"(?P<day>\d{1,2})"),
                ("year", r"(?P<year>\d{4})"),
            ):
                date_regex = date_regex.replace(re.escape("{" + name + "}"), group)
            regex = re.escape(squeeze(prefix)) + date_regex + re.escape(squeeze(suffix))
            match = re.search(regex, text, re.I)
            if match:
                return _date_from(match, locale)
    return None


def _date_from(match: re.Match[str], locale: Locale) -> dt.date | None:
    found = match.group("month").lower()
    month = next(
        i
        for names in (locale.months, locale.standalone_months)
        for i, name in enumerate(names, 1)
        if squeeze(name).lower() == found
    )
    year = int(match.group("year"))
    try:
        if "day" in match.groupdict():
            return dt.date(year, month, int(match.group("day")))
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        return None
