"""Find leaflets in a library folder by path, id, or drug or brand name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import LeafletError, LibraryError
from .monograph import Monograph, load_monograph

SOURCE_SUFFIXES = (".yaml", ".yml")


def default_library() -> Path:
    """``./leaflets`` when it exists, else the library bundled beside the package."""
    here = Path("leaflets")
    if here.is_dir():
        return here
    bundled = Path(__file__).resolve().parents[3] / "leaflets"
    return bundled if bundled.is_dir() else here


def source_files(folder: Path) -> list[Path]:
    """Every leaflet source under ``folder``, recursively, in a stable order."""
    return sorted(p for p in Path(folder).rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file())


@dataclass(frozen=True)
class Scan:
    leaflets: list[Monograph]
    errors: list[LeafletError]


def scan(folder: Path) -> Scan:
    leaflets, errors = [], []
    for path in source_files(folder):
        try:
            leaflets.append(load_monograph(path))
        except LeafletError as error:
            errors.append(error)
    return Scan(leaflets, errors)


def names_of(leaflet: Monograph) -> Iterator[str]:
    yield leaflet.id
    yield leaflet.drug.name
    yield from leaflet.drug.brands


def matches(leaflet: Monograph, query: str) -> bool:
    query = query.casefold()
    return any(query in name.casefold() for name in names_of(leaflet))


def resolve(source: str, library: Path) -> Path:
    """The source file for ``source``: a path, else an id, drug or brand name in ``library``."""
    as_path = Path(source)
    if as_path.suffix in SOURCE_SUFFIXES or as_path.is_file():
        if not as_path.is_file():
            raise LibraryError("no such file; check the path", path=as_path)
        return as_path
    if not library.is_dir():
        raise LibraryError(
            f"'{source}' is not a file, and the library folder {library} does not "
            "exist; give a YAML path or --library DIR"
        )
    for suffix in SOURCE_SUFFIXES:
        direct = library / f"{source}{suffix}"
        if direct.is_file():
            return direct
    found = scan(library)
    wanted = source.casefold()
    hits = [
        leaflet
        for leaflet in found.leaflets
        if any(wanted == name.casefold() for name in names_of(leaflet))
    ]
    if len({leaflet.path for leaflet in hits}) > 1:
        choices = ", ".join(sorted(f"{leaflet.id} ({leaflet.language})" for leaflet in hits))
        raise LibraryError(f"'{source}' matches several leaflets: {choices}; give the id instead")
    if hits:
        return hits[0].path
    broken = f" ({len(found.errors)} files there have errors: run 'rxleaflet validate {library}')"
    raise LibraryError(
        f"no leaflet '{source}' in {library}{broken if found.errors else ''}; "
        "see 'rxleaflet list' for what there is"
    )
