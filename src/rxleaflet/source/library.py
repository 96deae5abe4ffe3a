"""Find leaflets in a library folder by path, id, or drug or brand name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import LeafletError, LibraryError
from ..packagedata import bundled_folder
from .hints import close_matches
from .locales import language_key, require_supported
from .monograph import Monograph, load_monograph, normalize_ndc

SOURCE_SUFFIXES = (".yaml", ".yml")


def default_library() -> Path:
    """``./leaflets`` when it exists, else the library bundled with rxleaflet (inside the
    installed wheel, or the checkout's ``leaflets/``)."""
    here = Path("leaflets")
    if here.is_dir():
        return here
    bundled = bundled_folder("library", "leaflets")
    return bundled if bundled.is_dir() else here


def describe_library(folder: Path) -> str:
    """How ``list`` and ``serve`` name the library in use."""
    if Path(folder).resolve() == bundled_folder("library", "leaflets").resolve():
        return f"the bundled library ({folder})"
    return f"the library {folder}"


def source_files(folder: Path) -> list[Path]:
    """Every leaflet source under ``folder``, recursively, in a stable order (hidden files, such
    as the import defaults ``.rxleaflet-import.yaml``, are not leaflets)."""
    return sorted(
        p
        for p in Path(folder).rglob("*")
        if p.suffix in SOURCE_SUFFIXES and p.is_file() and not p.name.startswith(".")
    )


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
    """Whether ``query`` is part of a name, or one of the leaflet's codes."""
    wanted = query.casefold()
    return any(wanted in name.casefold() for name in names_of(leaflet)) or has_code(leaflet, query)


def ndc_candidates(query: str) -> set[str]:
    """The 11-digit NDCs ``query`` may stand for (a 10-digit code without dashes is ambiguous)."""
    text = query.strip()
    normal = normalize_ndc(text)
    if normal:
        return {normal}
    if text.isdigit() and text.isascii() and len(text) == 10:
        return {"0" + text, text[:5] + "0" + text[5:], text[:9] + "0" + text[9:]}
    return set()


def has_code(leaflet: Monograph, query: str) -> bool:
    text = query.strip()
    if text in leaflet.codes.rxcui:
        return True
    return bool(ndc_candidates(text) & set(leaflet.codes.ndc))


def resolve(source: str, library: Path, language: str | None = None) -> Path:
    """The source file for ``source``: a path, else an id, drug or brand name, NDC or RxCUI in
    ``library`` — in ``language`` when given (the same medicine by RxCUI, else by drug name),
    else preferring English."""
    if language is not None:
        require_supported(language)
    as_path = Path(source)
    if as_path.is_dir():
        raise LibraryError(
            f"'{source}' is a folder; to make every leaflet in it use "
            f"'rxleaflet batch {source} -o OUTDIR'"
        )
    if as_path.suffix in SOURCE_SUFFIXES or as_path.is_file():
        if not as_path.is_file():
            raise LibraryError("no such file; check the path", path=as_path)
        if language is None:
            return as_path
        return Catalog.of(library).in_language(load_monograph(as_path), language).path
    if not library.is_dir():
        raise LibraryError(
            f"'{source}' is not a file, and the library folder {library} does not "
            "exist; give a YAML path or --library DIR"
        )
    for suffix in SOURCE_SUFFIXES:  # an id: no need to read the whole library
        direct = library / f"{source}{suffix}"
        if direct.is_file() and language is None:
            return direct
    return Catalog.of(library).find(source, language).path


@dataclass(frozen=True)
class Catalog:
    """The leaflets of a library folder, loaded once, found by name, code and language."""

    folder: Path
    leaflets: list[Monograph]
    errors: list[LeafletError]

    @classmethod
    def of(cls, folder: Path) -> Catalog:
        found = scan(folder)
        return cls(folder, found.leaflets, found.errors)

    def search(self, query: str | None) -> list[Monograph]:
        shown = [m for m in self.leaflets if query is None or matches(m, query)]
        return sorted(shown, key=lambda m: (m.drug.name.casefold(), m.language))

    def find(self, source: str, language: str | None = None) -> Monograph:
        """The leaflet ``source`` names (id, drug or brand name, NDC, RxCUI); in ``language``
        when given, else English when several languages match."""
        wanted = source.casefold()
        hits = [
            leaflet
            for leaflet in self.leaflets
            if any(wanted == name.casefold() for name in names_of(leaflet))
            or has_code(leaflet, source)
        ]
        if hits:
            if language is not None:
                return self.in_language(hits[0], language)
            english = [h for h in hits if language_key(h.language) == "en"]
            chosen = english if len({h.path for h in english}) == 1 else hits
            if len({h.path for h in chosen}) > 1:
                choices = ", ".join(sorted(f"{h.id} ({h.language})" for h in chosen))
                raise LibraryError(
                    f"'{source}' matches several leaflets: {choices}; give the id instead"
                )
            return chosen[0]
        names = {name.casefold(): name for leaflet in self.leaflets for name in names_of(leaflet)}
        close = [names[c] for c in close_matches(wanted, sorted(names), n=3)]
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        broken = (
            f" ({len(self.errors)} files there have errors: run 'rxleaflet validate {self.folder}')"
        )
        raise LibraryError(
            f"no leaflet '{source}' in {self.folder}{broken if self.errors else ''}{hint}"
            + ("" if close else "; see 'rxleaflet list' for what there is")
        )

    def in_language(self, leaflet: Monograph, language: str) -> Monograph:
        """The leaflet of the same medicine in ``language``: same RxCUI, else same drug name."""
        require_supported(language)
        want = language_key(language)
        if language_key(leaflet.language) == want:
            return leaflet
        same = [
            other
            for other in self.leaflets
            if language_key(other.language) == want and same_medicine(other, leaflet)
        ]
        if not same:
            have = self.languages_of(leaflet)
            raise LibraryError(
                f"no {language} leaflet of {leaflet.drug.name} in {self.folder}; it has: "
                f"{', '.join(have) or leaflet.language}"
            )
        return sorted(same, key=lambda m: m.id)[0]

    def languages_of(self, leaflet: Monograph) -> list[str]:
        """Every language the library has this medicine in."""
        return sorted(
            {other.language for other in self.leaflets if same_medicine(other, leaflet)}
            | {leaflet.language}
        )


def same_medicine(a: Monograph, b: Monograph) -> bool:
    return bool(set(a.codes.rxcui) & set(b.codes.rxcui)) or (
        a.drug.name.casefold() == b.drug.name.casefold()
    )
