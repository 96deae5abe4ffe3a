"""Complex-script text shaped by HarfBuzz, measured and drawn as glyph ids.

Devanagari (and, later, Bengali, Gurmukhi and Arabic script) cannot be drawn one character
per glyph: vowel signs move in front of their consonant, consonant clusters become one
conjunct glyph, Arabic letters take joining forms. ReportLab 5.1 cannot write shaped glyphs
(its ``shaping=True`` writes the unshaped bytes), so a shaped face here is a Type0 font with
Identity-H encoding: the content stream shows glyph ids, widths come from HarfBuzz, and each
shaped run is wrapped in ``/Span <</ActualText …>> BDC … EMC`` so that text extraction
(pdftotext, ``check``) reads the logical characters, not the glyphs' visual order.

uharfbuzz and fontTools are imported only when a shaped face is first used: Latin, Cyrillic
and CJK leaflets never load them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..source.coverage import read_cmap

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
        self._shaped: dict[str, ShapedRun] = {}

    def shape(self, text: str) -> ShapedRun:
        """``text`` shaped (script and direction guessed from its characters), cached."""
        run = self._shaped.get(text)
        if run is None:
            hb = self._hb
            buffer = hb.Buffer()
            buffer.add_str(text)
            buffer.guess_segment_properties()
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
            run = self._shaped[text] = ShapedRun(text, glyphs)
        return run

    def covers(self, char: str) -> bool:
        return self._font.get_nominal_glyph(ord(char)) is not None

    def show(self, run: ShapedRun, size: float, doc: Any) -> str:
        """Content-stream operators showing ``run`` at ``size`` in ``doc``: Tf, then TJ
        (glyph ids, with adjustments where HarfBuzz positions differ from the font's
        advances) inside a Span whose ActualText is the run's logical text."""
        use = self._use(doc)
        widths = self._advances()
        clusters = sorted(run.cluster_starts())
        ends = {
            start: end for start, end in zip(clusters, [*clusters[1:], len(run.text)], strict=True)
        }
        parts: list[str] = []
        rise = 0.0
        for glyph in run.glyphs:
            use.glyph_text.setdefault(glyph.gid, self._text_of(glyph, run, ends))
            if glyph.y_offset != rise:
                parts.append(f"] TJ {_number(glyph.y_offset * size / 1000)} Ts [")
                rise = glyph.y_offset
            if glyph.x_offset:
                parts.append(_number(-glyph.x_offset))
            parts.append(f"<{glyph.gid:04X}>")
            correction = widths[glyph.gid] - glyph.advance + glyph.x_offset
            if abs(correction) > 0.01:
                parts.append(_number(correction))
        shown = f"[{' '.join(parts)}] TJ" + (" 0 Ts" if rise else "")
        actual = run.text.encode("utf-16-be").hex().upper()
        return (
            f"/Span <</ActualText <FEFF{actual}>>> BDC "
            f"/{use.internal_name} {_number(size)} Tf {shown} EMC"
        )

    def _text_of(self, glyph: Glyph, run: ShapedRun, ends: dict[int, int]) -> str:
        """The Unicode text a glyph's ToUnicode entry gives: its own character where the font
        maps one to it, else its cluster's text (a conjunct, a ligature)."""
        code = self._reverse().get(glyph.gid)
        if code is not None:
            return chr(code)
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
        from fontTools.ttLib import TTFont

        font = TTFont(self.path, lazy=True)
        metrics = font["hmtx"].metrics
        scale = 1000 / self.upem
        return [metrics[name][0] * scale for name in font.getGlyphOrder()]

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


def _number(value: float) -> str:
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
