"""Per-language cost: render time (warm, in process; and cold, one command each), PDF size and
the font bytes the language adds to the wheel (its faces beyond Noto Sans, as files and
deflated as in the wheel) for each metformin leaflet (Punjabi's from benchmarks/data), rounds
alternating between languages so load on a shared machine falls on all of them alike. Run
from the repository root:

    python3 benchmarks/languages.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rxleaflet.pipeline import build, prepare  # noqa: E402
from rxleaflet.source.coverage import (  # noqa: E402
    CJK_FACE,
    FONT_FILES,
    SHAPED_FACE,
    fonts_folder,
)

LIBRARY = ROOT / "leaflets"
LEAFLETS = {"en": LIBRARY / "metformin.yaml", "es": LIBRARY / "metformina.yaml",
            "fr": LIBRARY / "metformin-fr.yaml", "pl": LIBRARY / "metformin-pl.yaml",
            "ru": LIBRARY / "metformin-ru.yaml", "vi": LIBRARY / "metformin-vi.yaml",
            "hi": LIBRARY / "metformin-hi.yaml", "bn": LIBRARY / "metformin-bn.yaml",
            "ar": LIBRARY / "metformin-ar.yaml", "ur": LIBRARY / "metformin-ur.yaml",
            "pa": ROOT / "benchmarks" / "data" / "metformin-pa.yaml",
            "ko": LIBRARY / "metformin-ko.yaml",
            "zh-Hans": LIBRARY / "metformin-zh-hans.yaml"}  # fmt: skip


def font_bytes(language: str) -> tuple[int, int]:
    """The bytes of the language's own faces (regular and bold) beyond Noto Sans, read only
    when a leaflet needs them: on disk, and deflated as a wheel stores them."""
    own = CJK_FACE.get(language) or SHAPED_FACE.get(language)
    names = (FONT_FILES[own], FONT_FILES[f"{own}-Bold"]) if own else ()
    data = [(fonts_folder() / name).read_bytes() for name in names]
    return sum(map(len, data)), sum(len(zlib.compress(d, 9)) for d in data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    warm: dict[str, list[float]] = {language: [] for language in LEAFLETS}
    cold: dict[str, list[float]] = {language: [] for language in LEAFLETS}
    size: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(rounds):
            for language, source in LEAFLETS.items():
                start = time.perf_counter()
                pdf = build(prepare(source), "letter").pdf
                warm[language].append(time.perf_counter() - start)
                size[language] = len(pdf)
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "rxleaflet", "render", str(source), "-o", folder],
                    check=True, capture_output=True, cwd=ROOT,
                    env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
                )  # fmt: skip
                cold[language].append(time.perf_counter() - start)
    print(
        "language\twarm median (min–max) s\tcold median (min–max) s\tPDF bytes\t"
        "font bytes added (deflated in the wheel)"
    )
    for language in LEAFLETS:
        w, c = warm[language], cold[language]
        raw, deflated = font_bytes(language)
        print(
            f"{language}\t{statistics.median(w):.3f} ({min(w):.3f}–{max(w):.3f})\t"
            f"{statistics.median(c):.2f} ({min(c):.2f}–{max(c):.2f})\t{size[language]}\t"
            f"{raw} ({deflated})"
        )


if __name__ == "__main__":
    main()
