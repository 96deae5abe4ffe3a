"""Cold start: each command in a new process, as a pharmacist at the counter runs it.

Run from the repository root: ``python3 benchmarks/startup.py [--runs N]``. Uses the installed
``rxleaflet`` script beside this Python (not a shell shim), with rxleaflet's bytecode compiled
first (as installing a wheel does; an editable install under PYTHONDONTWRITEBYTECODE would
otherwise compile every module on every run), after one untimed run, and reports the median
and best of N runs.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[1] / "leaflets"


def compile_bytecode() -> None:
    """Write rxleaflet's .pyc files, whatever PYTHONDONTWRITEBYTECODE says."""
    import rxleaflet

    compileall.compile_dir(Path(rxleaflet.__file__).parent, quiet=1)


def command() -> list[str]:
    script = Path(sys.executable).with_name("rxleaflet")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "rxleaflet"]


def timed(arguments: list[str], runs: int) -> tuple[float, float]:
    subprocess.run(arguments, capture_output=True, check=False)  # compiles bytecode if needed
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(arguments, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    compile_bytecode()
    base = command()
    with tempfile.TemporaryDirectory() as folder:
        pdf = str(Path(folder) / "lisinopril.pdf")
        cases = {
            "rxleaflet --help": ["--help"],
            "rxleaflet render lisinopril": [
                "render", "lisinopril", "--library", str(LIBRARY), "-o", pdf,
            ],
            "rxleaflet check lisinopril.pdf": ["check", pdf],
            "rxleaflet validate lisinopril": ["validate", "lisinopril", "--library", str(LIBRARY)],
        }  # fmt: skip
        print(f"{'command':34} {'median':>8} {'best':>8}")
        for name, arguments in cases.items():
            median, best = timed([*base, *arguments], args.runs)
            print(f"{name:34} {median * 1000:6.0f}ms {best * 1000:6.0f}ms")


if __name__ == "__main__":
    main()
