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


@cache
def _cjk() -> re.Pattern[str]:
    """Ideographs, kana, CJK punctuation and full-width forms. Compiled on first need (about
    10 ms at start-up, for a class reaching into the supplementary planes): text with no
    character from U+2E80 up never needs it."""
    return re.compile(
        "[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
        "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]"
    )


_NO_LINE_START = frozenset(
    "、。，．・：；？！）」』】〕〉》〗〙〛｝］｠〞ー々〻ゝゞヽヾぁぃぅぇぉっゃゅょァィゥェォッャュョ"
    "％‰℃°’”»›)]},.;:!?%"
)
_NO_LINE_END = frozenset("（「『【〔〈《〖〘〚｛［｟〝‘“«‹([{")


def has_cjk(text: str) -> bool:
    """Whether ``text`` has a character _cjk() matches (ASCII text, told apart in constant
    time, never does)."""
    return not text.isascii() and max(text) >= _FIRST_CJK and _cjk().search(text) is not None


def break_offsets(text: str) -> list[int]:
    """Offsets in ``text`` (a word: its only spaces bind, see glue.py) where a line may
    break."""
    offsets = []
    cjk = _cjk()
    for index in range(1, len(text)):
        before, after = text[index - 1], text[index]
        if not (cjk.match(before) or cjk.match(after)):
            continue  # inside a Latin word or number
        if after in _NO_LINE_START or before in _NO_LINE_END:
            continue
        if before.isdigit() or before in ".,":
            continue  # "500毫克", "2.5克"
        if before == " " or after == " ":
            continue  # a space the line breaker was told binds ("10 毫克")
        offsets.append(index)
    return offsets
