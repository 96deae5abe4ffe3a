"""Write an imported label as a leaflet source (format 1), checked before it is written, and
compare it with an earlier import of the same leaflet."""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import LeafletError
from ..files import FileRefused, read_regular_file
from ..source.monograph import load_monograph
from ..source.profiles import check_profile
from .spl import Imported
from .spltext import NESTED_MARK, Block

DEFAULTS_FILE = ".rxleaflet-import.yaml"  # in the library folder (hidden: not a leaflet)
DEFAULT_DISCLAIMER = (
    "This Medication Guide has been approved by the U.S. Food and Drug Administration. It does "
    "not take the place of talking with your healthcare provider about your medical condition "
    "or your treatment. Ask your pharmacist or healthcare provider for the full prescribing "
    "information."
)


@dataclass(frozen=True)
class Defaults:
    """What a label does not say, from ``<library>/.rxleaflet-import.yaml`` when present:

    ``disclaimer`` (text), ``region`` (text), ``expires_months`` (number, default 12)."""

    disclaimer: str = DEFAULT_DISCLAIMER
    region: str | None = "This information is intended for patients in the United States."
    expires_months: int = 12

    @classmethod
    def load(cls, library: Path | None, disclaimer_file: Path | None) -> Defaults:
        values: dict[str, Any] = {}
        if library is not None and (library / DEFAULTS_FILE).is_file():
            raw = yaml.safe_load((library / DEFAULTS_FILE).read_text(encoding="utf-8")) or {}
            if not isinstance(raw, dict) or set(raw) - {"disclaimer", "region", "expires_months"}:
                raise LeafletError(
                    "expected only disclaimer, region and expires_months",
                    path=library / DEFAULTS_FILE,
                )
            values.update(raw)
        if disclaimer_file is not None:
            try:
                text = read_regular_file(disclaimer_file, 100_000, what="disclaimer file")
            except (FileRefused, OSError) as error:
                raise LeafletError(
                    f"cannot read the disclaimer: {error}", path=disclaimer_file
                ) from None
            values["disclaimer"] = text.decode("utf-8").strip()
        return cls(**values)


def _markup(blocks: list[Block]) -> str:
    """Blocks as leaflet markup: paragraphs, '- ' lists (consecutive items), **bold**; a blank
    line between. Leaflets have one level of bullets: a deeper item starts with "– " per level,
    so its nesting stays visible."""
    out: list[str] = []
    level = -1  # of the item before; -1 after a paragraph
    for block in blocks:
        line = _runs(block.runs)
        if not line.strip():
            continue
        if block.level is None:
            out.append(line)
            level = -1
            continue
        # an item is at most one level under the one before ("o" items after a lead-in
        # paragraph are the list, not a nested part of it)
        item_level = min(block.level, level + 1)
        item = "- " + NESTED_MARK * item_level + line
        if level >= 0:
            out[-1] += "\n" + item
        else:
            out.append(item)
        level = item_level
    return "\n\n".join(out) + "\n"


def _runs(runs: list[tuple[str, bool]]) -> str:
    """Runs as one line, bold ones between ** (spaces kept outside the markers)."""
    merged: list[tuple[str, bool]] = []
    for text, bold in runs:
        text = text.replace("\u00a0", " ")
        if merged and not text.strip():
            bold = merged[-1][1]  # a space between two bold runs is bold (one ** pair)
        if merged and merged[-1][1] == bold:
            merged[-1] = (merged[-1][0] + text, bold)
        else:
            merged.append((text, bold))
    line = ""
    for text, bold in merged:
        if bold and text.strip():
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            line += f"{lead}**{text.strip()}**{trail}"
        else:
            line += text
    return " ".join(line.split())


def parse_expires(text: str, today: dt.date) -> tuple[dt.date, bool]:
    """``--expires`` as ``source.expires`` takes it: YYYY-MM (the month's last day) or
    YYYY-MM-DD; the date and whether only a month was given. ValueError (saying what to give)
    for another shape, or a date already past (``render`` would refuse the leaflet)."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = (int(part) for part in value.split("-"))
            day, month_only = dt.date(year, month, calendar.monthrange(year, month)[1]), True
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day, month_only = dt.date.fromisoformat(value), False
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"{text!r} is not a date; use YYYY-MM or YYYY-MM-DD") from None
    if day < today:
        raise ValueError(
            f"{text!r} is already past (today is {today.isoformat()}); the leaflet would be "
            "expired: give a later date"
        )
    return day, month_only


def leaflet_source(
    imported: Imported,
    leaflet_id: str,
    expires: dt.date,
    defaults: Defaults,
    today: dt.date,
    month_only: bool = True,
) -> str:
    """The leaflet source text, with what was left out in a comment at the top."""
    data: dict[str, Any] = {
        "rxleaflet": 1,
        "id": leaflet_id,
        "language": "en-US",
        "profile": imported.profile,
        "drug": {"name": imported.name},
    }
    if imported.pronunciation:
        data["drug"]["pronunciation"] = imported.pronunciation
    if imported.form:
        data["drug"]["form"] = imported.form
    if imported.ndc:
        data["codes"] = {"ndc": imported.ndc}
    if imported.warning:
        data["warning"] = _markup(imported.warning)
    sections = []
    for kind, title, blocks in imported.sections:
        section: dict[str, Any] = {"kind": kind, "title": " ".join(title.split())}
        section["text"] = _markup(blocks)
        sections.append(section)
    data["sections"] = sections
    labeler = imported.labeler or "the manufacturer"
    kind = "Medication Guide" if imported.profile == "medication-guide" else "Patient Information"
    data["source"] = {
        # "© AbbVie Inc." once, never "Inc.."
        "copyright": f"Text of the FDA-approved {kind} for {imported.name}, © "
        f"{labeler.rstrip('.')}."[:200],
        "notices": [
            f"Source: FDA Structured Product Labeling (DailyMed), set id {imported.set_id}, "
            f"version {imported.version}, effective {imported.effective.isoformat()}; "
            f"imported by rxleaflet on {today.isoformat()} without changes to the text"
            + ("." if not imported.added else "; added: " + "; ".join(imported.added) + ".")
        ],
        "disclaimer": defaults.disclaimer + "\n",
        "expires": expires.strftime("%Y-%m") if month_only else expires.isoformat(),
        "revised": imported.effective.isoformat(),
        "spl-set-id": imported.set_id.lower(),
    }
    if defaults.region:
        data["source"]["region"] = defaults.region
    header = [
        f"# Imported from FDA Structured Product Labeling (set id {imported.set_id}, version "
        f"{imported.version}) by rxleaflet import spl.",
        "# Left out (not patient text, or not printable without its figures):",
        *(f"#   - {item}" for item in imported.left_out),
        *(["# Added (required, and not in the label):"] if imported.added else []),
        *(f"#   - {item}" for item in imported.added),
    ]
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(header) + "\n" + body


class _Dumper(yaml.SafeDumper):
    """Long text as literal blocks (``|``), as a person would write the file."""


def _text(dumper: yaml.SafeDumper, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def check_source(text: str, target: Path, label: Path | None = None) -> None:
    """Refuse to write a source that would not pass ``validate``; the refusal names the label
    (the source was never written, so its path would mean nothing)."""
    try:
        check_profile(load_monograph(target, text.encode("utf-8")))
    except LeafletError as error:
        if label is None:
            raise
        where = f" (line {error.line} of the source it would make)" if error.line else ""
        raise LeafletError(
            f"the leaflet made from this label would not be valid{where}: {error.message}; "
            "nothing was written",
            path=label,
        ) from None


def _sentences(text: str) -> list[str]:
    return [
        sentence
        for line in str(text).splitlines()
        for sentence in re.split(r"(?<=[.!?])\s+", line.strip())
        if sentence
    ]


def differences(old: str, new: str) -> list[str]:
    """What changed between two imports, section by section (a readable diff)."""

    def sections(text: str) -> dict[str, str]:
        data = yaml.safe_load(text) or {}
        found = {"(warning)": data.get("warning", "")}
        for section in data.get("sections", []):
            found[section.get("title") or section.get("kind")] = section.get("text", "")
        found["(revised)"] = str((data.get("source") or {}).get("revised", ""))
        return found

    before, after = sections(old), sections(new)
    lines: list[str] = []
    for title in [*before, *[t for t in after if t not in before]]:
        if title not in after:
            lines.append(f"removed section: {title}")
        elif title not in before:
            lines.append(f"added section: {title}")
        elif before[title] != after[title]:
            lines.append(f"changed: {title}")
            diff = difflib.unified_diff(
                _sentences(before[title]), _sentences(after[title]), lineterm="", n=0
            )
            lines += [f"    {line}" for line in list(diff)[2:] if not line.startswith("@@")]
    return lines


def previous_differences(text: str, target: Path) -> list[str] | None:
    """None for a new file; else what changed since the earlier import (at least one line)."""
    if not target.exists():
        return None
    return differences(target.read_text(encoding="utf-8"), text) or ["no change to the text"]


__all__ = [
    "Defaults",
    "check_source",
    "differences",
    "leaflet_source",
    "parse_expires",
    "previous_differences",
]
