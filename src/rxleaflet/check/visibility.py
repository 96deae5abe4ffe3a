"""Whether a patient can see each piece of text on a page, judged from how it was drawn.

Text can be in the PDF's text layer and still not be on the paper: drawn in an invisible render
mode, fully transparent, in (nearly) the colour of what lies beneath, covered by a shape or
image drawn later, clipped away, off the page, squeezed to a sliver, or too small to read. Each
of those is reported with the text it hides.
"""

from __future__ import annotations

from dataclasses import dataclass

from .contentscan import Box, Color, Paint, TextRun

MIN_VISIBLE_PT = 6.0
MIN_WIDTH_FACTOR = 0.5  # text squeezed to under half its width is a sliver
MIN_CONTRAST = 1.5  # below this, text is (nearly) the colour of its background
MAX_PAIRS = 4_000_000  # text runs × paints compared per page; more is not analysed
WHITE: Color = (1.0, 1.0, 1.0)


@dataclass(frozen=True)
class Hidden:
    text: str
    reason: str


def hidden_text(runs: list[TextRun], paints: list[Paint], page: Box) -> list[Hidden] | None:
    """The runs a reader cannot see, with why; None when the page is too busy to analyse."""
    if len(runs) * max(1, len(paints)) > MAX_PAIRS:
        return None
    found = []
    opaque = [p for p in paints if p.alpha >= 0.5 and _area(p.box) > 0]
    contrasts: dict[tuple[Color, Color], float] = {}  # a page's few colour pairs, each once
    for run in runs:
        if not run.text.strip():
            continue
        reason = _reason(run, opaque, page, contrasts)
        if reason:
            found.append(Hidden(run.text, reason))
    return found


def _reason(
    run: TextRun, paints: list[Paint], page: Box, contrasts: dict[tuple[Color, Color], float]
) -> str | None:
    if run.render_mode in (3, 7):
        return f"invisible text render mode {run.render_mode}"
    if run.alpha < 0.1:
        return f"fully transparent (opacity {run.alpha:g})"
    if run.size < MIN_VISIBLE_PT:
        return f"{run.size:g} pt, smaller than {MIN_VISIBLE_PT:g} pt"
    if run.width_factor < MIN_WIDTH_FACTOR:
        return f"squeezed to {run.width_factor:.0%} of its width"
    area = _area(run.box)
    if area <= 0:
        return None  # an empty show (spaces only), nothing to see either way
    if _overlap(run.box, page) < 0.5 * area:
        return "off the page"
    if run.clip is not None and _overlap(run.box, run.clip) < 0.5 * area:
        return "clipped away"
    for paint in paints:
        if paint.order > run.order and _overlap(run.box, paint.box) >= 0.5 * area:
            what = "an image" if paint.color is None else "a filled shape"
            return f"covered by {what} drawn after it"
    if run.fill is not None:
        background = _background(run, paints)
        if background is not None:
            pair = (run.fill, background)
            ratio = contrasts.get(pair)
            if ratio is None:
                ratio = contrasts[pair] = contrast(run.fill, background)
            if ratio < MIN_CONTRAST:
                return f"colour contrast {ratio:.2f}:1 against what lies beneath"
    return None


def _background(run: TextRun, paints: list[Paint]) -> Color | None:
    """The colour under the middle of the run: the last paint below it, else the white page;
    None when that is an image or pattern (its colour is unknown)."""
    x = (run.box[0] + run.box[2]) / 2
    y = (run.box[1] + run.box[3]) / 2
    beneath: Color | None = WHITE
    for paint in paints:
        if paint.order > run.order:
            break
        box = paint.box
        if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
            beneath = paint.color
    return beneath


def _area(box: Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _overlap(a: Box, b: Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _luminance(color: Color) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in color]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: Color, b: Color) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
