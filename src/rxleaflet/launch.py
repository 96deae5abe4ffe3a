"""The ``rxleaflet`` command's first step: answer ``--help`` and ``--version`` without Click.

Importing Click and building the command tree costs 60–90 ms, three times what Python takes to
start. The top-level help and the version are fixed texts, so they are printed from here, byte
for byte what Click prints (tests/test_launch.py renders Click's help and compares); every
other command line, and the help on a terminal narrower than Click's 80 columns, goes to the
Click command in :mod:`rxleaflet.cli`, after :mod:`rxleaflet.patterncache` has had ``re``
build the patterns it keeps from their programs rather than compile them again (13 ms of a cold
render) and :mod:`rxleaflet.precompiled` has had ``dataclasses`` run kept code for our classes'
methods (25–35 ms). Only ``os`` and ``sys`` are imported here.
"""

from __future__ import annotations

import os
import sys

from . import __version__

# Click's help for the group, at its widest (80 columns); {prog} is the program name.
# Regenerate with tests/test_launch.py when a command or its short help changes.
HELP = """\
Usage: {prog} [OPTIONS] COMMAND [ARGS]...

  Make printable, accessible PDF patient leaflets from drug monograph sources.

Options:
  --version   Show the version and exit.
  -h, --help  Show this message and exit.

Commands:
  batch            Produce a folder's leaflets in parallel, with a manifest.
  check            Compliance report for PDF files, ours or not.
  examples         Copy the example brand and dispense record into a folder.
  import           Turn labeling from elsewhere into leaflet sources.
  list             List the library's leaflets by drug and brand name.
  merge-manifests  Merge the manifests of a sharded batch.
  render           Render leaflets (by file, id, name, NDC or RxCUI) to PDF.
  serve            Serve the HTTP API and the counter page.
  validate         Check leaflet sources without making a PDF.
"""

CLICK_MAX_WIDTH = 80  # Click's default max_content_width; narrower terminals rewrap the help
HELP_OPTIONS = ("-h", "--help")


def program_name() -> str:
    """The name Click shows in "Usage:": the script's name, or "python -m rxleaflet" (the
    same rule as click.utils._detect_program_name, without Windows' .exe case, which falls
    through to Click)."""
    path = sys.argv[0]
    package = getattr(sys.modules.get("__main__"), "__package__", None)
    if package in (None, ""):
        return os.path.basename(path)
    name = os.path.splitext(os.path.basename(path))[0]
    module = package if name == "__main__" else f"{package}.{name}"
    return f"python -m {module.lstrip('.')}"


def terminal_columns() -> int:
    """The width Click would format for (shutil.get_terminal_size's rule, without importing
    shutil): $COLUMNS if a positive number, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return CLICK_MAX_WIDTH
    return columns or CLICK_MAX_WIDTH


def quick_answer(arguments: list[str]) -> str | None:
    """The text to print for these arguments without Click, or None when Click must answer."""
    if arguments == ["--version"]:
        return f"rxleaflet, version {__version__}\n"
    if len(arguments) == 1 and arguments[0] in HELP_OPTIONS:
        if os.name == "nt" or terminal_columns() < CLICK_MAX_WIDTH:
            return None
        text = HELP.format(prog=program_name())
        if len(text.split("\n", 1)[0]) > CLICK_MAX_WIDTH - 2:
            return None  # a long program name: Click wraps the usage line
        return text
    return None


def main() -> None:
    """The ``rxleaflet`` command."""
    answer = quick_answer(sys.argv[1:])
    if answer is None:
        from . import patterncache, precompiled

        patterncache.install()  # before the first pattern is compiled
        precompiled.install()  # before the first of our dataclasses is made
        from .cli import main as command

        try:
            command()
        except SystemExit as done:
            leave(done.code)
        return
    sys.stdout.write(answer)
    sys.stdout.flush()
    sys.exit(0)


def leave(code: object) -> None:
    """End the process with exit status ``code`` (what ``sys.exit`` was given), without
    tearing down the interpreter: after a render, freeing every module and object one by one
    costs 25-30 ms of a 200 ms cold start, and 40-65 ms at the end of a batch, for memory the
    operating system takes back at once. What the teardown would do that matters still
    happens: the atexit handlers run (multiprocessing's, temporary folders' finalizers) and
    the standard streams are flushed; every file rxleaflet writes was closed explicitly
    before this point. Anything unusual exits the usual way (sys.exit), so that the status
    and output are Python's own: other threads still running, a message for a code, a missing
    or closed standard stream, a flush that fails (a full disk: Python reports it, exits 120)."""
    import atexit
    import threading

    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    streams = (sys.stdout, sys.stderr)
    if (
        threading.active_count() > 1
        or run_exit_handlers is None
        or not (code is None or isinstance(code, int))  # a message: Python prints it, exits 1
        or any(stream is None or stream.closed for stream in streams)
    ):
        sys.exit(code)  # the usual way: Python skips a missing or closed stream, prints the message
    run_exit_handlers()  # (they run once: this empties the list sys.exit would run)
    for stream in streams:
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a full disk, a closed pipe: Python flushes again,
            sys.exit(code)  # reports it and exits 120, whatever the code
    status = code or 0
    os._exit(status & 0xFF)
