"""Default-ignorable code points: characters that print as nothing, found by their Unicode
property rather than by a list of the ones someone thought of.

Python's ``unicodedata`` has no Default_Ignorable_Code_Point property, so its ranges are
copied here from the Unicode Character Database, ``DerivedCoreProperties.txt`` (Unicode 15.1
and 16.0 assign the same set; https://www.unicode.org/Public/UCD/latest/ucd/DerivedCoreProperties.txt,
lines ``; Default_Ignorable_Code_Point``). A source may hold none of them, except the zero
width joiner and non-joiner between two letters of a script that needs them to be spelled
right (Persian and Urdu in Arabic script, Bengali, Devanagari, Gurmukhi).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# (first, last) code points, inclusive, in the order of DerivedCoreProperties.txt.
DEFAULT_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD),  # SOFT HYPHEN
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x061C, 0x061C),  # ARABIC LETTER MARK
    (0x115F, 0x1160),  # HANGUL CHOSEONG FILLER..HANGUL JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ..KHMER VOWEL INHERENT AA
    (0x180B, 0x180D),  # MONGOLIAN FREE VARIATION SELECTOR ONE..THREE
    (0x180E, 0x180E),  # MONGOLIAN VOWEL SEPARATOR
    (0x180F, 0x180F),  # MONGOLIAN FREE VARIATION SELECTOR FOUR
    (0x200B, 0x200F),  # ZERO WIDTH SPACE..RIGHT-TO-LEFT MARK
    (0x202A, 0x202E),  # LEFT-TO-RIGHT EMBEDDING..RIGHT-TO-LEFT OVERRIDE
    (0x2060, 0x2064),  # WORD JOINER..INVISIBLE PLUS
    (0x2065, 0x2065),  # <reserved-2065>
    (0x2066, 0x206F),  # LEFT-TO-RIGHT ISOLATE..NOMINAL DIGIT SHAPES
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFE00, 0xFE0F),  # VARIATION SELECTOR-1..VARIATION SELECTOR-16
    (0xFEFF, 0xFEFF),  # ZERO WIDTH NO-BREAK SPACE
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),  # <reserved-FFF0>..<reserved-FFF8>
    (0x1BCA0, 0x1BCA3),  # SHORTHAND FORMAT LETTER OVERLAP..SHORTHAND FORMAT UP STEP
    (0x1D173, 0x1D17A),  # MUSICAL SYMBOL BEGIN BEAM..MUSICAL SYMBOL END PHRASE
    (0xE0000, 0xE0000),  # <reserved-E0000>
    (0xE0001, 0xE0001),  # LANGUAGE TAG
    (0xE0002, 0xE001F),  # <reserved-E0002>..<reserved-E001F>
    (0xE0020, 0xE007F),  # TAG SPACE..CANCEL TAG
    (0xE0080, 0xE00FF),  # <reserved-E0080>..<reserved-E00FF>
    (0xE0100, 0xE01EF),  # VARIATION SELECTOR-17..VARIATION SELECTOR-256
    (0xE01F0, 0xE0FFF),  # <reserved-E01F0>..<reserved-E0FFF>
)


def _character_class(ranges: Iterable[tuple[int, int]]) -> re.Pattern[str]:
    """One character class of the code point ``ranges`` (first, last)."""
    return re.compile("[" + "".join(f"{chr(first)}-{chr(last)}" for first, last in ranges) + "]")


DEFAULT_IGNORABLE = _character_class(DEFAULT_IGNORABLE_RANGES)
# the same class without its ranges beyond the Basic Multilingual Plane: a class of BMP
# characters is tested in C against a bitmap, one that reaches into the supplementary planes
# range by range (about eight times as long); text without such characters needs no more
_BMP_IGNORABLE = _character_class(r for r in DEFAULT_IGNORABLE_RANGES if r[1] < 0x10000)
_SUPPLEMENTARY = re.compile("[\U00010000-\U0010ffff]")
VARIATION_SELECTORS = re.compile("[\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef]")
JOINERS = frozenset("\u200c\u200d")  # ZERO WIDTH NON-JOINER, ZERO WIDTH JOINER
# Scripts (the first word of their letters' Unicode names) whose spelling uses the joiners.
JOINING_SCRIPTS = frozenset(("ARABIC", "BENGALI", "DEVANAGARI", "GURMUKHI"))


def _script(char: str) -> str:
    return unicodedata.name(char, "").split(" ")[0]


def spelling_joiner(text: str, offset: int) -> bool:
    """Whether the joiner at ``offset`` stands between two characters of one script that
    spells with joiners (Persian "می‌خواهم", Hindi "क्‍ष")."""
    if text[offset] not in JOINERS or offset == 0 or offset + 1 >= len(text):
        return False
    before, after = _script(text[offset - 1]), _script(text[offset + 1])
    return before == after and before in JOINING_SCRIPTS


def first_ignorable(text: str) -> re.Match[str] | None:
    """The first default-ignorable character of ``text`` that is not a spelling joiner."""
    found = _BMP_IGNORABLE if _SUPPLEMENTARY.search(text) is None else DEFAULT_IGNORABLE
    for match in found.finditer(text):
        if not spelling_joiner(text, match.start()):
            return match
    return None
