"""Every error rxleaflet reports to a user: typed, with a one-line message that says what to do."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """The command's exit status: the only place these numbers are defined."""

    OK = 0
    REFUSED = 1  # a leaflet or PDF was refused, or failed a check
    USAGE = 2  # bad options or arguments (click's own usage errors exit 2 too)


class LeafletError(Exception):
    """Base of all refusals. The CLI prints ``str(error)`` and exits with ``exit_code``."""

    exit_code = ExitCode.REFUSED

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}: " if self.line else f"{self.path}: "

    def __str__(self) -> str:
        return f"{self.where()}{self.message}"


class SourceError(LeafletError):
    """A leaflet or brand source file is unreadable, malformed or breaks the format."""


class ProfileError(LeafletError):
    """A required section is missing, empty or out of order for the leaflet's profile."""


class GlyphError(LeafletError):
    """A character that no bundled font can draw."""


class ExpiredError(LeafletError):
    """The monograph's information has expired."""


class BrandError(LeafletError):
    """A brand file is unusable: bad colours (contrast), a missing logo, no alt text."""


class LibraryError(LeafletError):
    """A leaflet id or drug name that the library does not hold (or holds more than once)."""


class OutputError(LeafletError):
    """The output file could not be written."""


class VerificationError(LeafletError):
    """The rendered PDF failed its read-back check; nothing was written."""

    def __init__(self, reasons: Sequence[str], *, path: Path | str | None = None):
        self.reasons = list(reasons)
        super().__init__("PDF failed verification: " + "; ".join(self.reasons), path=path)
