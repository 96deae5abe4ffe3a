"""What rendering reads of a TrueType font file, straight from its tables: their bytes, each
glyph's advance, an empty glyph, the PostScript name. (fontTools read these for the shaped
faces: 30 ms to import, and more to decompile the tables, at a shaped leaflet's first use.)"""

from __future__ import annotations

from struct import unpack_from

from ..source.coverage import table_places

_ENGLISH = ((1, 0), (3, 0x409))  # (platform, language) of a name record in English
# composite glyph flags (TrueType 'glyf' table)
_ARGS_ARE_WORDS = 1 << 0
_SCALE = 1 << 3
_MORE_COMPONENTS = 1 << 5
_X_AND_Y_SCALE = 1 << 6
_TWO_BY_TWO = 1 << 7


def tables(data: bytes) -> dict[str, bytes]:
    """Each table's bytes, by tag."""
    return {tag: data[at : at + length] for tag, (at, length) in table_places(data).items()}


def glyph_offsets(font: dict[str, bytes]) -> tuple[int, ...]:
    """Where each glyph's outline starts in glyf (one more: where the last ends)."""
    (count,) = unpack_from(">H", font["maxp"], 4)
    if unpack_from(">h", font["head"], 50)[0] == 1:
        return unpack_from(f">{count + 1}I", font["loca"])
    return tuple(2 * offset for offset in unpack_from(f">{count + 1}H", font["loca"]))


def advances(font: dict[str, bytes]) -> list[int]:
    """Each glyph's advance width in font units (the glyphs after the last long metric take
    its advance)."""
    (count,) = unpack_from(">H", font["maxp"], 4)
    (long_metrics,) = unpack_from(">H", font["hhea"], 34)
    widths = list(unpack_from(f">{2 * long_metrics}H", font["hmtx"])[::2])
    return widths + [widths[-1]] * (count - long_metrics)


def side_bearings(font: dict[str, bytes]) -> list[int]:
    """Each glyph's left side bearing in font units."""
    (count,) = unpack_from(">H", font["maxp"], 4)
    (long_metrics,) = unpack_from(">H", font["hhea"], 34)
    hmtx = font["hmtx"]
    return list(unpack_from(f">{2 * long_metrics}h", hmtx)[1::2]) + list(
        unpack_from(f">{count - long_metrics}h", hmtx, 4 * long_metrics)
    )


def empty_glyph(font: dict[str, bytes]) -> int:
    """The first glyph that draws nothing and does not move the pen (0 when there is none)."""
    offsets = glyph_offsets(font)
    glyf = font["glyf"]
    for gid, advance in enumerate(advances(font)):
        start, end = offsets[gid], offsets[gid + 1]
        if advance == 0 and (end == start or unpack_from(">h", glyf, start)[0] == 0):
            return gid
    return 0


def postscript_name(font: dict[str, bytes]) -> str | None:
    """The name table's PostScript name (ID 6): the first English record's (Macintosh or
    Windows), else the first readable one's."""
    table = font["name"]
    _format, count, strings = unpack_from(">HHH", table)
    found = None
    for index in range(count):
        platform, encoding, language, name_id, length, offset = unpack_from(
            ">6H", table, 6 + 12 * index
        )
        if name_id != 6:
            continue
        raw = table[strings + offset : strings + offset + length]
        unicode = platform == 0 or (platform == 3 and encoding in (0, 1, 10))
        if not unicode and platform != 1:
            continue
        try:
            text = raw.decode("utf-16-be") if unicode else raw.decode("mac-roman")
        except UnicodeDecodeError:
            continue
        if (platform, language) in _ENGLISH:
            return text
        found = found if found is not None else text
    return found


def components(outline: bytes) -> list[tuple[int, int, int, int]]:
    """A composite glyph's components: where each record starts and ends in ``outline``, its
    flags and the glyph it names (none for a simple or empty glyph)."""
    if len(outline) < 10 or unpack_from(">h", outline)[0] >= 0:
        return []
    found = []
    at, flags = 10, _MORE_COMPONENTS
    while flags & _MORE_COMPONENTS:
        flags, glyph = unpack_from(">HH", outline, at)
        end = at + 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
        if flags & _SCALE:
            end += 2
        elif flags & _X_AND_Y_SCALE:
            end += 4
        elif flags & _TWO_BY_TWO:
            end += 8
        found.append((at, end, flags, glyph))
        at = end
    return found
