"""Compose a checked leaflet into a story of tagged flowables, in reading order."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..contract import Leaflet, directions_line, dispense_lines
from ..source.brand import BODY_TEXT, MUTED_TEXT, WHITE, expired_band_color
from ..source.coverage import CJK_FACE, FACE_LEADING
from ..source.locales import language_key
from ..source.markup import Block, BulletList, Paragraph, Run
from .flow import Flowable
from .flowables import KEEP_IF_ONE_LINE, Band, Box, Logo, QrLink, Rule, TextBlock, TextStyle
from .fonts import FontSet, fonts_for
from .tagging import StructNode, Tagger

BULLET = "•"
LEADING = 1.35  # line spacing as a multiple of the size (≥ 1.25 required)


@dataclass(frozen=True)
class Typography:
    """Type sizes in points for one print mode."""

    body: float
    small: float  # end matter (≥ 8 pt)
    footer: float
    h1: float
    h2: float
    banner: float
    margin: float
    large_print: bool
    columns: int = 1
    gutter: float = 20.0
    leading: float = LEADING
    tight_leading: float = 1.27
    spacing: float = 1.0  # paragraph spacing, as a share of the usual

    @property
    def expired_mark(self) -> float:
        """The EXPIRED band's type: at least 14 pt, however small the footer."""
        return max(14.0, self.banner, self.footer * 1.3)

    def tightened(self) -> Typography:
        """The same sizes set closer (line spacing still ≥ 125 %), to save a page whose text
        would otherwise be one or two lines long."""
        return dataclasses.replace(self, leading=self.tight_leading, spacing=self.spacing * 0.55)

    @classmethod
    def for_leaflet(cls, leaflet: Leaflet) -> Typography:
        typography = cls.for_mode(leaflet.large_print, leaflet.layout)
        fonts = fonts_for(leaflet.monograph.language)
        spacing = FACE_LEADING.get(fonts.segments(leaflet.locale.words["warning"], False)[0][1])
        if spacing:  # Arabic script: marks above, descenders below; Nastaliq's stacks
            return dataclasses.replace(
                typography,
                leading=spacing,
                tight_leading=max(spacing - 0.1, typography.leading),
                spacing=spacing / LEADING,  # paragraphs and headings apart as much, relatively
            )
        if language_key(leaflet.monograph.language) not in CJK_FACE:
            return typography
        # Chinese and Korean characters fill the whole em and have no ascenders to separate
        # lines: at least 10.5 pt (the usual body size of Chinese print), lines 1.6 apart
        return dataclasses.replace(
            typography, body=max(typography.body, 10.5), leading=1.6, tight_leading=1.5
        )

    @classmethod
    def for_mode(cls, large_print: bool, layout: str = "single") -> Typography:
        if layout == "two-column" and not large_print:
            # the measure of commercial patient sheets: about 50 characters a line
            return cls(
                body=10, small=8.5, footer=9, h1=20, h2=12.5, banner=11.5, margin=40,
                large_print=False, columns=2,
            )  # fmt: skip
        if large_print:
            return cls(
                body=18, small=18, footer=18, h1=28, h2=22, banner=20, margin=48, large_print=True
            )
        return cls(
            body=11, small=9, footer=9, h1=24, h2=14.5, banner=13, margin=54, large_print=False
        )

    def style(
        self,
        size: float,
        color: str = BODY_TEXT,
        *,
        bold: bool = False,
        before: float = 0.0,
        after: float | None = None,
    ) -> TextStyle:
        return TextStyle(
            size,
            round(size * self.leading, 2),
            color,
            bold,
            before * self.spacing,
            (size * 0.6 if after is None else after) * self.spacing,
        )


LEAD_IN_CHARACTERS = 80  # a bold paragraph this short, all bold, is a run-in heading


def _leads_in(paragraph: Paragraph) -> bool:
    """A paragraph that introduces what follows: it ends with ':' ("Call your doctor if:"),
    or is a short paragraph all in bold ("**Cancer**"), a heading in all but name."""
    text = paragraph.plain.rstrip("* ")
    if text.endswith(":"):
        return True
    runs = [run for run in paragraph.runs if run.text.strip()]
    return bool(runs) and all(run.bold for run in runs) and len(text) <= LEAD_IN_CHARACTERS


class _Composer:
    def __init__(self, leaflet: Leaflet, typography: Typography, fonts: FontSet, tagger: Tagger):
        self.leaflet = leaflet
        self.fonts = fonts
        self.tagger = tagger
        self.type = typography
        self.colors = leaflet.brand.colors
        self.story: list[Flowable] = []
        self.bookmarks = 0
        self.key_prefix = ""  # keeps bookmark names unique when leaflets share a document
        drug = leaflet.monograph.drug
        self.names = (drug.name, *drug.brands)  # never split across lines (Chinese text)

    def text(
        self,
        runs: tuple[Run, ...] | list[Run],
        style: TextStyle,
        parent: StructNode,
        role: str = "P",
        *,
        bookmark: int | None = None,
        keep: bool | str = False,
    ) -> TextBlock:
        node = parent.add(role)
        mark = None
        if bookmark is not None:
            self.bookmarks += 1
            key = f"rx{self.key_prefix}{self.bookmarks}"
            mark = (key, "".join(r.text for r in runs), bookmark)
        return TextBlock(
            runs,
            style,
            node=node,
            tagger=self.tagger,
            fonts=self.fonts,
            bookmark=mark,
            keep_with_next=keep,
            unbreakable=self.names,
        )

    def blocks(
        self,
        blocks: tuple[Block, ...],
        parent: StructNode,
        style: TextStyle,
        last_after: float | None = None,
        after_heading: bool = False,
    ) -> list[Flowable]:
        """``after_heading``: the first block follows a heading, which needs two lines of text
        after it on its page: a one-line first paragraph brings the next block's start along."""
        out: list[Flowable] = []
        for index, block in enumerate(blocks):
            if isinstance(block, Paragraph):
                following = blocks[index + 1] if index + 1 < len(blocks) else None
                lead_in = following is not None and _leads_in(block)
                keep: bool | str = lead_in
                if not lead_in and after_heading and index == 0 and following is not None:
                    keep = KEEP_IF_ONE_LINE
                out.append(self.text(block.runs, style, parent, keep=keep))
            elif isinstance(block, BulletList):
                out.extend(self.bullets(block, parent, style))
        if out and last_after is not None:
            out[-1].spaceAfter = last_after
        return out

    def bullets(self, block: BulletList, parent: StructNode, style: TextStyle) -> list[Flowable]:
        list_node = parent.add("L")
        items: list[Flowable] = []
        tight = TextStyle(style.size, style.leading, style.color, style.bold, 0, style.size * 0.3)
        for index, item in enumerate(block.items):
            item_node = list_node.add("LI")
            label = item_node.add("Lbl")
            body = item_node.add("LBody")
            last = index == len(block.items) - 1
            flowable = TextBlock(
                item.runs,
                style if last else tight,
                node=body,
                tagger=self.tagger,
                fonts=self.fonts,
                bullet=(BULLET, label),
                indent=style.size * 1.3,
                unbreakable=self.names,
            )
            flowable.list_position = (index, len(block.items))
            # a list breaks only with two items on each side: the first item goes with the
            # second, the one before last with the last
            count = len(block.items)
            flowable.keep_next = count >= 2 and (index == 0 or index == count - 2)
            items.append(flowable)
        return items

    def compose(self, document: StructNode) -> list[Flowable]:
        leaflet, t = self.leaflet, self.type
        drug = leaflet.monograph.drug
        if leaflet.expired:
            mark = self.text(
                [Run(leaflet.locale.word("expired_mark"), True)],
                t.style(t.expired_mark, WHITE, bold=True, after=0),
                document,
            )
            self.story.append(Band(mark, expired_band_color(self.colors), t.expired_mark * 0.45))
        self.branding(document)
        if leaflet.profile.banner:
            self.story.append(
                self.text(
                    [Run(leaflet.locale.word(leaflet.profile.banner), True)],
                    t.style(t.banner, self.colors.accent, bold=True, after=t.banner * 0.2),
                    document,
                )
            )
        self.story.append(
            self.text(
                [Run(drug.name, True)],
                t.style(t.h1, self.colors.accent, bold=True, after=t.h1 * 0.2),
                document,
                "H1",
                bookmark=0,
                keep=True,
            )
        )
        self.subtitle(document)
        self.story.append(
            Rule(self.colors.accent, 1.5 if not t.large_print else 2.5, t.body * 0.3, t.body * 1.2)
        )
        self.prepared_for(document)
        if leaflet.monograph.warning:
            self.warning(document)
        self.current_version(document)  # after the warning: a QR code never pushes it over
        for flowable in self.story:  # the title block, the record, the warning: full width
            flowable.span = True
        for section in leaflet.monograph.sections:
            node = document.add("Sect")
            heading = leaflet.heading(section.kind, section.title)
            self.story.append(
                self.text(
                    [Run(heading, True)],
                    t.style(
                        t.h2, self.colors.accent, bold=True, before=t.h2 * 0.5, after=t.h2 * 0.35
                    ),
                    node,
                    "H2",
                    bookmark=1,
                    keep=True,
                )
            )
            self.story.extend(
                self.blocks(section.blocks, node, t.style(t.body), after_heading=True)
            )
        self.end_matter(document)
        return self.story

    def branding(self, document: StructNode) -> None:
        brand, t = self.leaflet.brand, self.type
        if not brand.name:
            return
        node = document.add("Sect")
        if brand.logo:
            figure = node.add("Figure", alt=brand.logo_alt)
            logo = Logo(
                str(brand.logo), t.body * 3.2, node=figure, tagger=self.tagger, right=self.fonts.rtl
            )
            self.story.append(logo)
        self.story.append(
            self.text(
                [Run(brand.name, True)],
                t.style(t.body * 1.15, self.colors.accent, bold=True, after=0),
                node,
            )
        )
        contact = " · ".join(part for part in (brand.address, brand.phone) if part)
        if contact:
            self.story.append(self.text([Run(contact)], t.style(t.body, BODY_TEXT, after=0), node))
        self.story.append(Rule(self.colors.accent, 0.75, t.body * 0.4, t.body * 0.8))

    def subtitle(self, document: StructNode) -> None:
        leaflet, t = self.leaflet, self.type
        drug, words = leaflet.monograph.drug, leaflet.locale
        style = t.style(
            t.body * 1.1 if not t.large_print else t.body, MUTED_TEXT, after=t.body * 0.2
        )
        if drug.form:
            self.story.append(self.text([Run(drug.form)], style, document))
        if drug.pronunciation:
            self.story.append(
                self.text(
                    [Run(words.label("pronounced"), True), Run(drug.pronunciation)],
                    style,
                    document,
                )
            )
        if drug.brands:
            self.story.append(
                self.text(
                    [Run(words.label("brands"), True), Run(", ".join(drug.brands))],
                    style,
                    document,
                )
            )

    def prepared_for(self, document: StructNode) -> None:
        """The dispense record in a bordered block: patient data, so private to the page."""
        lines = dispense_lines(self.leaflet)
        if not lines:
            return
        t = self.type
        node = document.add("Sect")
        style = t.style(t.body, BODY_TEXT, after=t.body * 0.15)
        children: list[Flowable] = []
        directions = directions_line(self.leaflet)
        for index, line in enumerate(lines):
            label, colon, value = line.partition(self.leaflet.locale.colon)
            runs = [Run(label + colon, True), Run(value)] if colon else [Run(line, index == 0)]
            block = self.text(runs, style, node)
            block.private = True
            if directions and directions[1] and line == directions[0]:
                node.children[-1].lang = directions[1]  # read aloud in their own language
            children.append(block)
        self.story.append(
            Box(
                children,
                border=self.colors.accent,
                fill=WHITE,
                border_width=1.5 if not t.large_print else 2.5,
                padding=t.body * 0.7,
                continued_label=((), style),
                rtl=self.fonts.rtl,
            )
        )

    def current_version(self, document: StructNode) -> None:
        """A QR code for source.url, with the link in text beside it."""
        url = self.leaflet.monograph.attribution.url
        if not url:
            return
        t, words = self.type, self.leaflet.locale
        node = document.add("Sect")
        figure = node.add("Figure", alt=words.word("qr_alt"))
        text = node.add("P")
        self.story.append(
            QrLink(
                url,
                [Run(words.label("current_version"), True), Run(url)],
                t.style(t.body, BODY_TEXT, after=t.body * 0.8),
                size=t.body * 6,
                figure=figure,
                text_node=text,
                tagger=self.tagger,
                fonts=self.fonts,
            )
        )

    def warning(self, document: StructNode) -> None:
        t, colors = self.type, self.colors
        node = document.add("Sect")
        heading = self.text(
            [Run(self.leaflet.locale.word("warning"), True)],
            t.style(t.h2, colors.warning, bold=True, after=t.h2 * 0.35),
            node,
            "H2",
            bookmark=1,
            keep=True,
        )
        children = [heading, *self.blocks(self.leaflet.monograph.warning, node, t.style(t.body))]
        border = 3.0 if t.large_print else 2.5
        words = self.leaflet.locale
        label = f"{words.word('warning')} {words.word('continued')}"
        self.story.append(
            Box(
                children,
                border=colors.warning,
                fill=colors.warning_fill,
                border_width=border,
                padding=t.body * 0.9,
                continued_label=(
                    tuple(self.fonts.segments(label, True)),
                    t.style(t.body, colors.warning, bold=True),
                ),
                rtl=self.fonts.rtl,
            )
        )

    def end_matter(self, document: StructNode) -> None:
        t, attribution = self.type, self.leaflet.monograph.attribution
        words = self.leaflet.locale
        node = document.add("Sect")
        self.story.append(Rule(MUTED_TEXT, 0.75, t.body * 1.2, t.small * 0.8, keep_next=True))
        style = t.style(t.small, BODY_TEXT, after=t.small * 0.5)
        # never the copyright line alone at the foot of a page, above the same line in the footer
        self.story.append(
            self.text([Run(attribution.copyright)], style, node, keep=KEEP_IF_ONE_LINE)
        )
        for notice in attribution.notices:
            self.story.append(self.text([Run(notice)], style, node))
        self.story.extend(self.blocks(attribution.disclaimer, node, style))
        if attribution.region:
            self.story.append(self.text([Run(attribution.region)], style, node))
        if attribution.revised:
            self.story.append(
                self.text(
                    [Run(words.word("revised", date=words.full_date(attribution.revised)))],
                    style,
                    node,
                )
            )


def compose(
    leaflet: Leaflet,
    typography: Typography,
    fonts: FontSet,
    tagger: Tagger,
    parent: StructNode | None = None,
    key_prefix: str = "",
) -> list[Flowable]:
    """The story for ``leaflet``; structure elements go under ``parent`` (default: the root)."""
    composer = _Composer(leaflet, typography, fonts, tagger)
    composer.key_prefix = key_prefix
    return composer.compose(parent or tagger.root)
