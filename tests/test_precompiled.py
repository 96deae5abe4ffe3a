"""Dataclass methods run from kept code: the same classes, only rxleaflet's, never a stale one."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import marshal
import subprocess
import sys
import types
import zlib
from pathlib import Path

import pytest

from rxleaflet import precompiled

REPO = Path(__file__).resolve().parents[1]
KEPT = precompiled._load(precompiled.CACHE)
THIS_PYTHON = bool(KEPT)  # the kept code is this Python's bytecode
# the texts were written by this very Python (another patch release may write some otherwise)
WRITTEN_HERE = (
    marshal.loads(zlib.decompress(precompiled.CACHE.read_bytes())).get("python")
    == (sys.version.split()[0])
)

# A class as a module defines it; its methods' texts are what dataclasses writes for it.
CLASS = """
from dataclasses import dataclass, field
@dataclass(frozen=True)
class Dose:
    amount: float
    unit: str = "mg"
    notes: list = field(default_factory=list)
"""


def _define(module_name: str) -> type:
    """Dose, defined by a module of that name (dataclasses looks the module up)."""
    module = types.ModuleType(module_name)
    sys.modules[module_name] = module
    try:
        code = compile(CLASS, module_name, "exec", dont_inherit=True)
        exec(code, module.__dict__)  # noqa: S102 - the test's own text
    finally:
        del sys.modules[module_name]
    return module.Dose


def _texts(module_name: str) -> dict[str, object]:
    """The method texts dataclasses writes for CLASS in a module of that name."""
    seen: dict[str, object] = {}

    def recording(source, globals=None, locals=None):  # noqa: A002, ANN001, ANN202
        seen[source] = compile(source, "<string>", "exec", dont_inherit=True)
        exec(source, globals, locals)  # noqa: S102

    dataclasses.exec = recording  # type: ignore[attr-defined]
    try:
        _define(module_name)
    finally:
        precompiled.uninstall()
    return seen


def _cache_with(path: Path, code: dict[str, object], magic: bytes | None = None) -> Path:
    data = {"magic": magic or importlib.util.MAGIC_NUMBER, "code": code}
    path.write_bytes(zlib.compress(marshal.dumps(data)))
    return path


@pytest.mark.skipif(
    not hasattr(dataclasses, "_create_fn"),
    reason="plants an __init__ of its own: Python 3.13 writes a class's methods as one text",
)
def test_kept_code_is_used_for_rxleaflet_classes_only(tmp_path: Path) -> None:
    """Each text is kept with the code of another class's method: a class of a module named
    rxleaflet.* runs it, any other module's class compiles its own text."""
    texts = _texts("rxleaflet.example")
    other = _texts("somebody.else")  # the same texts: the module's name is not in them
    assert set(texts) == set(other) and texts
    planted = {  # __init__ with one more parameter (a default: the next have one too)
        text: compile(text.replace("amount:_type_amount,", "amount:_type_amount,extra=0,"),
                      "<string>", "exec")
        for text in texts if "def __init__" in text
    }  # fmt: skip
    assert len(planted) == 1
    assert precompiled.install(_cache_with(tmp_path / "kept", planted))
    try:
        ours = _define("rxleaflet.example")
        theirs = _define("somebody.else")
    finally:
        precompiled.uninstall()
    assert "extra" in ours.__init__.__code__.co_varnames  # the kept code ran
    assert "extra" not in theirs.__init__.__code__.co_varnames
    assert theirs(5) == theirs(5.0, "mg", [])


def test_kept_code_makes_the_same_methods_as_compiling(tmp_path: Path) -> None:
    texts = _texts("rxleaflet.example")
    assert precompiled.install(_cache_with(tmp_path / "kept", texts))
    try:
        kept = _define("rxleaflet.example")
    finally:
        precompiled.uninstall()
    compiled = _define("rxleaflet.example")
    for name in ("__init__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
        assert _fingerprint(getattr(kept, name)) == _fingerprint(getattr(compiled, name)), name
    assert _fingerprint(kept.__repr__.__wrapped__) == _fingerprint(compiled.__repr__.__wrapped__)
    dose = kept(5, notes=["with food"])
    assert repr(dose) == "Dose(amount=5, unit='mg', notes=['with food'])"
    with pytest.raises(dataclasses.FrozenInstanceError):
        dose.unit = "g"  # type: ignore[misc]


def _fingerprint(function: object) -> tuple[object, ...]:
    code = function.__code__  # type: ignore[attr-defined]
    return (code.co_code, repr(code.co_consts), code.co_names, code.co_varnames, code.co_freevars)


def test_a_class_whose_text_is_not_kept_compiles_as_dataclasses_compiles_it(
    tmp_path: Path,
) -> None:
    """Outside rxleaflet, or a class changed since the kept file was made: the same methods,
    annotations included (not made strings by this module's ``__future__`` import)."""
    plain = _define("somebody.else")
    assert precompiled.install(
        _cache_with(tmp_path / "kept", {"unrelated": compile("0", "", "exec")})
    )
    try:
        theirs = _define("somebody.else")
        ours = _define("rxleaflet.example")  # not kept
    finally:
        precompiled.uninstall()
    for made in (theirs, ours):
        assert made.__init__.__annotations__ == plain.__init__.__annotations__
        assert made.__init__.__annotations__["amount"] is float
        assert _fingerprint(made.__init__) == _fingerprint(plain.__init__)


@pytest.mark.parametrize("bad", ["missing", "garbage", "other-python", "not-a-table", "damaged"])
def test_a_missing_stale_or_foreign_cache_is_not_used(tmp_path: Path, bad: str) -> None:
    cache = tmp_path / "kept"
    if bad == "garbage":
        cache.write_bytes(b"\x00not zlib")
    elif bad == "other-python":
        _cache_with(cache, _texts("rxleaflet.example"), magic=b"\x00\x00\r\n")
    elif bad == "not-a-table":
        cache.write_bytes(zlib.compress(marshal.dumps([1, 2, 3])))
    elif bad == "damaged":  # inflates, but is not marshal's (SystemError, ValueError, …)
        cache.write_bytes(zlib.compress(b"\xe3" + bytes(range(1, 60))))
    assert precompiled.install(cache) is False
    assert "exec" not in vars(dataclasses)


@pytest.mark.skipif(
    not WRITTEN_HERE,
    reason="the kept code was written by another Python; regenerate it with "
    "rxleaflet.precompiled.write_cache() under this one to measure with it",
)
def test_the_kept_code_covers_every_class_of_the_package() -> None:
    """Regenerate after changing a dataclass: python3 -c "from rxleaflet.precompiled import
    write_cache; write_cache()" (the command works either way, only slower to start)."""
    done = subprocess.run(
        [sys.executable, "-c", "import json\nfrom rxleaflet.precompiled import method_texts\n"
         "print(json.dumps(sorted(method_texts())))"],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    texts = set(json.loads(done.stdout))
    assert len(texts) > 300
    missing = texts - set(KEPT)
    assert not missing, f"{len(missing)} method texts are not kept, e.g. {sorted(missing)[0]!r}"


def test_the_command_installs_it_and_renders_the_same_bytes(tmp_path: Path) -> None:
    """A render through the command (kept code) and through the library (compiled) agree."""
    source = REPO / "leaflets" / "lisinopril.yaml"
    env_code = (
        "import dataclasses, sys\n"
        "from rxleaflet import launch\n"
        f"sys.argv = ['rxleaflet', 'render', {str(source)!r}, '-o', {str(tmp_path / 'a.pdf')!r}]\n"
        "import atexit\n"
        "atexit.register(lambda: print('installed' if 'exec' in vars(dataclasses) else 'no'))\n"
        "launch.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", env_code], capture_output=True, text=True, cwd=REPO,
        env={"SOURCE_DATE_EPOCH": "1767225600", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("installed" if THIS_PYTHON else "no")
    plain = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom rxleaflet.cli import main\n"
         f"main(['render', {str(source)!r}, '-o', {str(tmp_path / 'b.pdf')!r}])"],
        capture_output=True, text=True, cwd=REPO,
        env={"SOURCE_DATE_EPOCH": "1767225600", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
