"""Load a leaflet source file (format v1) into immutable, fully checked objects."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import packagedata
from ..errors import GlyphError, SourceError
from . import locales, markup
from .coverage import glyph_error
from .hints import close_matches
from .markup import Block
from .safeyaml import Key, YamlDocument, parse_yaml, read_yaml

FORMAT_VERSION = 1
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
LANGUAGE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
SECTION_KINDS = (
    "uses", "how-to-use", "side-effects", "precautions", "interactions", "overdose", "notes",
    "missed-dose", "storage", "most-important", "what-is", "who-should-not-take", "how-to-take",
    "what-to-avoid", "general-information", "ingredients", "custom",
)  # fmt: skip

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MIN_YEAR, MAX_YEAR = 1900, 2999
_TOP_KEYS = (
    "rxleaflet", "id", "language", "profile", "drug", "codes", "warning", "sections", "source",
)  # fmt: skip
_CODE_KEYS = ("rxcui", "ndc")
_DRUG_KEYS = ("name", "pronunciation", "brands", "form")
_SECTION_KEYS = ("kind", "title", "text")
_SOURCE_KEYS = (
    "copyright", "notices", "disclaimer", "region", "expires", "revised", "url", "spl-set-id",
)  # fmt: skip
_SET_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z.-]{0,63}")  # a UUID as DailyMed gives it, or an OID


@dataclass(frozen=True)
class Drug:
    name: str
    pronunciation: str | None
    brands: tuple[str, ...]
    form: str | None


@dataclass(frozen=True)
class Section:
    kind: str
    title: str | None
    blocks: tuple[Block, ...]
    line: int | None


@dataclass(frozen=True)
class Attribution:
    """The end matter: copyright, notices, disclaimer, region notice and dates."""

    copyright: str
    notices: tuple[str, ...]
    disclaimer: tuple[Block, ...]
    region: str | None
    expires: dt.date  # the last day the information is valid
    expires_month_only: bool
    revised: dt.date | None
    expires_line: int | None = None
    url: str | None = None  # https link to the current version, printed as a QR code
    # the FDA-approved label (SPL set id) whose text this leaflet is, word for word
    spl_set_id: str | None = None


@dataclass(frozen=True)
class Codes:
    """How pharmacy systems name the medicine: RxNorm concept ids and NDC package codes."""

    rxcui: tuple[str, ...] = ()
    ndc: tuple[str, ...] = ()  # normalised to 11 digits (5-4-2), no dashes


@dataclass(frozen=True)
class Monograph:
    """One leaflet, as loaded and checked from its source file."""

    path: Path
    sha256: str
    id: str
    language: str
    profile: str
    drug: Drug
    warning: tuple[Block, ...]
    sections: tuple[Section, ...]
    attribution: Attribution
    codes: Codes = Codes()
    source_bytes: bytes = field(repr=False, default=b"")  # embedded in the PDF, as hashed
    warnings: tuple[str, ...] = ()  # one line each: worth a look, not a refusal


def load_monograph(path: Path, data: bytes | None = None) -> Monograph:
    """Read and check one leaflet source file (or its bytes, ``data``, named ``path``);
    raise SourceError naming file and line."""
    document = read_yaml(Path(path)) if data is None else parse_yaml(data, Path(path))
    return _Reader(document).monograph()


class _Reader:
    """Turns the plain YAML data into a Monograph, reporting errors with their lines."""

    def __init__(self, document: YamlDocument):
        self.doc = document
        self.warnings: list[str] = []

    def fail(
        self, key: Key, message: str, offset: int | None = None, text: str = ""
    ) -> SourceError:
        return SourceError(message, path=self.doc.path, line=self.doc.line_of(key, offset, text))

    def monograph(self) -> Monograph:
        data = self.doc.data
        if not isinstance(data, dict):
            raise self.fail(
                (), "expected a YAML mapping at the top (keys such as 'rxleaflet', 'id')"
            )
        self.keys(data, (), _TOP_KEYS, required=("rxleaflet", "id", "language", "drug", "source"))
        if data["rxleaflet"] != FORMAT_VERSION or isinstance(data["rxleaflet"], bool):
            raise self.fail(
                ("rxleaflet",),
                f"unsupported format version {data['rxleaflet']!r}; this rxleaflet reads "
                f"'rxleaflet: {FORMAT_VERSION}'",
            )
        leaflet_id = self.string(data, ("id",))
        if not ID_PATTERN.match(leaflet_id):
            raise self.fail(
                ("id",),
                f"id {leaflet_id!r} is not allowed; use 1-64 lowercase letters, digits and "
                "hyphens, starting with a letter or digit (e.g. 'baclofen-intrathecal')",
            )
        language = self.language(data)
        profile = self.profile(data)
        warning = self.blocks(data, ("warning",)) if "warning" in data else ()
        return Monograph(
            path=self.doc.path,
            sha256=self.doc.sha256,
            id=leaflet_id,
            language=language,
            profile=profile,
            drug=self.drug(data),
            warning=warning,
            sections=self.sections(data),
            attribution=self.attribution(data),
            codes=self.codes(data),
            source_bytes=self.doc.raw,
            warnings=tuple(self.warnings),
        )

    # -- fields -------------------------------------------------------------------------------

    def language(self, data: dict[str, Any]) -> str:
        tag = self.string(data, ("language",))
        if not LANGUAGE_PATTERN.match(tag):
            raise self.fail(("language",), f"language {tag!r} is not a BCP 47 tag such as 'en-US'")
        supported = locales.supported_languages()
        if locales.language_key(tag) not in supported:
            raise self.fail(
                ("language",),
                f"language {tag!r} is not supported; use one of: {locales.languages_text()} "
                "(optionally with a region, e.g. 'es-US')",
            )
        return tag

    def profile(self, data: dict[str, Any]) -> str:
        if "profile" not in data:
            return "monograph"
        name = self.string(data, ("profile",))
        known = packagedata.names("profiles")
        if name not in known:
            raise self.fail(
                ("profile",),
                f"unknown profile {name!r}{_hint(name, known)}; known: {', '.join(known)}",
            )
        return name

    def drug(self, data: dict[str, Any]) -> Drug:
        drug = self.mapping(data, ("drug",))
        self.keys(drug, ("drug",), _DRUG_KEYS, required=("name",))
        brands: tuple[str, ...] = ()
        if "brands" in drug:
            raw = drug["brands"]
            if not isinstance(raw, list):
                raise self.fail(("drug", "brands"), "drug.brands must be a list, e.g. [Lioresal]")
            brands = tuple(self.string(raw, ("drug", "brands", i)) for i in range(len(raw)))
        name = self.string(drug, ("drug", "name"))
        for key, text in [(("drug", "name"), name)] + [
            (("drug", "brands", i), brand) for i, brand in enumerate(brands)
        ]:
            scripts = markup.mixed_scripts(text)
            if scripts:
                where = SourceError("", path=self.doc.path, line=self.doc.line_of(key)).where()
                self.warnings.append(
                    f"{where}{_dotted(key)} {text!r} mixes {' and '.join(scripts)} letters that "
                    "look alike; check it was typed, not pasted from elsewhere"
                )
        return Drug(
            name=name,
            pronunciation=self.optional_string(drug, ("drug", "pronunciation")),
            brands=brands,
            form=self.optional_string(drug, ("drug", "form")),
        )

    def codes(self, data: dict[str, Any]) -> Codes:
        if data.get("codes") is None:
            return Codes()
        codes = self.mapping(data, ("codes",))
        self.keys(codes, ("codes",), _CODE_KEYS, required=())
        found: dict[str, tuple[str, ...]] = {}
        for name in _CODE_KEYS:
            raw = codes.get(name, [])
            if not isinstance(raw, list):
                raise self.fail(("codes", name), f'codes.{name} must be a list, e.g. ["861007"]')
            values = []
            for index, value in enumerate(raw):
                key: Key = ("codes", name, index)
                if isinstance(value, int) and not isinstance(value, bool) and name == "rxcui":
                    value = str(value)
                if not isinstance(value, str):
                    raise self.fail(
                        key, f'{_dotted(key)} must be text in quotes, e.g. "0093-1048-01"'
                    )
                if name == "rxcui":
                    if not re.fullmatch(r"\d{1,9}", value.strip()):
                        raise self.fail(
                            key, f"{_dotted(key)} {value!r} is not an RxCUI (digits only)"
                        )
                    values.append(value.strip())
                else:
                    normal = normalize_ndc(value)
                    if normal is None:
                        raise self.fail(
                            key,
                            f"{_dotted(key)} {value!r} is not an NDC: use 10 digits with dashes "
                            "(4-4-2, 5-3-2 or 5-4-1) or 11 digits (5-4-2, dashes optional)",
                        )
                    values.append(normal)
            found[name] = tuple(values)
        return Codes(**found)

    def sections(self, data: dict[str, Any]) -> tuple[Section, ...]:
        raw = data.get("sections", [])
        if not isinstance(raw, list):
            raise self.fail(("sections",), "sections must be a list of '- kind: …' entries")
        result = []
        for index, entry in enumerate(raw):
            key: Key = ("sections", index)
            if not isinstance(entry, dict):
                raise self.fail(key, "each section must be a mapping with 'kind' and 'text'")
            self.keys(entry, key, _SECTION_KEYS, required=("kind", "text"))
            kind = self.string(entry, (*key, "kind"))
            if kind not in SECTION_KINDS:
                raise self.fail(
                    (*key, "kind"),
                    f"unknown section kind {kind!r}{_hint(kind, SECTION_KINDS)}; "
                    "use a known kind or 'custom' with a title",
                )
            title = self.optional_string(entry, (*key, "title"))
            if kind == "custom" and not title:
                raise self.fail(key, "a 'custom' section needs a 'title'")
            blocks = self.blocks(entry, (*key, "text"), allow_empty=True)
            result.append(Section(kind, title, blocks, self.doc.line_of(key)))
        return tuple(result)

    def attribution(self, data: dict[str, Any]) -> Attribution:
        source = self.mapping(data, ("source",))
        self.keys(
            source, ("source",), _SOURCE_KEYS, required=("copyright", "disclaimer", "expires")
        )
        notices: tuple[str, ...] = ()
        if "notices" in source:
            raw = source["notices"]
            if not isinstance(raw, list):
                raise self.fail(("source", "notices"), "source.notices must be a list of lines")
            notices = tuple(self.string(raw, ("source", "notices", i)) for i in range(len(raw)))
        expires, month_only = self.expiry(source)
        revised = self.date(source, ("source", "revised")) if "revised" in source else None
        return Attribution(
            copyright=self.string(source, ("source", "copyright")),
            notices=notices,
            disclaimer=self.blocks(source, ("source", "disclaimer"), markup_on=False),
            region=self.optional_string(source, ("source", "region")),
            expires=expires,
            expires_month_only=month_only,
            revised=revised,
            expires_line=self.doc.line_of(("source", "expires")),
            url=self.url(source),
            spl_set_id=self.spl_set_id(source),
        )

    def spl_set_id(self, source: dict[str, Any]) -> str | None:
        set_id = self.optional_string(source, ("source", "spl-set-id"))
        if set_id is not None and not _SET_ID.fullmatch(set_id):
            raise self.fail(
                ("source", "spl-set-id"),
                "source.spl-set-id must be the label's SPL set id, as `import spl` writes it "
                "(e.g. 64f8040f-938d-4236-8e22-c838c9b5f8da)",
            )
        return set_id

    def url(self, source: dict[str, Any]) -> str | None:
        url = self.optional_string(source, ("source", "url"))
        if url is None:
            return None
        if not re.fullmatch(r"https://[A-Za-z0-9.-]+(?::\d+)?(?:/[^\s]*)?", url):
            raise self.fail(("source", "url"), "source.url must be an https:// link without spaces")
        return url

    def expiry(self, source: dict[str, Any]) -> tuple[dt.date, bool]:
        key: Key = ("source", "expires")
        value = source["expires"]
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value.strip()):
            year, month = (int(part) for part in value.strip().split("-"))
            if not 1 <= month <= 12:
                raise self.fail(key, f"expires {value!r} has no month {month}; use YYYY-MM")
            self.year(key, year, value)
            return dt.date(year, month, calendar.monthrange(year, month)[1]), True
        return self.date(source, key), False

    def year(self, key: Key, year: int, value: Any) -> None:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise self.fail(
                key, f"{_dotted(key)} {value!r} has the year {year}; use a real date (YYYY-MM-DD)"
            )

    def date(self, mapping: Any, key: Key) -> dt.date:
        value = mapping[key[-1]]
        if isinstance(value, dt.datetime):
            raise self.fail(key, f"{_dotted(key)} must be a date without a time (YYYY-MM-DD)")
        if isinstance(value, dt.date):
            self.year(key, value.year, value.isoformat())
            return value
        if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):  # no week dates
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
            else:
                self.year(key, day.year, value)
                return day
        shapes = "YYYY-MM or YYYY-MM-DD" if key[-1] == "expires" else "YYYY-MM-DD"
        raise self.fail(key, f"{_dotted(key)} {value!r} is not a valid date; use {shapes}")

    # -- shapes -------------------------------------------------------------------------------

    def keys(
        self, mapping: dict[str, Any], key: Key, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> None:
        for name in mapping:
            if name not in allowed:
                raise self.fail(
                    (*key, name),
                    f"unknown key '{_dotted((*key, name))}'{_hint(name, allowed)}; "
                    f"allowed here: {', '.join(allowed)}",
                )
        for name in required:
            if name not in mapping or mapping[name] is None:
                raise self.fail(key, f"required key '{_dotted((*key, name))}' is missing")

    def mapping(self, data: Any, key: Key) -> dict[str, Any]:
        value = data[key[-1]]
        if not isinstance(value, dict):
            raise self.fail(key, f"{_dotted(key)} must be a mapping of keys")
        return value

    def string(self, container: Any, key: Key) -> str:
        value = container[key[-1]]
        if not isinstance(value, str):
            raise self.fail(
                key,
                f"{_dotted(key)} must be text, not {_type_name(value)}; put it in quotes",
            )
        text = " ".join(value.split())
        if not text:
            raise self.fail(key, f"{_dotted(key)} is empty")
        limit = _MAX_LENGTH.get(_field(key), _MAX_LINE)
        if len(text) > limit:
            raise self.fail(
                key,
                f"{_dotted(key)} is {len(text):,} characters; at most {limit} fit where it is "
                "printed — shorten it (longer text belongs in a section or a notice)",
            )
        self.characters(key, value)
        return text

    def optional_string(self, mapping: Any, key: Key) -> str | None:
        if mapping.get(key[-1]) is None:
            return None
        return self.string(mapping, key)

    def characters(self, key: Key, text: str) -> None:
        try:
            markup.check_characters(text)
        except markup.MarkupError as error:
            raise self.fail(key, f"{_dotted(key)}: {error}", error.offset, text) from None
        self.glyphs(key, text)

    def glyphs(self, key: Key, text: str) -> None:
        problem = glyph_error(text, _dotted(key))
        if problem:
            offset, message = problem
            line = self.doc.line_of(key, offset, text)
            raise GlyphError(message, path=self.doc.path, line=line)

    def blocks(
        self,
        mapping: Any,
        key: Key,
        *,
        markup_on: bool = True,
        allow_empty: bool = False,
    ) -> tuple[Block, ...]:
        value = mapping.get(key[-1])
        if value is None and allow_empty:
            return ()
        if not isinstance(value, str):
            raise self.fail(key, f"{_dotted(key)} must be text, not {_type_name(value)}")
        try:
            blocks = markup.parse(value, markup=markup_on)
        except markup.MarkupError as error:
            raise self.fail(key, f"{_dotted(key)}: {error}", error.offset, value) from None
        if not blocks and not allow_empty:
            raise self.fail(key, f"{_dotted(key)} is empty")
        self.glyphs(key, value)
        return blocks


# How long a one-line field may be: the title, the footer's copyright (on every page), …
# (ids have their own, stricter rule)
_MAX_LINE = 2000
_MAX_LENGTH = {
    "id": 200, "language": 35, "profile": 64, "drug.name": 100, "drug.pronunciation": 100,
    "drug.brands": 100, "drug.form": 200, "sections.kind": 64, "sections.title": 200,
    "source.copyright": 200, "source.region": 1000, "source.notices": 1000, "source.url": 300,
}  # fmt: skip


def normalize_ndc(text: str) -> str | None:
    """An NDC as 11 digits (5-4-2, no dashes), or None when ``text`` is not one.

    Ten-digit codes need their dashes, which say where the zero goes: 4-4-2 → 0xxxx,
    5-3-2 → xxxxx-0xxx, 5-4-1 → xxxxx-xxxx-0x."""
    text = text.strip()
    parts = text.split("-")
    if not all(part.isdigit() and part.isascii() for part in parts):
        return None
    if len(parts) == 1:
        return text if len(text) == 11 else None
    if len(parts) != 3:
        return None
    shape = (len(parts[0]), len(parts[1]), len(parts[2]))
    padded = {
        (4, 4, 2): ("0" + parts[0], parts[1], parts[2]),
        (5, 3, 2): (parts[0], "0" + parts[1], parts[2]),
        (5, 4, 1): (parts[0], parts[1], "0" + parts[2]),
        (5, 4, 2): (parts[0], parts[1], parts[2]),
    }.get(shape)
    return "".join(padded) if padded else None


def _field(key: Key) -> str:
    return ".".join(part for part in key if isinstance(part, str))


def _dotted(key: Key) -> str:
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _hint(name: str, choices: tuple[str, ...]) -> str:
    close = close_matches(name, choices)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
