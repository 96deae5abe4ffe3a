"""Hostile input, measured: each case runs the real command in a new process; wall time and peak
memory (RSS) are reported per case, and the worst per class.

Run from the repository root: ``python3 benchmarks/hostile.py``. The inputs are built here, in
a temporary folder; nothing is kept.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import yaml
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/handmade.py writes the hostile PDFs

from tests.handmade import handmade_pdf, one_page_pdf  # noqa: E402

LISINOPRIL = REPO / "leaflets" / "lisinopril.yaml"


def source(folder: Path, name: str, change: Callable[[dict], None]) -> Path:
    data = yaml.safe_load(LISINOPRIL.read_text(encoding="utf-8"))
    change(data)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, width=10**9), encoding="utf-8")
    return path


def cases(folder: Path) -> list[tuple[str, str, list[str]]]:
    """(class, case, command arguments)."""
    bold = source(folder, "bold", lambda d: d["sections"][0].update(text="**x " * 240_000))
    dots = source(folder, "dots", lambda d: d["sections"][0].update(text="a" + "." * 80_000))
    long = source(folder, "long", lambda d: d["sections"][0].update(text="Take it. " * 1500))
    token = source(folder, "token", lambda d: d["sections"][0].update(text="x" * 20_000))
    cmap = (
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange 256 beginbfrange "
        + b"".join(b"<%04X> <FFFF> <0000>\n" % s for s in range(256))
        + b"endbfrange"
    )
    font = (
        b"<< /Font << /F1 5 0 R >> >>",
        [b"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /ToUnicode 6 0 R >>",
         b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream"],
    )  # fmt: skip
    headings = b"BT /F1 10 Tf " + b"(Whatis) Tj " * 8000 + b"ET"
    compressor = zlib.compressobj(9)
    bomb = b"".join(compressor.compress(b"0 0 m " * 1_000_000) for _ in range(40))
    bomb += compressor.flush()
    files = {
        "brackets.pdf": one_page_pdf(b"(" * 40_000),
        "arrays.pdf": one_page_pdf(b"[" * 40_000),
        "cmap.pdf": one_page_pdf(b"BT /F1 10 Tf <0041> Tj ET", font[0], font[1]),
        "headings.pdf": one_page_pdf(headings, font[0], font[1]),
        "deep.pdf": handmade_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R /D 3 0 R >>",
                b"<< /Type /Pages /Kids [] /Count 0 >>",
                b"<< /A " * 100_000 + b">>" * 100_000,
            ]
        ),  # fmt: skip
        "bomb.pdf": one_page_pdf(b"").replace(
            b"<< /Length 0 >>\nstream\n\nendstream",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb + b"\nendstream",
        ),  # fmt: skip
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    fifo = folder / "fifo"
    os.mkfifo(fifo)
    huge = folder / "huge.png"
    Image.new("1", (13_300, 13_300)).save(huge, optimize=True)
    brand = folder / "brand.yaml"
    brand.write_text("rxleaflet-brand: 1\nname: R\nlogo: huge.png\nlogo_alt: R\n", encoding="utf-8")
    twin = folder / "twin.yaml"
    twin.write_text(LISINOPRIL.read_text(encoding="utf-8"), encoding="utf-8")
    out = str(folder / "out")
    return [
        ("quadratic regular expressions", "1 MB of unpaired ** (validate)", ["validate", str(bold)]),
        ("quadratic regular expressions", "80,000 dots (render)", ["render", str(dots), "-o", out]),
        ("quadratic regular expressions", "8,000 heading candidates (check)", ["check", str(folder / "headings.pdf")]),
        ("check inside a page", "40,000 '(' (check)", ["check", str(folder / "brackets.pdf")]),
        ("check inside a page", "40,000 '[' (check)", ["check", str(folder / "arrays.pdf")]),
        ("check inside a page", "256 overlapping CMap ranges (check)", ["check", str(folder / "cmap.pdf")]),
        ("check inside a page", "10^5-deep dictionary (check)", ["check", str(folder / "deep.pdf")]),
        ("check inside a page", "240 MB decompression bomb (check)", ["check", str(folder / "bomb.pdf")]),
        ("special files", "check /dev/zero", ["check", "/dev/zero"]),
        ("special files", "check a FIFO", ["check", str(fifo)]),
        ("special files", "validate a FIFO", ["validate", str(fifo)]),
        ("special files", "render --brand /dev/zero", ["render", str(LISINOPRIL), "--brand", "/dev/zero", "-o", out]),
        ("logo limits", "13,300² pixel PNG logo (render --brand)", ["render", str(LISINOPRIL), "--brand", str(brand), "-o", out]),
        ("wrong refusals", "13,500-character paragraph, large print", ["render", str(long), "--large-print", "-o", out]),
        ("wrong refusals", "20,000-character token, large print A4", ["render", str(token), "--large-print", "--paper", "a4", "-o", out]),
        ("duplicate ids", "two sources, one id (render)", ["render", str(LISINOPRIL), str(twin), "-o", out]),
    ]  # fmt: skip


# Runs the command, then reports its own peak RSS (VmHWM: this process since exec) last.
WRAPPER = """
import sys
from rxleaflet.cli import main
try:
    main(sys.argv[1:], prog_name="rxleaflet")
finally:
    peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
    print("RSS", peak, file=sys.stderr)
"""


def run(arguments: list[str]) -> tuple[int, float, float, int]:
    """(exit status, seconds, peak RSS in MB, stderr lines) of one command in a new process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *arguments],
        capture_output=True, text=True, timeout=600, check=False, cwd=REPO,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    lines = done.stderr.splitlines()
    peak = int(lines[-1].split()[1]) / 1024 if lines and lines[-1].startswith("RSS") else 0.0
    return done.returncode, seconds, peak, len(lines) - 1


def main() -> None:
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    worst: dict[str, tuple[float, float, int]] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        print(f"{'class':32} {'case':44} {'exit':>4} {'time':>8} {'RSS':>8} {'stderr':>6}")
        for kind, case, arguments in cases(folder):
            status, seconds, peak, lines = run(arguments)
            print(f"{kind:32} {case:44} {status:4} {seconds:7.2f}s {peak:6.0f}MB {lines:6}")
            time_, memory, count = worst.get(kind, (0.0, 0.0, 0))
            worst[kind] = (max(time_, seconds), max(memory, peak), count + 1)
    print("\nworst per class:")
    for kind, (seconds, peak, count) in worst.items():
        print(f"  {kind:32} {count} cases  worst {seconds:.2f}s  peak {peak:.0f} MB")


if __name__ == "__main__":
    main()
