"""Read the data files shipped inside the package (profiles, strings, page sizes), and the
kept data the package makes for itself (compiled code, regular-expression programs, fonts'
parses)."""

from __future__ import annotations

import marshal
import zlib
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).parent  # installed as files (wheel or editable), never zipped;
# plain paths: importlib.resources costs --help about 15 ms of imports
PAPERS = ("letter", "a4")
LAYOUTS = ("single", "two-column")  # the keys of data/page_sizes.yaml (a test holds them equal)


@cache
def load(relative: str) -> Any:
    """Parse ``data/<relative>`` (trusted YAML shipped with the package), with libyaml when
    PyYAML has it: the pure-Python parser takes ten times as long (a cold render read its
    data files in about 60 ms instead of 6)."""
    import yaml  # not needed by --help, which reads only names

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((PACKAGE / "data" / relative).read_text("utf-8"), Loader=loader)


@cache
def names(folder: str) -> tuple[str, ...]:
    """Stems of the YAML files in ``data/<folder>``, sorted."""
    entries = (PACKAGE / "data" / folder).iterdir()
    return tuple(sorted(e.name.removesuffix(".yaml") for e in entries if e.name.endswith(".yaml")))


def bundled_folder(packaged: str, checkout: str) -> Path:
    """A folder the wheel carries inside the package (``rxleaflet/<packaged>``: fonts, the
    leaflet library, the examples), else the checkout's ``<checkout>`` (an editable install
    reads them from the checkout; see hatch_build.py)."""
    inside = PACKAGE / packaged
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / checkout


def read_kept(path: Path) -> dict[Any, Any] | None:
    """A kept data file (a dict, marshalled and compressed), or None when it is missing,
    unreadable, damaged or not a dict, whatever the error: the caller then makes afresh what
    the file would have held."""
    try:
        kept = marshal.loads(zlib.decompress(path.read_bytes()))
    except Exception:  # noqa: BLE001 - a file that inflates but is not marshal's can raise anything
        return None
    return kept if isinstance(kept, dict) else None


def write_kept(path: Path, kept: dict[Any, Any]) -> Path:
    """Write a kept data file: a reader sees the old file or the new one."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(zlib.compress(marshal.dumps(kept), 9))
    partial.replace(path)
    return path
