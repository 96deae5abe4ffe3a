"""Which spaces a line must not break at: a number and its unit (in every language of
data/units.yaml), a sign and its number, "©" and its name.

"≥ 200 µg" split as "≥ 200 / µg" or "Doses ≥ / 200 µg" can be misread, so these spaces bind
their neighbours. The text itself is unchanged (it extracts exactly as written); only the
line breaker sees the words as one.
"""

from __future__ import annotations

import re

from .. import packagedata


def _unit_pattern() -> re.Pattern[str]:
    """A word that is (or starts with) a unit, in any language of data/units.yaml, and not
    the start of a longer word ("mg/dL" and "(68 °F)" yes, "gallbladder" no)."""
    listed = {str(word) for words in packagedata.load("units.yaml").values() for word in words}
    signs = "".join(sorted(w for w in listed if len(w) == 1 and not w.isalnum()))  # "°F", "%"
    words = sorted((w for w in listed if w.isalnum() or len(w) > 1), key=len, reverse=True)
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"^[(\[]?(?:[{re.escape(signs)}]|(?:{alternatives})(?![^\W\d_]))")


_UNIT = _unit_pattern()
_ENDS_IN_NUMBER = re.compile(r"\d[\d.,/]*[)\]]?$")
# what may follow a number's last digit at a word's end (and "\n": "$" matches before it)
_NUMBER_ENDS = frozenset(".,/)]\n")
_SIGNS = frozenset("≥≤±~<>=×÷≈")
_STARTS_WITH_NUMBER = re.compile(r"^[(\[]?[-+−]?\.?\d")


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
    return bool(_ENDS_IN_NUMBER.search(before) and _UNIT.match(after))
