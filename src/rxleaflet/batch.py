"""Batch production: every leaflet under a folder, in parallel, resumable, with a manifest.

One bad file never stops the others. Worker processes render and verify; only the parent
writes, atomically through a temporary folder inside OUTDIR, so an interrupted batch (Ctrl-C or
kill -9) leaves only complete PDFs, and workers that outlive a killed parent (they are told to
die with it) could not touch OUTDIR anyway. A journal of finished leaflets lets the rerun skip
what is already done; a lock (released by the kernel, so it cannot go stale) keeps a second
batch out of the same OUTDIR. Two sources with the same id are both refused before anything is
rendered, and a leaflet's earlier PDF is removed only when the leaflet itself is refused on its
own merits (invalid or expired now), never because of a disk or setting problem.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, workers
from .errors import BatchBusyError, LeafletError, LibraryError, OutputError, printable
from .output import write_atomic
from .pipeline import RenderOptions, build, check_environment, output_path, prepare, sign
from .source.library import source_files

MANIFEST = "manifest.json"
JOURNAL = ".rxleaflet-journal.jsonl"
TEMPORARY = ".rxleaflet-tmp"
LOCK = ".rxleaflet-lock"
PRODUCED, REFUSED, SKIPPED = "produced", "refused", "skipped"


@dataclass(slots=True)
class Entry:
    """One leaflet's line in the manifest (slots: a batch of thousands holds one each)."""

    source: str
    source_sha256: str | None = None
    id: str | None = None
    output: str | None = None
    output_sha256: str | None = None
    pages: int | None = None
    status: str = REFUSED
    reasons: list[str] = field(default_factory=list)
    own_fault: bool = False  # refused on the leaflet's own merits (its earlier PDF goes)


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


# The key this process signs with (None: unsigned): set by run_batch before the workers fork, so
# each has it loaded without its ever being pickled or passed in a task.
_signing_key: Any = None


def fingerprint(
    options: RenderOptions, brand_file: Path | None, signing: Any = None
) -> dict[str, object]:
    """The options that change output bytes, recorded in the manifest and compared on rerun
    (for signing: the certificate, never the key)."""
    brand_digest = None
    if brand_file is not None:
        digest = hashlib.sha256(brand_file.read_bytes())
        if options.brand.logo is not None:
            digest.update(options.brand.logo.read_bytes())
        brand_digest = digest.hexdigest()
    return {
        "paper": options.paper,
        "large_print": options.large_print,
        "layout": options.layout,
        "allow_expired": options.allow_expired,
        "as_of": options.as_of.isoformat() if options.as_of else None,
        "brand": str(brand_file) if brand_file else None,
        "brand_sha256": brand_digest,
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        **(
            {
                "signed_by": signing.subject,
                "signer_certificate_sha256": signing.certificate_sha256,
                "signature_level": signing.level,
                "timestamp_url": signing.timestamp_url,
            }
            if signing is not None
            else {}
        ),
    }


@dataclass(frozen=True)
class Shard:
    """The ``index``-th (1-based) of ``count`` deterministic shares of a folder's leaflets."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = re.fullmatch(r"\s*(\d{1,6})\s*/\s*(\d{1,6})\s*", text)
        if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
            raise ValueError(f"'{text}' is not K/N with 1 ≤ K ≤ N, e.g. 2/8")
        return cls(int(match.group(1)), int(match.group(2)))

    def holds(self, source: Path, folder: Path) -> bool:
        """Whether ``source`` is in this share: by a hash of its path inside the folder, so
        every machine agrees wherever the folder is mounted."""
        name = source.relative_to(folder).as_posix().encode("utf-8")
        return int.from_bytes(hashlib.sha256(name).digest()[:8], "big") % self.count == (
            self.index - 1
        )

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def run_batch(
    folder: Path,
    outdir: Path,
    options: RenderOptions,
    *,
    brand_file: Path | None = None,
    jobs: int = 1,
    force: bool = False,
    shard: Shard | None = None,
    signing: Any = None,
    progress: Callable[[Entry], None] = lambda entry: None,
) -> BatchResult:
    """Produce every leaflet under ``folder`` (or the ``shard`` of them) into ``outdir``;
    write ``manifest.json``. With ``signing`` (a loaded signing.SigningKey) every PDF is
    signed."""
    global _signing_key
    started = time.perf_counter()
    _signing_key = signing
    check_environment()
    every = source_files(folder)
    if not every:
        raise LibraryError(f"no leaflet sources (*.yaml, *.yml) under {folder}; nothing to do")
    sources = [s for s in every if shard is None or shard.holds(s, folder)]
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot make the output folder: {error.strerror}", path=outdir) from None
    with _exclusive(outdir):
        shutil.rmtree(outdir / TEMPORARY, ignore_errors=True)  # left by a killed run
        settings = fingerprint(options, brand_file, signing)
        key = hashlib.sha256(
            json.dumps({"version": __version__, **settings}, sort_keys=True).encode()
        ).hexdigest()
        previous = _previous_entries(outdir, key, reusable=not force)
        clashes = _duplicate_ids(every)  # across every shard: ids clash between machines too
        job = Job(outdir, options, key)
        entries: dict[str, Entry] = {}
        interrupted = False
        with (outdir / JOURNAL).open("a", encoding="utf-8") as journal:
            journal.write(json.dumps({"fingerprint": key}) + "\n")
            try:
                work = [s for s in sources if str(s) not in clashes]
                done = (clashes[str(s)] for s in sources if str(s) in clashes)
                for entry, pdf in _chain(done, _produce(work, job, previous, jobs)):
                    _settle(entry, pdf, previous.get(entry.source), outdir)
                    entries[entry.source] = entry
                    journal.write(json.dumps(_record(entry), ensure_ascii=False) + "\n")
                    journal.flush()
                    progress(entry)
            except KeyboardInterrupt:
                interrupted = True
        ordered = [entries[str(s)] for s in sources if str(s) in entries]
        result = BatchResult(ordered, time.perf_counter() - started, interrupted)
        _write_manifest(outdir, result, settings, key, shard)
        if not interrupted:
            (outdir / JOURNAL).unlink(missing_ok=True)
            shutil.rmtree(outdir / TEMPORARY, ignore_errors=True)
    return result


@contextlib.contextmanager
def _exclusive(outdir: Path) -> Iterator[None]:
    """Hold OUTDIR's lock for the whole batch; the kernel drops it when the process ends, so
    it cannot outlive a killed batch."""
    handle = (outdir / LOCK).open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BatchBusyError(
                f"another rxleaflet batch ({holder}) is writing to this folder; wait for it to "
                "finish, or give another -o folder",
                path=outdir,
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()  # releases the lock


def _chain(
    *iterables: Iterator[tuple[Entry, bytes | None]],
) -> Iterator[tuple[Entry, bytes | None]]:
    for iterable in iterables:
        yield from iterable


_ID_LINE = re.compile(rb"^id:[ \t]*[\"']?([a-z0-9][a-z0-9-]{0,63})[\"']?[ \t]*(?:#.*)?$", re.M)


def _duplicate_ids(sources: list[Path]) -> dict[str, tuple[Entry, None]]:
    """Refusals for every source whose id another source also has, before anything is made.

    Ids are read from each file's top-level ``id:`` line (the loader checks it again in the
    worker); a file without such a line is left to the loader."""
    owners: dict[str, list[Path]] = {}
    for source in sources:
        try:
            found = _ID_LINE.search(source.read_bytes()[:1_000_000])
        except OSError:
            continue
        if found:
            owners.setdefault(found.group(1).decode(), []).append(source)
    refused: dict[str, tuple[Entry, None]] = {}
    for leaflet_id, paths in owners.items():
        if len(paths) > 1:
            names = ", ".join(printable(str(p)) for p in paths)
            for path in paths:
                reason = (
                    f"{printable(str(path))}: id '{leaflet_id}' is used by {len(paths)} sources "
                    f"({names}); give each leaflet its own id"
                )
                refused[str(path)] = (Entry(str(path), id=leaflet_id, reasons=[reason]), None)
    return refused


def _produce(
    sources: list[Path], job: Job, previous: dict[str, tuple[Entry, bool]], jobs: int
) -> Iterator[tuple[Entry, bytes | None]]:
    work: list[tuple[Path, Previous]] = [(s, previous.get(str(s))) for s in sources]
    if jobs <= 1 or len(work) <= 1:
        for item in work:
            yield produce_one(job, item)
        return
    # one leaflet per task: finished leaflets reach the journal at once, so a killed run loses
    # at most the few in flight
    tasks = ((job, item) for item in work)
    for outcome in workers.run(_produce_star, tasks, jobs, _worker_start, (os.getpid(),)):
        if isinstance(outcome, workers.Lost):
            yield _lost(outcome), None
        else:
            yield outcome


def _lost(lost: workers.Lost) -> Entry:
    """The entry of a leaflet whose worker process died while making it, or that no worker
    could be found for (its earlier PDF, if any, stays: nothing is known against the leaflet
    itself)."""
    _job, (source, _previous) = lost.item
    code = lost.exitcode
    if lost.cause:
        what = lost.cause
    elif code is not None and code < 0:
        what = f"the worker process making this leaflet was killed by signal {-code}" + (
            " (perhaps for lack of memory)" if code == -9 else ""
        )
    else:
        what = f"the worker process making this leaflet ended with status {code}"
    entry = Entry(str(source))
    _refuse(
        entry,
        f"{printable(str(source))}: {what}; nothing was written for it; run the batch again to "
        "retry it",
    )
    return entry


def _worker_start(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _produce_star(arguments: tuple[Job, tuple[Path, Previous]]) -> tuple[Entry, bytes | None]:
    return produce_one(*arguments)


def produce_one(job: Job, item: tuple[Path, Previous]) -> tuple[Entry, bytes | None]:
    """Check, render and verify one leaflet (or find it already done); return its entry and the
    verified PDF for the parent to write. Never raises for bad input."""
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
            return entry, None
        rendered = build(leaflet, job.options.paper, job.options.as_of)
        if _signing_key is not None:
            rendered = sign(rendered, _signing_key)
        entry.output_sha256 = rendered.sha256
        entry.pages = rendered.pages
        entry.status = PRODUCED
        return entry, rendered.pdf
    except LeafletError as error:
        _refuse(entry, str(error), own=error.about_the_leaflet)
    except Exception as error:  # noqa: BLE001 - one broken leaflet must not stop the batch
        _refuse(
            entry, f"{printable(str(source))}: internal error ({type(error).__name__}: {error})"
        )
    return entry, None


def _refuse(entry: Entry, reason: str, own: bool = False) -> None:
    if entry.source_sha256 is None:  # the loader did not get far enough to hash it
        with contextlib.suppress(OSError):
            entry.source_sha256 = hashlib.sha256(Path(entry.source).read_bytes()).hexdigest()
    entry.status = REFUSED
    entry.reasons = [reason]
    entry.own_fault = own
    entry.output_sha256 = entry.pages = None


def _settle(entry: Entry, pdf: bytes | None, previous: Previous, outdir: Path) -> None:
    """In the parent: write a produced PDF, or deal with the earlier PDF of a refused one."""
    before = previous[0] if previous else None
    if pdf is not None and entry.output:
        try:
            write_atomic(outdir / entry.output, pdf, temporary_folder=outdir / TEMPORARY)
        except LeafletError as error:
            _refuse(entry, str(error))
    if entry.status != REFUSED:
        return
    entry.output = entry.output or (before.output if before else None)
    if entry.own_fault:
        _remove_stale(outdir, entry)
    elif entry.output and (outdir / entry.output).is_file():
        entry.reasons.append(f"the earlier {entry.output} was kept")


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


def _record(entry: Entry) -> dict[str, object]:
    record = asdict(entry)
    del record["own_fault"]  # decided and acted on in this run
    return record


def _write_manifest(
    outdir: Path, result: BatchResult, settings: dict[str, object], key: str, shard: Shard | None
) -> None:
    document: dict[str, object] = {
        "rxleaflet": __version__,
        "options": settings,
        "fingerprint": key,
        "shard": str(shard) if shard else None,
        "complete": not result.interrupted,
        "summary": {status: result.count(status) for status in (PRODUCED, REFUSED, SKIPPED)},
    }
    write_atomic(
        outdir / MANIFEST,
        _manifest_chunks(document, result.entries),
        temporary_folder=outdir / TEMPORARY,
    )


def _manifest_chunks(document: dict[str, object], entries: list[Entry]) -> Iterator[bytes]:
    """The manifest as json.dumps(…, indent=2) writes it, an entry at a time: a batch of many
    thousands never holds the whole document as objects and text at once."""
    head = json.dumps({**document, "leaflets": []}, ensure_ascii=False, indent=2)
    if not entries:
        yield head.encode("utf-8") + b"\n"
        return
    yield head.removesuffix("[]\n}").encode("utf-8") + b"[\n"
    for index, entry in enumerate(entries):
        text = json.dumps(_record(entry), ensure_ascii=False, indent=2).replace("\n", "\n    ")
        yield ("    " + text + (",\n" if index < len(entries) - 1 else "\n")).encode("utf-8")
    yield b"  ]\n}\n"
