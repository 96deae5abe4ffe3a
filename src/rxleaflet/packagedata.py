"""Read the data files shipped inside the package (profiles, strings, page sizes)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

PAPERS = ("letter", "a4")
LAYOUTS = ("single", "two-column")  # the keys of data/page_sizes.yaml (a test holds them equal)


@cache
def load(relative: str) -> Any:
    """Parse ``data/<relative>`` (trusted YAML shipped with the package)."""
    import yaml  # not needed by --help, which reads only names

    return yaml.safe_load((resources.files(__package__) / "data" / relative).read_text("utf-8"))


@cache
def names(folder: str) -> tuple[str, ...]:
    """Stems of the YAML files in ``data/<folder>``, sorted."""
    entries = (resources.files(__package__) / "data" / folder).iterdir()
    return tuple(sorted(e.name.removesuffix(".yaml") for e in entries if e.name.endswith(".yaml")))
