"""The bundled faces, as the checker compares with them: their glyphs, which glyphs their cmap
names, and how HarfBuzz shapes text in them (the glyphs a shaped run must show)."""

from __future__ import annotations

import dataclasses
import functools
import itertools
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont

from ..packagedata import bundled_folder
from .truetype import Glyphs, embedded_program, outline_key

MAX_INDEXED_GLYPHS = 10_000  # faces whose glyphs are found by outline (not CJK faces)


class BundledFace:
    """A bundled face, read on first use and kept for the process."""

    def __init__(self, path: Path):
        self.path = path

    @functools.cached_property
    def glyphs(self) -> Glyphs:
        return Glyphs(TTFont(str(self.path), lazy=True))

    def glyph(self, character: str) -> int | None:
        return self.glyphs.character(ord(character))

    @functools.cached_property
    def nominal_glyphs(self) -> frozenset[int]:
        """The glyphs the cmap gives some character; the others are contextual forms
        (conjuncts, half forms, joining forms) that only shaping selects."""
        return self.glyphs.cmap.glyphs()

    def shaped_clusters(
        self, text: str, direction: str | None = None
    ) -> tuple[tuple[int, int], ...]:
        """(cluster, glyph id) as HarfBuzz draws ``text`` (script and direction from its
        characters unless ``direction`` is "ltr" or "rtl", default features), in its order:
        what rxleaflet's renderer shows for a shaped run. The cluster is the index in
        ``text`` of its first character."""
        import uharfbuzz

        buffer = uharfbuzz.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        if direction is not None:
            buffer.direction = direction
        uharfbuzz.shape(self._harfbuzz_font, buffer, {})
        return tuple((info.cluster, info.codepoint) for info in buffer.glyph_infos)

    @functools.cached_property
    def _by_outline(self) -> dict[tuple[Any, ...], int]:
        index: dict[tuple[Any, ...], int] = {}
        for gid in range(self.glyphs.count):
            index.setdefault(outline_key(self.glyphs, gid), gid)
        return index

    def canonical(self, gid: int) -> int:
        """The first of the face's glyphs drawn exactly like ``gid`` (most are unique)."""
        return self._by_outline.get(outline_key(self.glyphs, gid), gid)

    def glyph_like(self, program: Glyphs, gid: int) -> int | None:
        """The face's (canonical) glyph drawn exactly like another program's glyph ``gid``."""
        return self._by_outline.get(outline_key(program, gid))

    def draws_nothing(self, gid: int) -> bool:
        """A glyph with no outline: a space, a joiner's glyph, an empty placeholder."""
        return self.glyphs.blank(gid)

    @functools.cached_property
    def _harfbuzz_font(self):  # noqa: ANN202 - uharfbuzz is imported lazily
        import uharfbuzz

        return uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob(self.path.read_bytes())))


@functools.cache
def bundled_faces() -> dict[str, BundledFace]:
    """PostScript name → bundled face (each file is named by its face's PostScript name)."""
    return {path.stem: BundledFace(path) for path in bundled_folder("fonts", "fonts").glob("*.ttf")}


def bundled_face(base_font: str) -> BundledFace | None:
    """The bundled face a font's /BaseFont names ("ABCDEF+NotoSans-Regular"), if any."""
    name = base_font.lstrip("/")
    return bundled_faces().get(name.partition("+")[2] or name)


def shaped_face_of(font: Any, program: Glyphs | None = None) -> BundledFace | None:
    """The bundled face a shaped font shows, or None. A shaped font is how rxleaflet writes
    HarfBuzz's output: a Type0 font whose codes are the glyph ids of a bundled face (Identity-H,
    CIDToGIDMap Identity) in a subset that keeps every glyph id in place, so its cmap agrees
    with the face's. Other engines' Type0 subsets (Typst's) renumber the glyphs and are judged
    character by character instead. ``program``: the font's, when the caller has read it."""
    try:
        descendant = font["/DescendantFonts"][0]
        if font["/Encoding"] != "/Identity-H" or descendant["/CIDToGIDMap"] != "/Identity":
            return None
        face = bundled_face(str(font["/BaseFont"]))
        if face is None:
            return None
        if program is None:
            program = embedded_program(descendant["/FontDescriptor"]["/FontFile2"])
        if program is None:
            return None
        mapped = list(itertools.islice(program.cmap.items(), 5000))
    except Exception:  # noqa: BLE001 - a hostile font breaks pikepdf and fontTools many ways
        return None
    if mapped and all(face.glyphs.character(code) == gid for code, gid in mapped):
        return face
    return None


@dataclasses.dataclass(frozen=True)
class DrawnFace:
    """A Type0 font that shows a bundled face's glyphs by glyph id, and how its codes become
    the face's glyphs: directly (rxleaflet's subsets keep the ids), or by outline (other
    engines' subsets renumber them)."""

    face: BundledFace
    program: Glyphs | None  # None: the codes are the face's glyph ids

    def face_glyph(self, code: int) -> int | None:
        if self.program is None:
            return self.face.canonical(code) if code < self.face.glyphs.count else None
        return self.face.glyph_like(self.program, code)


def drawn_face_of(font: Any) -> DrawnFace | None:
    """The bundled face a Type0 font (Identity-H, CIDToGIDMap Identity) draws, if any."""
    face = shaped_face_of(font)
    if face is not None:
        return DrawnFace(face, None)
    try:
        descendant = font["/DescendantFonts"][0]
        if font["/Encoding"] != "/Identity-H" or descendant["/CIDToGIDMap"] != "/Identity":
            return None
        face = bundled_face(str(font["/BaseFont"]))
        if face is None or face.glyphs.count > MAX_INDEXED_GLYPHS:
            return None
        program = embedded_program(descendant["/FontDescriptor"]["/FontFile2"])
        return DrawnFace(face, program) if program is not None else None
    except Exception:  # noqa: BLE001 - a hostile font breaks pikepdf and fontTools many ways
        return None
