"""Regular expressions built from kept programs: the same patterns, never a stale one."""

from __future__ import annotations

import marshal
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from rxleaflet import patterncache

REPO = Path(__file__).resolve().parents[1]
KEPT = patterncache._load(patterncache.CACHE)
THIS_PYTHON = pytest.mark.skipif(
    not KEPT,
    reason="the kept programs were written by another Python; regenerate them with "
    "rxleaflet.patterncache.write_cache() under this one to measure with them",
)


@pytest.fixture
def installed(tmp_path: Path):  # noqa: ANN201
    """Install a cache of the test's own (written to tmp_path / "kept"); uninstall after."""
    yield tmp_path / "kept"
    patterncache.uninstall()


def _cache_with(path: Path, programs: dict[object, object], version: str | None = None) -> Path:
    data = {"version": version or patterncache.version(), "programs": programs}
    path.write_bytes(zlib.compress(marshal.dumps(data)))
    return path


@THIS_PYTHON
def test_every_kept_program_makes_the_pattern_compiling_makes() -> None:
    assert len(KEPT) > 300
    for (text, flags), program in KEPT.items():
        import _sre

        kept = _sre.compile(text, *program)
        fresh = patterncache._compiler.compile(text, flags)
        assert kept == fresh, text  # compares the flags and the matching program
        assert (kept.groups, kept.groupindex) == (fresh.groups, fresh.groupindex), text


def test_a_kept_program_is_what_re_runs(installed: Path) -> None:
    """Planted: the program of "x+" kept for the text "rxleaflet-planted"; re.compile of that
    text matches what the program matches, and any other pattern compiles as before."""
    _cache_with(installed, {("rxleaflet-planted", 0): patterncache.program("x+")})
    assert patterncache.install(installed) is True
    assert patterncache.install(installed) is True  # once: the second is a no-op
    planted = re.compile("rxleaflet-planted")
    assert planted.pattern == "rxleaflet-planted"
    assert planted.fullmatch("xxx") and not planted.fullmatch("rxleaflet-planted")
    other = re.compile(r"(?P<dose>\d+) ?mg")
    assert other.fullmatch("200 mg").group("dose") == "200"
    assert re.compile("rxleaflet-planted", re.IGNORECASE).fullmatch("RXLEAFLET-PLANTED")
    patterncache.uninstall()
    assert re.compile("rxleaflet-planted").fullmatch("rxleaflet-planted")  # re's cache purged


@pytest.mark.parametrize("bad", ["missing", "garbage", "other-python", "not-a-table", "damaged"])
def test_a_missing_stale_or_foreign_cache_is_not_used(installed: Path, bad: str) -> None:
    if bad == "garbage":
        installed.write_bytes(b"\x00not zlib")
    elif bad == "other-python":
        _cache_with(installed, {("rxleaflet-planted", 0): patterncache.program("x+")}, "3.0")
    elif bad == "not-a-table":
        installed.write_bytes(zlib.compress(marshal.dumps([1, 2, 3])))
    elif bad == "damaged":  # inflates, but is not marshal's
        installed.write_bytes(zlib.compress(b"\xe3" + bytes(range(1, 60))))
    assert patterncache.install(installed) is False
    assert getattr(patterncache._compiler.compile, "kept", None) is None


# Renders a bundled leaflet through the command's first steps, and writes (marshal) the
# patterns rxleaflet's own modules compiled that were not kept. (Other packages' patterns are
# kept as the installed versions wrote them; another version's text is compiled as before.)
_WATCH = """
import marshal, sys
from rxleaflet import patterncache
patterncache.install()
from re import _compiler
kept_compile = _compiler.compile
missed = set()
RE = ("re", "re._compiler", "re._parser", "functools")
def caller():
    frame = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__") in RE:
        frame = frame.f_back
    return frame.f_globals.get("__name__", "") if frame is not None else ""
def watching(pattern, flags=0):
    if isinstance(pattern, (str, bytes)) and (pattern, flags) not in kept_compile.kept:
        if caller().startswith("rxleaflet"):
            missed.add(pattern)
    return kept_compile(pattern, flags)
_compiler.compile = watching
from rxleaflet.cli import main
try:
    main(["render", sys.argv[1], "--allow-expired", "-o", sys.argv[2]])
except SystemExit:
    pass
open(sys.argv[3], "wb").write(marshal.dumps(sorted(missed, key=repr)))
"""


@THIS_PYTHON
def test_a_render_compiles_no_pattern_that_could_have_been_kept(tmp_path: Path) -> None:
    """Regenerate after adding a pattern: python3 -c "from rxleaflet.patterncache import
    write_cache; write_cache()" (the command works either way, only slower to start). A
    pattern whose text is built from a set differs with the hash seed: it is missed under
    each seed, with another text, and cannot be kept. Only our own modules' patterns are held
    to it: a dependency's other version may word its patterns otherwise (Click 8.5 does)."""
    source = REPO / "leaflets" / "metformin-zh-hans.yaml"
    missed = []
    for seed in ("1", "2"):
        seen = tmp_path / f"missed-{seed}"
        env = {"PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1767225600", "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [sys.executable, "-c", _WATCH, str(source), str(tmp_path / f"{seed}.pdf"), str(seen)],
            capture_output=True, cwd=REPO, env=env,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        missed.append(set(marshal.loads(seen.read_bytes())))
    stale = missed[0] & missed[1]
    assert not stale, f"{len(stale)} patterns are not kept, e.g. {sorted(stale, key=repr)[0]!r}"
    assert (tmp_path / "1.pdf").read_bytes() == (tmp_path / "2.pdf").read_bytes()
