"""A pharmacy's or clinic's identity on a leaflet, refused unless every colour pair is readable."""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BrandError, GlyphError
from ..files import FileTooLarge, NotRegularFile, read_regular_file
from .coverage import glyph_error
from .markup import MarkupError, check_characters
from .safeyaml import read_yaml

MIN_CONTRAST = 4.5
MIN_BODY_CONTRAST = 7.0  # body text is held to WCAG AAA
BODY_TEXT = "#1A1A1A"
MUTED_TEXT = "#4D4D4D"  # footer and secondary text on white
WHITE = "#FFFFFF"
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_KEYS = ("rxleaflet-brand", "name", "address", "phone", "logo", "logo_alt", "colors")
_COLOR_KEYS = ("accent", "warning", "warning_fill")


@dataclass(frozen=True)
class Colors:
    accent: str = "#0B5394"
    warning: str = "#B00020"
    warning_fill: str = "#FDECEA"

    def pairs(self) -> list[tuple[str, str, str, str, float]]:
        """(text role, text colour, background role, background colour, minimum ratio)."""
        return [
            ("accent (headings, title)", self.accent, "white page", WHITE, MIN_CONTRAST),
            (
                "warning (warning heading)",
                self.warning,
                "warning_fill",
                self.warning_fill,
                MIN_CONTRAST,
            ),
            ("warning (expired mark)", self.warning, "white page", WHITE, MIN_CONTRAST),
            ("body text", BODY_TEXT, "warning_fill", self.warning_fill, MIN_BODY_CONTRAST),
            ("body text", BODY_TEXT, "white page", WHITE, MIN_BODY_CONTRAST),
            ("footer text", MUTED_TEXT, "white page", WHITE, MIN_CONTRAST),
        ]


@dataclass(frozen=True)
class Brand:
    name: str | None = None
    address: str | None = None
    phone: str | None = None
    logo: Path | None = None
    logo_alt: str | None = None
    colors: Colors = Colors()


HOUSE_STYLE = Brand()


def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance of ``#RRGGBB``."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio, 1.0 to 21.0."""
    light, dark = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (light + 0.05) / (dark + 0.05)


EXPIRED_BAND_CONTRAST = 7.0


def expired_band_color(colors: Colors) -> str:
    """The fill of the EXPIRED band, under white text: the brand's warning colour, darkened
    until white on it reaches 7:1 (a faint mark is one a pharmacist can miss)."""
    color = colors.warning
    while contrast_ratio(WHITE, color) < EXPIRED_BAND_CONTRAST:
        color = "#" + "".join(f"{int(int(color[i : i + 2], 16) * 0.9):02X}" for i in (1, 3, 5))
    return color


def check_contrast(colors: Colors, path: Path | None = None) -> None:
    """Refuse colours where any text would be hard to read, naming the pair and its ratio."""
    for role, text, background_role, background, minimum in colors.pairs():
        ratio = contrast_ratio(text, background)
        if ratio < minimum:
            shown = math.floor(ratio * 100) / 100  # never round a failing ratio up to the limit
            raise BrandError(
                f"{role} {text} on {background_role} {background} has contrast {shown:.2f}:1; "
                f"at least {minimum}:1 is required — choose a darker or lighter colour",
                path=path,
            )


def load_brand(path: Path) -> Brand:
    """Read and check a brand file (format ``rxleaflet-brand: 1``)."""
    document = read_yaml(Path(path))
    data = document.data

    def fail(key: tuple[str, ...], message: str) -> BrandError:
        return BrandError(message, path=document.path, line=document.line_of(key))

    if not isinstance(data, dict):
        raise fail((), "expected a YAML mapping with 'rxleaflet-brand: 1' and 'name'")
    for key in data:
        if key not in _KEYS:
            raise fail((key,), f"unknown key '{key}'; allowed: {', '.join(_KEYS)}")
    if data.get("rxleaflet-brand") != 1:
        raise fail(("rxleaflet-brand",), "the first line must be 'rxleaflet-brand: 1'")

    def text(key: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                raise fail((key,), f"required key '{key}' is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            raise fail((key,), f"'{key}' must be non-empty text; put it in quotes")
        try:
            check_characters(value)
        except MarkupError as error:
            raise fail((key,), f"{key}: {error}") from None
        problem = glyph_error(value, key)
        if problem:
            raise GlyphError(problem[1], path=document.path, line=document.line_of((key,)))
        return " ".join(value.split())

    colors = _colors(data.get("colors"), fail)
    check_contrast(colors, document.path)
    logo = None
    logo_alt = text("logo_alt")
    if data.get("logo") is not None:
        logo = _logo(document.path, text("logo") or "", fail)
        if not logo_alt:
            raise fail(("logo",), "a logo needs 'logo_alt': the text a screen reader says for it")
    return Brand(
        text("name", required=True), text("address"), text("phone"), logo, logo_alt, colors
    )


def _colors(raw: Any, fail: Any) -> Colors:
    if raw is None:
        return Colors()
    if not isinstance(raw, dict):
        raise fail(("colors",), "colors must be a mapping of accent, warning, warning_fill")
    values = {}
    for key, value in raw.items():
        if key not in _COLOR_KEYS:
            raise fail(
                ("colors", key), f"unknown colour '{key}'; allowed: {', '.join(_COLOR_KEYS)}"
            )
        if not isinstance(value, str) or not _HEX.match(value):
            raise fail(("colors", key), f"colour {key} must be '#RRGGBB' in quotes, not {value!r}")
        values[key] = value.upper()
    return Colors(**values)


_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
MAX_LOGO_BYTES = 2_000_000  # a print logo is tens of kilobytes
MAX_LOGO_PIXELS = 4_000_000  # e.g. 2000 × 2000: ample at 300 dpi for a 3 cm high logo


def _logo(brand_path: Path, name: str, fail: Any) -> Path:
    """The logo's path, after reading and decoding it fully within byte and pixel limits."""
    path = (brand_path.parent / name).resolve()
    try:
        data = read_regular_file(path, MAX_LOGO_BYTES, what="logo")
    except OSError as error:
        raise fail(
            ("logo",),
            f"logo {name!r} cannot be read ({error.strerror}); check the path, "
            "which is relative to the brand file",
        ) from None
    except (FileTooLarge, NotRegularFile) as error:
        raise fail(("logo",), f"logo {name!r} {error}") from None
    if not any(data.startswith(magic) for magic in _IMAGE_MAGIC):
        raise fail(("logo",), f"logo {name!r} is not a PNG or JPEG image")
    from PIL import Image  # Pillow: ReportLab's image library, needed only for brands with logos

    too_many = f"logo {name!r} has more than {MAX_LOGO_PIXELS:,} pixels; scale it down"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our limit is lower
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_LOGO_PIXELS:
                    raise fail(
                        ("logo",),
                        f"logo {name!r} is {width}×{height} pixels; at most "
                        f"{MAX_LOGO_PIXELS:,} pixels are allowed — scale it down",
                    )
                image.verify()  # chunk structure and checksums
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # every pixel decoded: truncated data fails here
    except BrandError:
        raise
    except Image.DecompressionBombError:
        raise fail(("logo",), too_many) from None
    except Exception:  # noqa: BLE001 - any decoder failure means a damaged image
        raise fail(("logo",), f"logo {name!r} is damaged and cannot be decoded") from None
    return path
