"""Required-section profiles are data; leaflets that break them are refused before layout."""

from __future__ import annotations

import pytest

from rxleaflet.errors import ProfileError
from rxleaflet.source.locales import locale_for
from rxleaflet.source.monograph import SECTION_KINDS, load_monograph
from rxleaflet.source.profiles import check_profile, load_profile, profile_names


def test_profiles_are_shipped_as_data() -> None:
    assert {"monograph", "medication-guide"} <= set(profile_names())
    guide = load_profile("medication-guide")
    assert guide.required_sections == (
        "most-important",
        "what-is",
        "how-to-take",
        "side-effects",
        "general-information",
    )
    # 21 CFR 208.20 asks for each question "if relevant": an approved label's import needs
    # only what every real guide has; an insert has no fixed headings at all
    assert guide.label_required_sections == ("what-is", "side-effects")
    assert load_profile("patient-information").required_sections == ()
    assert guide.requires_revised and guide.banner == "medication_guide"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("profile", ["monograph", "medication-guide"])
def test_every_kind_has_a_heading_in_every_language(language: str, profile: str) -> None:
    locale = locale_for(language)
    for kind in SECTION_KINDS:
        if kind != "custom":
            assert locale.heading(profile, kind, "Drugname")


def test_medication_guide_headings_fill_in_the_drug() -> None:
    english, spanish = locale_for("en-US"), locale_for("es-US")
    assert english.heading("medication-guide", "most-important", "Ibuprofen") == (
        "What is the most important information I should know about Ibuprofen?"
    )
    assert english.heading("medication-guide", "side-effects", "X") == (
        "What are the possible or reasonably likely side effects of X?"
    )
    assert spanish.heading("medication-guide", "what-is", "Metformina") == "¿Qué es Metformina?"
    assert english.heading("monograph", "how-to-use", "X") == "How to Use This Medication"
    assert spanish.word("page", n=1, m=3) == "Página 1 de 3"


def refusal(path) -> str:
    with pytest.raises(ProfileError) as caught:
        check_profile(load_monograph(path))
    return str(caught.value)


def test_missing_required_section(write_source) -> None:
    text_without_uses = """\
    rxleaflet: 1
    id: testdrug
    language: en-US
    drug: {name: Testdrug}
    sections:
      - kind: how-to-use
        text: Take it.
    source: {copyright: C, disclaimer: D, expires: 2027-06}
    """
    path = write_source(text_without_uses)
    assert refusal(path) == (
        f"{path}: profile 'monograph': required section 'uses' is missing; required, in order: "
        "uses, how-to-use"
    )


def test_out_of_order_sections(write_source) -> None:
    text = """\
    rxleaflet: 1
    id: testdrug
    language: en-US
    drug: {name: Testdrug}
    sections:
      - kind: how-to-use
        text: Take it.
      - kind: uses
        text: Treats it.
    source: {copyright: C, disclaimer: D, expires: 2027-06}
    """
    path = write_source(text)
    assert refusal(path) == (
        f"{path}:6: profile 'monograph': section 'how-to-use' must come after 'uses'; "
        "required order: "
        "uses, how-to-use"
    )


def test_empty_section(write_source) -> None:
    path = write_source(replace={"      Take one tablet daily.\n": "      \n"})
    assert refusal(path) == (
        f"{path}:12: profile 'monograph': section 'how-to-use' is empty; give it text or remove it"
    )


GUIDE = """\
rxleaflet: 1
id: testdrug
language: en-US
profile: medication-guide
drug: {name: Testdrug}
sections:
  - {kind: most-important, text: a}
  - {kind: what-is, text: b}
  - {kind: how-to-take, text: c}
  - {kind: side-effects, text: d}
  - {kind: general-information, text: e}
source: {copyright: C, disclaimer: D, expires: 2027-06}
"""


def test_medication_guide_requires_revision_date(write_source) -> None:
    text = GUIDE
    path = write_source(text)
    assert "source.revised (the revision date) is required" in refusal(path)
    text = text.replace("expires: 2027-06", "expires: 2027-06, revised: 2026-01-02")
    path = write_source(text)
    assert refusal(path) == (
        f"{path}: profile 'medication-guide': the required statement is missing; add it to a "
        'section, e.g. "Call your doctor for medical advice about side effects. You may report '
        'side effects to FDA at 1-800-FDA-1088."'
    )
    statement = "d. You may report SIDE EFFECTS to the FDA at 1-800-FDA-1088"
    path = write_source(text.replace("text: d}", f"text: {statement}}}"))
    assert check_profile(load_monograph(path)).name == "medication-guide"


STATEMENT = (
    "Call your doctor for medical advice about side effects. "
    "You may report side effects to FDA at 1-800-FDA-1088."
)
GUIDE_WITHOUT_HOW_TO_TAKE = (
    GUIDE.replace("  - {kind: how-to-take, text: c}\n", "")
    .replace("text: d}", f"text: {STATEMENT}}}")
    .replace("expires: 2027-06}", "expires: 2027-06, revised: 2026-01-01SET_ID}")
)


def test_a_written_guide_needs_every_question_but_an_approved_labels_import_only_its_own(
    write_source,
) -> None:
    written = write_source(GUIDE_WITHOUT_HOW_TO_TAKE.replace("SET_ID", ""))
    assert refusal(written) == (
        f"{written}: profile 'medication-guide': required section 'how-to-take' is missing; "
        "required, in order: most-important, what-is, how-to-take, side-effects, "
        "general-information"
    )
    label = ", spl-set-id: 64f8040f-938d-4236-8e22-c838c9b5f8da"
    imported = write_source(GUIDE_WITHOUT_HOW_TO_TAKE.replace("SET_ID", label), name="label.yaml")
    assert check_profile(load_monograph(imported)).name == "medication-guide"
    # what every approved guide has is still required of its import
    no_side_effects = GUIDE_WITHOUT_HOW_TO_TAKE.replace("SET_ID", label).replace(
        "side-effects", "what-to-avoid"
    )
    path = write_source(no_side_effects, name="partial.yaml")
    assert refusal(path).endswith(
        "required section 'side-effects' is missing; required, in order: what-is, side-effects"
    )


def test_spl_set_id_must_be_a_uuid(write_source) -> None:
    from rxleaflet.errors import SourceError

    path = write_source(GUIDE_WITHOUT_HOW_TO_TAKE.replace("SET_ID", ", spl-set-id: not one"))
    with pytest.raises(SourceError) as caught:
        load_monograph(path)
    assert "source.spl-set-id must be the label's SPL set id" in str(caught.value)
