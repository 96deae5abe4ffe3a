"""The dispense record: whom this leaflet is for (patient, Rx number, dates, directions).

It is patient data, so it is checked as strictly as a source and goes only onto the page:
never into metadata, file names, manifests, logs, caches or the embedded source. Error
messages name the field, never its value.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import GlyphError, SourceError
from .coverage import glyph_error
from .hints import close_matches
from .locales import language_key, languages_text, locale_for, supported_languages
from .markup import MarkupError, check_characters
from .safeyaml import parse_yaml

FORMAT_VERSION = 1
MAX_RECORD_BYTES = 20_000
_KEYS = ("rxleaflet-dispense", "patient", "rx", "filled", "prescriber", "directions",
         "directions_language")  # fmt: skip
_LIMITS = {"patient": 100, "rx": 40, "prescriber": 100, "directions": 600}
_FIELD = object()  # text() reads the field itself
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class DispenseRecord:
    patient: str
    rx: str
    filled: dt.date
    prescriber: str | None = None
    # (language, text) pairs; the language "" is the leaflet's own (directions given as text)
    directions: tuple[tuple[str, str], ...] = ()
    directions_language: str | None = None  # what the directions are in, when not the leaflet's

    def __repr__(self) -> str:  # never print patient data by accident
        return "DispenseRecord(…)"


def load_dispense(data: bytes, name: str, today: dt.date) -> DispenseRecord:
    """A dispense record from YAML or JSON bytes (``name`` is the file, or "-" for stdin)."""
    if len(data) > MAX_RECORD_BYTES:
        raise SourceError(
            f"the dispense record is {len(data):,} bytes; at most {MAX_RECORD_BYTES:,}", path=name
        )
    document = parse_yaml(data, Path(name))
    values = document.data
    if not isinstance(values, dict):
        raise SourceError("a dispense record is a mapping: rxleaflet-dispense: 1, patient, rx, …",
                          path=name)  # fmt: skip
    if values.get("rxleaflet-dispense") != FORMAT_VERSION or isinstance(
        values.get("rxleaflet-dispense"), bool
    ):
        raise SourceError(
            "the first key of a dispense record must be 'rxleaflet-dispense: 1'",
            path=name,
            line=document.line_of(("rxleaflet-dispense",)),
        )
    for key in values:
        if key not in _KEYS:
            close = close_matches(str(key), _KEYS)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SourceError(
                f"unknown key '{key}'{hint}; allowed: {', '.join(_KEYS)}",
                path=name,
                line=document.line_of((key,)),
            )
    fields = {key: values[key] for key in _KEYS[1:] if key in values}
    return dispense_record(fields, today, where=name, lines=document.line_of)


def dispense_record(
    fields: dict[str, Any],
    today: dt.date,
    *,
    where: str = "dispense record",
    lines: Any = None,
    names: dict[str, str] | None = None,
) -> DispenseRecord:
    """Check the fields of a record (from a file, or from options named by ``names``)."""

    def fail(key: str, message: str) -> SourceError:
        shown = (names or {}).get(key, key)
        line = lines((key,)) if lines else None
        return SourceError(f"{shown} {message}", path=where, line=line)

    def text(key: str, required: bool = False, value: Any = _FIELD) -> str | None:
        value = fields.get(key) if value is _FIELD else value
        if value is None:
            if required:
                raise fail(key, "is required")
            return None
        if isinstance(value, int) and not isinstance(value, bool) and key == "rx":
            value = str(value)
        if not isinstance(value, str):
            raise fail(key, "must be text; put it in quotes")
        clean = " ".join(value.split())
        if not clean:
            raise fail(key, "is empty")
        if len(clean) > _LIMITS[key]:
            raise fail(key, f"is {len(clean)} characters; at most {_LIMITS[key]} fit on the page")
        try:
            check_characters(value)
        except MarkupError as error:
            raise fail(
                key, f"has an invisible or undefined character ({str(error).split(' is ')[0]})"
            ) from None
        problem = glyph_error(value, (names or {}).get(key, key))
        if problem:
            raise GlyphError(problem[1], path=where, line=lines((key,)) if lines else None)
        return clean

    missing = [(names or {}).get(key, key) for key in ("patient", "rx") if fields.get(key) is None]
    if missing:  # all of them in one message: the pharmacist fixes the command once
        verb = "is" if len(missing) == 1 else "are"
        raise SourceError(f"{' and '.join(missing)} {verb} required", path=where)
    patient = text("patient", required=True)
    rx = text("rx", required=True)
    assert patient is not None and rx is not None
    filled = fields.get("filled")
    if filled is None:
        day = today
    elif isinstance(filled, dt.datetime):
        raise fail("filled", "must be a date without a time (YYYY-MM-DD)")
    elif isinstance(filled, dt.date):
        day = filled
    elif isinstance(filled, str) and _ISO_DATE.fullmatch(filled.strip()):
        try:
            day = dt.date.fromisoformat(filled.strip())
        except ValueError:
            raise fail("filled", "is not a valid date; use YYYY-MM-DD") from None
    else:
        raise fail("filled", "is not a valid date; use YYYY-MM-DD")
    if day > today:
        raise fail("filled", f"is after today ({today.isoformat()}); check the date")
    if day.year < 1900:
        raise fail("filled", "is not a real date; use YYYY-MM-DD")
    language = directions_language(fields.get("directions_language"), fail)
    given = fields.get("directions")
    if isinstance(given, dict):
        directions = []
        for tag, value in given.items():
            key = tag_or_fail(tag, fail)
            directions.append((key, text("directions", value=value) or ""))
        if language and language not in dict(directions):
            raise fail("directions_language", f"is {language!r} but directions has no {language}")
    else:
        plain = text("directions")
        directions = [(language or "", plain)] if plain else []
    return DispenseRecord(
        patient, rx, day, text("prescriber"), tuple(directions), language if directions else None
    )


def tag_or_fail(tag: Any, fail: Any) -> str:
    """The supported language a directions key names (``es-US`` → ``es``)."""
    if not isinstance(tag, str) or language_key(tag) not in supported_languages():
        raise fail(
            "directions",
            f"has directions in {tag!r}, which is not a supported language; use one of: "
            f"{languages_text()}",
        )
    return language_key(tag)


def directions_language(value: Any, fail: Any) -> str | None:
    if value is None:
        return None
    return tag_or_fail(value, lambda _key, message: fail("directions_language", message))


class MissingDirections(SourceError):
    """The leaflet's language has no directions, and none are labelled to go in its place."""


def directions_for(record: DispenseRecord, language: str) -> tuple[str, str | None] | None:
    """The directions to print on a leaflet in ``language`` and, when they are in another
    language, that language (the page then says so in their label). None without directions.

    Refuses when only other languages' directions were given and the record does not name
    one of them to print, and when text given as the leaflet's language has no letter of its
    script (English directions on a Korean leaflet): a patient must be able to read them or be
    told they are in another language."""
    given = dict(record.directions)
    if not given:
        return None
    language = language_key(language)
    if language in given:
        return given[language], None
    if "" in given:
        check_script(given[""], language)
        return given[""], None
    chosen = record.directions_language
    if chosen and chosen in given:
        return given[chosen], chosen
    raise MissingDirections(
        f"the dispense record has directions in {', '.join(sorted(given))} but none in "
        f"{language}, the leaflet's language: give them in {language}, or name the language to "
        "print (directions_language, --directions-language) and the page labels them with it"
    )


def check_script(directions: str, language: str) -> None:
    """Refuse directions that have letters but none in the script of ``language``."""
    script = locale_for(language).script
    scripts = {unicodedata.name(char, "?").split(" ")[0] for char in directions if char.isalpha()}
    if scripts and script not in scripts:
        raise MissingDirections(
            f"the directions have no {script.title()} letter, so they are not in "
            f"{locale_for(language).english_name}, the leaflet's language: give them in "
            f"{language}, or name their language (directions_language, --directions-language) "
            "and the page labels them with it"
        )
