"""Complex-script text shaped by HarfBuzz, measured and drawn as glyph ids.

Devanagari (and, later, Bengali, Gurmukhi and Arabic script) cannot be drawn one character
per glyph: vowel signs move in front of their consonant, consonant clusters become one
conjunct glyph, Arabic letters take joining forms. ReportLab 5.1 cannot write shaped glyphs
(its ``shaping=True`` writes the unshaped bytes), so a shaped face here is a Type0 font with
Identity-H encoding: the content stream shows glyph ids, widths come from HarfBuzz, and each
shaped run is wrapped in ``/Span <</ActualText …>> BDC … EMC`` so that text extraction
(pdftotext, ``check``) reads the logical characters, not the glyphs' visual order.

uharfbuzz is imported only when a shaped face is first used: Latin, Cyrillic and CJK leaflets
never load it. The face's metrics, its PostScript name and its subset for each PDF are read
from the font's tables directly (sfnt.py, gidsubset.py): rendering never imports fontTools.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from unicodedata import category

from ..source.coverage import read_cmap
from . import sfnt

__all__ = ["Glyph", "ShapedFace", "ShapedRun", "shaped_face", "register_shaped_face"]


@dataclass(frozen=True)
class Glyph:
    """One positioned glyph, in thousandths of an em (PDF text space units)."""

    gid: int
    cluster: int  # index into the run's text of the first character this glyph belongs to
    advance: float
    x_offset: float = 0.0
    y_offset: float = 0.0


@dataclass(frozen=True)
class ShapedRun:
    """A run of text as HarfBuzz shaped it: its glyphs in visual order, and its width."""

    text: str
    glyphs: tuple[Glyph, ...]

    @property
    def advance(self) -> float:
        return sum(glyph.advance for glyph in self.glyphs)

    def width(self, size: float) -> float:
        return self.advance * size / 1000

    @property
    def rtl(self) -> bool:
        """Whether HarfBuzz set it right to left: its glyphs' clusters then run backwards."""
        return len(self.glyphs) > 1 and self.glyphs[0].cluster > self.glyphs[-1].cluster

    def cluster_starts(self) -> frozenset[int]:
        """Indices of ``text`` where a cluster starts: the only places a line may break."""
        return frozenset(glyph.cluster for glyph in self.glyphs)


@dataclass
class _DocumentUse:
    """Which glyphs one PDF document showed in a face, and the text each stands for."""

    internal_name: str
    glyph_text: dict[int, str] = field(default_factory=dict)


class ShapedFace:
    """A TrueType face shaped by HarfBuzz and written as a Type0/CIDFontType2 font."""

    def __init__(self, name: str, path: Path):
        self.name = name
        self.path = path
        self.data = path.read_bytes()
        import uharfbuzz

        self._hb = uharfbuzz
        face = uharfbuzz.Face(uharfbuzz.Blob(self.data))
        self._font = uharfbuzz.Font(face)
        self.upem = face.upem
        self._uses: dict[int, _DocumentUse] = {}  # by id() of the PDF document
        self._reverse_cmap: dict[int, int] | None = None
        self._shaped: dict[tuple[str, bool | None], ShapedRun] = {}

    def shape(self, text: str, rtl: bool | None = None) -> ShapedRun:
        """``text`` shaped, cached: script guessed from its characters, direction too unless
        ``rtl`` says it (the bidi level of a run in a right-to-left line: a space or a
        bracket there is set right-to-left, a bracket mirrored). Glyphs come in visual order."""
        key = (text, rtl)
        run = self._shaped.get(key)
        if run is None:
            hb = self._hb
            buffer = hb.Buffer()
            buffer.add_str(text)
            buffer.guess_segment_properties()
            if rtl is not None:
                buffer.direction = "rtl" if rtl else "ltr"
            hb.shape(self._font, buffer, {})
            scale = 1000 / self.upem
            glyphs = tuple(
                Glyph(
                    info.codepoint,
                    info.cluster,
                    position.x_advance * scale,
                    position.x_offset * scale,
                    position.y_offset * scale,
                )
                for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)
            )
            run = self._shaped[key] = ShapedRun(text, glyphs)
        return run

    def covers(self, char: str) -> bool:
        return self._font.get_nominal_glyph(ord(char)) is not None

    def show(self, run: ShapedRun, size: float, doc: Any) -> str:
        """Content-stream operators showing ``run`` at ``size`` in ``doc``: Tf, then TJ
        (glyph ids, with adjustments where HarfBuzz positions differ from the font's
        advances) inside a Span whose ActualText is the run's logical text.

        A right-to-left run is shown cluster by cluster in LOGICAL order, each cluster moved
        to its place and in a Span of its own: ``check`` reads the content in order, and
        pdftotext, which takes the text of one span as written left to right, reorders the
        clusters by position as it does any right-to-left text."""
        use = self._use(doc)
        clusters = sorted(run.cluster_starts())
        ends = {
            start: end for start, end in zip(clusters, [*clusters[1:], len(run.text)], strict=True)
        }
        for glyph in run.glyphs:
            use.glyph_text.setdefault(glyph.gid, self._text_of(glyph, run, ends))
        lefts: list[float] = []  # each glyph's left edge in the run, in visual order
        pens: list[float] = []  # the pen's position as each glyph is drawn
        pen = 0.0
        for glyph in run.glyphs:
            pens.append(pen)
            lefts.append(pen + glyph.x_offset)
            pen += glyph.advance
        writer = _TJWriter(self._advances(), size)
        if not run.rtl:
            for index, glyph in enumerate(run.glyphs):
                writer.glyph(glyph, lefts[index])
            writer.end(pen)
            actual = _utf16_hex(run.text)
            return (
                f"/Span <</ActualText <FEFF{actual}>>> BDC "
                f"/{use.internal_name} {_number(size)} Tf {writer.text()} EMC"
            )
        blank = Glyph(self._empty(use), 0, 0.0)  # on the baseline: a span's edge
        glyphs = run.glyphs
        for text, indices in _logical_clusters(run, ends):
            main = max(indices, key=lambda index: glyphs[index].advance)
            joiner = category(text[0]) == "Cf"  # its glyph, a hidden space, is not drawn
            left = min([pens[index] for index in indices])  # the cluster's extent
            right = left + sum([glyphs[index].advance for index in indices])
            # One span per character: pdftotext reverses the characters of a span unless they
            # are all right-to-left letters. The first holds the cluster's glyphs between empty
            # glyphs on the baseline at its edges, so that the span covers the cluster exactly
            # (a gap reads as a space, a raised start as another line); a mark or joiner is
            # an empty glyph a hair left of the cluster, where pdftotext, reading right to
            # left, puts it after.
            for position, char in enumerate(text):
                writer.parts.append(_span_of(char))
                if position == 0 and not joiner:
                    others = [index for index in indices if index != main]
                    writer.glyph(blank, left)
                    for index in [*others, main]:
                        writer.glyph(glyphs[index], lefts[index])
                    if abs(writer.at - right) > 0.01:
                        writer.glyph(blank, right)
                else:
                    writer.glyph(blank, left - _HAIR)
                writer.parts.append("] TJ EMC [")
        writer.end(pen)
        return f"/{use.internal_name} {_number(size)} Tf {writer.text()}"

    @cache  # noqa: B019 - one per face, faces live for the process
    def _empty_gid(self) -> int:
        """A glyph that draws nothing and does not move the pen (``.null``, U+200B)."""
        return sfnt.empty_glyph(sfnt.tables(self.data))

    def _empty(self, use: _DocumentUse) -> int:
        gid = self._empty_gid()
        use.glyph_text.setdefault(gid, "\N{ZERO WIDTH SPACE}")
        return gid

    def _text_of(self, glyph: Glyph, run: ShapedRun, ends: dict[int, int]) -> str:
        """The Unicode text a glyph's ToUnicode entry gives: its own character where the font
        maps one to it, else its cluster's text (a conjunct, a ligature). A right-to-left run's
        glyph that the font maps no character to and that takes no room (a letter's dots in
        Naskh, a piece of a Nastaliq letter) is part of a letter, not one: a zero width space,
        so that extractors that read glyphs, not ActualText, do not see a tiny extra letter."""
        code = self._reverse().get(glyph.gid)
        if code is not None:
            return chr(code)
        if run.rtl and not glyph.advance:
            return "\N{ZERO WIDTH SPACE}"
        return run.text[glyph.cluster : ends[glyph.cluster]] or "\N{REPLACEMENT CHARACTER}"

    def _reverse(self) -> dict[int, int]:
        if self._reverse_cmap is None:
            reverse: dict[int, int] = {}
            for code, gid in sorted(self._cmap().items(), reverse=True):
                reverse[gid] = code  # the lowest code point wins, deterministically
            self._reverse_cmap = reverse
        return self._reverse_cmap

    def _cmap(self) -> dict[int, int]:
        return read_cmap(self.data)

    @cache  # noqa: B019 - one per face, faces live for the process
    def _advances(self) -> list[float]:
        scale = 1000 / self.upem
        return [advance * scale for advance in sfnt.advances(sfnt.tables(self.data))]

    def _use(self, doc: Any) -> _DocumentUse:
        use = self._uses.get(id(doc))
        if use is None:
            internal = f"S{len(doc.fontMapping) + 1}"
            doc.fontMapping[self.name] = "/" + internal
            doc.delayedFonts.append(self)
            use = self._uses[id(doc)] = _DocumentUse(internal)
        return use

    def addObjects(self, doc: Any) -> None:  # noqa: N802 - ReportLab calls it by this name
        """Called by ReportLab as it saves ``doc``: the font objects for the glyphs used."""
        from .cidfont import add_cid_font

        use = self._uses.pop(id(doc))
        add_cid_font(doc, self, use.internal_name, use.glyph_text)

    def subset_tag(self, gids: list[int]) -> str:
        digest = hashlib.sha256(repr((self.name, gids)).encode()).digest()
        return "".join(chr(ord("A") + byte % 26) for byte in digest[:6])


class _TJWriter:
    """A TJ array's parts: glyph ids placed at given left edges (thousandths of an em), with
    the adjustments and text rise that take the pen there."""

    def __init__(self, widths: list[float], size: float):
        self.widths = widths  # each glyph's advance in the font (what the PDF viewer moves by)
        self.size = size
        self.parts: list[str] = []
        self.at = 0.0  # where the next glyph would be drawn
        self.rise = 0.0

    def glyph(self, glyph: Glyph, left: float) -> None:
        if glyph.y_offset != self.rise:
            self.parts.append(f"] TJ {_number(glyph.y_offset * self.size / 1000)} Ts [")
            self.rise = glyph.y_offset
        if abs(self.at - left) > 0.01:
            self.parts.append(_number(self.at - left))
        self.parts.append(f"<{glyph.gid:04X}>")
        self.at = left + self.widths[glyph.gid]

    def end(self, pen: float) -> None:
        """Take the pen to the run's end, where HarfBuzz's advances put it."""
        if abs(self.at - pen) > 0.01:
            self.parts.append(_number(self.at - pen))

    def text(self) -> str:
        shown = f"[{' '.join(self.parts)}] TJ".replace("[] TJ ", "").replace(" [] TJ", "")
        return shown + (" 0 Ts" if self.rise else "")


def _logical_clusters(run: ShapedRun, ends: dict[int, int]) -> list[tuple[str, list[int]]]:
    """A right-to-left run's clusters in logical order: (their text, their glyphs' indices in
    visual order). A cluster of format characters only (ZWNJ, ZWJ) joins the one before it:
    its glyph draws nothing and would make a word break for a text extractor."""
    groups: list[tuple[int, list[int]]] = []
    for index, glyph in enumerate(run.glyphs):
        if groups and groups[-1][0] == glyph.cluster:
            groups[-1][1].append(index)
        else:
            groups.append((glyph.cluster, [index]))
    out: list[tuple[str, list[int]]] = []
    for cluster, indices in reversed(groups):
        text = run.text[cluster : ends[cluster]]
        out.append((text, indices))
    return out


_HAIR = 5.0  # thousandths of an em: a mark's or joiner's place left of its cluster


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


@lru_cache(maxsize=4096)
def _span_of(char: str) -> str:
    """The opening of one character's ActualText span inside a TJ array (made once per
    character per process: a right-to-left line has a span per character)."""
    return f"] TJ /Span <</ActualText <FEFF{_utf16_hex(char)}>>> BDC ["


@lru_cache(maxsize=65536)
def _number(value: float) -> str:
    """``value`` with at most two decimals, as few as needed (kept per value: a run's
    adjustments repeat)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_FACES: dict[str, ShapedFace] = {}


def register_shaped_face(name: str, path: Path) -> ShapedFace:
    face = _FACES.get(name)
    if face is None:
        face = _FACES[name] = ShapedFace(name, path)
    return face


def shaped_face(name: str) -> ShapedFace | None:
    """The shaped face called ``name``, or None for an ordinary (ReportLab) font."""
    return _FACES.get(name)
