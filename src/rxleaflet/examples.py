"""``rxleaflet examples``: the example brand and dispense record, copied out of the package so
that the README's examples work from an installed wheel as they do in a checkout."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .output import write_atomic
from .packagedata import bundled_folder

FILES = ("brand/brand.yaml", "brand/logo.png", "brand/README.md", "record.yaml")


def copy_examples(folder: Path) -> Iterator[tuple[Path, bool]]:
    """Copy each example file into ``folder``; yield its path and whether it was written (a file
    already there is kept, never overwritten)."""
    shipped = bundled_folder("examples", "examples")
    for name in FILES:
        target = Path(folder) / name
        if target.exists():
            yield target, False
            continue
        write_atomic(target, (shipped / name).read_bytes())
        yield target, True
