"""Languages (SPEC §10): every strings file complete, CJK fonts and line breaking, exact
read-back, bilingual leaflets, and `check` recognising each language's footer."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

from rxleaflet.check import CheckOptions, check_pdf
from rxleaflet.cli import main
from rxleaflet.errors import GlyphError
from rxleaflet.packagedata import names
from rxleaflet.render.cjkbreak import break_offsets
from rxleaflet.render.flowables import TextStyle, break_lines
from rxleaflet.render.fonts import fonts_for
from rxleaflet.source.locales import language_key, locale_for, supported_languages
from rxleaflet.source.markup import Run
from rxleaflet.source.monograph import load_monograph

from .conftest import LIBRARY, REPO, TODAY, render_source
from .defects import strip_embedded_source

STRINGS = REPO / "src" / "rxleaflet" / "data" / "strings"
AS_OF = ("--as-of", TODAY.isoformat())
# A sentence in each language, and a disclaimer using one of its usual phrases.
SAMPLES = {
    "bn": ("প্রতিদিন একটি ট্যাবলেট সেবন করুন।",
           "এই তথ্যপত্রটি একটি সারসংক্ষেপ; এটি আপনার ডাক্তারের বিকল্প নয়।"),
    "en": ("Take one tablet daily.", "This is a summary and does not contain all information."),
    "es": ("Tome una tableta al día.", "Este folleto es un resumen y no reemplaza a su médico."),
    "hi": ("रोज़ एक गोली लें।", "यह पत्रक एक सारांश है; यह आपके डॉक्टर का स्थान नहीं लेता।"),
    "ht": ("Pran yon grenn chak jou.", "Fèy sa a se yon rezime; li pa ranplase doktè w."),
    "it": ("Prenda una compressa al giorno.",
           "Questo foglio è un riassunto e non sostituisce il medico."),
    "ko": ("하루에 한 번 한 정을 복용하십시오.",
           "이 안내서는 요약본이며 의사를 대신할 수 없습니다."),
    "ru": ("Принимайте по одной таблетке в день.",
           "Этот листок — краткое изложение, он не заменяет врача."),
    "vi": ("Uống một viên mỗi ngày.", "Tờ hướng dẫn này là bản tóm tắt và không thay thế bác sĩ."),
    "fr": ("Prenez un comprimé par jour.",
           "Cette notice est un résumé et ne remplace pas votre médecin."),
    "pl": ("Przyjmuj jedną tabletkę dziennie.",
           "Ta ulotka to streszczenie i nie zastępuje porady lekarza."),
    "pa": ("ਰੋਜ਼ਾਨਾ ਇੱਕ ਗੋਲੀ ਲਓ।", "ਇਹ ਪਰਚਾ ਇੱਕ ਸਾਰ ਹੈ; ਇਹ ਤੁਹਾਡੇ ਡਾਕਟਰ ਦੀ ਥਾਂ ਨਹੀਂ ਲੈਂਦਾ।"),
    "pt": ("Tome um comprimido por dia.", "Este folheto é um resumo e não substitui o seu médico."),
    "tl": ("Uminom ng isang tableta araw-araw.",
           "Ang leaflet na ito ay isang buod at hindi pumapalit sa iyong doktor."),
    "uk": ("Приймайте одну таблетку на день.",
           "Цей листок — стислий виклад, він не замінює лікаря."),
    "ar": ("تناول قرصًا واحدًا يوميًا مع الطعام.", "هذه النشرة ملخص ولا تغني عن طبيبك."),
    "fa": ("روزی یک قرص بخورید؛ می‌توانید آن را با غذا بخورید.",
           "این بروشور خلاصه است و جایگزین پزشک شما نیست."),
    "ur": ("روزانہ ایک گولی کھانے کے ساتھ لیں۔",
           "یہ کتابچہ ایک خلاصہ ہے اور ڈاکٹر کا متبادل نہیں۔"),
    "zh-Hans": ("每日服用一片。", "本说明书是一份摘要，不能代替医生的建议。"),
    "zh-Hant": ("每日服用一片。", "本說明書是一份摘要，不能取代醫師的建議。"),
}  # fmt: skip


def _source(language: str, text: str, disclaimer: str) -> str:
    return (
        f"rxleaflet: 1\nid: sample-{language.lower()}\nlanguage: {language}\n"
        "drug:\n  name: Testdrug\n"
        f"warning: |\n  {text}\n"
        "sections:\n"
        f"  - kind: uses\n    text: |\n      {text}\n"
        f"  - kind: how-to-use\n    text: |\n      {text}\n"
        'source:\n  copyright: "Copyright © 2026 Example Inc."\n'
        f"  disclaimer: |\n    {disclaimer}\n  expires: 2027-06-15\n  revised: 2026-03-01\n"
    )


def test_every_language_has_every_string_and_asks_for_a_pharmacists_review() -> None:
    english = yaml.safe_load((STRINGS / "en.yaml").read_text(encoding="utf-8"))
    assert set(supported_languages()) == {*SAMPLES}
    for language in supported_languages():
        text = (STRINGS / f"{language}.yaml").read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        assert data["language"] == language
        assert set(data["words"]) == set(english["words"]), language
        assert len(data["months"]) == 12 and len(set(data["months"])) == 12
        for profile in names("profiles"):
            assert set(data["headings"][profile]) == set(english["headings"][profile]), language
        assert set(data["statements"]) == set(english["statements"])
        if language not in ("en", "es"):
            assert "native-speaking pharmacist should review" in text, language
        # sources are NFC: a word typed with a nukta (ज़, য়, ਫ਼) must match its strings
        assert unicodedata.normalize("NFC", text) == text, language
        locale = locale_for(language)
        assert "{n}" in locale.words["page"] and "{m}" in locale.words["page"]
        wording = locale.statements["fda_side_effects"]["wording"]
        assert locale.statement_found("fda_side_effects", wording), language


@pytest.mark.parametrize(
    ("tag", "key"),
    [("zh", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh-Hans-SG", "zh-Hans"), ("zh-TW", "zh-Hant"),
     ("zh-Hant", "zh-Hant"), ("zh-HK", "zh-Hant"), ("ko-KR", "ko"), ("vi", "vi"), ("es-US", "es")],
)  # fmt: skip
def test_a_language_tag_chooses_its_strings(tag: str, key: str) -> None:
    assert language_key(tag) == key


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_each_language_renders_reads_back_and_is_recognised_without_its_source(
    language: str, write_source
) -> None:
    text, disclaimer = SAMPLES[language]
    path = write_source(_source(language, text, disclaimer), name=f"{language}.yaml")
    pdf = render_source(path)  # the pre-output verification passed; PDF/UA page rules too
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == language
    locale = locale_for(language)
    footer = "".join(_pdftotext(pdf).split())  # reads ActualText (Arabic script), as pypdf does not
    assert "".join(locale.word("page", n=1, m=len(reader.pages)).split()) in footer
    assert (
        "".join(locale.word("expires", date=locale.full_date(TODAY.replace(2027, 6, 15))).split())
        in footer
    )
    report = check_pdf(strip_embedded_source(pdf), options=CheckOptions(as_of=TODAY))
    assert report.source == "none"
    assert report.errors == [], [f.describe() for f in report.errors]
    assert report.metrics["expires"] == "2027-06-15"
    assert (
        report.metrics["fk_grade"] is None
        if language != "en"
        else report.metrics["fk_grade"] is not None
    )


def _pdftotext(pdf: bytes) -> str:
    """pdftotext's text of ``pdf``, without the bidi embedding marks it adds around
    right-to-left text (U+202A-U+202E)."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return text.translate(dict.fromkeys(range(0x202A, 0x202F)))


def test_a_footer_in_another_language_is_still_read_for_its_page_numbers(write_source) -> None:
    path = write_source(_source("ko", *SAMPLES["ko"]), name="ko.yaml")
    pdf = strip_embedded_source(render_source(path))
    report = check_pdf(pdf, options=CheckOptions(as_of=dt.date(2027, 7, 1)))
    assert [f.rule for f in report.errors] == ["expiry"]
    assert "information expired 2027-06-15" in report.errors[0].message


def _cjk_runs() -> list[Run]:
    sentence = (
        "如果您感到非常虚弱或疲倦（例如：呼吸困难、异常嗜睡），请停止服用二甲双胍并立即就医。"
    )
    return [Run("警告：", True), Run(sentence * 4 + "每日 500 毫克，共 10 日。")]


@pytest.mark.parametrize("width", [120.0, 173.5, 260.0, 400.0])
def test_chinese_breaks_between_characters_never_before_closing_punctuation(width: float) -> None:
    runs = _cjk_runs()
    style = TextStyle(size=11, leading=17.6, color="#000000")
    lines = break_lines(runs, style, fonts_for("zh-Hans"), width)
    texts = ["".join(text for text, _ in line.pieces) for line in lines]
    assert len(texts) > 2
    assert "".join(texts) == "".join(run.text for run in runs)  # no space added, none lost
    for line, text in zip(lines, texts, strict=True):
        assert line.width <= width + 0.01
        assert text[0] not in "、。，）」：；？！", text
        assert text[-1] not in "（「", text
    offsets = break_offsets("每日500毫克")
    assert 3 not in offsets and 4 not in offsets and 5 not in offsets  # "500毫" stays together


def test_korean_breaks_at_spaces_like_english() -> None:
    runs = [
        Run("메트포르민은 적절한 식사 및 운동과 함께 제2형 당뇨병이 있는 성인의 혈당을 조절합니다.")
    ]
    lines = break_lines(runs, TextStyle(11, 17.6, "#000000"), fonts_for("ko"), 150)
    words = set(runs[0].text.split())
    for line in lines:
        assert set("".join(t for t, _ in line.pieces).split()) <= words


def test_korean_spaces_and_punctuation_stay_in_the_korean_face() -> None:
    """A font switch costs operators to write and to verify: Korean words, the spaces between
    them and their commas and stops are one piece in the Korean face (measured in it too);
    Latin text and the space after a symbol keep Noto Sans."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from rxleaflet.render.fonts import REGULAR

    style = TextStyle(11, 17.6, "#000000")
    korean = "혈당을 조절합니다, 식사와 함께."
    (line,) = break_lines([Run(korean)], style, fonts_for("ko"), 500)
    assert line.pieces == ((korean, "RxSansKR"),)
    assert line.width == pytest.approx(stringWidth(korean, "RxSansKR", 11))
    (mixed,) = break_lines([Run("Take 2, then 혈당, stop.")], style, fonts_for("ko"), 500)
    assert mixed.pieces == (("Take 2, then ", REGULAR), ("혈당, ", "RxSansKR"), ("stop.", REGULAR))
    (symbol,) = break_lines([Run("Turn ↻ twice")], style, fonts_for("en"), 500)
    assert symbol.pieces[1:] == (("↻", "RxSymbols"), (" twice", REGULAR))  # space: Noto Sans


def test_each_chinese_script_and_korean_is_drawn_in_its_own_font(write_source) -> None:
    fonts = {}
    for language, sample in (
        ("zh-Hans", "每日服用一片。"),
        ("zh-Hant", "每日服用一片。"),
        ("ko", "복용하십시오."),
    ):
        path = write_source(
            _source(language, sample, SAMPLES[language][1]), name=f"{language}.yaml"
        )
        reader = PdfReader(io.BytesIO(render_source(path)))
        used = set()
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                used.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
        fonts[language] = used
    assert {"NotoSansSC-Regular", "NotoSansSC-Bold"} <= fonts["zh-Hans"]
    assert not any("TC" in f or "KR" in f for f in fonts["zh-Hans"])
    assert "NotoSansTC-Regular" in fonts["zh-Hant"] and not any("SC" in f for f in fonts["zh-Hant"])
    assert "NotoSansKR-Regular" in fonts["ko"]


def test_each_bold_face_covers_exactly_what_its_regular_face_covers() -> None:
    from rxleaflet.source.coverage import FONT_FILES, fonts_folder, read_cmap

    def cmap(name: str) -> set[int]:
        return set(read_cmap((fonts_folder() / FONT_FILES[name]).read_bytes()))

    bolds = [name for name in FONT_FILES if name.endswith("-Bold")]
    assert len(bolds) == 9  # Noto Sans, 3 CJK faces, Devanagari, Bengali, Gurmukhi, Naskh, Nastaliq
    for bold in bolds:
        assert cmap(bold) == cmap(bold.removesuffix("-Bold")), bold


def test_the_coverage_read_from_each_cmap_is_what_fonttools_reads() -> None:
    """cmap_codes takes whole runs of codes at once (a segment's or group's range, less the one
    code that lands on .notdef); read_cmap (which shaping uses) reads every code: both must
    find what fontTools finds."""
    from fontTools.ttLib import TTFont

    from rxleaflet.source.coverage import (
        FONT_FILES,
        _file_cmap,
        cmap_codes,
        fonts_folder,
        read_cmap,
    )

    for file in sorted(set(FONT_FILES.values())):
        path = fonts_folder() / file
        expected = {c for c, glyph in TTFont(path).getBestCmap().items() if glyph != ".notdef"}
        data = path.read_bytes()
        assert cmap_codes(_file_cmap(path)) == set(read_cmap(data)) == expected, file


def test_the_cmap_table_read_alone_from_a_file_is_the_one_in_the_whole_file() -> None:
    from rxleaflet.source.coverage import FONT_FILES, _cmap_table, _file_cmap, fonts_folder

    for file in sorted(set(FONT_FILES.values())):
        path = fonts_folder() / file
        assert _file_cmap(path) == _cmap_table(path.read_bytes()), file


def test_a_cut_font_file_is_an_error_not_a_short_cmap(tmp_path: Path) -> None:
    from rxleaflet.source.coverage import _file_cmap, fonts_folder

    whole = (fonts_folder() / "NotoSansKR-Regular.ttf").read_bytes()
    cut = tmp_path / "cut.ttf"
    cut.write_bytes(whole[:4096])
    with pytest.raises(ValueError, match="cut.ttf: the cmap table runs past the end of the file"):
        _file_cmap(cut)


def test_checking_chinese_text_reads_no_other_script_s_font(monkeypatch) -> None:
    """A character the base fonts lack is looked for one face at a time: Chinese text stops at
    the Simplified Chinese face (a cold Chinese render read every face's cmap, 48 MB of CJK
    files, and made a set of 100,000 characters), while a character in no face is still
    named, the first of the text."""
    from rxleaflet.source import coverage

    read: list[str] = []
    real = coverage._file_cmap

    def reading(path: Path) -> bytes:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(coverage, "_file_cmap", reading)
    coverage.font_coverage.cache_clear()
    coverage.drawable.cache_clear()
    try:
        assert coverage.glyph_error("Take 500 mg 二甲双胍 daily", "text") is None
        assert read == [
            "NotoSans-Regular.ttf", "NotoSansMath-Regular.ttf", "NotoSansSC-Regular.ttf"
        ]  # fmt: skip
        assert coverage.glyph_error("메트포르민 \U0001f48a 二甲双胍 \U0001f600", "text") == (
            6,
            "character U+1F48A \U0001f48a in text cannot be printed by the bundled fonts; "
            "replace it with words or a supported character",
        )
    finally:
        coverage.font_coverage.cache_clear()
        coverage.drawable.cache_clear()


def test_chinese_body_text_is_set_larger_and_looser_in_two_columns() -> None:
    pdf = render_source(LIBRARY / "metformin-zh-hans.yaml", layout="two-column")
    report = check_pdf(pdf, options=CheckOptions(as_of=TODAY))
    assert report.errors == []
    assert report.metrics["body_size_pt"] == 10.5  # Latin two-column body is 10 pt


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_vietnamese_typed_with_combining_marks_prints_and_extracts_composed(
    write_source, tmp_path: Path
) -> None:
    decomposed = unicodedata.normalize("NFD", "Uống một viên mỗi ngày; nhiễm toan lactic.")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    path = write_source(_source("vi", decomposed, SAMPLES["vi"][1]), name="vi.yaml")
    pdf = tmp_path / "vi.pdf"
    pdf.write_bytes(render_source(path))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Uống một viên mỗi ngày; nhiễm toan lactic." in " ".join(text.split())
    assert not any(unicodedata.combining(char) for char in text)


def test_a_script_no_bundled_font_covers_is_refused_by_name(write_source) -> None:
    path = write_source(_source("en", "Take it with food. עם האוכל", SAMPLES["en"][1]))
    with pytest.raises(GlyphError) as caught:  # Hebrew: no bundled font has it
        load_monograph(path)
    assert "character U+05E2 ע in warning" in str(caught.value)
    assert "cannot be printed by the bundled fonts" in str(caught.value)


def test_an_unsupported_language_is_refused_naming_the_supported_ones(write_source) -> None:
    path = write_source(_source("sw", "Take it.", SAMPLES["en"][1]), name="sw.yaml")
    with pytest.raises(Exception) as caught:
        load_monograph(path)
    listed = ", ".join(f"{tag} {locale_for(tag).name}" for tag in supported_languages())
    assert f"language 'sw' is not supported; use one of: {listed} (optionally" in str(caught.value)
    assert "ar Arabic (العربية), bn Bengali (বাংলা), en English, es Spanish (Español)" in listed
    assert "fa Persian (فارسی), fr French (Français), hi Hindi (हिन्दी), ht Haitian Creole" in listed
    assert "pa Punjabi (ਪੰਜਾਬੀ), pl Polish (Polski)" in listed


def _invoke(*args: str):
    return CliRunner().invoke(main, [*args, "--library", str(LIBRARY), *AS_OF])


def test_also_en_makes_one_pdf_with_both_leaflets(tmp_path: Path) -> None:
    from .conftest import assert_pdfua

    target = tmp_path / "both.pdf"
    result = _invoke("render", "metformin", "--language", "zh-Hans", "--also", "en",
                     "-o", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert_pdfua(data)
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "zh-Hans"
    parts = root["/StructTreeRoot"]["/K"][0].get_object()["/K"]
    assert [(p.get_object()["/S"], p.get_object()["/Lang"]) for p in parts] == [
        ("/Part", "zh-Hans"),
        ("/Part", "en-US"),
    ]
    texts = ["".join(page.extract_text().split()) for page in reader.pages]
    chinese = [i for i, t in enumerate(texts) if re.search(r"第\d+页，共\d+页", t)]
    english = [i for i, t in enumerate(texts) if re.search(r"Page\d+of\d+", t)]
    assert chinese[0] == 0 and "第1页，共2页" in texts[0]
    assert english[0] % 2 == 0  # 0-based even: the English leaflet starts on an odd page
    assert "Page1of2" in texts[english[0]]
    assert "二甲双胍" in reader.metadata["/Title"] and "Metformin" in reader.metadata["/Title"]
    checked = CliRunner().invoke(main, ["check", str(target), *AS_OF])
    assert checked.exit_code == 0, checked.output


def test_also_an_unsupported_or_missing_language_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    result = _invoke("render", "metformin", "--also", "xx", "-o", str(target))
    assert result.exit_code == 1
    assert "'xx' is not supported; use one of: ar Arabic (العربية), bn Bengali (বাংলা), en" in (
        result.stderr
    )
    result = _invoke("render", "lisinopril", "--also", "ru", "-o", str(target))
    assert result.exit_code == 1
    assert "no ru leaflet of Lisinopril" in result.stderr
    assert not target.exists()


@pytest.mark.parametrize(
    ("drug", "what_is", "who_not"),
    [("메트포르민", "메트포르민이란 무엇입니까?", "메트포르민을 복용하면 안 되는 사람"),
     ("휴미라", "휴미라란 무엇입니까?", "휴미라를 복용하면 안 되는 사람"),
     ("Advil", "Advil이란 무엇입니까?", "Advil을 복용하면 안 되는 사람"),
     ("Lipitor", "Lipitor란 무엇입니까?", "Lipitor를 복용하면 안 되는 사람"),
     ("B12", "B12란 무엇입니까?", "B12를 복용하면 안 되는 사람"),
     ("Prozac", "Prozac이란 무엇입니까?", "Prozac을 복용하면 안 되는 사람"),
     ("Norvasc", "Norvasc란 무엇입니까?", "Norvasc를 복용하면 안 되는 사람")],
)  # fmt: skip
def test_korean_particles_follow_the_drug_names_final_sound(
    drug: str, what_is: str, who_not: str
) -> None:
    korean = locale_for("ko")
    assert korean.heading("monograph", "what-is", drug) == what_is
    assert korean.heading("monograph", "who-should-not-take", drug) == who_not
    for profile in names("profiles"):
        for kind in korean.headings[profile]:
            heading = korean.heading(profile, kind, drug)
            assert not re.search(r"\((?:을|를|은|는|이|가|과|와|으)\)|\)", heading), heading
            assert re.fullmatch(korean.heading_regex(profile, kind), "".join(heading.split()))


def test_chinese_labels_take_a_full_width_colon_and_the_reviewed_words(tmp_path: Path) -> None:
    target = tmp_path / "zh.pdf"
    result = _invoke("render", "metformin", "--language", "zh-Hans", "--patient", "王小明",
                     "--rx", "12", "--prescriber", "李医生", "--directions", "每日两次",
                     "-o", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    text = "".join(PdfReader(target).pages[0].extract_text().split())
    for label in ("读音：", "常见商品名：", "患者：王小明", "处方编号：12", "处方医生：李医生"):
        assert label in text
    assert ":" not in text.split("警告")[0]
    assert locale_for("zh-Hant").word("filled") == "調劑日期"


def test_russian_expiry_includes_the_whole_month_and_check_reads_it() -> None:
    russian = locale_for("ru")
    month = russian.month_year(dt.date(2027, 9, 30))
    assert russian.word("expires", date=month) == (
        "Информация действительна по сентябрь 2027 г. включительно"
    )
    assert russian.full_date(dt.date(2027, 9, 15)) == "15 сентября 2027 г."


@pytest.mark.parametrize(
    ("char", "name"),
    [("\u034f", "combining grapheme joiner"), ("\u061c", "arabic letter mark"),
     ("\u3164", "hangul filler"), ("\u115f", "hangul choseong filler"),
     ("\u2065", "unnamed character"), ("\U000e0041", "tag latin capital letter a"),
     ("\u200d", "zero width joiner"), ("\u200c", "zero width non-joiner"),
     ("\u17b4", "khmer vowel inherent aq"), ("\u00ad", "soft hyphen")],
)  # fmt: skip
def test_every_default_ignorable_character_is_refused_with_its_code_point(
    char: str, name: str, write_source
) -> None:
    path = write_source(replace={"name: Testdrug": f"name: Test{char}drug"})
    with pytest.raises(Exception) as caught:
        load_monograph(path)
    message = str(caught.value)
    assert f"drug.name: character U+{ord(char):04X} ({name}) is invisible" in message
    assert ":5:" in message


def test_the_ignorable_ranges_agree_with_the_unicode_categories_python_knows() -> None:
    from rxleaflet.source.ignorables import DEFAULT_IGNORABLE

    # every format character is default-ignorable except the visible ones the Unicode
    # definition leaves out (prepended concatenation marks, interlinear annotation, …)
    visible_format = {0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F,
                      0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD, 0xFFF9, 0xFFFA, 0xFFFB,
                      *range(0x13430, 0x13456), *range(0x1BCA0, 0x1BCA4)}  # fmt: skip
    format_chars = [c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    missing = [f"U+{c:04X}" for c in format_chars
               if c not in visible_format and not DEFAULT_IGNORABLE.fullmatch(chr(c))]  # fmt: skip
    assert missing == []
    assert not DEFAULT_IGNORABLE.search("Metformin 500 mg — 二甲双胍 메트포르민 ≥ °C")


@pytest.mark.parametrize(
    "text",
    ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian "I want" with ZWNJ
     "\u0915\u094d\u200d\u0937",  # Devanagari half form with ZWJ
     "\u09b0\u200d\u09cd\u09af"],  # Bengali ya-phala with ZWJ
)  # fmt: skip
def test_joiners_inside_a_script_that_spells_with_them_pass(text: str) -> None:
    from rxleaflet.source.markup import check_characters

    check_characters(text)
    with pytest.raises(Exception, match="U\\+200[CD]"):
        check_characters("Met\u200dformin")
    joiner = next(char for char in text if char in "\u200c\u200d")
    with pytest.raises(Exception, match="U\\+200[CD]"):
        check_characters("a" + joiner + text[-1])  # between two scripts: it joins nothing


def _dispense_file(tmp_path: Path, body: str) -> str:
    path = tmp_path / "record.yaml"
    path.write_text(f"rxleaflet-dispense: 1\npatient: Kim Min\nrx: R-7\n{body}", encoding="utf-8")
    return str(path)


def _first_page(target: Path) -> str:
    return " ".join(PdfReader(target).pages[0].extract_text().split())


def test_directions_by_language_print_the_leaflets_own(tmp_path: Path) -> None:
    record = _dispense_file(tmp_path, "directions:\n  en: Take one tablet twice a day.\n"
                                      "  ko: 하루에 두 번 한 정씩 복용하십시오.\n")  # fmt: skip
    target = tmp_path / "ko.pdf"
    result = _invoke("render", "metformin", "--language", "ko", "--dispense", record,
                     "-o", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    text = _first_page(target)
    assert "복용 방법: 하루에 두 번 한 정씩 복용하십시오." in text
    assert "Take one tablet" not in text
    english = tmp_path / "en.pdf"
    assert _invoke("render", "metformin", "--dispense", record, "-o", str(english)).exit_code == 0
    assert "Directions: Take one tablet twice a day." in _first_page(english)


def test_a_leaflet_whose_language_has_no_directions_is_refused(tmp_path: Path) -> None:
    record = _dispense_file(tmp_path, "directions:\n  en: Take one tablet twice a day.\n")
    target = tmp_path / "ko.pdf"
    result = _invoke("render", "metformin", "--language", "ko", "--dispense", record,
                     "-o", str(target))  # fmt: skip
    assert result.exit_code == 1
    assert "the dispense record has directions in en but none in ko" in result.stderr
    assert not target.exists()
    result = _invoke("render", "metformin", "--language", "ko", "--patient", "Kim", "--rx", "1",
                     "--directions", "Take one tablet twice a day.", "-o", str(target))  # fmt: skip
    assert result.exit_code == 1
    assert "the directions have no Hangul letter, so they are not in Korean" in result.stderr
    assert not target.exists()


def test_directions_in_another_named_language_are_printed_under_a_label_naming_it(
    tmp_path: Path,
) -> None:
    target = tmp_path / "ko.pdf"
    result = _invoke("render", "metformin", "--language", "ko", "--patient", "Kim", "--rx", "1",
                     "--directions", "Take one tablet twice a day.",
                     "--directions-language", "en", "-o", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "복용 방법 (English): Take one tablet twice a day." in _first_page(target)
    from .conftest import assert_pdfua

    assert_pdfua(target.read_bytes())
    data = target.read_bytes()
    assert b"/Lang (en)" in data or b"/Lang(en)" in data  # read aloud in English
    checked = CliRunner().invoke(main, ["check", str(target), *AS_OF])
    assert checked.exit_code == 0, checked.output
    record = _dispense_file(tmp_path, "directions:\n  en: Take one.\ndirections_language: es\n")
    result = _invoke("render", "metformin", "--dispense", record, "-o", str(target))
    assert result.exit_code == 1
    assert "directions_language is 'es' but directions has no es" in result.stderr
    record = _dispense_file(tmp_path, "directions:\n  xx: Take one.\n")
    result = _invoke("render", "metformin", "--dispense", record, "-o", str(target))
    assert result.exit_code == 1
    assert "directions has directions in 'xx', which is not a supported language" in result.stderr


@pytest.mark.parametrize(
    ("language", "printed"),
    [("ru", "по июнь 2027 г. включительно"), ("pl", "czerwiec 2027 r."),
     ("uk", "червень 2027 р."), ("fr", "juin 2027"), ("tl", "Hunyo 2027"),
     ("hi", "यह जानकारी जून 2027 के अंत तक मान्य है"),
     ("bn", "এই তথ্য জুন 2027 শেষ হওয়া পর্যন্ত বৈধ"),
     ("pa", "ਇਹ ਜਾਣਕਾਰੀ ਜੂਨ 2027 ਦੇ ਅੰਤ ਤੱਕ ਜਾਇਜ਼ ਹੈ")],
)  # fmt: skip
def test_a_month_alone_is_printed_in_its_standalone_form_and_read_back(
    language: str, printed: str, write_source, tmp_path: Path
) -> None:
    text = _source(language, *SAMPLES[language]).replace("expires: 2027-06-15", "expires: 2027-06")
    pdf = render_source(write_source(text, name=f"{language}.yaml"))
    footer = " ".join(_pdftotext(pdf).split())
    assert printed in footer
    report = check_pdf(strip_embedded_source(pdf), options=CheckOptions(as_of=TODAY))
    assert report.errors == [], [f.describe() for f in report.errors]
    assert report.metrics["expires"] == "2027-06-30"


def test_hindi_directions_print_on_the_hindi_leaflet_and_english_ones_are_named(
    tmp_path: Path,
) -> None:
    """Directions by language (`directions: {hi: …}`) with a shaped script: the Hindi ones are
    printed, shaped and read back; English ones alone are refused unless named, then labelled."""
    record = _dispense_file(tmp_path, "directions:\n  en: Take one tablet twice a day.\n"
                                      "  hi: भोजन के साथ दिन में दो बार 1 गोली लें।\n")  # fmt: skip
    target = tmp_path / "hi.pdf"
    result = _invoke("render", "metformin", "--language", "hi", "--dispense", record,
                     "-o", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    text = " ".join(_pdftotext(target.read_bytes()).split())
    assert "उपयोग के निर्देश: भोजन के साथ दिन में दो बार 1 गोली लें।" in text
    assert "नुस्खा (Rx) संख्या: R-7" in text and "Take one tablet" not in text
    checked = CliRunner().invoke(main, ["check", str(target), *AS_OF])
    assert checked.exit_code == 0, checked.output
    result = _invoke("render", "metformin", "--language", "hi", "--patient", "Kim", "--rx", "1",
                     "--directions", "Take one tablet twice a day.", "-o", str(target))  # fmt: skip
    assert result.exit_code == 1
    assert "the directions have no Devanagari letter, so they are not in Hindi" in result.stderr
    result = _invoke("render", "metformin", "--language", "hi", "--patient", "Kim", "--rx", "1",
                     "--directions", "Take one tablet twice a day.",
                     "--directions-language", "en", "-o", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "उपयोग के निर्देश (English में): Take one tablet twice a day." in " ".join(
        _pdftotext(target.read_bytes()).split()
    )
