"""The fixed words of a leaflet (headings, footer, dates) in each supported language."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from .. import packagedata
from ..errors import LibraryError


@dataclass(frozen=True)
class Locale:
    """Fixed strings for one language, from ``data/strings/<language>.yaml``."""

    language: str
    name: str  # in English, with the language's own name: "Korean (한국어)"
    words: dict[str, str]
    months: tuple[str, ...]
    month_year_pattern: str
    full_date_pattern: str
    headings: dict[str, dict[str, str]]
    disclaimer_hints: tuple[str, ...]  # phrases that mark a disclaimer, for checks without source
    statements: dict[str, dict[str, str]]  # name → pattern (regex) and usual wording

    def word(self, key: str, **values: Any) -> str:
        return self.words[key].format(**values)

    def heading(self, profile: str, kind: str, drug: str) -> str:
        return self.headings[profile][kind].format(drug=drug)

    def statement_found(self, name: str, text: str) -> bool:
        """Whether ``text`` contains the statement ``name`` (case and spacing are free)."""
        pattern = self.statements[name]["pattern"]
        return re.search(pattern, " ".join(text.split()), re.IGNORECASE) is not None

    def month_year(self, day: dt.date) -> str:
        return self.month_year_pattern.format(month=self.months[day.month - 1], year=day.year)

    def full_date(self, day: dt.date) -> str:
        return self.full_date_pattern.format(
            month=self.months[day.month - 1], day=day.day, year=day.year
        )


def supported_languages() -> tuple[str, ...]:
    return packagedata.names("strings")


_TRADITIONAL_REGIONS = frozenset(("tw", "hk", "mo"))


def language_key(tag: str) -> str:
    """The strings file a BCP 47 tag uses: its primary language (``es-US`` → ``es``), and for
    Chinese its script (``zh-Hant``, ``zh-TW`` → ``zh-Hant``; ``zh``, ``zh-CN`` → ``zh-Hans``)."""
    subtags = tag.lower().split("-")
    if subtags[0] != "zh":
        return subtags[0]
    traditional = "hant" in subtags or not _TRADITIONAL_REGIONS.isdisjoint(subtags)
    return "zh-Hant" if traditional else "zh-Hans"


def require_supported(tag: str) -> None:
    """Refuse a language rxleaflet has no strings for, naming the ones it has."""
    if language_key(tag) not in supported_languages():
        raise LibraryError(
            f"language {tag!r} is not supported; use one of: {', '.join(supported_languages())}"
        )


@cache
def locale_for(tag: str) -> Locale:
    """The locale for a BCP 47 tag such as ``es-US``; KeyError when unsupported."""
    language = language_key(tag)
    if language not in supported_languages():
        raise KeyError(language)
    data = packagedata.load(f"strings/{language}.yaml")
    return Locale(
        language=language,
        name=data["name"],
        words=data["words"],
        months=tuple(data["months"]),
        month_year_pattern=data["month_year"],
        full_date_pattern=data["full_date"],
        headings=data["headings"],
        disclaimer_hints=tuple(data["disclaimer_hints"]),
        statements=data.get("statements", {}),
    )
