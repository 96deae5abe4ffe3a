"""Cold start: each command in a new process, as a pharmacist at the counter runs it.

Run from the repository root::

    python3 benchmarks/coldstart.py [--runs N] [--python VENV/bin/python]

Targets (issue #28): ``rxleaflet --help`` ≤ 60 ms, ``rxleaflet render`` of one bundled leaflet
(verification included) ≤ 150 ms. Measure them in a clean virtual environment with a wheel
install, which is what users get (this sandbox's Python imports certifi from a .pth file at
every start, 50–70 ms that no user pays)::

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install .
    python3 benchmarks/coldstart.py --python /tmp/venv/bin/python

Beside the commands, the render's floor: Python importing, in a new process, only what a
render leaves in ``sys.modules`` from outside rxleaflet (the dependencies and the standard
library modules they and rxleaflet load), then also rxleaflet's own modules. The steps from
``python -c pass`` to the render split a cold render into Python's start, the dependencies'
imports, rxleaflet's imports, and the leaflet itself (its work, the first use of its fonts and
data files, the write).

Each command runs through the installed console script and through ``python -m rxleaflet``,
once untimed first (bytecode, page cache), then N times, the commands taking turns so that the
machine's load falls on all of them alike; reported: median, fastest and slowest wall-clock
time, and the median CPU time (user + system), in ms.
``SOURCE_DATE_EPOCH`` is set, so every render writes the same bytes.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[1] / "leaflets"


def compile_bytecode(python: str = sys.executable) -> None:
    """Write rxleaflet's .pyc files for ``python``, whatever PYTHONDONTWRITEBYTECODE says (as
    installing a wheel does; an editable install would otherwise compile on every run)."""
    code = (
        "import compileall, pathlib, rxleaflet\n"
        "compileall.compile_dir(pathlib.Path(rxleaflet.__file__).parent, quiet=1)"
    )
    subprocess.run([python, "-c", code], check=True)


def launchers(python: str) -> dict[str, list[str]]:
    """The ways to start rxleaflet with this Python: its console script (when installed) and
    ``python -m rxleaflet``."""
    found = {}
    script = Path(python).with_name("rxleaflet")
    if script.is_file():
        found["rxleaflet"] = [str(script)]
    found["python -m rxleaflet"] = [python, "-m", "rxleaflet"]
    return found


def cases(folder: Path) -> dict[str, list[str]]:
    pdf = str(folder / "lisinopril.pdf")
    return {
        "help": ["--help"],
        "version": ["--version"],
        "render": ["render", "lisinopril", "--library", str(LIBRARY), "-o", pdf],
        "check": ["check", pdf],
        "validate": ["validate", "lisinopril", "--library", str(LIBRARY)],
    }


_LOADED = """
import atexit, sys
def loaded(name, module):  # not a stand-in for a module never used (rxleaflet/deferred.py)
    return "__main__" not in name and (
        type(module).__name__ != "_Deferred" or module.__dict__.get("_loaded"))
def show():
    print(" ".join(sorted(name for name, m in list(sys.modules.items()) if loaded(name, m))))
atexit.register(show)  # the command ends through os._exit, after the atexit handlers
sys.argv = ["rxleaflet", *sys.argv[1:]]
from rxleaflet import launch
launch.main()
"""
_IMPORT_ALL = """
import importlib, os, sys
import rxleaflet.deferred  # as in a render: ReportLab finds HarfBuzz and Pillow's Image deferred
try:  # and as the command compiles patterns (a version without it: as that one did)
    from rxleaflet.patterncache import install
    install()
except ImportError:
    pass
try:  # and makes our dataclasses
    from rxleaflet.precompiled import install
    install()
except ImportError:
    pass
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        pass  # the interpreter's own (builtins, frozen modules): loaded at start anyway
os._exit(0)  # without the interpreter's teardown, as the rxleaflet command ends
"""


def floors(python: str, folder: Path) -> dict[str, list[str]]:
    """Commands that import what a cold render imports, without rendering: the modules from
    outside rxleaflet, then those and rxleaflet's own."""
    pdf = str(folder / "floor.pdf")
    render = ["render", "lisinopril", "--library", str(LIBRARY), "-o", pdf]
    shown = subprocess.run(
        [python, "-c", _LOADED, *render], capture_output=True, text=True, check=True
    )  # fmt: skip
    loaded = shown.stdout.split("\n")[-2].split()  # the last line: render prints its own
    others = [name for name in loaded if name.split(".")[0] != "rxleaflet"]
    return {
        "imports: a render's modules from outside rxleaflet": [python, "-c", _IMPORT_ALL, *others],
        "imports: and rxleaflet's own": [python, "-c", _IMPORT_ALL, *others, *loaded],
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    commands: dict[str, list[str]], runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Seconds per run of each command, wall clock and CPU (user + system: less disturbed by
    other work on a shared machine); one untimed run each first, then round-robin."""
    for arguments in commands.values():
        subprocess.run(arguments, capture_output=True, check=False)
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, arguments in commands.items():
            started, cpu_before = time.perf_counter(), _children_cpu()
            done = subprocess.run(arguments, capture_output=True, check=False)
            times[name].append(time.perf_counter() - started)
            cpu[name].append(_children_cpu() - cpu_before)
            if done.returncode != 0:
                raise SystemExit(f"{name} failed ({done.returncode}): {done.stderr.decode()}")
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--python",
        action="append",
        help="the Python to measure (default: this one); give several to compare them, their "
        "runs taking turns",
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="cases: help version render check validate"
    )
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    pythons = args.python or [sys.executable]
    commands: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for number, python in enumerate(pythons, start=1):
            label = f"{number}: " if len(pythons) > 1 else ""
            compile_bytecode(python)
            commands[f"{label}python -c pass"] = [python, "-c", "pass"]
            (Path(folder) / str(number)).mkdir()
            if args.only is None or "render" in args.only:
                for name, command in floors(python, Path(folder) / str(number)).items():
                    commands[f"{label}{name}"] = command
            for launcher, start in launchers(python).items():
                for case, arguments in cases(Path(folder) / str(number)).items():
                    if args.only is None or case in args.only:
                        commands[f"{label}{launcher} {case}"] = [*start, *arguments]
        times, cpu = measure(commands, args.runs)
    print(f"{args.runs} runs each, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    for number, python in enumerate(pythons, start=1):
        print(f"{number}: {python}" if len(pythons) > 1 else python)
    print(f"{'command':52} {'median':>7} {'fastest':>8} {'slowest':>8} {'CPU median':>11}")
    for name, seconds in times.items():
        print(
            f"{name:52} {statistics.median(seconds) * 1000:5.0f}ms "
            f"{min(seconds) * 1000:6.0f}ms {max(seconds) * 1000:6.0f}ms "
            f"{statistics.median(cpu[name]) * 1000:9.0f}ms"
        )


if __name__ == "__main__":
    main()
