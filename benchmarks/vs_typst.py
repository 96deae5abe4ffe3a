"""rxleaflet against Typst (PDF/UA-1 on), same leaflets, same machine, alternating rounds.

The corpus is different leaflets, not copies: the bundled ones in their six languages and a
1,200-word monograph, each with 0 to 3 extra sections, under distinct ids, and the words of
every paragraph put in another order for each copy — so no cache earns more than a real batch
gives. Typst gets each leaflet's text through the template in ``tests/foreign.py`` (title,
warning box, sections, end matter, a running footer with the copyright, expiry and "Page N of
M"), compiled with ``pdf_standards=["ua-1"]`` by a pool of two worker processes.

The fair peer (``--peer fast``, the default) is Typst as a developer batching with it writes
it: one ``typst.Compiler`` per worker process, made once, given only the fonts the leaflet's
scripts need (the Latin faces, or every face for Chinese and Korean), each document passed in
through ``sys_inputs`` to a main file that evaluates it. That is what the binding's Compiler
exists for: it keeps the fonts it has scanned and loaded, and its caches, from one document to
the next. That peer is written as a developer would write it, in ``typst_batch.py``.
``--peer compile`` is the way this benchmark used to call Typst, ``typst.compile`` per
leaflet, which scans and loads the fonts again each time; ``--peer both`` reports the two side
by side.

Typst's batch is timed two ways. As a whole command (``typst_batch.py`` in a new process),
which is how ``rxleaflet batch`` is timed: Python's start and the imports count for both. And
as a pool forked from this benchmark's running process, with ``typst`` already imported: the
stricter figure, which leaves Typst's start out and keeps rxleaflet's in. rxleaflet's bytecode
is compiled before anything is timed, as installing a wheel leaves it (an editable install
under PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run).

    pip install -e '.[bench]'          # Typst's PyPI package
    python3 benchmarks/vs_typst.py [--count 200] [--rounds 3]

Reports: batch wall time for ``--jobs 2`` (rxleaflet: the whole ``rxleaflet batch`` command,
verification included; Typst: a pool of 2), the ratio, warm ms per leaflet in one process,
cold single render (a new process), pages and bytes per leaflet, and peak memory.

And the budget a tie leaves rxleaflet. Its batch costs a fixed part F, timed as a batch of one
leaflet per worker (Python's start, the imports, the fork, each worker's first leaflet with its
fonts and data files), then a leaflet every c ms in each worker. Against Typst's whole command
B, a ratio of 1.0 leaves each worker (B - F) / (count / jobs - 1) ms per further leaflet; the
report sets beside it c as the batch showed it and the CPU time of a warm leaflet's stages (the
source, rendering, the read-back with its checks, the collector), so that what must change,
and where, is a figure rather than a guess.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import multiprocessing
import os
import random
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

from benchmarks import typst_batch  # noqa: E402 - the fair peer
from benchmarks.typst_batch import MAIN, compile_one  # noqa: E402

EPOCH = str(typst_batch.EPOCH)  # SOURCE_DATE_EPOCH for rxleaflet, Typst's timestamp
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
        text = reorder_words(text, random.Random(index))
        path = folder / f"l{index:05d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def reorder_words(text: str, chance: random.Random) -> str:
    """The section texts with the words of each line in another order (the markup's ``**``
    words, a list item's dash and the FDA statement a guide must carry stay as they are, so the
    leaflet stays valid): a copy shares its length and characters with the original, not its
    lines."""
    lines = text.split("\n")
    inside = False
    for number, line in enumerate(lines):
        if line.startswith("sections:"):
            inside = True
        elif line.startswith("source:"):
            inside = False
        if not inside or not line.startswith("      ") or "FDA" in line:  # 21 CFR 209.10 stays
            continue
        words = line.split(" ")
        free = [i for i, w in enumerate(words) if w and "*" not in w and w != "-" and ":" not in w]
        moved = [words[i] for i in free]
        chance.shuffle(moved)
        for i, word in zip(free, moved, strict=True):
            words[i] = word
        lines[number] = " ".join(words)
    return "\n".join(lines)


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


def _typst_one(job: tuple[str, str]) -> int:
    """The old peer: ``typst.compile`` per leaflet (fonts scanned and loaded each time)."""
    import typst

    document, fonts = Path(job[0]), job[1]
    target = document.with_suffix(".pdf")
    typst.compile(
        str(document), output=str(target), pdf_standards=["ua-1"],
        font_paths=[str(fonts)], timestamp=int(EPOCH),
    )  # fmt: skip
    return target.stat().st_size


def typst_jobs(documents: list[Path], root: Path) -> list[tuple[str, str]]:
    latin, every = font_folders(root)
    for folder in {d.parent for d in documents}:  # the fast peer's main file, made once
        (folder / "main.typ").write_text(MAIN, encoding="utf-8")
    wide = re.compile("[\u2e80-\ud7ff\uf900-\uffef]")  # Chinese, Japanese, Korean
    return [
        (str(d), str(every if wide.search(d.read_text(encoding="utf-8")) else latin))
        for d in documents
    ]


def typst_batch(jobs_list: list[tuple[str, str]], jobs: int, fast: bool = True) -> float:
    """A pool of ``jobs`` workers forked from this running process; the fast peer's Compilers
    are made in the timed run, once per worker, as a batch would make them."""
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pool.map(compile_one if fast else _typst_one, jobs_list, chunksize=1)
    return time.perf_counter() - started


def typst_batch_command(jobs_file: Path, jobs: int) -> float:
    """The fast peer as a whole command (``typst_batch.py``), timed as ``rxleaflet batch``
    is: Python's start and ``import typst`` included."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(Path(__file__).with_name("typst_batch.py")), str(jobs_file),
         str(jobs)],
        check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def typst_warm_ms(jobs_list: list[tuple[str, str]], fast: bool = True) -> float:
    """Typst per leaflet in one process, after ten leaflets to warm up."""
    one = compile_one if fast else _typst_one
    for job in jobs_list[:10]:
        one(job)
    started = time.perf_counter()
    for job in jobs_list:
        one(job)
    return (time.perf_counter() - started) * 1000 / len(jobs_list)


def rxleaflet_batch(library: Path, out: Path, jobs: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "rxleaflet", "batch", str(library), "-o", str(out),
         "--jobs", str(jobs), "--force"],
        check=True, capture_output=True, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )  # fmt: skip
    return time.perf_counter() - started


def stage_ms(sources: list[Path]) -> dict[str, float]:
    """CPU ms per leaflet of each stage of ``pipeline.build``, warm, in this process: the
    source read and checked, the PDF rendered, read back and checked, the young objects
    collected (the same calls build makes, timed one by one)."""
    from rxleaflet.check import check_pdf
    from rxleaflet.cli import COLLECTOR_THRESHOLDS
    from rxleaflet.contract import expectations_for
    from rxleaflet.pipeline import RenderOptions, prepare, read_back_options
    from rxleaflet.render import render_pdf

    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    options = RenderOptions(allow_expired=True)
    names = ("source", "render", "read-back and checks", "collector")
    totals = dict.fromkeys(names, 0.0)
    for round_ in range(2):  # the first round warms up
        for source in sources:
            marks = [time.process_time()]
            leaflet = prepare(source, options)
            marks.append(time.process_time())
            pdf = render_pdf(leaflet, "letter")
            marks.append(time.process_time())
            check = read_back_options(None, leaflet.expired)  # as build reads it back
            check_pdf(pdf, expected=expectations_for(leaflet, "letter"), options=check)
            marks.append(time.process_time())
            gc.collect(0)
            marks.append(time.process_time())
            if round_:
                for name, start, end in zip(names, marks, marks[1:], strict=False):
                    totals[name] += (end - start) * 1000
    return {name: total / len(sources) for name, total in totals.items()}


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


def budget(sources: list[Path], jobs: int, ours: float, fixed: float, typst: float) -> str:
    """What a ratio of 1.0 leaves each worker per leaflet after rxleaflet's fixed part, beside
    what a leaflet takes in the batch and, by stage, warm."""
    further = len(sources) / jobs - 1  # leaflets each worker takes after its first
    allowed = (typst - fixed) / further * 1000
    taken = (ours - fixed) / further * 1000
    stages = stage_ms(sources)
    split = ", ".join(f"{name} {ms:.1f}" for name, ms in stages.items())
    return (
        f"budget for a ratio of 1.0: rxleaflet's fixed part {fixed:.2f} s (a batch of {jobs}, "
        f"one leaflet per worker) leaves {allowed:.1f} ms per further leaflet per worker; "
        f"it takes {taken:.1f} ms in the batch, {sum(stages.values()):.1f} ms CPU warm "
        f"({split})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--corpus", choices=["varied", "monograph"], default="varied",
        help="different leaflets (default), or the 1,200-word monograph under many ids",
    )  # fmt: skip
    parser.add_argument(
        "--peer", choices=["fast", "compile", "both"], default="fast",
        help="Typst with a Compiler per worker (default), typst.compile per leaflet, or both",
    )  # fmt: skip
    args = parser.parse_args()
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        sources = make_corpus(root / "in", args.count, varied=args.corpus == "varied")
        documents = typst_jobs(typst_sources(sources, root / "typst"), root)
        jobs_file = root / "typst-jobs.json"
        jobs_file.write_text(json.dumps(documents), encoding="utf-8")
        from benchmarks.coldstart import compile_bytecode

        compile_bytecode()  # as a wheel install leaves it, before anything is timed
        peers = {"fast": [True], "compile": [False], "both": [True, False]}[args.peer]
        ours: list[float] = []
        theirs: dict[bool, list[float]] = {fast: [] for fast in peers}
        command: list[float] = []
        fixed: list[float] = []  # a batch of one leaflet per worker: the fixed part
        (root / "first").mkdir()
        for source in sources[: args.jobs]:
            (root / "first" / source.name).write_bytes(source.read_bytes())
        for _ in range(args.rounds):  # A, B, A, B …: drift hits both alike
            ours.append(rxleaflet_batch(root / "in", root / "out", args.jobs))
            fixed.append(rxleaflet_batch(root / "first", root / "out-first", args.jobs))
            if True in peers:
                command.append(typst_batch_command(jobs_file, args.jobs))
            for fast in peers:
                theirs[fast].append(typst_batch(documents, args.jobs, fast))
        a = statistics.median(ours)
        what = (
            f"different leaflets ({len(BASES)} bases, 6 languages, 0–3 extra sections)"
            if args.corpus == "varied"
            else "leaflets of the 1,200-word monograph"
        )
        print(f"{args.count} {what} (words reordered per copy), --jobs {args.jobs}, "
              f"{args.rounds} alternating rounds")  # fmt: skip
        rows = [("Compiler per worker, a whole command", command)] if command else []
        rows += [
            (("Compiler per worker" if fast else "typst.compile per leaflet")
             + ", pool forked from this process", times)
            for fast, times in theirs.items()
        ]  # fmt: skip
        for peer, times in rows:
            b = statistics.median(times)
            print(f"batch: rxleaflet {a:.2f} s (verified), Typst ({peer}) {b:.2f} s; ratio "
                  f"{a / b:.2f} (rounds: {', '.join(f'{x:.2f}' for x in ours)} vs "
                  f"{', '.join(f'{x:.2f}' for x in times)})")  # fmt: skip
        print(f"warm, one process: rxleaflet {warm_ms(sources):.1f} ms per leaflet (render + "
              f"verify); Typst " + ", ".join(
                  f"{typst_warm_ms(documents, fast):.1f} ms "
                  f"({'Compiler' if fast else 'typst.compile'})" for fast in theirs))  # fmt: skip
        if command:
            print(budget(sources, args.jobs, a, statistics.median(fixed),
                         statistics.median(command)))  # fmt: skip
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
