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
    # True where the leaflet itself is at fault (its source is invalid or expired): only then
    # may a batch remove the PDF an earlier run made of it
    about_the_leaflet = False

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def where(self) -> str:
        if self.path is None:
            return ""
        shown = printable(str(self.path))
        return f"{shown}:{self.line}: " if self.line else f"{shown}: "

    def __str__(self) -> str:
        return f"{self.where()}{bounded(printable(self.message))}"

    def public(self) -> str:
        """The message naming the file but not where it lies: for clients of a server, who
        need the leaflet and the line, never the server's folders."""
        if self.path is None:
            return str(self)
        shown = printable(self.path.name)
        where = f"{shown}:{self.line}: " if self.line else f"{shown}: "
        return f"{where}{bounded(printable(self.message))}"


MAX_MESSAGE = 600  # characters: an error is one readable line, whatever the input


def printable(text: str) -> str:
    """``text`` on one line: line breaks and other control characters shown as escapes."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def bounded(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SourceError(LeafletError):
    """A leaflet or brand source file is unreadable, malformed or breaks the format."""

    about_the_leaflet = True


class SourceUnreadableError(SourceError):
    """A source file that could not be read this time (permissions, I/O): not its own fault."""

    about_the_leaflet = False


class ProfileError(LeafletError):
    """A required section is missing, empty or out of order for the leaflet's profile."""

    about_the_leaflet = True


class GlyphError(LeafletError):
    """A character that no bundled font can draw."""

    about_the_leaflet = True


class ExpiredError(LeafletError):
    """The monograph's information has expired."""

    about_the_leaflet = True


class BrandError(LeafletError):
    """A brand file is unusable: bad colours (contrast), a missing logo, no alt text."""


class LibraryError(LeafletError):
    """A leaflet id or drug name that the library does not hold (or holds more than once)."""


class OutputError(LeafletError):
    """The output file could not be written."""


class SettingsError(LeafletError):
    """An option or environment setting that cannot be used (e.g. SOURCE_DATE_EPOCH)."""


class SigningError(LeafletError):
    """The signing key, its certificate or passphrase cannot be used, or signing failed. The
    message never holds the key or the passphrase."""


class BatchBusyError(LeafletError):
    """Another batch is already writing to the output folder."""


MAX_REASONS = 10


class VerificationError(LeafletError):
    """The rendered PDF failed its read-back check; nothing was written."""

    def __init__(self, reasons: Sequence[str], *, path: Path | str | None = None):
        reasons = [bounded(printable(reason), 300) for reason in reasons]
        extra = len(reasons) - MAX_REASONS
        self.reasons = reasons[:MAX_REASONS] + ([f"… and {extra} more"] if extra > 0 else [])
        summary = "; ".join(self.reasons[:3]) + (" …" if len(self.reasons) > 3 else "")
        super().__init__("PDF failed verification: " + summary, path=path)
