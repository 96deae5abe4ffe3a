"""``rxleaflet --help`` and ``--version`` answered without Click (rxleaflet.launch): the same
bytes as Click's answer, and Click still answers whatever the quick path does not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from rxleaflet import launch
from rxleaflet.cli import main as click_main

from .conftest import LIBRARY


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


def _leave(body: str) -> subprocess.CompletedProcess:
    """Run ``body`` (which calls ``leave``) in a new Python whose standard output is buffered
    (a pipe, and PYTHONUNBUFFERED unset), with rxleaflet.launch imported."""
    code = "import atexit, sys, threading, time\nfrom rxleaflet.launch import leave\n" + body
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60,
        env=buffered,
    )  # fmt: skip


def test_leaving_runs_the_exit_handlers_and_flushes_what_was_printed() -> None:
    """The interpreter's teardown is skipped (25-30 ms of a cold render), what it does that
    matters is not: atexit handlers (temporary folders, multiprocessing) and buffered output."""
    ran = _leave(
        "atexit.register(lambda: print('handler ran'))\n"
        "sys.stdout.write('buffered, no newline')\n"
        "sys.stderr.write('to stderr')\n"
        "leave(3)\n"
        "print('never')"
    )
    assert ran.returncode == 3
    assert ran.stdout == "buffered, no newlinehandler ran\n"
    assert ran.stderr == "to stderr"


@pytest.mark.parametrize(("code", "status"), [("None", 0), ("0", 0), ("1", 1), ("258", 2)])
def test_leaving_with_sys_exits_codes(code: str, status: int) -> None:
    assert _leave(f"leave({code})").returncode == status


def test_leaving_with_a_message_prints_it_and_fails_as_sys_exit_does() -> None:
    ran = _leave("leave('error: stop')")
    assert (ran.returncode, ran.stderr) == (1, "error: stop\n")


def test_leaving_with_another_thread_running_waits_for_it_as_python_does() -> None:
    ran = _leave(
        "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done'))).start()\nleave(0)"
    )
    assert (ran.returncode, ran.stdout) == (0, "thread done\n")


def test_a_command_ends_through_leave_with_its_exit_status(tmp_path: Path) -> None:
    """``rxleaflet render`` (0, PDF written) and a refused one (1, nothing written), in new
    processes: the status Click gives reaches the shell."""
    good = subprocess.run(
        [sys.executable, "-m", "rxleaflet", "render", str(LIBRARY / "lisinopril.yaml"),
         "-o", str(tmp_path / "good.pdf")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert good.returncode == 0, good.stderr
    assert (tmp_path / "good.pdf").read_bytes().startswith(b"%PDF-")
    assert good.stdout == f"wrote {tmp_path / 'good.pdf'}\n"
    bad = subprocess.run(
        [sys.executable, "-m", "rxleaflet", "render", str(tmp_path / "missing.yaml"),
         "-o", str(tmp_path / "bad.pdf")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "no such file" in bad.stderr
    assert not (tmp_path / "bad.pdf").exists()


_STREAM_CASES = {
    "stdout missing (rxleaflet list >&-)": "sys.stdout = None\n",
    "stderr missing": "sys.stderr = None\n",
    "stdout closed": "sys.stdout.close()\n",
    "stderr closed": "sys.stderr.close()\n",
    "stdout to a full disk": "sys.stdout = open('/dev/full', 'w')\nprint('lost')\n",
}


@pytest.mark.parametrize("code", ["0", "3", "'error: stop'"])
@pytest.mark.parametrize("streams", list(_STREAM_CASES))
def test_leaving_with_odd_standard_streams_ends_as_sys_exit_does(streams: str, code: str) -> None:
    """A standard stream missing (its descriptor closed when Python started), closed, or
    failing to flush: Python's own exit skips the first two and exits 120 on the last; leave
    must end with the status and output sys.exit gives."""
    body = _STREAM_CASES[streams]
    usual, ours = _leave(f"{body}sys.exit({code})"), _leave(f"{body}leave({code})")
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        usual.returncode, usual.stdout, usual.stderr,
    )  # fmt: skip


def test_a_command_with_its_output_closed_succeeds() -> None:
    """``rxleaflet list >&-``: Click writes nowhere and the command succeeds, as before."""
    ran = subprocess.run(
        [sys.executable, "-m", "rxleaflet", "list", "--library", str(LIBRARY)],
        capture_output=False, stdout=None, stderr=subprocess.PIPE, text=True, check=False,
        preexec_fn=lambda: os.close(1),  # noqa: PLW1509 - the child's stdout closed
    )  # fmt: skip
    assert (ran.returncode, "Traceback" in ran.stderr) == (0, False), ran.stderr
