"""The same leaflet made by other engines (Typst, WeasyPrint), as a reviewer would receive it.

These are good leaflets that rxleaflet did not make: `check` must pass them without a source
and without false alarms. Each engine gets the leaflet's text, headings, warning box, end matter
and a running footer (copyright, expiry, "Page N of M"), tagged as PDF/UA-1.
"""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path

from rxleaflet.contract import Leaflet, document_title, expiry_line, prepare
from rxleaflet.pipeline import RenderOptions
from rxleaflet.source.coverage import fonts_folder
from rxleaflet.source.locales import language_key
from rxleaflet.source.markup import Block, BulletList, Paragraph

from .conftest import TODAY


def available(module: str) -> str | None:
    """None when the engine can run here, else why not."""
    if importlib.util.find_spec(module) is None:
        return f"{module} is not installed (it comes with the test extra)"
    if module == "weasyprint":
        try:
            import weasyprint  # noqa: F401 - needs Pango from the system
        except OSError as error:
            return f"WeasyPrint cannot load its system libraries: {error}"
    return None


def _leaflet(source: Path) -> Leaflet:
    return prepare(source, RenderOptions(as_of=TODAY, allow_expired=True))


# -- Typst --------------------------------------------------------------------------------------


def _typst_text(text: str, bold: bool = False) -> str:
    literal = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"#strong({literal})" if bold else f"#{literal}"


def _typst_blocks(blocks: tuple[Block, ...]) -> list[str]:
    out = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append("".join(_typst_text(r.text, r.bold) for r in block.runs) + "\n")
        elif isinstance(block, BulletList):
            for item in block.items:
                out.append("- " + "".join(_typst_text(r.text, r.bold) for r in item.runs))
            out.append("")
    return out


_CJK = {"zh-Hans": "Noto Sans SC", "zh-Hant": "Noto Sans TC", "ko": "Noto Sans KR"}


def _families(language: str) -> list[str]:
    """Noto Sans, then the CJK faces, the language's own first."""
    own = _CJK.get(language_key(language))
    return ["Noto Sans", *([own] if own else []), *(f for f in _CJK.values() if f != own)]


def _page_pieces(words) -> list[str]:
    """The "Page {n} of {m}" pattern cut into text and the {n}, {m} counters."""
    return re.split(r"(\{n\}|\{m\})", words.words["page"])


def typst_source(leaflet: Leaflet, paper: str = "us-letter") -> str:
    monograph, words = leaflet.monograph, leaflet.locale
    attribution = monograph.attribution
    counters = {"{n}": "#counter(page).display()", "{m}": "#counter(page).final().first()"}
    number = "".join(
        counters.get(piece) or _typst_text(piece) for piece in _page_pieces(words) if piece
    )
    footer = (
        f"{_typst_text(attribution.copyright)} \\ {_typst_text(expiry_line(leaflet))} #h(1fr) "
        f"#context [{number}]"
    )
    families = ", ".join(f'"{family}"' for family in _families(monograph.language))
    lines = [
        f"#set document(title: {_typst_text(document_title(leaflet))[1:]})",
        f'#set text(lang: "{monograph.language.split("-")[0]}", font: ({families}), size: 11pt)',
        f'#set page(paper: "{paper}", margin: (bottom: 3cm), footer: [#set text(size: 8.5pt)\n'
        f"{footer}])",
    ]
    if leaflet.profile.banner:
        banner = _typst_text(words.word(leaflet.profile.banner))
        lines.append(f'#text(size: 13pt, weight: "bold")[{banner}]\n')
    lines.append(f"= {_typst_text(monograph.drug.name)}\n")
    if monograph.drug.pronunciation:
        lines.append(
            _typst_text(words.word("pronounced") + ": " + monograph.drug.pronunciation) + "\n"
        )
    if monograph.warning:
        body = "\n".join(_typst_blocks(monograph.warning))
        lines.append(
            '#block(stroke: 2.5pt + rgb("#B00020"), fill: rgb("#FDECEA"), inset: 10pt)[\n'
            f"== {_typst_text(words.word('warning'))}\n{body}]\n"
        )
    for section in monograph.sections:
        lines.append(f"== {_typst_text(leaflet.heading(section.kind, section.title))}\n")
        lines.extend(_typst_blocks(section.blocks))
    lines.append("#set text(size: 9pt)\n")
    lines.append(_typst_text(attribution.copyright) + "\n")
    lines.extend(_typst_text(notice) + "\n" for notice in attribution.notices)
    lines.extend(_typst_blocks(attribution.disclaimer))
    if attribution.region:
        lines.append(_typst_text(attribution.region) + "\n")
    if attribution.revised:
        lines.append(_typst_text(words.word("revised", date=words.full_date(attribution.revised))))
    return "\n".join(lines)


def typst_pdf(source: Path, folder: Path, paper: str = "us-letter") -> bytes:
    import typst

    document = folder / f"{source.stem}-{paper}.typ"
    document.write_text(typst_source(_leaflet(source), paper), encoding="utf-8")
    target = document.with_suffix(".pdf")
    typst.compile(
        str(document), output=str(target), pdf_standards=["ua-1"],
        font_paths=[str(fonts_folder())], timestamp=1767225600,
    )  # fmt: skip
    return target.read_bytes()


# -- WeasyPrint ---------------------------------------------------------------------------------


def _html_blocks(blocks: tuple[Block, ...]) -> str:
    def runs(paragraph: Paragraph) -> str:
        return "".join(
            f"<strong>{html.escape(r.text)}</strong>" if r.bold else html.escape(r.text)
            for r in paragraph.runs
        )

    out = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(f"<p>{runs(block)}</p>")
        elif isinstance(block, BulletList):
            out.append("<ul>" + "".join(f"<li>{runs(item)}</li>" for item in block.items) + "</ul>")
    return "\n".join(out)


def html_source(leaflet: Leaflet, paper: str = "letter") -> str:
    monograph, words = leaflet.monograph, leaflet.locale
    attribution = monograph.attribution
    counters = {"{n}": "counter(page)", "{m}": "counter(pages)"}
    number = " ".join(counters.get(p) or f'"{p}"' for p in _page_pieces(words) if p)
    families = ", ".join(f"'{family}'" for family in _families(monograph.language))
    css = f"""
      @page {{ size: {paper}; margin: 2cm 2cm 3cm;
        @bottom-left {{ content: "{attribution.copyright}  {expiry_line(leaflet)}";
                        font: 8.5pt {families}; }}
        @bottom-right {{ content: {number}; font: 8.5pt {families}; }} }}
      body {{ font: 11pt/1.35 {families}; }}
      .warning {{ border: 3px solid #B00020; background: #FDECEA; padding: 8px; }}
      .warning h2 {{ color: #B00020; }}
      .end {{ font-size: 9pt; }}
    """
    parts = [
        f'<html lang="{monograph.language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(document_title(leaflet))}</title><style>{css}</style></head><body>"
    ]
    if leaflet.profile.banner:
        parts.append(f"<p><strong>{html.escape(words.word(leaflet.profile.banner))}</strong></p>")
    parts.append(f"<h1>{html.escape(monograph.drug.name)}</h1>")
    if monograph.warning:
        parts.append(
            f'<section class="warning"><h2>{html.escape(words.word("warning"))}</h2>'
            f"{_html_blocks(monograph.warning)}</section>"
        )
    for section in monograph.sections:
        heading = leaflet.heading(section.kind, section.title)
        parts.append(
            f"<section><h2>{html.escape(heading)}</h2>{_html_blocks(section.blocks)}</section>"
        )
    end = [attribution.copyright, *attribution.notices]
    parts.append('<div class="end">' + "".join(f"<p>{html.escape(t)}</p>" for t in end))
    parts.append(_html_blocks(attribution.disclaimer))
    if attribution.region:
        parts.append(f"<p>{html.escape(attribution.region)}</p>")
    if attribution.revised:
        revised = words.word("revised", date=words.full_date(attribution.revised))
        parts.append(f"<p>{html.escape(revised)}</p>")
    parts.append("</div></body></html>")
    return "\n".join(parts)


def weasyprint_pdf(source: Path, paper: str = "letter") -> bytes:
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fonts = weasyprint.text.fonts.FontConfiguration()
    face = "".join(
        f"@font-face {{ font-family: '{family}'; src: url('{(fonts_folder() / name).as_uri()}');"
        f" font-weight: {weight}; }}"
        for family, file in (
            ("Noto Sans", "NotoSans"),
            *((f, f.replace(" ", "")) for f in _CJK.values()),
        )
        for name, weight in ((f"{file}-Regular.ttf", 400), (f"{file}-Bold.ttf", 700))
    )
    document = weasyprint.HTML(string=html_source(_leaflet(source), paper))
    return document.write_pdf(
        stylesheets=[weasyprint.CSS(string=face, font_config=fonts)],
        font_config=fonts,
        pdf_variant="pdf/ua-1",
    )
