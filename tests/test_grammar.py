"""rxleaflet's own grammar (issue #29 item 4): a PDF that records rxleaflet provenance may use
only what rxleaflet writes; each foreign construct is reported by `check` without a source."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf.generic import ArrayObject, NameObject

from rxleaflet.check import CheckOptions, check_pdf
from rxleaflet.check.grammar import GRAMMAR, foreign_constructs
from rxleaflet.pipeline import RenderOptions, build, prepare

from . import attacks
from .conftest import LIBRARY
from .defects import edit_page_content

AS_OF = dt.date(2025, 11, 1)
INLINE_IMAGE = b"q BI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI Q"


@pytest.fixture(scope="module")
def leaflet() -> bytes:
    source = LIBRARY / "lisinopril.yaml"
    return build(prepare(source, RenderOptions(as_of=AS_OF)), "letter", AS_OF).pdf


def _append(operators: bytes):
    return lambda pdf: edit_page_content(pdf, 0, lambda content: content + b"\n" + operators)


def _separation(pdf: bytes) -> bytes:
    def change(writer) -> None:
        space = ArrayObject([NameObject("/Separation"), NameObject("/Spot"),
                             NameObject("/DeviceGray"), NameObject("/Identity")])  # fmt: skip
        attacks._resource(writer, 0, "/ColorSpace", "/CS9", space)

    return _append(b"/CS9 cs 1 sc")(attacks._rewrite(pdf, change))


def _with_encoding(writer) -> None:
    font = attacks._regular_font(writer)
    font[NameObject("/Encoding")] = NameObject("/WinAnsiEncoding")


FOREIGN = {
    "an unknown operator": (_append(b"0 0 m 1 1 2 2 3 3 c S"), "the content operator c"),
    "a gray fill": (_append(b"1 g"), "the content operator g"),
    "an inline image": (_append(INLINE_IMAGE), "the content operator INLINE IMAGE"),
    "a blend mode": (
        attacks.graphics_state(b"", BM=NameObject("/Screen")),
        "a /ExtGState resource",
    ),
    "a separation colour": (_separation, "a /ColorSpace resource"),
    "a Type 3 font": (attacks.type3_font(b""), "a /Type3 font"),
    "a square annotation": (attacks.square_annotation, "a /Square annotation"),
    "optional content": (attacks.optional_content_off, "the catalog's /OCProperties"),
    "a form XObject": (attacks.cover_in_form, "a /Form XObject"),
    "a user unit": (attacks.user_unit, "the page's /UserUnit"),
    "an ActualText span": (attacks.lying_actual_text, "marked content with /ActualText"),
    "a second cmap subtable": (
        attacks.symbol_cmap_disagrees("n", "u"),
        "a font program's cmap subtables [(1, 0), (3, 0)]",
    ),  # fmt: skip
    "a structure ActualText": (attacks.structure_actual_text, "a structure element's /ActualText"),
    "a font encoding": (lambda pdf: attacks._rewrite(pdf, _with_encoding), "a font's /Encoding"),
}


def test_every_good_variant_is_as_rxleaflet_wrote_it(leaflet: bytes) -> None:
    assert foreign_constructs(leaflet) == []  # the variants, signed leaflets: test_corpus, signing


@pytest.mark.parametrize("name", sorted(FOREIGN))
def test_each_foreign_construct_is_reported(leaflet: bytes, name: str) -> None:
    edit, what = FOREIGN[name]
    report = check_pdf(edit(leaflet), options=CheckOptions(as_of=AS_OF))
    found = [f.message for f in report.errors if f.rule == "foreign-construct"]
    assert any(what in message for message in found), found
    assert all("not as rxleaflet wrote it" in message for message in found)


def test_a_pdf_without_rxleaflet_provenance_is_not_held_to_it(leaflet: bytes) -> None:
    """Other engines write what they like: the same construct, no provenance, no finding."""
    edited = _append(b"1 g")(leaflet)

    def strip(writer) -> None:
        info = writer._info.get_object()
        for key in [k for k in info if str(k).startswith("/RxLeaflet")]:
            del info[key]

    stripped = attacks._rewrite(edited, strip)
    report = check_pdf(stripped, options=CheckOptions(as_of=AS_OF))
    assert "foreign-construct" not in {f.rule for f in report.findings}


def test_the_grammar_is_one_table_of_what_rxleaflet_writes() -> None:
    assert {"BT", "Tj", "re", "rg", "BDC"} <= GRAMMAR["operators"]
    assert not {"gs", "sh", "cs", "scn", "Tr", "Tz", "d0", "d1", "BI"} & GRAMMAR["operators"]
    assert GRAMMAR["resources"] == {"/Font", "/XObject", "/ProcSet"}
