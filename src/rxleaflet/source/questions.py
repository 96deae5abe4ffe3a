"""The questions of an FDA Medication Guide (21 CFR 208.20), as labels write them.

Recognised by text, tolerant of case, spacing, the drug's name (brand or generic) and the verbs
labels use ("take", "use", "receive"), and of "or reasonably likely". The importer splits a
guide at them; the checker finds a guide's required headings by them when it has no source.
"""

from __future__ import annotations

import re
from functools import cache

_DRUG = r".{1,80}?"  # the drug's name, however the label writes it
_QUESTIONS: dict[str, str] = {
    # "What it the most important …" is a real label's misprint of the question
    "most-important": r"what (is|it) the most important information (i|you) should know about "
                      r"{drug}\?",
    # "What are NSAIDs?", "What are metformin hydrochloride tablets?"
    "what-is": r"what (is|are)(?! the most important| the possible| the ingredients| the side "
               r"effects) {drug}\?",
    "who-should-not-take": r"who should not ((take|use|receive|be given) )?{drug}\?",
    "precautions": r"what should i tell my (doctor|healthcare provider|health care provider|"
                   r"pharmacist)( or pharmacist)? before "
                   r"(taking|using|receiving|starting) {drug}\?",
    "how-to-take": r"how should i (take|use|receive|inject|give) {drug}\?",
    "what-to-avoid": r"what should i avoid while (taking|using|receiving) {drug}\?",
    "side-effects": r"what are the (possible )?(or reasonably likely )?side effects of {drug}\?",
    "storage": r"how should i store {drug}\?",
    "general-information": r"general (information|advice) about {drug}",
    "ingredients": r"what are the ingredients (in|of) {drug}\?",
}  # fmt: skip


def _pattern(template: str) -> str:
    """Spaces in the template match any white space, or none (checked text is squeezed)."""
    text = template.replace("{drug}", "\0")
    pattern = r"\s*".join(part for part in text.split(" "))
    return pattern.replace("\0", _DRUG)


# Each question as a regular expression's text, to match ignoring case. The checker puts them
# into its own expressions; compiled here only for the importer (2 ms a render need not pay).
QUESTIONS: dict[str, str] = {kind: _pattern(t) for kind, t in _QUESTIONS.items()}


@cache
def _compiled() -> dict[str, re.Pattern[str]]:
    return {kind: re.compile(pattern, re.IGNORECASE) for kind, pattern in QUESTIONS.items()}


def question_kind(heading: str) -> str | None:
    """The section kind a heading asks about, or None."""
    text = " ".join(heading.replace("\u00a0", " ").split())
    for kind, pattern in _compiled().items():
        if pattern.fullmatch(text):
            return kind
    return None
