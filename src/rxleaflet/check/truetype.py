"""A TrueType program's glyphs, read from its raw tables: each glyph's bytes, drawing and
advance by number, and the Unicode cmap looked up by bisection. fontTools names every glyph
before it answers (from the cmap or post table), which takes a second for a CJK face; the
checker only needs numbers."""

from __future__ import annotations

import array
import bisect
import functools
import io
import struct
import sys
from collections.abc import Iterator
from typing import Any

from fontTools.ttLib import TTFont

MAX_FONT_PROGRAM = 20_000_000  # bytes; a larger embedded program is not read


def embedded_program(stream: Any) -> Glyphs | None:
    """The glyphs of an embedded font program (a pikepdf stream), read once per program
    however many passes of one check ask for it; None when it is too large to read."""
    data = stream.read_bytes()
    return _program(data) if len(data) <= MAX_FONT_PROGRAM else None


@functools.lru_cache(maxsize=8)
def _program(data: bytes) -> Glyphs:
    return Glyphs(TTFont(io.BytesIO(data), lazy=True))


class Glyphs:
    """A TrueType program's glyphs by number: each one's bytes in the glyf table (cheap to
    compare), its decoded drawing (when the bytes differ) and its advance. Read from the raw
    tables: naming a CJK face's 65,000 glyphs, as fontTools does first, takes a second."""

    def __init__(self, font: TTFont):
        self.font = font
        count = font["maxp"].numGlyphs
        font.setGlyphOrder([f"g{gid}" for gid in range(count)])  # no names from cmap or post
        self.raw = font.reader["glyf"]
        long_offsets = font["head"].indexToLocFormat == 1
        offsets = array.array("I" if long_offsets else "H", font.reader["loca"])
        if sys.byteorder == "little":
            offsets.byteswap()
        self.offsets = offsets if long_offsets else [2 * o for o in offsets]
        self.count = min(count, len(self.offsets) - 1)
        self.metrics = font.reader["hmtx"]
        self.long_metrics = font["hhea"].numberOfHMetrics
        self.units = font["head"].unitsPerEm

    def data(self, gid: int) -> bytes:
        if not 0 <= gid < self.count:
            return b""
        return self.raw[self.offsets[gid] : self.offsets[gid + 1]]

    def blank(self, gid: int) -> bool:
        data = self.data(gid)
        return len(data) < 10 or int.from_bytes(data[:2], "big", signed=True) == 0

    def advance(self, gid: int) -> int:
        at = 4 * min(gid, self.long_metrics - 1)
        return int.from_bytes(self.metrics[at : at + 2], "big") * 1000 // self.units

    def drawing(self, gid: int) -> tuple[Any, ...]:
        """Points, contour ends and on-curve flags, components resolved."""
        glyf = self.font["glyf"]
        coordinates, ends, flags = glyf[f"g{gid}"].getCoordinates(glyf)
        return tuple(coordinates.array), tuple(ends), bytes(f & 1 for f in flags)

    @functools.cached_property
    def cmap(self) -> UnicodeCmap:
        return UnicodeCmap(self.font.reader["cmap"])

    def character(self, code: int) -> int | None:
        """The glyph the font's Unicode cmap gives a character."""
        return self.cmap.get(code)


def same_glyph(one: Glyphs, first: int, other: Glyphs, second: int) -> bool:
    """The same drawing and advance. Simple glyphs are compared as bytes first (subsetters
    copy them, give or take the zero padding that aligns the next glyph); composite glyphs,
    whose component numbers a subsetter renumbers, by their decoded points."""
    if one.advance(first) != other.advance(second):
        return False
    a, b = one.data(first), other.data(second)
    if a.rstrip(b"\0") == b.rstrip(b"\0") and not a.startswith(b"\xff\xff"):
        return True
    try:
        return one.drawing(first) == other.drawing(second)
    except Exception:  # noqa: BLE001 - glyph data fontTools cannot decode is not the face's
        return False


def outline_key(glyphs: Glyphs, gid: int) -> tuple[Any, ...]:
    """What identifies a glyph across subsets that renumber glyphs: its advance and its bytes
    (a simple glyph's, without padding) or decoded points (a composite's, whose component
    numbers change)."""
    data = glyphs.data(gid)
    if data.startswith(b"\xff\xff"):
        try:
            return (glyphs.advance(gid), glyphs.drawing(gid))
        except Exception:  # noqa: BLE001 - a composite fontTools cannot decode
            return (glyphs.advance(gid), data)
    return (glyphs.advance(gid), data.rstrip(b"\0"))


class UnicodeCmap:
    """Character → glyph through a cmap table's Unicode subtable (format 12, else 4), looked up
    in the raw bytes by bisection."""

    def __init__(self, table: bytes):
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.firsts: list[int] = []  # format 12: the first glyph of each group
        self.deltas: list[int] = []  # format 4
        self.offsets: list[int] = []
        self.table, self.format, self.base = table, 0, 0
        subtables = {}
        for index in range(int.from_bytes(table[2:4], "big")):
            platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * index)
            subtables[(platform, encoding)] = offset
        for key in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3)):
            offset = subtables.get(key)
            if offset is None:
                continue
            kind = int.from_bytes(table[offset : offset + 2], "big")
            if kind == 12:
                count = int.from_bytes(table[offset + 12 : offset + 16], "big")
                groups = struct.unpack_from(f">{3 * count}I", table, offset + 16)
                self.starts, self.ends, self.firsts = groups[0::3], groups[1::3], groups[2::3]
                self.format = 12
                return
            if kind == 4:
                segments = int.from_bytes(table[offset + 6 : offset + 8], "big") // 2
                at = offset + 14
                self.ends = struct.unpack_from(f">{segments}H", table, at)
                self.starts = struct.unpack_from(f">{segments}H", table, at + 2 * segments + 2)
                self.deltas = struct.unpack_from(f">{segments}h", table, at + 4 * segments + 2)
                self.base = at + 6 * segments + 2
                self.offsets = struct.unpack_from(f">{segments}H", table, self.base)
                self.format = 4
                return

    def items(self) -> Iterator[tuple[int, int]]:
        """(character, glyph) for every character the subtable maps."""
        for start, end in zip(self.starts, self.ends, strict=True):
            for code in range(start, min(end, 0x10FFFF) + 1):
                gid = self.get(code)
                if gid is not None:
                    yield code, gid

    def glyphs(self) -> frozenset[int]:
        """Every glyph some character maps to."""
        return frozenset(gid for _, gid in self.items())

    def get(self, code: int) -> int | None:
        index = bisect.bisect_left(self.ends, code)
        if index >= len(self.ends) or code < self.starts[index]:
            return None
        if self.format == 12:
            gid = self.firsts[index] + code - self.starts[index]
        elif self.offsets[index] == 0:
            gid = (code + self.deltas[index]) & 0xFFFF
        else:
            at = self.base + 2 * index + self.offsets[index] + 2 * (code - self.starts[index])
            gid = int.from_bytes(self.table[at : at + 2], "big")
            gid = (gid + self.deltas[index]) & 0xFFFF if gid else 0
        return gid or None


def program_tables(program: bytes) -> tuple[set[str], set[tuple[int, int]]]:
    """A TrueType program's table tags and its cmap's (platform, encoding) subtables."""
    font = TTFont(io.BytesIO(program), lazy=True)
    tables = set(font.reader.keys())
    cmap = font.reader["cmap"] if "cmap" in tables else b"\0\0\0\0"
    count = int.from_bytes(cmap[2:4], "big")
    subtables = {struct.unpack_from(">HH", cmap, 4 + 8 * i) for i in range(count)}
    return tables, subtables
