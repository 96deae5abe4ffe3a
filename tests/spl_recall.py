"""Real labels through the whole chain, measured: ``import spl`` → ``validate`` → render (which
reads the PDF back and checks it) → the words of the PDF compared with the words of the label.

Word recall is the share of the words of the label's patient section (its Medication Guide or
Patient Package Insert, every element's text, figures aside) that the PDF's text holds in the
same order: a longest-common-subsequence match of the two word lists (difflib's), with the
warning box's copy of the most-important text taken out of the PDF's words first. Words are
compared after NFKC folding and lower-casing, so "mg²" (a superscript kept as a character)
matches the label's ``mg<sup>2</sup>``; punctuation and bullets are not words.

Used by ``tests/test_import_spl.py`` (the rate and the per-label recall are asserted) and by
``benchmarks/import_spl.py`` (prints the table). Imports nothing from ``/work`` outside the
repository; the labels are in ``tests/data/spl/real/`` (provenance in the README there).
"""

from __future__ import annotations

import difflib
import re
import subprocess
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import yaml
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
REAL = REPO / "tests" / "data" / "spl" / "real"
V3 = "{urn:hl7-org:v3}"
PATIENT_CODES = ("42231-1", "42230-3")
FIGURES = (f"{V3}renderMultiMedia", f"{V3}observationMedia")
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\ufeff\u2060"), None)
_WORD = re.compile(r"\w+")


@dataclass
class Outcome:
    """One label's way through the chain."""

    label: str
    imported: bool
    rendered: bool
    recall: float | None
    message: str  # the refusal, or what is missing
    missing: list[str]
    pages: int = 0


_TYPED_BULLET = re.compile(r"(?:^|(?<=\s))[oο°](?=\s)")


def words(text: str) -> list[str]:
    """Words, folded; a typed "o" bullet is not a word (it is the list's bullet)."""
    folded = unicodedata.normalize("NFKC", text.translate(INVISIBLE)).lower()
    folded = _TYPED_BULLET.sub(" ", folded)
    return _WORD.findall(folded)


def _text_without_figures(element: ET.Element) -> str:
    parts: list[str] = []
    notes: list[str] = []

    def walk(node: ET.Element) -> None:
        if node.tag in FIGURES:
            return
        if node.tag == f"{V3}footnote":  # read after its paragraph, where the leaflet has it
            notes.append(" " + "".join(node.itertext()) + " ")
            return
        if node.text:
            parts.append(node.text)
        if node.tag in (f"{V3}br", f"{V3}footnote"):
            parts.append(" ")
        for child in _reading_order(node):
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if node.tag in (f"{V3}paragraph", f"{V3}item", f"{V3}td", f"{V3}th", f"{V3}title"):
            parts.append(" ")
            parts.extend(notes)
            notes.clear()

    walk(element)
    return "".join(parts + notes)


def _reading_order(node: ET.Element) -> list[ET.Element]:
    """A table's parts as they are read (head, body, foot; SPL files put the foot first)."""
    if node.tag != f"{V3}table":
        return list(node)
    rank = {f"{V3}thead": 1, f"{V3}tbody": 2, f"{V3}tfoot": 3}
    return sorted(node, key=lambda child: rank.get(child.tag, 0))


def label_words(path: Path) -> list[str]:
    """Every word of the label's patient section (the first one), figures' text aside, and
    its own title aside (the SPL's name for the part, "SPL MEDGUIDE SECTION")."""
    root = ET.parse(path).getroot()
    section = next(
        s
        for s in root.iter(f"{V3}section")
        if s.find(f"{V3}code") is not None and s.find(f"{V3}code").get("code") in PATIENT_CODES
    )
    return words(" ".join(_text_without_figures(c) for c in section if c.tag != f"{V3}title"))


def pdf_words(pdf: Path) -> list[str]:
    """The PDF's words in reading order (pdftotext; a word hyphenated at a line end joined)."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    return words(re.sub(r"(\w)[-\u2010]\n(?=\w)", r"\1", text))


def without_box(found: list[str], box: list[str]) -> list[str]:
    """The PDF's words without the warning box's copy of most-important text (it comes first;
    left in, the in-order match pairs the label's section with the box and loses the heading
    printed between them). Page furniture inside the box (a footer at a page break) is
    skipped over."""
    if not box:
        return found
    lead = box[: min(8, len(box))]
    start = next((i for i in range(len(found)) if found[i : i + len(lead)] == lead), None)
    if start is None:
        return found
    removed, index = set(), start
    for word in box:
        ahead = next((d for d in range(40) if found[index + d : index + d + 1] == [word]), None)
        if ahead is not None:
            removed.add(index + ahead)
            index += ahead + 1
    return [word for i, word in enumerate(found) if i not in removed]


def recall(expected: list[str], found: list[str]) -> tuple[float, list[str]]:
    """The share of ``expected`` found in order in ``found``, and the words that are not."""
    matcher = difflib.SequenceMatcher(a=expected, b=found, autojunk=False)
    blocks = matcher.get_matching_blocks()
    kept = {i for block in blocks for i in range(block.a, block.a + block.size)}
    missing = [word for index, word in enumerate(expected) if index not in kept]
    return (1 - len(missing) / len(expected) if expected else 1.0), missing


def measure(label: Path, folder: Path) -> Outcome:
    """Import ``label`` with the CLI, render it (verified as every render is), compare words."""
    from rxleaflet.cli import main

    source = folder / f"{label.stem}.yaml"
    runner = CliRunner()
    result = runner.invoke(
        main, ["import", "spl", str(label), "-o", str(source), "--id", "label"],
        catch_exceptions=False,
    )  # fmt: skip
    if result.exit_code != 0:
        return Outcome(label.name, False, False, None, result.stderr.strip(), [])
    pdf = folder / f"{label.stem}.pdf"
    result = runner.invoke(main, ["render", str(source), "-o", str(pdf)], catch_exceptions=False)
    if result.exit_code != 0:
        return Outcome(label.name, True, False, None, result.stderr.strip(), [])
    box = (yaml.safe_load(source.read_text(encoding="utf-8")) or {}).get("warning", "")
    found = without_box(pdf_words(pdf), words(box.replace("**", "")))
    share, missing = recall(label_words(label), found)
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", pages).group(1))  # type: ignore[union-attr]
    return Outcome(label.name, True, True, share, "", missing, count)


def measure_all(labels: list[Path] | None = None) -> list[Outcome]:
    labels = labels if labels is not None else sorted(REAL.glob("*.xml"))
    with tempfile.TemporaryDirectory() as folder:
        return [measure(label, Path(folder)) for label in labels]


def table(outcomes: list[Outcome]) -> str:
    lines = [f"{'label':44} {'imported':8} {'rendered':8} {'recall':>7}  {'pages':>5}  note"]
    for o in outcomes:
        share = f"{o.recall:.4f}" if o.recall is not None else "-"
        note = o.message.splitlines()[0][:120] if o.message else " ".join(o.missing[:12])
        lines.append(
            f"{o.label:44} {'yes' if o.imported else 'no':8} {'yes' if o.rendered else 'no':8} "
            f"{share:>7}  {o.pages:>5}  {note}"
        )
    done = [o for o in outcomes if o.rendered]
    lines.append(
        f"imported, validated, rendered and checked: {len(done)}/{len(outcomes)} "
        f"({100 * len(done) / max(len(outcomes), 1):.1f} %); lowest recall "
        + (f"{min(o.recall or 0 for o in done):.4f}" if done else "-")
    )
    return "\n".join(lines)
