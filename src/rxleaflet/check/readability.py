"""Flesch–Kincaid grade level, the reading-level measure USP <1265> asks leaflets to keep low."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
# each run of end marks is tried once (the look-behind), so the search stays linear
_SENTENCE_END = re.compile(r"(?<![.!?:;])[.!?:;]+(?=\s|$)")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


@lru_cache(maxsize=20_000)
def syllables(word: str) -> int:
    """English syllables by vowel groups, with the usual silent-e and -le corrections."""
    word = word.lower().replace("’", "'")
    count = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(1, count)


def flesch_kincaid_grade(texts: list[str]) -> float | None:
    """Grade level of ``texts`` (each a paragraph or list item); None when there are no words."""
    words = sentences = syllable_count = 0
    for text in texts:
        found = _WORD.findall(text)
        if not found:
            continue
        words += len(found)
        syllable_count += sum(map(syllables, found))
        sentences += max(1, len(_SENTENCE_END.findall(text)))
    if not words:
        return None
    return round(0.39 * words / sentences + 11.8 * syllable_count / words - 15.59, 1)
