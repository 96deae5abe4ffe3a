"""Batch benchmark: N copies of a 2-page, ~1,200-word leaflet through `rxleaflet batch`.

Reports leaflets/s for --jobs 1 and --jobs 2 (whole command, start-up included) and memory
over the run: the parent's and the largest worker's RSS at a tenth of the run, at its end, and
at peak (flat when the first two agree; try --count 5000). Run from the repository root:

    python3 benchmarks/batch.py [--count 200] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/processes.py

from tests.processes import children, resident_mib  # noqa: E402

SEED_LEAFLET = Path(__file__).resolve().parents[1] / "leaflets" / "baclofen-intrathecal.yaml"

EXTRA_SECTIONS = (Path(__file__).with_name("extra_sections.yaml")).read_text(encoding="utf-8")


def make_library(folder: Path, count: int) -> int:
    """Write ``count`` distinct leaflets; return the number of words in one."""
    valid = f"expires: {dt.date.today().year + 2}-12"  # well ahead, within the 5-year limit
    text = SEED_LEAFLET.read_text(encoding="utf-8").replace("expires: 2025-12", valid)
    text = text.replace("source:\n", EXTRA_SECTIONS.split("\n", 1)[1] + "source:\n", 1)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        body = text.replace("id: baclofen-intrathecal", f"id: leaflet-{index:05d}")
        (folder / f"leaflet-{index:05d}.yaml").write_text(body, encoding="utf-8")
    words = re.findall(r"[A-Za-z]+", text.split("sections:", 1)[1])
    return len(words)


def run(library: Path, out: Path, jobs: int) -> tuple[float, list[tuple[float, float, float]], str]:
    """Wall time, memory samples (seconds, parent MiB, largest worker MiB) and the command's
    summary line."""
    command = [
        sys.executable, "-m", "rxleaflet", "batch", str(library), "-o", str(out),
        "--jobs", str(jobs), "--force",
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"},
    )
    samples = []
    while process.poll() is None:
        workers = [resident_mib(child) for child in children(process.pid)]
        samples.append(
            (time.perf_counter() - started, resident_mib(process.pid), max(workers, default=0.0))
        )
        time.sleep(0.1)
    stdout, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(stderr)
    return elapsed, [s for s in samples if s[1]], stdout.strip()


def _memory_line(samples: list[tuple[float, float, float]]) -> str:
    """Memory at a tenth of the run, near its end, and its peak: flat when the first two agree
    (with --jobs 1 the parent does the work, and there are no workers)."""
    working = [sample for sample in samples if sample[2]] or samples
    if len(working) < 10:
        return "memory: the run was too short to sample (try a larger --count)"
    early, late = working[len(working) // 10], working[-1]
    line = (
        f"memory at {early[0]:.0f} s / {late[0]:.0f} s / peak: parent {early[1]:.0f} / "
        f"{late[1]:.0f} / {max(sample[1] for sample in samples):.0f} MiB"
    )
    if late[2]:
        peak = max(sample[2] for sample in working)
        line += f", largest worker {early[2]:.0f} / {late[2]:.0f} / {peak:.0f} MiB"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        library = Path(folder) / "in"
        words = make_library(library, args.count)
        print(f"{args.count} leaflets of ~{words} words each")
        for jobs in args.jobs:
            elapsed, samples, summary = run(library, Path(folder) / f"out{jobs}", jobs)
            print(
                f"--jobs {jobs}: {elapsed:.2f} s wall, {args.count / elapsed:.1f} leaflets/s "
                "(whole command)"
            )
            print(f"  {_memory_line(samples)}")
            print(f"  {summary}")


if __name__ == "__main__":
    main()
