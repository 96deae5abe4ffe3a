"""'Did you mean …?' for a mistyped key or name."""

from __future__ import annotations

from collections.abc import Iterable


def close_matches(word: str, choices: Iterable[str], n: int = 1) -> list[str]:
    """Up to ``n`` of ``choices`` that look like ``word``, best first. difflib (2 ms at start)
    is imported only here, when somebody has mistyped."""
    import difflib

    return difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)
