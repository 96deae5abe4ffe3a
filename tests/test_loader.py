"""The source loader: format v1, safe YAML, every refusal names the file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rxleaflet.errors import SourceError
from rxleaflet.source.markup import BulletList, Paragraph, Run
from rxleaflet.source.monograph import load_monograph

from .conftest import MINIMAL


def test_minimal_leaflet_loads_into_frozen_objects(write_source) -> None:
    leaflet = load_monograph(write_source())
    assert leaflet.id == "testdrug"
    assert leaflet.profile == "monograph"
    assert leaflet.drug.name == "Testdrug"
    assert leaflet.sections[0].kind == "uses"
    assert leaflet.sections[0].blocks == (Paragraph((Run("Testdrug treats testing."),)),)
    assert leaflet.attribution.expires == dt.date(2027, 6, 30)
    assert len(leaflet.sha256) == 64
    with pytest.raises(AttributeError):
        leaflet.id = "other"  # type: ignore[misc]


def refusal(path: Path) -> str:
    with pytest.raises(SourceError) as caught:
        load_monograph(path)
    return str(caught.value)


def test_python_tags_are_refused_and_never_executed(write_source, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = MINIMAL.replace(
        "name: Testdrug", f"name: !!python/object/apply:os.system ['touch {marker}']"
    )
    message = refusal(write_source(text))
    assert "testdrug.yaml:5:" in message
    assert "YAML tags (tag:yaml.org,2002:python/object/apply:os.system) are not allowed" in message
    assert not marker.exists()


def test_billion_laughs_is_refused_quickly(write_source) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        previous = chr(ord("a") + index - 1)
        current = chr(ord("a") + index)
        lines.append(f"{current}: &{current} [{','.join(['*' + previous] * 9)}]")
    # refused at the first anchor, before anything is composed, so nothing is ever expanded
    message = refusal(write_source("\n".join(lines) + "\n"))
    assert "testdrug.yaml:1: YAML anchors (&a) are not allowed" in message


def test_aliases_are_refused(write_source) -> None:
    text = MINIMAL.replace("name: Testdrug", "name: *x")
    assert "YAML aliases (*x) are not allowed" in refusal(write_source(text))


def test_latin1_file_gets_encoding_error_with_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(MINIMAL.replace("Testdrug treats", "Caf\u00e9 treats").encode("latin-1"))
    message = refusal(path)
    assert message == f"{path}:11: not valid UTF-8 (byte 0xE9); save the file as UTF-8"


def test_file_over_one_megabyte_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(MINIMAL + "#" * 1_000_001, encoding="utf-8")
    assert "the limit for a YAML file is 1,000,000 bytes (1 MB)" in refusal(path)


def test_unknown_key_gets_did_you_mean_hint(write_source) -> None:
    text = MINIMAL.replace("warning: |", "warnng: |")
    message = refusal(write_source(text))
    assert message.endswith(
        "testdrug.yaml:6: unknown key 'warnng' (did you mean 'warning'?); allowed here: "
        "rxleaflet, id, language, profile, drug, codes, warning, sections, source"
    )


def test_unknown_nested_key_names_its_path(write_source) -> None:
    text = MINIMAL.replace("  name: Testdrug", "  name: Testdrug\n  brand: [X]")
    assert "unknown key 'drug.brand' (did you mean 'brands'?)" in refusal(write_source(text))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2027-06", dt.date(2027, 6, 30)),
        ("2027-06-15", dt.date(2027, 6, 15)),
        ('"2027-06-15"', dt.date(2027, 6, 15)),
        ("2028-02", dt.date(2028, 2, 29)),
    ],
)
def test_expires_accepts_month_and_day(write_source, written: str, expected: dt.date) -> None:
    path = write_source(replace={"expires: 2027-06": f"expires: {written}"})
    assert load_monograph(path).attribution.expires == expected


@pytest.mark.parametrize("written", ["2027", "2027-13", "June 2027", "2027-06-31"])
def test_bad_expiry_is_refused(write_source, written: str) -> None:
    message = refusal(write_source(replace={"expires: 2027-06": f"expires: {written}"}))
    assert ":19: " in message


@pytest.mark.parametrize("bad_id", ["../../x", "Testdrug", "-x", "a" * 65, "x y"])
def test_id_must_match_pattern(write_source, bad_id: str) -> None:
    message = refusal(write_source(replace={"id: testdrug": f"id: '{bad_id}'"}))
    assert ":2: id " in message and "is not allowed" in message


def test_unsupported_language_lists_supported(write_source) -> None:
    message = refusal(write_source(replace={"language: en-US": "language: sw-KE"}))
    assert ":3: language 'sw-KE' is not supported; use one of: " in message
    assert ": ar Arabic (العربية), bn Bengali (বাংলা), en English, es Spanish" in message


def test_unknown_profile_is_refused_with_hint(write_source) -> None:
    message = refusal(
        write_source(replace={"language: en-US": "language: en-US\nprofile: medguide"})
    )
    assert "unknown profile 'medguide'" in message and "medication-guide" in message


def test_duplicate_key_is_refused(write_source) -> None:
    message = refusal(write_source(replace={"id: testdrug": "id: testdrug\nid: other"}))
    assert ":3: duplicate key 'id'; keep only one" in message


def test_unknown_section_kind(write_source) -> None:
    message = refusal(write_source(replace={"kind: uses": "kind: usage"}))
    assert ":9: unknown section kind 'usage' (did you mean 'uses'?)" in message


def test_custom_section_requires_title(write_source) -> None:
    message = refusal(write_source(replace={"kind: uses": "kind: custom"}))
    assert "a 'custom' section needs a 'title'" in message


def test_missing_required_key(write_source) -> None:
    text = MINIMAL.replace('  copyright: "Copyright © 2026 Example Inc."\n', "")
    assert "required key 'source.copyright' is missing" in refusal(write_source(text))


def test_number_where_text_expected(write_source) -> None:
    message = refusal(write_source(replace={"name: Testdrug": "name: 42"}))
    assert ":5: drug.name must be text, not a number; put it in quotes" in message


def test_invisible_character_is_refused_with_line(write_source) -> None:
    path = write_source(replace={"Take one tablet daily.": "Take one\u00adtablet daily."})
    message = refusal(path)
    assert ":14: " in message
    assert "U+00AD (soft hyphen) is invisible or undefined" in message


def test_invalid_yaml_reports_line(write_source) -> None:
    message = refusal(write_source(replace={"  name: Testdrug": "  name: [Testdrug"}))
    assert "invalid YAML" in message and "testdrug.yaml:" in message


def test_empty_file(write_source) -> None:
    assert refusal(write_source("")).endswith("file is empty; expected a YAML mapping")


def test_markup_is_parsed_in_sections(write_source) -> None:
    text = MINIMAL.replace(
        "      Take one tablet daily.\n",
        "      Take **one** tablet.\n\n      - with food\n      - with water\n",
    )
    blocks = load_monograph(write_source(text)).sections[1].blocks
    assert blocks[0] == Paragraph((Run("Take "), Run("one", True), Run(" tablet.")))
    assert isinstance(blocks[1], BulletList)
    assert [item.plain for item in blocks[1].items] == ["with food", "with water"]


def test_disclaimer_is_verbatim_not_markup(write_source) -> None:
    path = write_source(replace={"This is a summary": "- **Not** a list. This is a summary"})
    disclaimer = load_monograph(path).attribution.disclaimer
    assert disclaimer[0].plain.startswith("- **Not** a list.")
