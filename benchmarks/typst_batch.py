"""A batch of Typst leaflets as a developer batching with Typst would write it: the peer that
``vs_typst.py`` races.

One ``typst.Compiler`` per worker process, made at its first leaflet and kept: it holds the
fonts it has scanned and loaded, and its caches, from one document to the next (what the
binding's Compiler exists for). It is given only the fonts the leaflet's scripts need, and each
document comes in through ``sys_inputs`` to a main file that evaluates it.

    python3 benchmarks/typst_batch.py JOBS.json WORKERS

JOBS.json is a list of ``[document.typ, fonts folder]``; each PDF is written beside its
document. Run this way, the batch is timed as a whole command, as ``rxleaflet batch`` is:
Python's start and ``import typst`` included. ``vs_typst.py`` also calls :func:`compile_one`
from a pool inside its own, already running process, which leaves those out.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from pathlib import Path

import typst

EPOCH = 1767225600
MAIN = '#eval(sys.inputs.doc, mode: "markup")\n'  # main.typ, beside the documents
_COMPILERS: dict[str, typst.Compiler] = {}  # this worker's, one per font folder


def compile_one(job: tuple[str, str]) -> int:
    """Compile one document with this worker's Compiler for its fonts; the PDF's size."""
    document, fonts = Path(job[0]), job[1]
    compiler = _COMPILERS.get(fonts)
    if compiler is None:
        main = document.parent / "main.typ"
        compiler = typst.Compiler(input=str(main), root=str(main.parent), font_paths=[fonts])
        _COMPILERS[fonts] = compiler
    target = document.with_suffix(".pdf")
    compiler.compile(
        output=str(target), sys_inputs={"doc": document.read_text(encoding="utf-8")},
        pdf_standards=["ua-1"], timestamp=EPOCH,
    )  # fmt: skip
    return target.stat().st_size


def run(jobs: list[tuple[str, str]], workers: int) -> None:
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(compile_one, jobs, chunksize=1)


if __name__ == "__main__":
    run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")), int(sys.argv[2]))
