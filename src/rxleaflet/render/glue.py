"""Which spaces a line must not break at: a number and its unit (in every language of
data/units.yaml), a sign and its number, "©" and its name.

"≥ 200 µg" split as "≥ 200 / µg" or "Doses ≥ / 200 µg" can be misread, so these spaces bind
their neighbours. The text itself is unchanged (it extracts exactly as written); only the
line breaker sees the words as one.
"""

from __future__ import annotations

import re
from functools import cache

from .. import packagedata


@cache
def _units() -> tuple[frozenset[str], frozenset[str], tuple[int, ...]]:
    """The units of data/units.yaml, every language's: the one-character signs ("°", "%"),
    the words ("mg", "mL", "таблетки") and the words' lengths, longest first."""
    listed = {str(word) for words in packagedata.load("units.yaml").values() for word in words}
    signs = frozenset(w for w in listed if len(w) == 1 and not w.isalnum())
    words = frozenset(w for w in listed if w.isalnum() or len(w) > 1)
    return signs, words, tuple(sorted({len(w) for w in words}, reverse=True))


def _is_letter(char: str) -> bool:
    """A letter as the regular expression [^\\W\\d_] means it: a word character that is no
    decimal digit ("²" and "Ⅻ" count, like "a")."""
    return char.isalnum() and not char.isdecimal()


def starts_with_unit(word: str) -> bool:
    """Whether ``word`` is (or starts with) a unit, in any language of data/units.yaml, and
    not the start of a longer word ("mg/dL" and "(68 °F)" yes, "gallbladder" no). An opening
    bracket before the unit is allowed. (A lookup by length rather than one regular
    expression of every unit, which took about 10 ms to compile at every start.)"""
    signs, words, lengths = _units()
    for start in (1, 0) if word[:1] in ("(", "[") else (0,):
        if word[start : start + 1] in signs:
            return True
        for length in lengths:
            end = start + length
            if word[start:end] in words and not _is_letter(word[end : end + 1] or "."):
                return True
    return False


_ENDS_IN_NUMBER = re.compile(r"\d[\d.,/]*[)\]]?$")
# what may follow a number's last digit at a word's end (and "\n": "$" matches before it)
_NUMBER_ENDS = frozenset(".,/)]\n")
_SIGNS = frozenset("≥≤±~<>=×÷≈")
_STARTS_WITH_NUMBER = re.compile(r"^[(\[]?[-+−]?\.?\d")
# the last characters of a word that a space after it may bind (or a decimal digit): a cheap
# test the line breaker makes before calling binds() for each of a paragraph's words
MAY_BIND = frozenset(("©", *_SIGNS, *_NUMBER_ENDS))
# every space binds() may bind, and a few more: after "©", a sign or a decimal digit ("\\d" is
# exactly str.isdecimal), or after one of a number's end characters unless a character that
# cannot end a number comes before it ("5. ", "(10) ", but not a sentence's "ends. "). It
# starts with one character class, which the regex engine scans for in C (an alternation of
# classes it would try at every position: four times as long); fixed width, so linear
_SIGN_CLASS = re.escape("".join(sorted(_SIGNS)))
_END_CLASS = re.escape("".join(sorted(_NUMBER_ENDS)))
MAY_BIND_A_SPACE = re.compile(
    f"[©{_SIGN_CLASS}\\d{_END_CLASS}](?<![^\\d{_END_CLASS}][{_END_CLASS}]) "
)


def binds(before: str, after: str) -> bool:
    """Whether the space between the words ``before`` and ``after`` must not break a line."""
    if not before or not after:
        return False
    last = before[-1]
    if last == "©":
        return True  # "© AbbVie": the sign stays with its name
    if not (last in _SIGNS or last in _NUMBER_ENDS or last.isdecimal()):
        return False  # most words: neither a sign nor the end of a number
    if last in _SIGNS and _STARTS_WITH_NUMBER.match(after):
        return True  # "≥ 200"
    # "200 µg", "(68 °F)", "4.5 mIU/L", "2 tablets"
    return bool(_ENDS_IN_NUMBER.search(before)) and starts_with_unit(after)
