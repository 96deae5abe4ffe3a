"""Real labels, measured: the import rate and word recall of the 40 real SPL labels in
``tests/data/spl/real/`` (import → validate → render and check → words of the PDF), one line per
label, and the time the whole run took.

Run from the repository root: ``PYTHONPATH=src python3 benchmarks/import_spl.py [LABEL.xml…]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/spl_recall.py does the measuring

from tests.spl_recall import measure_all, table  # noqa: E402


def main() -> None:
    labels = [Path(arg) for arg in sys.argv[1:]] or None
    started = time.perf_counter()
    outcomes = measure_all(labels)
    print(table(outcomes))
    print(f"{len(outcomes)} label(s) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
