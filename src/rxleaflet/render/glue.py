"""Which spaces a line must not break at: a number and its unit, a sign and its number.

"≥ 200 µg" split as "≥ 200 / µg" or "Doses ≥ / 200 µg" can be misread, so these spaces bind
their neighbours. The text itself is unchanged (it extracts exactly as written); only the
line breaker sees the words as one.
"""

from __future__ import annotations

import re

# A word that is (or starts with) a unit of measure, a temperature or a percentage.
_UNIT = re.compile(
    r"^[(\[]?(?:[µμ°%‰]|"
    r"(?:mcg|mg|µg|μg|ng|g|kg|mL|ml|dL|L|mmol|µmol|mEq|IU|mIU|units?|mmHg|cm|mm|kcal|"
    r"lbs?|oz|tablets?|capsules?|drops?|puffs?|hours?|hrs?|h|minutes?|min|days?|weeks?|"
    r"months?|years?|times?)(?![A-Za-z]))"
)
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
    if not (last in _SIGNS or last in _NUMBER_ENDS or last.isdecimal()):
        return False  # most words: neither a sign nor the end of a number
    if last in _SIGNS and _STARTS_WITH_NUMBER.match(after):
        return True  # "≥ 200"
    # "200 µg", "(68 °F)", "4.5 mIU/L", "2 tablets"
    return bool(_ENDS_IN_NUMBER.search(before) and _UNIT.match(after))
