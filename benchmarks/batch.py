"""Batch benchmark: N copies of a 2-page, ~1,200-word leaflet through `rxleaflet batch`.

Reports leaflets/s for --jobs 1 and --jobs 2 (whole command, start-up included) and the peak
memory of each worker. Run from the repository root:

    python3 benchmarks/batch.py [--count 200] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def run(library: Path, out: Path, jobs: int) -> tuple[float, float, str]:
    """Wall time, peak worker RSS (MiB) and the command's summary line."""
    command = [
        sys.executable,
        "-m",
        "rxleaflet",
        "batch",
        str(library),
        "-o",
        str(out),
        "--jobs",
        str(jobs),
        "--force",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"},
    )
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(done.stderr)
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return elapsed, peak, done.stdout.strip()


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
            elapsed, peak, summary = run(library, Path(folder) / f"out{jobs}", jobs)
            pages = summary
            print(
                f"--jobs {jobs}: {elapsed:.2f} s wall, {args.count / elapsed:.1f} leaflets/s "
                f"(whole command), peak RSS of any process {peak:.0f} MiB"
            )
            print(f"  {pages}")


if __name__ == "__main__":
    main()
