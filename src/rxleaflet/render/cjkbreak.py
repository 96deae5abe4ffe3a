"""Where a line may break inside text written without spaces (Chinese, Japanese).

Lines break between most ideographs, with the usual rules (kinsoku): a line never starts with
closing punctuation such as 、。，）」 and never ends with opening punctuation such as （「; a
number stays with the character after it ("500毫克"). Latin words inside such text stay
whole. Korean separates words with spaces and breaks at them, like English.
"""

from __future__ import annotations

import re
from functools import cache

_FIRST_CJK = "\u2e80"  # the lowest character _cjk() matches


_CJK_CLASS = (
    "[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]"
)


@cache
def _cjk() -> re.Pattern[str]:
    """Ideographs, kana, CJK punctuation and full-width forms. Compiled on first need (about
    10 ms at start-up, for a class reaching into the supplementary planes): text with no
    character from U+2E80 up never needs it."""
    return re.compile(_CJK_CLASS)


@cache
def _cjk_runs() -> re.Pattern[str]:
    """Runs of the characters _cjk() matches (a class repeated: linear time)."""
    return re.compile(_CJK_CLASS + "+")


_NO_LINE_START = frozenset(
    "、。，．・：；？！）」』】〕〉》〗〙〛｝］｠〞ー々〻ゝゞヽヾぁぃぅぇぉっゃゅょァィゥェォッャュョ"
    "％‰℃°’”»›)]},.;:!?%"
)
_NO_LINE_END = frozenset("（「『【〔〈《〖〘〚｛［｟〝‘“«‹([{")
_NOT_AFTER = _NO_LINE_START | {" "}  # never a break before these
_NOT_BEFORE = _NO_LINE_END | {" ", ".", ","}  # nor after these (nor after a digit)


def has_cjk(text: str) -> bool:
    """Whether ``text`` has a character _cjk() matches (ASCII text, told apart in constant
    time, never does)."""
    return not text.isascii() and max(text) >= _FIRST_CJK and _cjk().search(text) is not None


def break_offsets(text: str) -> list[int]:
    """Offsets in ``text`` (a word: its only spaces bind, see glue.py) where a line may
    break: next to a character _cjk() matches (Latin words and numbers stay whole), but not
    before closing or after opening punctuation, not after a digit or a decimal sign
    ("500毫克", "2.5克"), and not at a space the line breaker was told binds ("10 毫克").
    The candidates are found a run of such characters at a time (in C), then filtered."""
    last = len(text) - 1
    offsets: list[int] = []
    for match in _cjk_runs().finditer(text):
        start, end = match.span()
        offsets += [
            index
            for index in range(start or 1, min(end, last) + 1)
            if text[index] not in _NOT_AFTER
            and text[index - 1] not in _NOT_BEFORE
            and not text[index - 1].isdigit()
        ]
    return offsets
