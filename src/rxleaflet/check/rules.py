"""The compliance rules: one function per rule, used by `rxleaflet check` and before every write.

Each rule looks at the facts read from a PDF and, where known, at what its source says the PDF
must contain; it returns findings with a stable rule id.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from ..contract import Expectations
from ..source import locales
from ..source.locales import Locale
from ..source.profiles import Profile, load_profile, profile_names
from .pdfread import PdfFacts
from .readability import flesch_kincaid_grade

ERROR, WARNING = "error", "warning"
MIN_ANY_TEXT_PT = 8.0


def squeeze(text: str) -> str:
    """Text without any white space: what must survive extraction character for character."""
    return "".join(text.split())


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    page: int | None = None

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


@dataclass
class Subject:
    """A PDF under check: its facts, and what it must contain as far as that is known."""

    facts: PdfFacts
    expected: Expectations | None
    options: CheckOptions
    profile: Profile
    locales: list[Locale]  # the leaflet's language first; all supported when it is unknown
    drug: str | None
    metrics: dict[str, object]

    @property
    def today(self) -> dt.date:
        return self.options.as_of or dt.date.today()

    @cached_property
    def squeezed_pages(self) -> list[tuple[int, str]]:
        return [(page.number, squeeze(page.text)) for page in self.facts.pages]

    @cached_property
    def squeezed_body(self) -> str:
        """All page text in order, without the running footer and repeated page furniture."""
        expected = self.expected
        if expected is None:
            return "".join(text for _, text in self.squeezed_pages)
        parts = []
        for number, text in self.squeezed_pages:
            furniture = [
                expected.expired_mark if number > 1 else None,
                expected.copyright,
                expected.expiry,
                expected.page_pattern.format(n=number, m=self.facts.page_count),
            ]
            for item in furniture:
                if item:
                    text = _remove_last(text, squeeze(item))
            parts.append(text.removeprefix(squeeze(expected.continuation_label)))
        return "".join(parts)


def subject_for(facts: PdfFacts, expected: Expectations | None, options: CheckOptions) -> Subject:
    info = facts.info
    language = expected.language if expected else info.get("RxLeafletLanguage") or facts.language
    supported = locales.supported_languages()
    chosen = (
        [locales.locale_for(language)]
        if language and locales.primary_subtag(language) in supported
        else [locales.locale_for(code) for code in supported]
    )
    name = expected.profile if expected else info.get("RxLeafletProfile") or options.profile
    profile = load_profile(name if name in profile_names() else "monograph")
    title = info.get("Title", "")
    drug = title.split(" — ")[0].strip() if " — " in title else None
    return Subject(facts, expected, options, profile, chosen, drug, {})


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
        )


def title(subject: Subject) -> Iterator[Finding]:
    found = subject.facts.info.get("Title", "").strip()
    if not found:
        yield Finding("title", ERROR, "the document has no title in its metadata")
    elif subject.expected and found != subject.expected.title:
        yield Finding(
            "title", ERROR, f"document title is {found!r}, expected {subject.expected.title!r}"
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
        match = re.compile(pattern, re.IGNORECASE).search(body, position)
        if match is None:
            where = "out of order" if re.search(pattern, body, re.IGNORECASE) else "missing"
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
    elif subject.facts.info.get("RxLeafletWarning") == "yes":
        words = [squeeze(locale.word("warning")) for locale in subject.locales]
        if not any(word in subject.squeezed_body for word in words):
            yield Finding(
                "warning",
                ERROR,
                "the metadata says the leaflet has a boxed warning, "
                "but no warning heading was found",
            )


def footer_copyright(subject: Subject) -> Iterator[Finding]:
    expected = subject.expected
    for number, text in subject.squeezed_pages:
        if expected is None:
            if not re.search(r"©|\(c\)|copyright", text, re.I):
                yield Finding("footer-copyright", ERROR, "no copyright line on this page", number)
            continue
        # the running footer is drawn last: [expired mark,] copyright, expiry, page number
        page_number = expected.page_pattern.format(n=number, m=subject.facts.page_count)
        rest = _remove_last(text, squeeze(page_number))
        rest = _remove_last(rest, squeeze(expected.expiry))
        if number > 1:
            rest = _remove_last(rest, squeeze(expected.expired_mark))
        if not rest.endswith(squeeze(expected.copyright)):
            yield Finding(
                "footer-copyright",
                ERROR,
                f"the footer's copyright line '{expected.copyright}' is missing",
                number,
            )


def page_numbers(subject: Subject) -> Iterator[Finding]:
    total = subject.facts.page_count
    patterns = (
        [subject.expected.page_pattern]
        if subject.expected
        else [locale.words["page"] for locale in subject.locales]
    )
    for number, text in subject.squeezed_pages:
        wanted = [squeeze(p.format(n=number, m=total)) for p in patterns]
        if any(w in text for w in wanted):
            continue
        anything = [
            re.search(
                re.escape(squeeze(p)).replace(r"\{n\}", r"(\d+)").replace(r"\{m\}", r"(\d+)"), text
            )
            for p in patterns
        ]
        found = next((m.group(0) for m in anything if m), None)
        detail = f"found '{found}'" if found else "no page number found"
        shown = patterns[0].format(n=number, m=total)
        yield Finding("page-numbers", ERROR, f"expected '{shown}'; {detail}", number)


def disclaimer(subject: Subject) -> Iterator[Finding]:
    if subject.expected is not None:
        yield from _in_order(
            subject.squeezed_body,
            [("disclaimer", t) for t in subject.expected.disclaimer],
            "disclaimer",
        )
        return
    text = subject.facts.text.lower()
    hints = [hint for locale in subject.locales for hint in locale.disclaimer_hints]
    if not any(hint in text for hint in hints):
        yield Finding(
            "disclaimer", ERROR, "no disclaimer found (give --source to check it verbatim)"
        )


def expiry(subject: Subject) -> Iterator[Finding]:
    expected = subject.expected
    stated: dt.date | None = None
    for number, text in subject.squeezed_pages:
        if expected is not None:
            found = expected.expires if squeeze(expected.expiry) in text else None
        else:
            found = _stated_expiry(subject, text)
        if found is None:
            yield Finding("expiry", ERROR, "no expiry statement on this page", number)
        stated = stated or found
    metadata = subject.facts.info.get("RxLeafletExpires")
    if stated is None and metadata:
        with contextlib.suppress(ValueError):
            stated = dt.date.fromisoformat(metadata)
    if stated is None:
        return
    subject.metrics["expires"] = stated.isoformat()
    if subject.today > stated:
        if subject.options.allow_expired and expected is not None and expected.expired:
            yield from _expired_mark(subject, expected.expired_mark)
        else:
            yield Finding("expiry", ERROR, f"information expired {stated.isoformat()}")


def source_content(subject: Subject) -> Iterator[Finding]:
    if subject.expected is not None:
        yield from _in_order(subject.squeezed_body, subject.expected.content, "source-content")


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
    body = _reading_size(subject) or total.most_common(1)[0][0]
    subject.metrics["body_size_pt"] = body
    if body < subject.profile.min_body_pt:
        yield Finding(
            "body-size",
            ERROR,
            f"body text is {body:g} pt; at least {subject.profile.min_body_pt:g} pt is required",
        )


def readability(subject: Subject) -> Iterator[Finding]:
    if not subject.locales or subject.locales[0].language != "en":
        subject.metrics["fk_grade"] = None
        return
    if subject.expected is not None:
        texts = subject.expected.reading
    else:
        texts = [line for page in subject.facts.pages for line in page.text.splitlines()]
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
    "required-headings": "the profile's required headings, in order",
    "warning": "the boxed warning",
    "footer-copyright": "a copyright line in every page's footer",
    "page-numbers": "Page N of M on every page",
    "disclaimer": "the disclaimer, in full",
    "expiry": "an expiry statement on every page, not passed",
    "source-content": "every paragraph and bullet of the source, in order",
    "source-hash": "the source's SHA-256 equals the PDF's record of it",
    "metadata": "title and provenance keys as the source implies",
    "body-size": "body text large enough to read",
    "readability": "reading grade level (a warning)",
}

# Rules about the file as a whole, and rules about one leaflet's pages (these also run on each
# leaflet of a combined print file).
DOCUMENT_RULES: tuple[Rule, ...] = (
    readable, encrypted, page_count, tagged, language, title, fonts, pdfua_identifier,
)  # fmt: skip
LEAFLET_RULES: tuple[Rule, ...] = (
    required_headings, warning, footer_copyright, page_numbers, disclaimer, expiry,
    source_content, body_size,
)  # fmt: skip
RULES: tuple[Rule, ...] = (*DOCUMENT_RULES, *LEAFLET_RULES, source_hash, metadata, readability)


# -- helpers ----------------------------------------------------------------------------------


def _reading_size(subject: Subject) -> float | None:
    """The commonest size of the text that belongs to the leaflet's body, when that is known."""
    if subject.expected is None:
        return None
    reading = "\n".join(squeeze(text) for text in subject.expected.reading)
    sizes: Counter[float] = Counter()
    for page in subject.facts.pages:
        for text, size in page.runs:
            shown = squeeze(text)
            if len(shown) > 3 and shown in reading:
                sizes[size] += len(shown)
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
            snippet = text if len(text) <= 60 else text[:57] + "…"
            where = "missing" if body.find(wanted) < 0 else "out of order"
            yield Finding(rule, ERROR, f"{what} {where}: '{snippet}'")
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
    for locale in subject.locales:
        pattern = locale.headings[subject.profile.name][kind]
        if subject.drug:
            options.append(re.escape(squeeze(pattern.format(drug=subject.drug))))
        else:
            before, _, after = pattern.partition("{drug}")
            options.append(
                re.escape(squeeze(before)) + (".+?" + re.escape(squeeze(after)) if _ else "")
            )
    return "(?:" + "|".join(options) + ")"


def _stated_expiry(subject: Subject, text: str) -> dt.date | None:
    for locale in subject.locales:
        prefix, _, suffix = locale.words["expires"].partition("{date}")
        months = "|".join(map(re.escape, locale.months))
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
    month = [m.lower() for m in locale.months].index(match.group("month").lower()) + 1
    year = int(match.group("year"))
    try:
        if "day" in match.groupdict():
            return dt.date(year, month, int(match.group("day")))
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        return None
