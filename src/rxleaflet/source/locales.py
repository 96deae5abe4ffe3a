"""The fixed words of a leaflet (headings, footer, dates) in each supported language."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
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
    # month names standing alone ("сентябрь 2027"), where they differ from those in a full
    # date ("15 сентября 2027"); the same as ``months`` in most languages
    standalone_months: tuple[str, ...] = ()
    colon: str = ": "  # after a label: "Directions: …"; full-width "：" in Chinese

    @property
    def english_name(self) -> str:
        """"Korean" of "Korean (한국어)"."""
        return self.name.split(" (")[0]

    @property
    def own_name(self) -> str:
        """"한국어" of "Korean (한국어)": the language's name for itself."""
        return self.name.partition(" (")[2].removesuffix(")") or self.name

    @property
    def script(self) -> str:
        """The script its letters are in, as Unicode names begin: LATIN, CYRILLIC, HANGUL, CJK."""
        letter = next(char for char in self.words["warning"] if char.isalpha())
        return unicodedata.name(letter).split(" ")[0]

    @property
    def rtl(self) -> bool:
        """Whether the language is written right to left (Arabic, Persian, Urdu): its letters'
        bidi class says so, not a list of languages."""
        letter = next(char for char in self.words["warning"] if char.isalpha())
        return unicodedata.bidirectional(letter) in ("R", "AL")

    def word(self, key: str, **values: Any) -> str:
        return self.words[key].format(**values)

    def label(self, key: str) -> str:
        """A label with the language's colon: "Directions: ", "用法：", "Cách dùng: "."""
        return self.words[key] + self.colon

    def heading(self, profile: str, kind: str, drug: str) -> str:
        return with_particles(self.headings[profile][kind], drug).format(drug=drug)

    def heading_regex(self, profile: str, kind: str) -> str:
        """A regular expression for the heading with any drug's name (its white space taken
        out, as text is compared): each Korean particle pair stands for either form."""
        pattern = "".join(self.headings[profile][kind].split())
        before, found, after = pattern.partition("{drug}")
        if not found:
            return re.escape(before)
        pair = next((pair for pair in KOREAN_PARTICLES if after.startswith(pair)), "")
        forms = "|".join(re.escape(form) for form in sorted(set(KOREAN_PARTICLES.get(pair, ()))))
        particle = f"(?:{forms})" if pair else ""
        return re.escape(before) + ".{1,80}?" + particle + re.escape(after[len(pair) :])

    def statement_found(self, name: str, text: str) -> bool:
        """Whether ``text`` contains the statement ``name`` (case and spacing are free)."""
        pattern = self.statements[name]["pattern"]
        return re.search(pattern, " ".join(text.split()), re.IGNORECASE) is not None

    def month_year(self, day: dt.date) -> str:
        months = self.standalone_months or self.months
        return self.month_year_pattern.format(month=months[day.month - 1], year=day.year)

    def full_date(self, day: dt.date) -> str:
        return self.full_date_pattern.format(
            month=self.months[day.month - 1], day=day.day, year=day.year
        )


def supported_languages() -> tuple[str, ...]:
    return packagedata.names("strings")


def language_names() -> list[tuple[str, str]]:
    """Every supported language as (tag, "English name (own name)"): the one list the
    errors, ``list``, the API, the counter page and the README show."""
    return [(tag, locale_for(tag).name) for tag in supported_languages()]


def languages_text() -> str:
    """The supported languages for a message: "en English, es Spanish (Español), …"."""
    return ", ".join(f"{tag} {name}" for tag, name in language_names())


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
            f"language {tag!r} is not supported; use one of: {languages_text()}"
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
        standalone_months=tuple(data.get("standalone_months", ())),
        colon=data.get("colon", ": "),
    )


# Korean particles whose form depends on whether the word before them ends in a consonant
# (batchim): a strings file writes the pair as Korean dictionaries do, "{drug}을(를)", and
# the leaflet prints the one form that fits the drug's name ("메트포르민을", "휴미라를").
# Each: (after a consonant, after a vowel, after ㄹ).
KOREAN_PARTICLES = {
    "을(를)": ("을", "를", "을"),
    "은(는)": ("은", "는", "은"),
    "이(가)": ("이", "가", "이"),
    "과(와)": ("과", "와", "과"),
    "(이)란": ("이란", "란", "이란"),
    "(으)로": ("으로", "로", "로"),
}
# How Korean reads a final digit: 0 영, 1 일, 3 삼, 6 육, 7 칠, 8 팔 end in a consonant (1, 7, 8
# in ㄹ); 2 이, 4 사, 5 오, 9 구 in a vowel.
_DIGIT_ENDINGS = {"0": "c", "1": "l", "2": "v", "3": "c", "4": "v", "5": "v", "6": "c",
                  "7": "l", "8": "l", "9": "v"}  # fmt: skip


def final_sound(word: str) -> str:
    """How ``word`` ends when read in Korean: "c" a consonant, "l" the consonant ㄹ, "v" a
    vowel. Hangul by its final jamo; digits as Korean reads them; Latin letters as Korean
    writes loanwords (a final l, m, n, ng, and c or k after a vowel, is kept as a consonant:
    아스피린, 애드빌, 프로작; other final letters take a vowel: 휴미라, 리피토, 노바스크)."""
    letters = [char for char in word if char.isalnum()]
    if not letters:
        return "v"
    last = letters[-1]
    if "\uac00" <= last <= "\ud7a3":
        final = (ord(last) - 0xAC00) % 28
        return "v" if final == 0 else "l" if final == 8 else "c"
    if last in _DIGIT_ENDINGS:
        return _DIGIT_ENDINGS[last]
    ending = "".join(letters[-2:]).lower()
    if ending[-1] == "l":
        return "l"
    if ending[-1] in "mn" or ending == "ng":
        return "c"
    if ending[-1] in "ck" and ending[:1] in "aeiou":  # Prozac 프로작, Zantac 잔탁
        return "c"
    return "v"


def with_particles(pattern: str, drug: str) -> str:
    """``pattern`` with each Korean particle pair after ``{drug}`` in the form ``drug`` takes."""
    if "(" not in pattern:
        return pattern
    sound = final_sound(drug)
    for pair, forms in KOREAN_PARTICLES.items():
        pattern = pattern.replace("{drug}" + pair, "{drug}" + forms["cvl".index(sound)])
    return pattern
