"""Modules a dependency imports at start but a render rarely uses, loaded at their first use.

ReportLab's ttfonts imports HarfBuzz (about 20 ms) at start in case text is shaped; rxleaflet
shapes only Bengali, Devanagari, Gurmukhi and Arabic-script text, through render/shaping.py. A
deferred module stands in for the real one in ``sys.modules``: it is true (ReportLab tests
``if not uharfbuzz``) and imports the real module, under a lock, the first time one of its
attributes is read, then holds the same attributes. Unlike importlib's LazyLoader on Python
3.11, two threads reading it at once (``serve``) both get the loaded module.
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
    (then its importers see what they always saw)."""
    if name in sys.modules or importlib.machinery.PathFinder.find_spec(name) is None:
        return
    sys.modules[name] = _Deferred(name)


# Importing this module defers HarfBuzz: render/__init__.py imports it before ReportLab.
defer("uharfbuzz")
