"""rxleaflet against Typst (PDF/UA-1 on), same leaflets, same machine, alternating rounds.

The corpus is different leaflets, not copies: the bundled ones in their six languages and a
1,200-word monograph, each with 0 to 3 extra sections, under distinct ids — so a cache earns
only what a real batch gives. Typst gets each leaflet's text through the template in
``tests/foreign.py`` (title, warning box, sections, end matter, a running footer with the
copyright, expiry and "Page N of M"), compiled with ``pdf_standards=["ua-1"]``, two worker
processes for the batch (what a developer would write around ``typst.compile``).

    pip install -e '.[bench]'          # Typst's PyPI package
    python3 benchmarks/vs_typst.py [--count 200] [--rounds 3]

Reports: batch wall time for ``--jobs 2`` (rxleaflet: the whole ``rxleaflet batch`` command,
verification included; Typst: a pool of 2), the ratio, warm ms per leaflet in one process,
cold single render (a new process), pages and bytes per leaflet, and peak memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import multiprocessing
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/foreign.py holds the Typst template

EPOCH = "1767225600"
EXTRA = (Path(__file__).with_name("extra_sections.yaml")).read_text(encoding="utf-8")
EXTRA_SECTIONS = [part for part in re.split(r"(?m)^(?=  - kind:)", EXTRA) if part.startswith(" ")]
BASES = [
    "baclofen-intrathecal", "lisinopril", "metformin", "metformina", "metformin-zh-hans",
    "metformin-ko", "metformin-ru", "metformin-vi", "ibuprofen-medication-guide", "humira",
]  # fmt: skip


def make_corpus(folder: Path, count: int, varied: bool = True) -> list[Path]:
    """``count`` distinct leaflets: bundled ones, varied by 0–3 extra sections; or (not
    ``varied``) the issue's measure, the 1,200-word monograph under ``count`` ids."""
    folder.mkdir(parents=True, exist_ok=True)
    valid = f"expires: {dt.date.today().year + 2}-12"
    paths = []
    for index in range(count):
        base = BASES[index % len(BASES)] if varied else BASES[0]
        text = (REPO / "leaflets" / f"{base}.yaml").read_text(encoding="utf-8")
        text = text.replace("expires: 2025-12", valid).replace(
            f"id: {base}\n", f"id: l{index:05d}\n"
        )
        extra = index // len(BASES) % 4 if varied else 3
        if extra and "profile: monograph" in text:  # guides keep the regulation's sections
            text = text.replace(
                "\nsource:\n", "\n" + "".join(EXTRA_SECTIONS[:extra]) + "source:\n", 1
            )
        path = folder / f"l{index:05d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def typst_sources(sources: list[Path], folder: Path) -> list[Path]:
    from rxleaflet.contract import RenderOptions, prepare
    from tests.foreign import typst_source

    folder.mkdir(parents=True, exist_ok=True)
    documents = []
    for source in sources:
        document = folder / f"{source.stem}.typ"
        leaflet = prepare(source, RenderOptions(allow_expired=True))
        document.write_text(typst_source(leaflet, "us-letter"), encoding="utf-8")
        documents.append(document)
    return documents


def font_folders(root: Path) -> tuple[Path, Path]:
    """Typst scans every font it is given on each compile: the Latin fonts alone for leaflets
    without Chinese or Korean (as a developer would set it up), all of them otherwise."""
    from rxleaflet.source.coverage import BASE_FONTS, fonts_folder

    latin = root / "fonts-latin"
    latin.mkdir()
    for name in BASE_FONTS.values():
        (latin / name).symlink_to(fonts_folder() / name)
    return latin, fonts_folder()


def _typst_one(job: tuple[Path, Path]) -> int:
    import typst

    document, fonts = job
    target = document.with_suffix(".pdf")
    typst.compile(
        str(document), output=str(target), pdf_standards=["ua-1"],
        font_paths=[str(fonts)], timestamp=int(EPOCH),
    )  # fmt: skip
    return target.stat().st_size


def typst_jobs(documents: list[Path], root: Path) -> list[tuple[Path, Path]]:
    latin, every = font_folders(root)
    wide = re.compile("[\u2e80-\ud7ff\uf900-\uffef]")  # Chinese, Japanese, Korean
    return [(d, every if wide.search(d.read_text(encoding="utf-8")) else latin) for d in documents]


def typst_batch(jobs_list: list[tuple[Path, Path]], jobs: int) -> float:
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pool.map(_typst_one, jobs_list, chunksize=1)
    return time.perf_counter() - started


def rxleaflet_batch(library: Path, out: Path, jobs: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "rxleaflet", "batch", str(library), "-o", str(out),
         "--jobs", str(jobs), "--force"],
        check=True, capture_output=True, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )  # fmt: skip
    return time.perf_counter() - started


def warm_ms(sources: list[Path]) -> float:
    """Render and verify each leaflet in this process, with the collector set as the CLI's
    processes (and the batch workers they fork) set it."""
    from rxleaflet.cli import COLLECTOR_THRESHOLDS
    from rxleaflet.pipeline import RenderOptions, build, prepare

    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    options = RenderOptions(allow_expired=True)
    for source in sources[:10]:  # warm up: imports, fonts, caches of fixed words
        build(prepare(source, options))
    started = time.perf_counter()
    for source in sources:
        build(prepare(source, options))
    return (time.perf_counter() - started) * 1000 / len(sources)


def cold_ms(command: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True,
                       env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})  # fmt: skip
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def pdf_stats(folder: Path) -> tuple[float, float]:
    from pypdf import PdfReader

    files = sorted(folder.glob("*.pdf"))
    pages = [len(PdfReader(f).pages) for f in files]
    return statistics.mean(pages), statistics.mean(f.stat().st_size for f in files) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--corpus", choices=["varied", "monograph"], default="varied",
        help="different leaflets (default), or the 1,200-word monograph under many ids",
    )  # fmt: skip
    args = parser.parse_args()
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        sources = make_corpus(root / "in", args.count, varied=args.corpus == "varied")
        documents = typst_jobs(typst_sources(sources, root / "typst"), root)
        ours, theirs = [], []
        for _ in range(args.rounds):  # A, B, A, B …: drift hits both alike
            ours.append(rxleaflet_batch(root / "in", root / "out", args.jobs))
            theirs.append(typst_batch(documents, args.jobs))
        a, b = statistics.median(ours), statistics.median(theirs)
        what = (
            f"different leaflets ({len(BASES)} bases, 6 languages, 0–3 extra sections)"
            if args.corpus == "varied"
            else "leaflets of the 1,200-word monograph"
        )
        print(f"{args.count} {what}, --jobs {args.jobs}, {args.rounds} alternating rounds")
        print(f"batch: rxleaflet {a:.2f} s (verified), Typst {b:.2f} s; ratio {a / b:.2f} "
              f"(rounds: {', '.join(f'{x:.2f}' for x in ours)} vs "
              f"{', '.join(f'{x:.2f}' for x in theirs)})")  # fmt: skip
        print(f"warm, one process: rxleaflet {warm_ms(sources):.1f} ms per leaflet")
        from benchmarks.startup import compile_bytecode

        compile_bytecode()  # as a wheel install leaves it
        single = sources[min(2, len(sources) - 1)]
        ours_cold = cold_ms([sys.executable, "-m", "rxleaflet", "render", str(single),
                             "-o", str(root / "cold.pdf")])  # fmt: skip
        theirs_cold = cold_ms([sys.executable, "-c",
                               "import sys; sys.path.insert(0, sys.argv[2]); "
                               "from benchmarks.vs_typst import _typst_one; "
                               "P = __import__('pathlib').Path; "
                               "_typst_one((P(sys.argv[1]), P(sys.argv[3])))",
                               str(documents[min(2, len(documents) - 1)][0]), str(REPO),
                               str(documents[min(2, len(documents) - 1)][1])])  # fmt: skip
        print(
            f"cold single render (new process): rxleaflet {ours_cold:.0f} ms, "
            f"Typst via Python {theirs_cold:.0f} ms"
        )
        our_pages, our_kb = pdf_stats(root / "out")
        their_pages, their_kb = pdf_stats(root / "typst")
        print(
            f"per leaflet: rxleaflet {our_pages:.2f} pages, {our_kb:.0f} KB; "
            f"Typst {their_pages:.2f} pages, {their_kb:.0f} KB"
        )
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak RSS of any child process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
