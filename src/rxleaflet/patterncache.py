"""Regular expressions precompiled: what ``re`` compiles at every start, loaded instead.

A cold render compiles some 90 regular expressions (ours, PyYAML's, ReportLab's, Click's):
22 ms of its 150, 7 of them for one pattern in ``yaml.reader``. ``re`` parses each pattern's
text and writes a program for its matching engine; the same text and flags give the same
program. The programs of the patterns the command uses are kept in the package
(``data/regex-programs.marshal.z``, made by :func:`write_cache`, for the exact Python that made
them: another version's compiler may write other programs), and the ``rxleaflet`` command,
before it imports anything else of ours, has ``re`` build its pattern objects from them
(:func:`install`). A pattern not kept (another Python, a pattern added since the file was made)
is compiled as before. Library use (``import rxleaflet``) is not touched: only the command
installs it, once, in :mod:`rxleaflet.launch`.
"""

from __future__ import annotations

import _sre
import marshal
import re
import sys
from pathlib import Path
from re import _compiler  # type: ignore[attr-defined] # re's own compiler, which re calls
from typing import Any

from . import packagedata

CACHE = packagedata.PACKAGE / "data" / "regex-programs.marshal.z"
Key = tuple[str | bytes, int]  # a pattern's text and flags
Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]  # _sre.compile's


def install(cache: Path = CACHE) -> bool:
    """Have ``re`` build the kept patterns from their programs; whether it does."""
    if getattr(_compiler.compile, "kept", None) is not None:
        return True  # installed already
    kept = _load(cache)
    if not kept:
        return False
    compile_pattern = _compiler.compile

    def compile_kept(pattern: Any, flags: int = 0) -> Any:
        program = kept.get((pattern, flags)) if isinstance(pattern, (str, bytes)) else None
        if program is None:
            return compile_pattern(pattern, flags)
        return _sre.compile(pattern, *program)

    compile_kept.kept = kept  # type: ignore[attr-defined]
    compile_kept.compile_pattern = compile_pattern  # type: ignore[attr-defined]
    _compiler.compile = compile_kept
    return True


def uninstall() -> None:
    original = getattr(_compiler.compile, "compile_pattern", None)
    if original is not None:
        shadow = _compiler.compile
        _compiler.compile = original
        old_name = sys.modules.get("sre_compile")  # re's old alias copies the name it finds
        if old_name is not None and getattr(old_name, "compile", None) is shadow:
            old_name.compile = original
    re.purge()  # patterns built from the kept programs leave re's cache


def version() -> str:
    """Whose compiler wrote the programs: the exact Python, and its matching engine's."""
    return f"{sys.implementation.name} {sys.version} sre {_sre.MAGIC}"


def program(pattern: str | bytes, flags: int = 0) -> Program:
    """What ``re``'s compiler gives ``_sre.compile`` for this pattern (its own steps)."""
    parsed = _compiler._parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]  # opcodes are an int subclass
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    flags = int(flags | parsed.state.flags)
    return flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup)


def _load(cache: Path) -> dict[Key, Program]:
    kept = packagedata.read_kept(cache)
    if kept is None or kept.get("version") != version():
        return {}  # missing, damaged, or another Python's compiler
    programs = kept.get("programs")
    return programs if isinstance(programs, dict) else {}


# Run in a new process by write_cache: the recorder is in place before anything is imported
# (this module's own imports included), and prints what it saw, marshalled, on standard output.
_RECORDER = """
import marshal, re, sys
from re import _compiler
seen = set()
compile_pattern = _compiler.compile
def compile_recording(pattern, flags=0):
    compiled = compile_pattern(pattern, flags)  # a pattern that does not compile is not kept
    if isinstance(pattern, (str, bytes)) and not flags & re.DEBUG:
        seen.add((type(pattern)(pattern), int(flags)))  # a plain str or bytes
    return compiled
_compiler.compile = compile_recording
from rxleaflet.patterncache import exercise
exercise()
sys.stdout.buffer.write(marshal.dumps(sorted(seen, key=repr)))
"""


def write_cache(cache: Path = CACHE) -> Path:
    """Write the kept programs: the patterns compiled by :func:`exercise`, recorded in two new
    processes with different hash seeds; only the patterns both compiled are kept (a few
    modules build pattern texts from sets, in another order in every process). Run it after
    adding a pattern: ``python -c "from rxleaflet.patterncache import write_cache;
    write_cache()"``."""
    import os
    import subprocess

    recorded = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", _RECORDER],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
        )
        recorded.append(set(marshal.loads(done.stdout)))
    patterns = set.intersection(*recorded)
    programs = {key: program(*key) for key in sorted(patterns, key=repr)}
    data = {"version": version(), "programs": programs}
    return packagedata.write_kept(cache, data)


def exercise() -> None:
    """Import every module of the package, then render every bundled leaflet (in Letter, and
    in A4 large print), check the PDFs, validate the sources and list the library, as the
    command does, with nothing shown."""
    import contextlib
    import os
    import tempfile

    from .precompiled import import_every_module

    import_every_module()
    from .cli import main
    from .source.library import source_files

    sources = [str(s) for s in source_files(packagedata.bundled_folder("leaflets", "leaflets"))]

    def run(*arguments: str) -> None:
        with contextlib.suppress(SystemExit):
            main(list(arguments), standalone_mode=False)

    with (
        tempfile.TemporaryDirectory() as folder,
        open(os.devnull, "w") as quiet,  # noqa: PTH123
        contextlib.redirect_stdout(quiet),
        contextlib.redirect_stderr(quiet),
    ):
        run("render", *sources, "--allow-expired", "-o", folder)
        run("check", *sorted(str(pdf) for pdf in Path(folder).glob("*.pdf")))
        large = ("--paper", "a4", "--large-print")
        run("render", *sources, "--allow-expired", *large, "-o", folder)
        run("validate", "--allow-expired", *sources)
        run("list")
