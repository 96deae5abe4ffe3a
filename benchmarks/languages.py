"""Per-language cost: render time (warm, in process; and cold, one command each) and PDF size
for each bundled metformin leaflet, rounds alternating between languages so load on a shared
machine falls on all of them alike. Run from the repository root:

    python3 benchmarks/languages.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rxleaflet.pipeline import build, prepare  # noqa: E402

LEAFLETS = {"en": "metformin", "es": "metformina", "fr": "metformin-fr", "pl": "metformin-pl",
            "ru": "metformin-ru", "vi": "metformin-vi", "ko": "metformin-ko",
            "zh-Hans": "metformin-zh-hans", "ar": "metformin-ar", "ur": "metformin-ur"}  # fmt: skip
BASE_FONTS = {"NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansMath-Regular.ttf"}


def font_bytes(pdf: bytes) -> int:
    """Bytes of the bundled font files (both faces of a family) a PDF draws with beyond Noto
    Sans: what its language adds to the wheel."""
    import io
    import re

    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            base = str(font.get_object()["/BaseFont"]).split("+")[-1]
            names.add(re.sub(r"-(Regular|Bold)$", "", base))
    files = {f for name in names for f in (ROOT / "fonts").glob(f"{name}-*.ttf")}
    return sum(f.stat().st_size for f in files if f.name not in BASE_FONTS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    warm: dict[str, list[float]] = {language: [] for language in LEAFLETS}
    cold: dict[str, list[float]] = {language: [] for language in LEAFLETS}
    size: dict[str, int] = {}
    fonts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(rounds):
            for language, name in LEAFLETS.items():
                source = ROOT / "leaflets" / f"{name}.yaml"
                start = time.perf_counter()
                pdf = build(prepare(source), "letter").pdf
                warm[language].append(time.perf_counter() - start)
                size[language] = len(pdf)
                fonts[language] = fonts.get(language) or font_bytes(pdf)
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "rxleaflet", "render", str(source), "-o", folder],
                    check=True, capture_output=True, cwd=ROOT,
                    env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
                )  # fmt: skip
                cold[language].append(time.perf_counter() - start)
    print("language\twarm median (min–max) s\tcold median (min–max) s\tPDF bytes\tfont bytes")
    for language in LEAFLETS:
        w, c = warm[language], cold[language]
        print(
            f"{language}\t{statistics.median(w):.3f} ({min(w):.3f}–{max(w):.3f})\t"
            f"{statistics.median(c):.2f} ({min(c):.2f}–{max(c):.2f})\t{size[language]}\t"
            f"{fonts[language]}"
        )


if __name__ == "__main__":
    main()
