"""Batch production: every leaflet under a folder, in parallel, resumable, with a manifest.

One bad file never stops the others. Outputs are written atomically through a temporary folder
inside OUTDIR, so an interrupted batch (Ctrl-C or kill -9) leaves only complete PDFs; a journal
of finished leaflets lets the rerun skip what is already done.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__
from .errors import LeafletError, LibraryError
from .output import write_atomic
from .pipeline import RenderOptions, build, output_path, prepare
from .source.library import source_files

MANIFEST = "manifest.json"
JOURNAL = ".rxleaflet-journal.jsonl"
TEMPORARY = ".rxleaflet-tmp"
PRODUCED, REFUSED, SKIPPED = "produced", "refused", "skipped"


@dataclass
class Entry:
    """One leaflet's line in the manifest."""

    source: str
    source_sha256: str | None = None
    id: str | None = None
    output: str | None = None
    output_sha256: str | None = None
    pages: int | None = None
    status: str = REFUSED
    reasons: list[str] = field(default_factory=list)


@dataclass
class BatchResult:
    entries: list[Entry]
    seconds: float
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for entry in self.entries if entry.status == status)


Previous = tuple[Entry, bool] | None  # the last run's entry, and whether it may be reused


@dataclass(frozen=True)
class Job:
    """What every worker needs; picklable."""

    outdir: Path
    options: RenderOptions
    fingerprint: str


def fingerprint(options: RenderOptions, brand_file: Path | None) -> dict[str, object]:
    """The options that change output bytes, recorded in the manifest and compared on rerun."""
    brand_digest = None
    if brand_file is not None:
        digest = hashlib.sha256(brand_file.read_bytes())
        if options.brand.logo is not None:
            digest.update(options.brand.logo.read_bytes())
        brand_digest = digest.hexdigest()
    return {
        "paper": options.paper,
        "large_print": options.large_print,
        "allow_expired": options.allow_expired,
        "as_of": options.as_of.isoformat() if options.as_of else None,
        "brand": str(brand_file) if brand_file else None,
        "brand_sha256": brand_digest,
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
    }


def run_batch(
    folder: Path,
    outdir: Path,
    options: RenderOptions,
    *,
    brand_file: Path | None = None,
    jobs: int = 1,
    force: bool = False,
    progress: Callable[[Entry], None] = lambda entry: None,
) -> BatchResult:
    """Produce every leaflet under ``folder`` into ``outdir``; write ``manifest.json``."""
    started = time.perf_counter()
    sources = source_files(folder)
    if not sources:
        raise LibraryError(f"no leaflet sources (*.yaml, *.yml) under {folder}; nothing to do")
    outdir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(outdir / TEMPORARY, ignore_errors=True)  # left by a killed run
    settings = fingerprint(options, brand_file)
    key = hashlib.sha256(
        json.dumps({"version": __version__, **settings}, sort_keys=True).encode()
    ).hexdigest()
    previous = _previous_entries(outdir, key, reusable=not force)
    job = Job(outdir, options, key)
    entries: dict[str, Entry] = {}
    interrupted = False
    with (outdir / JOURNAL).open("a", encoding="utf-8") as journal:
        journal.write(json.dumps({"fingerprint": key}) + "\n")
        try:
            for entry in _produce(sources, job, previous, jobs):
                entries[entry.source] = entry
                journal.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
                journal.flush()
                progress(entry)
        except KeyboardInterrupt:
            interrupted = True
    ordered = [entries[str(s)] for s in sources if str(s) in entries]
    _resolve_duplicate_ids(ordered, outdir)
    result = BatchResult(ordered, time.perf_counter() - started, interrupted)
    _write_manifest(outdir, result, settings, key)
    if not interrupted:
        (outdir / JOURNAL).unlink(missing_ok=True)
        shutil.rmtree(outdir / TEMPORARY, ignore_errors=True)
    return result


def _produce(
    sources: list[Path], job: Job, previous: dict[str, tuple[Entry, bool]], jobs: int
) -> Iterator[Entry]:
    work: list[tuple[Path, Previous]] = [(s, previous.get(str(s))) for s in sources]
    if jobs <= 1 or len(work) <= 1:
        for item in work:
            yield produce_one(job, item)
        return
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    pool = context.Pool(jobs, initializer=_ignore_interrupts)
    try:
        # one leaflet per task: finished leaflets reach the journal at once, so a killed run
        # loses at most the few in flight
        yield from pool.imap_unordered(_produce_star, [(job, item) for item in work], 1)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _produce_star(arguments: tuple[Job, tuple[Path, Previous]]) -> Entry:
    return produce_one(*arguments)


def produce_one(job: Job, item: tuple[Path, Previous]) -> Entry:
    """Check, render, verify and write one leaflet (or skip it); never raises for bad input."""
    source, previous = item
    before, reusable = previous if previous else (None, False)
    entry = Entry(source=str(source))
    try:
        leaflet = prepare(source, job.options)
        entry.source_sha256 = leaflet.monograph.sha256
        entry.id = leaflet.monograph.id
        target = output_path(leaflet, job.outdir)
        entry.output = target.name
        if before is not None and reusable and _still_valid(before, entry, target):
            entry.output_sha256, entry.pages = before.output_sha256, before.pages
            entry.status = SKIPPED
            return entry
        rendered = build(leaflet, job.options.paper, job.options.as_of)
        write_atomic(target, rendered.pdf, temporary_folder=job.outdir / TEMPORARY)
        entry.output_sha256 = rendered.sha256
        entry.pages = rendered.pages
        entry.status = PRODUCED
    except LeafletError as error:
        _refuse(entry, str(error), before, job.outdir)
    except Exception as error:  # noqa: BLE001 - one broken leaflet must not stop the batch
        _refuse(
            entry, f"{source}: internal error ({type(error).__name__}: {error})", before, job.outdir
        )
    return entry


def _refuse(entry: Entry, reason: str, before: Entry | None, outdir: Path) -> None:
    if entry.source_sha256 is None:  # the loader did not get far enough to hash it
        with contextlib.suppress(OSError):
            entry.source_sha256 = hashlib.sha256(Path(entry.source).read_bytes()).hexdigest()
    entry.status = REFUSED
    entry.reasons = [reason]
    entry.output_sha256 = entry.pages = None
    entry.output = entry.output or (before.output if before else None)
    _remove_stale(outdir, entry)


def _still_valid(before: Entry, now: Entry, target: Path) -> bool:
    if before.status not in (PRODUCED, SKIPPED) or before.source_sha256 != now.source_sha256:
        return False
    if before.output != now.output or not target.is_file():
        return False
    return hashlib.sha256(target.read_bytes()).hexdigest() == before.output_sha256


def _remove_stale(outdir: Path, entry: Entry) -> None:
    """A refused leaflet must not leave an older PDF of itself behind for patients."""
    if entry.output:
        stale = outdir / entry.output
        if stale.is_file():
            stale.unlink()
            entry.reasons.append(f"the earlier {entry.output} was removed")
            entry.output = None


def _resolve_duplicate_ids(entries: list[Entry], outdir: Path) -> None:
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.status == REFUSED or entry.id is None:
            continue
        first = seen.setdefault(entry.id, entry)
        if first is not entry:
            for clash in (first, entry):
                clash.status = REFUSED
                clash.reasons = [
                    f"{clash.source}: id '{entry.id}' is used by {first.source} "
                    f"and {entry.source}; give each leaflet its own id"
                ]
                clash.output_sha256 = clash.pages = None
            (outdir / f"{entry.id}.pdf").unlink(missing_ok=True)
            first.output = entry.output = None


def _previous_entries(outdir: Path, key: str, reusable: bool) -> dict[str, tuple[Entry, bool]]:
    """Entries from the last manifest and any journal a killed run left, each with whether it
    may be reused (same options and version, and not --force)."""
    found: dict[str, tuple[Entry, bool]] = {}
    try:
        manifest = json.loads((outdir / MANIFEST).read_text(encoding="utf-8"))
        same = reusable and manifest.get("fingerprint") == key
        for raw in manifest.get("leaflets", []):
            found[raw["source"]] = (Entry(**raw), same)
    except (OSError, ValueError, TypeError, KeyError):
        pass
    try:
        lines = (outdir / JOURNAL).read_text(encoding="utf-8").splitlines()
    except OSError:
        return found
    same = False
    for line in lines:
        try:
            raw = json.loads(line)
            if "fingerprint" in raw:
                same = reusable and raw["fingerprint"] == key
            else:
                found[raw["source"]] = (Entry(**raw), same)
        except (ValueError, TypeError, KeyError):
            continue  # a line cut short by a kill
    return found


def _write_manifest(
    outdir: Path, result: BatchResult, settings: dict[str, object], key: str
) -> None:
    document = {
        "rxleaflet": __version__,
        "options": settings,
        "fingerprint": key,
        "complete": not result.interrupted,
        "summary": {status: result.count(status) for status in (PRODUCED, REFUSED, SKIPPED)},
        "leaflets": [asdict(entry) for entry in result.entries],
    }
    data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    write_atomic(outdir / MANIFEST, data, temporary_folder=outdir / TEMPORARY)
