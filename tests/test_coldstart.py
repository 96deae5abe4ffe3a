"""What makes a cold start fast must not change what it makes: the base fonts restored from
their cache files are ReportLab's own parse, the package's data files read the same with
libyaml, and a render from the cache writes the same bytes as one that parses its fonts."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.ttfonts import TTFont

from rxleaflet import packagedata
from rxleaflet.render import cjkbreak, fontcache
from rxleaflet.render.glue import starts_with_unit
from rxleaflet.source.coverage import BASE_FONTS, CACHED_FONTS, fonts_folder

REGENERATE = (
    'PYTHONPATH=src python3 -c "from rxleaflet.render.fontcache import write_caches; '
    'write_caches()"'
)


def _same_font(restored: TTFont, parsed: TTFont) -> None:
    """Every attribute of the font and of its face equal (the scale function by its values)."""
    mine, theirs = dict(vars(restored)), dict(vars(parsed))
    assert mine.pop("face") is restored.face and theirs.pop("face") is parsed.face
    assert dict(mine.pop("state")) == dict(theirs.pop("state")) == {}
    assert {k: v for k, v in mine.items() if k != "encoding"} == {
        k: v for k, v in theirs.items() if k != "encoding"
    }
    assert vars(mine["encoding"]) == vars(theirs["encoding"])
    face, reference = dict(vars(restored.face)), dict(vars(parsed.face))
    scale, reference_scale = face.pop("_pdfScale"), reference.pop("_pdfScale")
    assert [scale(v) for v in (0, 1, 250, 1000, -37)] == [
        reference_scale(v) for v in (0, 1, 250, 1000, -37)
    ]
    face.pop(fontcache.APART, None)  # what makes glyphToChar exact, when it is first read
    for key in reference.keys() - face.keys():  # glyphToChar: made when first asked for
        assert key in fontcache.UNKEPT, key
        assert getattr(restored.face, key) == reference[key], key
        face[key] = reference[key]
    assert face.keys() == reference.keys()
    for key in reference:
        assert face[key] == reference[key], key
        assert type(face[key]) is type(reference[key]), key


@pytest.mark.parametrize("name", sorted(CACHED_FONTS))
def test_a_cached_font_is_reportlabs_parse(name: str) -> None:
    font_file = fonts_folder() / CACHED_FONTS[name]
    assert fontcache._cached_state(font_file, font_file.read_bytes()) is not None, (
        f"{fontcache.cache_file(font_file).name} is missing or stale; regenerate: {REGENERATE}"
    )
    _same_font(fontcache.load_font(name, font_file), TTFont(name, str(font_file)))


def test_a_changed_font_is_parsed_not_taken_from_the_cache(tmp_path: Path) -> None:
    original = fonts_folder() / BASE_FONTS["RxSans"]
    changed = tmp_path / original.name  # same name, so the same cache file is looked up
    changed.write_bytes(original.read_bytes() + b"\0\0\0\0")  # trailing bytes: still a font
    assert fontcache._cached_state(changed, changed.read_bytes()) is None
    _same_font(fontcache.load_font("RxSans", changed), TTFont("RxSans", str(changed)))


def test_an_unreadable_cache_file_falls_back_to_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    font_file = fonts_folder() / BASE_FONTS["RxSymbols"]
    monkeypatch.setattr(fontcache, "FOLDER", tmp_path)
    fontcache.cache_file(font_file).write_bytes(b"not zlib")
    assert fontcache._cached_state(font_file, font_file.read_bytes()) is None
    _same_font(fontcache.load_font("RxSymbols", font_file), TTFont("RxSymbols", str(font_file)))


def _render(tmp_path: Path, label: str, leaflet: str, prelude: str) -> bytes:
    """One render in a new process (fonts are registered once per process), after
    ``prelude``; the PDF's bytes."""
    target = tmp_path / f"{label}.pdf"
    code = (
        prelude + "\nimport sys\nfrom rxleaflet.cli import main\n"
        f"sys.argv = ['rxleaflet', 'render', {leaflet!r}, '-o', {str(target)!r}]\nmain()\n"
    )
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    library = Path(__file__).resolve().parents[1] / "leaflets"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=library.parent, env=environment,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return target.read_bytes()


@pytest.mark.parametrize("leaflet", ["lisinopril", "metformin-ru"])
def test_a_render_from_the_cache_parses_no_base_font_and_writes_the_same_bytes(
    tmp_path: Path, leaflet: str
) -> None:
    no_parsing = (
        "from reportlab.pdfbase import ttfonts\n"
        "def refuse(self, *a, **k):\n"
        "    raise AssertionError('a base font was parsed: ' + self.filename)\n"
        "ttfonts.TTFontFile.extractInfo = refuse\n"
    )
    from_cache = _render(tmp_path, "cached", leaflet, no_parsing)
    parsed = _render(
        tmp_path, "parsed", leaflet, "from rxleaflet.render import fontcache\n"
        "fontcache.FOLDER = fontcache.FOLDER / 'nowhere'\n"
    )  # fmt: skip
    assert from_cache == parsed


def test_the_data_files_read_the_same_with_libyaml() -> None:
    """packagedata.load uses PyYAML's C loader when present: ten times faster, same data."""
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml: packagedata uses the Python loader, as here")
    files = sorted((packagedata.PACKAGE / "data").rglob("*.yaml"))
    assert len(files) > 5
    for path in files:
        relative = path.relative_to(packagedata.PACKAGE / "data").as_posix()
        assert packagedata.load(relative) == yaml.safe_load(path.read_text("utf-8")), relative


def _unit_regex() -> re.Pattern[str]:
    """The regular expression glue.starts_with_unit replaced (compiled at every start)."""
    listed = {str(word) for words in packagedata.load("units.yaml").values() for word in words}
    signs = "".join(sorted(w for w in listed if len(w) == 1 and not w.isalnum()))
    words = sorted((w for w in listed if w.isalnum() or len(w) > 1), key=len, reverse=True)
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"^[(\[]?(?:[{re.escape(signs)}]|(?:{alternatives})(?![^\W\d_]))")


_unit_regex_cached = functools.cache(_unit_regex)
_UNIT_WORDS = sorted(
    {str(w) for words in packagedata.load("units.yaml").values() for w in words}
)  # fmt: skip


@given(
    st.lists(
        st.one_of(
            st.sampled_from(_UNIT_WORDS),
            st.sampled_from(["(", "[", "/", ".", "²", "Ⅻ", "_", "1", "a", "é", "毫", " ", "-"]),
            st.text(max_size=3),
        ),
        max_size=4,
    ).map("".join)
)
@settings(max_examples=3000, deadline=None)
def test_starts_with_unit_answers_as_the_regular_expression_did(word: str) -> None:
    assert starts_with_unit(word) == bool(_unit_regex_cached().match(word)), word


def test_starts_with_unit_on_every_unit_and_its_neighbours() -> None:
    regex = _unit_regex_cached()
    for unit in _UNIT_WORDS:
        for word in (unit, f"({unit}", f"[{unit})", f"{unit}/dL", f"{unit}s", f"{unit}1",
                     f"{unit}²", f"{unit}_", f"(({unit}", f"x{unit}", unit[:-1]):  # fmt: skip
            assert starts_with_unit(word) == bool(regex.match(word)), word
    assert starts_with_unit("mg/dL") and starts_with_unit("(68") is False
    assert not starts_with_unit("gallbladder") and starts_with_unit("°F")


def test_latin_text_never_compiles_the_cjk_class() -> None:
    """has_cjk skips its regular expression (10 ms to compile) for text below U+2E80: sound,
    because no character there is in the class."""
    assert not any(cjkbreak._cjk().match(chr(code)) for code in range(0x2E80))
    assert cjkbreak._cjk().match("\u2e80") and cjkbreak.has_cjk("500毫克")
    assert not cjkbreak.has_cjk("") and not cjkbreak.has_cjk("Take 10 mg ≥ twice ©")


def test_a_deferred_module_loads_once_at_its_first_use_even_from_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rxleaflet.deferred (HarfBuzz for ReportLab): true before loading, loaded at the first
    attribute read, once, and every thread reading at once gets the real attributes."""
    from concurrent.futures import ThreadPoolExecutor

    from rxleaflet import deferred

    (tmp_path / "slowstart").mkdir()
    (tmp_path / "slowstart" / "__init__.py").write_text(
        "import time\nfrom .inner import VALUE\ntime.sleep(0.05)\n"
        "LOADS = __import__('builtins').__dict__.setdefault('_slowstart_loads', [])\n"
        "LOADS.append(1)\nSHAPE = 'shaped'\n"
    )
    (tmp_path / "slowstart" / "inner.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "slowstart", raising=False)
    import builtins

    monkeypatch.setattr(builtins, "_slowstart_loads", [], raising=False)
    deferred.defer("slowstart")
    stand_in = sys.modules["slowstart"]
    assert stand_in and "slowstart.inner" not in sys.modules  # true, and nothing run yet
    with ThreadPoolExecutor(8) as pool:
        seen = list(pool.map(lambda _: (stand_in.SHAPE, stand_in.VALUE), range(16)))
    assert seen == [("shaped", 42)] * 16
    assert builtins._slowstart_loads == [1]  # type: ignore[attr-defined]
    assert sys.modules["slowstart"] is not stand_in  # the real package, for later importers
    with pytest.raises(AttributeError):
        _ = stand_in.MISSING
    monkeypatch.delitem(sys.modules, "slowstart")
    monkeypatch.delitem(sys.modules, "slowstart.inner")


def test_a_module_not_installed_is_not_deferred() -> None:
    from rxleaflet import deferred

    deferred.defer("no_such_module_rxleaflet")
    assert "no_such_module_rxleaflet" not in sys.modules
