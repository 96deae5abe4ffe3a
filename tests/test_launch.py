"""``rxleaflet --help`` and ``--version`` answered without Click (rxleaflet.launch): the same
bytes as Click's answer, and Click still answers whatever the quick path does not."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest

from rxleaflet import launch
from rxleaflet.cli import main as click_main


def _click_help(prog: str, columns: int) -> str:
    """Click's own top-level help, as `rxleaflet --help` prints it on a terminal this wide."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(columns)  # Click asks shutil.get_terminal_size
    try:
        context = click.Context(click_main, info_name=prog, **click_main.context_settings)
        return click_main.get_help(context) + "\n"
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def _run(*arguments: str, columns: int = 80, modules: bool = False) -> subprocess.CompletedProcess:
    """``python -m rxleaflet ARGUMENTS`` in a new process; with ``modules``, its stderr ends
    with the names of the modules it imported."""
    environment = {**os.environ, "COLUMNS": str(columns)}
    code = "import runpy, sys\nsys.argv[0] = 'rxleaflet'\n"
    if modules:
        code += (
            "import atexit\n"
            "atexit.register(lambda: sys.stderr.write(' '.join(sorted(sys.modules))))\n"
        )
    code += "runpy.run_module('rxleaflet', run_name='__main__', alter_sys=True)\n"
    return subprocess.run(
        [sys.executable, "-c", code, *arguments],
        capture_output=True, text=True, env=environment, check=False,
    )  # fmt: skip


def test_the_quick_help_is_clicks_help() -> None:
    """When this fails, a command or its short help changed: paste the text printed below
    (Click's help, with the program name as {prog}) into launch.HELP."""
    expected = _click_help("{prog}", 80)
    assert expected == launch.HELP, "launch.HELP must become:\n" + expected


@pytest.mark.parametrize("option", ["--help", "-h"])
def test_help_from_the_command_line_matches_click_and_loads_no_click(option: str) -> None:
    ran = _run(option, modules=True)
    assert ran.returncode == 0
    assert ran.stdout == _click_help("python -m rxleaflet", 80)
    loaded = set(ran.stderr.split())
    assert "rxleaflet.launch" in loaded
    assert not {m for m in loaded if m == "click" or m.startswith(("click.", "rxleaflet.cli"))}


def test_version_matches_click_and_loads_no_click() -> None:
    ran = _run("--version", modules=True)
    reference = subprocess.run(
        [sys.executable, "-c", "from rxleaflet.cli import main; main()", "--version"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (ran.returncode, ran.stdout) == (reference.returncode, reference.stdout)
    assert ran.stdout == "rxleaflet, version " + launch.__version__ + "\n"
    assert "click" not in ran.stderr.split()


def test_a_narrow_terminal_gets_clicks_rewrapped_help() -> None:
    ran = _run("--help", columns=60)
    assert ran.returncode == 0
    assert ran.stdout == _click_help("python -m rxleaflet", 60)
    assert ran.stdout != _click_help("python -m rxleaflet", 80)  # the quick text would be wrong


@pytest.mark.parametrize(
    ("arguments", "code"),
    [((), 2), (("--help", "render"), 0), (("render", "--help"), 0), (("--nope",), 2)],
)
def test_everything_else_goes_to_click(arguments: tuple[str, ...], code: int) -> None:
    assert launch.quick_answer(list(arguments)) is None
    ran = _run(*arguments)
    assert ran.returncode == code, ran.stderr


@pytest.mark.parametrize(
    ("argv0", "package", "expected"),
    [
        ("/usr/local/bin/rxleaflet", None, "rxleaflet"),
        ("/x/site-packages/rxleaflet/__main__.py", "rxleaflet", "python -m rxleaflet"),
        ("/x/site-packages/rxleaflet/launch.py", "rxleaflet", "python -m rxleaflet.launch"),
    ],
)
def test_the_program_name_follows_clicks_rule(
    monkeypatch: pytest.MonkeyPatch, argv0: str, package: str | None, expected: str
) -> None:
    from click.utils import _detect_program_name

    main_module = type(sys)("__main__")
    main_module.__package__ = package
    monkeypatch.setitem(sys.modules, "__main__", main_module)
    monkeypatch.setattr(sys, "argv", [argv0])
    assert launch.program_name() == expected == _detect_program_name(argv0, main_module)
