"""Modules a dependency imports at start but a render rarely uses, loaded at their first use.

ReportLab imports two at start: HarfBuzz in ttfonts (about 20 ms), in case text is shaped
(rxleaflet shapes only Bengali, Devanagari, Gurmukhi and Arabic-script text, through
render/shaping.py), and Pillow's Image in lib.utils (about 18 ms), for bitmaps (rxleaflet draws
one only for a brand's logo). A deferred module stands in for the real one in ``sys.modules``:
it is true (ReportLab tests ``if not uharfbuzz``) and imports the real module, under a lock, the
first time one of its attributes is read, then holds the same attributes. Unlike importlib's
LazyLoader on Python 3.11, two threads reading it at once (``serve``) both get the loaded module.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import threading
import types
from typing import Any

_LOCK = threading.Lock()


class _Deferred(types.ModuleType):
    def __getattr__(self, attribute: str) -> Any:  # only for what is not yet in its __dict__
        with _LOCK:
            if not self.__dict__.get("_loaded"):
                if sys.modules.get(self.__name__) is self:
                    del sys.modules[self.__name__]  # its submodules import the real package
                try:
                    real = importlib.import_module(self.__name__)
                except BaseException:
                    sys.modules.setdefault(self.__name__, self)
                    raise
                self.__dict__.update(vars(real))
                self.__dict__["_loaded"] = True
        return object.__getattribute__(self, attribute)


def defer(name: str) -> None:
    """Stand a deferred module in for ``name`` unless it is loaded already or not installed
    (then its importers see what they always saw). A submodule (``PIL.Image``) is also set on
    its package, which is imported (``import PIL.Image`` then ``PIL.Image.open`` finds it)."""
    if name in sys.modules:
        return
    package, _, child = name.rpartition(".")
    try:
        path = importlib.import_module(package).__path__ if package else None
    except ImportError:
        return
    if importlib.machinery.PathFinder.find_spec(name, path) is None:
        return
    deferred = sys.modules[name] = _Deferred(name)
    if package:
        setattr(sys.modules[package], child, deferred)


# Importing this module defers both: render/__init__.py imports it before ReportLab.
defer("uharfbuzz")
defer("PIL.Image")
