"""Dataclass methods precompiled: what ``dataclasses`` compiles at every start, loaded instead.

``dataclasses`` makes a class's methods (``__init__``, ``__repr__``, ``__eq__``; for a frozen
class also ``__setattr__``, ``__delattr__`` and ``__hash__``) by writing their source and
running it with ``exec``, which compiles it: some 280 small functions for the classes a render
imports, 25–30 ms of a cold render's 165. The compiled code of each of rxleaflet's texts is kept
in the package (``data/dataclass-code.marshal.z``, made by :func:`write_cache`, keyed by the
text and by Python's bytecode version), and the ``rxleaflet`` command, before it imports anything
else of ours, has ``dataclasses`` run that code instead of compiling the same text again
(:func:`install`). The same text gives the same code: the classes are the same. A text that is
not kept (a class changed since the cache was made, another Python) is compiled as before, and
every other module's dataclasses are left alone. Library use (``import rxleaflet``) is not
touched: only the command installs it, once, here.
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path
from types import CodeType
from typing import Any

from . import packagedata

CACHE = packagedata.PACKAGE / "data" / "dataclass-code.marshal.z"
_OURS = "rxleaflet."


def install(cache: Path = CACHE) -> bool:
    """Have ``dataclasses`` run kept code for rxleaflet's method texts; whether it does."""
    if "exec" in vars(dataclasses):
        return True  # installed already (a shadowing ``exec`` is ours alone)
    kept = _load(cache)
    if not kept:
        return False

    def exec_kept(source: Any, globals: Any = None, locals: Any = None) -> None:  # noqa: A002
        code = kept.get(source) if _is_ours(globals) else None
        builtins.exec(_compiled(source) if code is None else code, globals, locals)

    dataclasses.exec = exec_kept  # type: ignore[attr-defined] # the module's own name for exec
    return True


def uninstall() -> None:
    vars(dataclasses).pop("exec", None)


def _compiled(source: Any) -> Any:
    """``source`` compiled as ``exec`` inside dataclasses compiles it: without the
    ``__future__`` imports of this module (annotations would become strings)."""
    if isinstance(source, str):
        return compile(source, "<string>", "exec", dont_inherit=True)
    return source


def _is_ours(namespace: Any) -> bool:
    return isinstance(namespace, dict) and str(namespace.get("__name__", "")).startswith(_OURS)


def _load(cache: Path) -> dict[str, CodeType]:
    kept = packagedata.read_kept(cache)
    if kept is None or kept.get("magic") != importlib.util.MAGIC_NUMBER:
        return {}  # missing, damaged, or another Python's bytecode
    code = kept.get("code")
    return code if isinstance(code, dict) else {}


def method_texts() -> dict[str, CodeType]:
    """Every method text ``dataclasses`` writes for rxleaflet's classes, compiled as it compiles
    them: import every module of the package in this process (a new one: a module imported
    before is not made again), recording what it runs."""
    recorded: dict[str, CodeType] = {}

    def exec_recording(source: Any, globals: Any = None, locals: Any = None) -> None:  # noqa: A002
        code = _compiled(source)
        if isinstance(source, str) and _is_ours(globals):
            recorded[source] = code
        builtins.exec(code, globals, locals)

    dataclasses.exec = exec_recording  # type: ignore[attr-defined]
    try:
        import_every_module()
    finally:
        uninstall()
    return recorded


def import_every_module() -> None:
    """Import every module of the package (what kept data is written from)."""
    package = importlib.import_module("rxleaflet")
    for module in pkgutil.walk_packages(package.__path__, _OURS):
        if module.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(module.name)
        except ImportError:
            continue  # an optional part whose dependencies are not installed


def write_cache(cache: Path = CACHE) -> Path:
    """Write the kept code (run in a new process: ``python -c "from rxleaflet.precompiled
    import write_cache; write_cache()"``)."""
    texts = method_texts()
    data = {
        "magic": importlib.util.MAGIC_NUMBER,
        "python": sys.version.split()[0],  # whose dataclasses wrote the texts
        "code": dict(sorted(texts.items())),
    }
    return packagedata.write_kept(cache, data)
