"""The ``rxleaflet`` command: parse options, call the library, map errors to exit codes.

Each command imports the library parts it needs when it runs, so that ``--help`` and
``check`` start without loading the renderer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import ExitCode, LeafletError, VerificationError
from .packagedata import LAYOUTS, PAPERS, names

if TYPE_CHECKING:
    from .pipeline import RenderOptions


def _report(error: LeafletError) -> None:
    click.echo(f"error: {error}", err=True)
    if isinstance(error, VerificationError):
        for reason in error.reasons:
            click.echo(f"  - {reason}", err=True)


def _exit(failed: bool) -> None:
    sys.exit(ExitCode.REFUSED if failed else ExitCode.OK)


def _date(_ctx: Any, _param: Any, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None


def _library_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--library",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Folder of leaflet sources to look names up in (default: ./leaflets).",
    )(function)


def _library_folder(library: Path | None) -> Path:
    """The library in use (--library, else ./leaflets, else the bundled one); refused when it
    is not a folder."""
    from .source.library import default_library

    folder = library or default_library()
    if not folder.is_dir():
        raise LeafletError(f"library folder {folder} does not exist; use --library DIR")
    return folder


class _Guarded(click.Group):
    """Turns any error that escaped the commands into one line and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LeafletError as error:
            _report(error)
            sys.exit(error.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # whatever read our output stopped reading (``rxleaflet list | head``): stop
            # quietly, as other command-line tools do, and let nothing write to the pipe again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(ExitCode.REFUSED)
        except Exception as error:  # noqa: BLE001 - the last line of defence
            click.echo(
                f"error: internal error ({type(error).__name__}: {error}); nothing was "
                "written; please report this with the command you ran",
                err=True,
            )
            sys.exit(ExitCode.REFUSED)


EXAMPLE_BRAND = "example"


def _example_brand(_ctx: Any, _param: Any, brand_file: Path | None) -> Path | None:
    """``--brand example`` is the example brand shipped with rxleaflet (unless a file of that
    name is here)."""
    from .packagedata import bundled_folder

    if brand_file is None:
        return None
    if str(brand_file) == EXAMPLE_BRAND and not brand_file.exists():
        return bundled_folder("examples", "examples") / "brand" / "brand.yaml"
    return brand_file


_as_of_option = click.option(
    "--as-of", callback=_date, default=None, metavar="DATE",
    help="Judge expiry at DATE (YYYY-MM-DD) instead of today.",
)  # fmt: skip


def _render_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options that decide how leaflets look, shared by render and batch."""
    options = [
        click.option(
            "--brand",
            "brand_file",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            callback=_example_brand,
            help="Brand file (YAML) with the pharmacy's name, logo and colours ('example': "
            "the example brand).",
        ),
        click.option(
            "--paper",
            type=click.Choice(PAPERS, case_sensitive=False),
            default="letter",
            show_default=True,
            callback=lambda _ctx, _param, value: value.lower(),
        ),
        click.option("--large-print", is_flag=True, help="Body text 18 pt, larger headings."),
        click.option(
            "--layout",
            type=click.Choice(LAYOUTS, case_sensitive=False),
            default="single",
            show_default=True,
            help="two-column: the measure of commercial sheets, fewer pages (not large print).",
        ),
        click.option(
            "--allow-expired",
            is_flag=True,
            help="Render expired information, marked 'not for patient use' on every page.",
        ),
        _as_of_option,
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _settings(
    brand_file: Path | None,
    paper: str,
    large_print: bool,
    allow_expired: bool,
    as_of: dt.date | None,
    layout: str = "single",
) -> RenderOptions:
    """RenderOptions from the shared options; a bad brand file ends the command (exit 1)."""
    from .pipeline import RenderOptions
    from .source.brand import HOUSE_STYLE, load_brand

    layout = layout.lower()
    if layout == "two-column" and large_print:
        raise click.UsageError(
            "--layout two-column is for regular print; large print uses one column"
        )
    brand = load_brand(brand_file) if brand_file else HOUSE_STYLE
    return RenderOptions(
        paper=paper, large_print=large_print, allow_expired=allow_expired, as_of=as_of,
        brand=brand, layout=layout,
    )  # fmt: skip


def _signing_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--sign and its companions, shared by render, batch and serve."""
    options = [
        click.option(
            "--sign",
            "sign_key",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            metavar="KEY",
            help="Sign every PDF (PAdES) with this key: PKCS#12 (.p12), or PEM with the key "
            "and its certificate chain.",
        ),
        click.option(
            "--sign-cert",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            metavar="CERT",
            help="The signing certificate and its chain (PEM), when not in the --sign file.",
        ),
        click.option(
            "--sign-passphrase-file",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            metavar="FILE",
            help="File holding the key's passphrase (first line).",
        ),
        click.option(
            "--sign-passphrase-env",
            default=None,
            metavar="NAME",
            help="Environment variable holding the key's passphrase.",
        ),
        click.option(
            "--timestamp-url",
            default=None,
            metavar="URL",
            help="RFC 3161 timestamp server: signatures become PAdES B-T (default: B-B).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _signing_key(
    sign_key: Path | None,
    sign_cert: Path | None,
    sign_passphrase_file: Path | None,
    sign_passphrase_env: str | None,
    timestamp_url: str | None,
) -> Any:
    """The loaded signing key for --sign (None without it); a key that cannot be used ends
    the command before anything is made."""
    if sign_key is None:
        given = [name for name, value in (
            ("--sign-cert", sign_cert), ("--sign-passphrase-file", sign_passphrase_file),
            ("--sign-passphrase-env", sign_passphrase_env), ("--timestamp-url", timestamp_url),
        ) if value is not None]  # fmt: skip
        if given:
            raise click.UsageError(f"{', '.join(given)} need(s) --sign KEY")
        return None
    if sign_passphrase_file is not None and sign_passphrase_env is not None:
        raise click.UsageError("give --sign-passphrase-file or --sign-passphrase-env, not both")
    if timestamp_url is not None and not timestamp_url.startswith(("http://", "https://")):
        raise click.BadParameter(
            "give the timestamp server's http:// or https:// URL", param_hint="'--timestamp-url'"
        )
    from .signing import Passphrase, load_key

    return load_key(
        sign_key,
        certificates=sign_cert,
        passphrase=Passphrase(sign_passphrase_file, sign_passphrase_env),
        timestamp_url=timestamp_url,
    )


COLLECTOR_THRESHOLDS = (50_000, 10, 10)  # see main()


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rxleaflet")
def main() -> None:
    """Make printable, accessible PDF patient leaflets from drug monograph sources."""
    # Collect young objects every 50,000 allocations rather than Python's 700: a leaflet makes
    # tens of thousands of short-lived ones, and the default collected three to five times per
    # leaflet (1 to 2.4 ms of 16 to 23). pipeline.build collects once after each leaflet
    # instead, which is cheaper still. Set here, for the CLI's own process and the batch and
    # server workers it forks; importing rxleaflet as a library changes nothing global.
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


@main.command(short_help="Render leaflets (by file, id, name, NDC or RxCUI) to PDF.")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, allow_dash=True),
    default=None,
    help="Output .pdf file (one SOURCE), folder that receives <id>.pdf, or - for stdout.",
)
@click.option(
    "--language",
    default=None,
    metavar="LANG",
    help="The leaflet of the same medicine in this language (e.g. es); default English.",
)
@click.option(
    "--also",
    "also",
    multiple=True,
    metavar="LANG",
    help="Follow it, in the same PDF, with the same medicine's leaflet in LANG (repeatable).",
)
@click.option(
    "--dispense",
    "dispense_file",
    default=None,
    metavar="FILE|-",
    help="Dispense record (YAML or JSON; - reads stdin): a 'Prepared for' block on page 1.",
)
@click.option("--patient", default=None, help="Patient name for the 'Prepared for' block.")
@click.option("--rx", default=None, help="Prescription (Rx) number.")
@click.option("--prescriber", default=None, help="Prescriber's name.")
@click.option("--filled", default=None, metavar="DATE", help="Date filled (default today).")
@click.option(
    "--directions", default=None, help="Directions, printed verbatim, in the leaflet's language."
)
@click.option(
    "--directions-language",
    default=None,
    metavar="LANG",
    help="The language --directions are in, when not the leaflet's: printed under a label "
    "naming it.",
)
@click.option(
    "--print",
    "print_queue",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[QUEUE]",
    help="Send the verified PDF to a CUPS printer (the default queue without QUEUE); no file "
    "is written unless -o is also given.",
)
@_render_options
@_library_option
@_signing_options
def render(
    sources: tuple[str, ...],
    output: Path | None,
    language: str | None,
    also: tuple[str, ...],
    dispense_file: str | None,
    patient: str | None,
    rx: str | None,
    prescriber: str | None,
    filled: str | None,
    directions: str | None,
    directions_language: str | None,
    print_queue: str | None,
    brand_file: Path | None,
    paper: str,
    large_print: bool,
    layout: str,
    allow_expired: bool,
    as_of: dt.date | None,
    library: Path | None,
    **signing: Any,
) -> None:
    """Render SOURCE to PDF. SOURCE is a YAML file, or a leaflet id, drug or brand name, NDC or
    RxCUI in the library."""
    import dataclasses

    from .pipeline import (
        build,
        build_translated,
        check_environment,
        output_path,
        prepare,
        sign,
        write,
    )  # fmt: skip
    from .source.library import default_library, resolve

    # What the imports made lives until the process ends: out of the collector's sight, the
    # collection after each leaflet (pipeline.build) scans that leaflet's objects alone, not
    # also the tens of thousands the imports left young (13-16 ms of a cold render). Given
    # back at the end, for a process that goes on (a test calling this command in process).
    gc.freeze()
    click.get_current_context().call_on_close(gc.unfreeze)
    to_stdout = output is not None and str(output) == "-"
    if output is not None and (to_stdout or output.suffix.lower() == ".pdf") and len(sources) > 1:
        raise click.UsageError("-o FILE.pdf (or -) takes one SOURCE; give a folder for several")
    fields = {"patient": patient, "rx": rx, "prescriber": prescriber, "filled": filled,
              "directions": directions, "directions_language": directions_language}  # fmt: skip
    if dispense_file is not None and any(v is not None for v in fields.values()):
        raise click.UsageError(
            "give the dispense record as --dispense FILE or as options, not both"
        )
    if print_queue is not None:
        from .printing import refuse_unless_available

        refuse_unless_available()  # before anything is made
    options = _settings(brand_file, paper, large_print, allow_expired, as_of, layout)
    check_environment()
    key = _signing_key(**signing)
    record = _dispense(dispense_file, fields, options.as_of or dt.date.today())
    if record is not None:
        options = dataclasses.replace(options, dispense=record)
    say = (lambda message: click.echo(message, err=True)) if to_stdout else click.echo
    failed = False
    leaflets = []
    translations: dict[Path, list[Any]] = {}
    seen: set[Path] = set()
    for source in sources:
        try:
            path = resolve(source, library or default_library(), language)
            if path.resolve() in seen:
                continue  # the same leaflet named twice is made once
            seen.add(path.resolve())
            leaflet = prepare(path, options)
            paths = [resolve(str(path), library or default_library(), tag) for tag in also]
            translations[path] = [
                prepare(other, options) for other in dict.fromkeys(paths) if other != path
            ]
        except LeafletError as error:
            _report(error)
            failed = True
            continue
        for each in (leaflet, *translations[path]):
            _warn(each.monograph.warnings)
        leaflets.append(leaflet)
    destination = None if to_stdout else output
    for clash in _same_output(leaflets, destination, output_path):
        _report(clash)
        failed = True
    clashing = {error.path for error in _same_output(leaflets, destination, output_path)}
    for leaflet in leaflets:
        if leaflet.monograph.path in clashing:
            continue
        try:
            others = translations[leaflet.monograph.path]
            if others:
                rendered = build_translated(leaflet, others, options.paper, options.as_of)
            else:
                rendered = build(leaflet, options.paper, options.as_of)
            if key is not None:
                rendered = sign(rendered, key)
            if to_stdout:
                sys.stdout.buffer.write(rendered.pdf)
                sys.stdout.buffer.flush()
            elif print_queue is not None and output is None:
                pass  # printed only: a patient's leaflet is never left on disk unasked
            else:
                target = write(rendered, output)
                suffix = " (EXPIRED — not for patient use)" if rendered.leaflet.expired else ""
                say(f"wrote {target}{suffix}")
            if print_queue is not None:
                from .printing import print_pdf

                answer = print_pdf(
                    rendered.pdf,
                    queue=print_queue or None,
                    paper=options.paper,
                    job_name=leaflet.monograph.id,
                )
                say(f"printed {leaflet.monograph.id}: {answer or 'sent to CUPS'}")
        except LeafletError as error:
            _report(error)
            failed = True
    _exit(failed)


def _dispense(file: str | None, fields: dict[str, str | None], today: dt.date) -> Any:
    """The dispense record from --dispense FILE|- or from the options, if any was given."""
    from .files import read_or_refuse
    from .source.dispense import MAX_RECORD_BYTES, dispense_record, load_dispense

    if file is not None:
        if file == "-":
            data = sys.stdin.buffer.read(MAX_RECORD_BYTES + 1)
        else:
            data = read_or_refuse(Path(file), MAX_RECORD_BYTES, what="dispense record")
        return load_dispense(data, file if file != "-" else "<stdin>", today)
    given = {key: value for key, value in fields.items() if value is not None}
    if not given:
        return None
    names = {key: f"--{key.replace('_', '-')}" for key in fields}
    try:
        return dispense_record(given, today, where="options", names=names)
    except LeafletError as error:  # a bad option value is a usage error (exit 2)
        raise click.UsageError(str(error).removeprefix("options: ")) from None


CHECK_MEMORY_BYTES = 2 << 30  # address space a check may add: a hostile PDF fails, not the machine


@contextlib.contextmanager
def _memory_ceiling(extra: int) -> Iterator[None]:
    """Cap this process's address space at its current size plus ``extra`` while checking, so
    a file that would need more fails with MemoryError (a finding) instead of exhausting the
    machine. Where the platform has no such limit, nothing changes."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * resource.getpagesize()
        ceiling = current + extra
        if hard != resource.RLIM_INFINITY:
            ceiling = min(ceiling, hard)
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    except (ImportError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _warn(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def _same_output(
    leaflets: list[Any], output: Path | None, output_path: Callable[..., Path]
) -> list[LeafletError]:
    """One error per leaflet whose output file another leaflet of this run would also write
    (two sources with the same id): both are refused before anything is written."""
    by_target: dict[Path, list[Any]] = {}
    for leaflet in leaflets:
        by_target.setdefault(output_path(leaflet, output), []).append(leaflet)
    errors = []
    for target, group in by_target.items():
        if len(group) > 1:
            files = " and ".join(str(leaflet.monograph.path) for leaflet in group)
            for leaflet in group:
                errors.append(
                    LeafletError(
                        f"id '{leaflet.monograph.id}' is also used by another source in this "
                        f"run ({files}), so both would write {target}; give each leaflet its "
                        "own id",
                        path=leaflet.monograph.path,
                    )
                )
    return errors


@main.command(short_help="Produce a folder's leaflets in parallel, with a manifest.")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder that receives the PDFs and manifest.json.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: the number of CPUs).",
)
@click.option("--force", is_flag=True, help="Redo every leaflet, even those already done.")
@click.option(
    "--shard",
    default=None,
    metavar="K/N",
    help="Only the K-th of N deterministic shares of the leaflets (one per machine); merge "
    "the manifests with 'rxleaflet merge-manifests'.",
)
@click.option(
    "--combine",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write one print-ready PDF of all produced leaflets, each starting on "
    "an odd page (for duplex printing).",
)
@_render_options
@_signing_options
def batch(
    folder: Path,
    outdir: Path,
    jobs: int | None,
    force: bool,
    shard: str | None,
    combine: Path | None,
    brand_file: Path | None,
    paper: str,
    large_print: bool,
    layout: str,
    allow_expired: bool,
    as_of: dt.date | None,
    **signing: Any,
) -> None:
    """Produce every leaflet under FOLDER into OUTDIR, in parallel, with a manifest."""
    from .batch import MANIFEST, PRODUCED, REFUSED, SKIPPED, Shard, run_batch
    from .combine import write_combined
    from .source.library import source_files

    try:
        share = Shard.parse(shard) if shard is not None else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--shard") from None
    options = _settings(brand_file, paper, large_print, allow_expired, as_of, layout)
    key = _signing_key(**signing)  # loaded once, before the workers fork
    total = sum(1 for s in source_files(folder) if share is None or share.holds(s, folder))
    show = sys.stderr.isatty()
    with click.progressbar(length=total, label="leaflets", file=sys.stderr, hidden=not show) as bar:
        result = run_batch(
            folder,
            outdir,
            options,
            brand_file=brand_file,
            jobs=jobs or os.cpu_count() or 1,
            force=force,
            shard=share,
            signing=key,
            progress=lambda _entry: bar.update(1),
        )
    for entry in result.entries:
        for reason in entry.reasons if entry.status == REFUSED else ():
            click.echo(f"refused: {reason}", err=True)
    done = result.count(PRODUCED) + result.count(SKIPPED)
    rate = done / result.seconds if result.seconds else 0.0
    click.echo(
        f"produced {result.count(PRODUCED)}, refused {result.count(REFUSED)}, skipped "
        f"{result.count(SKIPPED)} in {result.seconds:.1f} s ({rate:.1f} leaflets/s); "
        f"manifest: {outdir / MANIFEST}"
    )
    if result.interrupted:
        click.echo(
            "interrupted: completed leaflets are kept; run the same command again to finish",
            err=True,
        )
        sys.exit(ExitCode.REFUSED)
    if combine is not None and done:
        pages = write_combined(result, combine, options, key)
        click.echo(f"wrote {combine} ({done} leaflets, {pages} pages)")
    _exit(bool(result.count(REFUSED)))


@main.command("merge-manifests", short_help="Merge the manifests of a sharded batch.")
@click.argument(
    "manifests", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    default="-",
    help="Where the merged manifest goes (default: standard output).",
)
def merge_manifests_command(manifests: tuple[Path, ...], output: Path) -> None:
    """One manifest from every shard's manifest.json (batch --shard K/N): refused unless they
    share their options and hold shards 1..N each once."""
    import json

    from .manifests import merge_manifests
    from .output import write_atomic

    merged = merge_manifests(list(manifests))
    data = json.dumps(merged, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        return
    write_atomic(output, data)
    summary = merged["summary"]
    click.echo(
        f"merged {len(manifests)} shards: produced {summary['produced']}, refused "
        f"{summary['refused']}, skipped {summary['skipped']} → {output}"
    )
    _exit(bool(summary["refused"]) or not merged["complete"])


@main.command(short_help="Check leaflet sources without making a PDF.")
@click.argument("sources", nargs=-1)
@click.option("--allow-expired", is_flag=True, help="Do not count expired information as an error.")
@_as_of_option
@_library_option
def validate(
    sources: tuple[str, ...], allow_expired: bool, as_of: dt.date | None, library: Path | None
) -> None:
    """Check leaflet sources (files, folders, ids or names; without SOURCE, the whole library)
    without making a PDF."""
    from .contract import RenderOptions, prepare
    from .source.library import default_library, describe_library, resolve, source_files

    options = RenderOptions(allow_expired=allow_expired, as_of=as_of)
    failed = False
    if not sources:
        folder = _library_folder(library)
        click.echo(f"validating {describe_library(folder)}", err=True)
        sources = (str(folder),)
    for source in sources:
        try:
            paths = (
                source_files(Path(source))
                if Path(source).is_dir()
                else [resolve(source, library or default_library())]
            )
        except LeafletError as error:
            _report(error)
            failed = True
            continue
        for path in paths:
            try:
                leaflet = prepare(path, options)
            except LeafletError as error:
                _report(error)
                failed = True
                continue
            _warn(leaflet.monograph.warnings)
            click.echo(f"ok {path} ({leaflet.monograph.id}, {leaflet.profile.name})")
    _exit(failed)


@main.command(short_help="Compliance report for PDF files, ours or not.")
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--source",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The leaflet source the PDFs were made from: check them exactly against it.",
)
@click.option(
    "--profile",
    type=click.Choice(names("profiles")),
    default=None,
    help="Profile to check when a PDF's metadata names none (default: monograph).",
)
@_as_of_option
@click.option(
    "--max-grade",
    type=float,
    default=8.0,
    show_default=True,
    help="Warn above this Flesch–Kincaid grade level.",
)
@click.option(
    "--trust",
    "trust_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="CERT",
    help="Require a valid signature chaining to this root certificate (PEM or DER; repeatable).",
)
def check(
    pdfs: tuple[Path, ...],
    output_format: str,
    source: Path | None,
    profile: str | None,
    as_of: dt.date | None,
    max_grade: float,
    trust_files: tuple[Path, ...],
) -> None:
    """Compliance report for PDF files (ours or not): what is missing or wrong, per file."""
    from .check import CheckOptions, check_file
    from .check.report import as_json, as_text

    expected = None
    if source is not None:
        from .contract import source_expectations

        expected = source_expectations(source, as_of)
    trust: tuple[bytes, ...] = ()
    if trust_files:
        from .check.signatures import load_trust_roots

        try:
            trust = load_trust_roots(trust_files)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="'--trust'") from None
    options = CheckOptions(profile=profile, as_of=as_of, max_grade=max_grade, trust=trust)
    with _memory_ceiling(CHECK_MEMORY_BYTES):
        reports = [check_file(path, expected=expected, options=options) for path in pdfs]
    click.echo(as_json(reports) if output_format == "json" else as_text(reports))
    _exit(not all(report.passed for report in reports))


@main.command(short_help="Serve the HTTP API and the counter page.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@_library_option
@click.option(
    "--brand",
    "brand_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    callback=_example_brand,
    help="Brand file for every leaflet served ('example': the example brand).",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File holding the bearer token every request must carry (required off loopback).",
)
@click.option("--print-queue", default=None, help="CUPS queue for the page's Print button.")
@click.option(
    "--host-name",
    "host_names",
    multiple=True,
    help="A name clients use to reach this server (besides localhost and the address); any "
    "other Host header is refused. Repeatable.",
)
@click.option(
    "--tls-cert",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Serve HTTPS with this certificate (PEM); needs --tls-key.",
)
@click.option(
    "--tls-key",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="The certificate's private key (PEM).",
)
@click.option(
    "--auth-attempts",
    type=click.IntRange(1, 1_000_000),
    default=10,
    show_default=True,
    help="Wrong tokens a client may send a minute before it must wait (429).",
)
@click.option(
    "--insecure-http",
    is_flag=True,
    help="Serve plain HTTP off loopback: only behind a TLS proxy on the same machine.",
)
@click.option(
    "--allow-expired",
    is_flag=True,
    help="Serve expired leaflets, marked 'not for patient use' (refused with 422 otherwise).",
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Start even when the library holds no leaflet that can be served.",
)
@_as_of_option
@_signing_options
def serve(
    host: str,
    port: int,
    library: Path | None,
    brand_file: Path | None,
    workers: int,
    token_file: Path | None,
    print_queue: str | None,
    host_names: tuple[str, ...],
    tls_cert: Path | None,
    tls_key: Path | None,
    insecure_http: bool,
    auth_attempts: int,
    allow_expired: bool,
    allow_empty: bool,
    as_of: dt.date | None,
    **signing: Any,
) -> None:
    """Serve the HTTP API (/v1/…, /openapi.json, /healthz) and the counter page (/). Loopback
    only, unless a --token-file is given and the server speaks TLS (--tls-cert/--tls-key) or
    sits behind a TLS proxy (--insecure-http)."""
    import ipaddress
    import logging

    from .files import FileRefused, read_regular_file
    from .source.library import describe_library

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    token = None
    if token_file is not None:
        try:
            token = read_regular_file(token_file, 4096, what="token file").decode().strip()
        except (FileRefused, OSError, UnicodeDecodeError) as error:
            raise LeafletError(f"cannot use the token file: {error}", path=token_file) from None
        from .serve.tokens import token_problem

        problem = token_problem(token)
        if problem:
            raise LeafletError(problem, path=token_file)
    elif not loopback:
        raise click.UsageError(
            f"--host {host} is not a loopback address: give --token-file FILE so that every "
            "request must carry 'Authorization: Bearer <token>'"
        )
    if (tls_cert is None) != (tls_key is None):
        raise click.UsageError("--tls-cert and --tls-key go together")
    tls = tls_cert is not None
    if not loopback and not tls and not insecure_http:
        raise click.UsageError(
            f"--host {host} is not a loopback address: serve HTTPS with --tls-cert and "
            "--tls-key, or, behind a TLS proxy on this machine, say --insecure-http"
        )
    try:
        import uvicorn

        from .serve import ServeConfig, create_app
    except ImportError:
        raise LeafletError(
            "the server is an optional part: install rxleaflet with its 'serve' extra "
            "(pip install 'rxleaflet-VERSION-py3-none-any.whl[serve]', or in a checkout "
            "pip install -e '.[serve]')"
        ) from None
    folder = _library_folder(library)
    key = _signing_key(**signing)
    config = ServeConfig(
        library=str(folder),
        brand_file=str(brand_file) if brand_file else None,
        allow_expired=allow_expired,
        token=token,
        print_queue=print_queue,
        as_of=as_of.isoformat() if as_of else None,
        host_names=(*host_names, *([] if host in ("0.0.0.0", "::") else [host])),
        tls=tls,
        auth_attempts=auth_attempts,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(config, key)  # loads the library now: a bad brand stops here, with exit 1
    served = len(app.state.rx.catalog.leaflets)
    if not served and not allow_empty:
        raise LeafletError(
            f"{describe_library(folder)} holds no leaflet that can be served "
            f"({len(app.state.rx.catalog.errors)} refused); use --library DIR, or "
            "--allow-empty to start anyway"
        )
    click.echo(
        f"serving {served} leaflet(s) from {describe_library(folder)} on "
        f"{'https' if tls else 'http'}://{host}:{port}/ "
        f"({len(app.state.rx.catalog.errors)} not served; see /healthz)",
        err=True,
    )
    from .serve.workers import server_options

    options = server_options(tls_cert, tls_key)
    if workers > 1:
        from .serve import workers as prefork

        prefork.run(app, host, port, workers, options)  # forked after the library is loaded
    else:
        uvicorn.run(app, host=host, port=port, **options)


@main.group(name="import", short_help="Turn labeling from elsewhere into leaflet sources.")
def import_group() -> None:
    """Turn labeling from elsewhere (FDA SPL) into leaflet sources."""


@import_group.command(
    name="spl", short_help="An FDA SPL label's Medication Guide or patient insert."
)
@click.argument("label", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="The .yaml file to write, or a folder (default: the current folder) for <id>.yaml.",
)
@click.option("--id", "leaflet_id", default=None, help="The leaflet id (default: from the name).")
@click.option(
    "--expires",
    default=None,
    metavar="DATE",
    help="Expiry, YYYY-MM or YYYY-MM-DD, not past (default: a year from now).",
)
@click.option("--language", default="en-US", show_default=True, help="The label's language.")
@click.option(
    "--disclaimer",
    "disclaimer_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Text file with the disclaimer (default: the library's, else a standard one).",
)
@click.option("--force", is_flag=True, help="Overwrite an earlier import of the same leaflet.")
@_library_option
def import_spl(
    label: Path,
    output: Path | None,
    leaflet_id: str | None,
    expires: str | None,
    language: str,
    disclaimer_file: Path | None,
    force: bool,
    library: Path | None,
) -> None:
    """Write a leaflet source from LABEL.xml: its Medication Guide (profile medication-guide) or
    Patient Package Insert (profile patient-information), word for word. What is left out
    (figures, Instructions for Use, text for professionals) is reported, and written at the top
    of the file."""
    import re as _re

    from .importers.emit import (
        Defaults,
        check_source,
        leaflet_source,
        parse_expires,
        previous_differences,
    )
    from .importers.spl import parse_label
    from .output import write_atomic
    from .source.library import default_library

    if not language.lower().startswith("en"):
        raise click.UsageError("SPL labels are in English: --language en-US (or another en-…)")
    today = dt.date.today()
    month_only = True
    if expires is None:
        year, month = divmod(today.month - 1 + 12, 12)
        until = today.replace(year=today.year + year, month=month + 1, day=min(today.day, 28))
    else:
        try:
            until, month_only = parse_expires(expires, today)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="'--expires'") from None
    imported = parse_label(label)
    name_id = _re.sub(r"[^a-z0-9]+", "-", imported.name.lower()).strip("-")[:64] or "label"
    leaflet_id = leaflet_id or name_id
    defaults = Defaults.load(library or default_library(), disclaimer_file)
    text = leaflet_source(imported, leaflet_id, until, defaults, today, month_only)
    if language != "en-US":
        text = text.replace("language: en-US", f"language: {language}", 1)
    target = output if output is not None and output.suffix in (".yaml", ".yml") else (
        (output or Path(".")) / f"{leaflet_id}.yaml"
    )  # fmt: skip
    check_source(text, target, label)
    for item in imported.left_out:
        click.echo(f"left out: {item}", err=True)
    for item in imported.added:
        click.echo(f"added: {item}", err=True)
    changes = previous_differences(text, target)
    for line in changes or []:
        click.echo(line, err=True)
    if changes is not None and not force:
        raise LeafletError(
            f"an earlier import is there ({len(changes)} difference(s) above); give --force to "
            "overwrite it",
            path=target,
        )
    write_atomic(target, text.encode("utf-8"))
    kind = "Medication Guide" if imported.profile == "medication-guide" else "patient insert"
    click.echo(f"wrote {target} ({kind}, {len(imported.sections)} sections)")


@main.command(short_help="Copy the example brand and dispense record into a folder.")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=".")
def examples(folder: Path) -> None:
    """Copy the example brand (brand/brand.yaml and its logo) and an example dispense record
    (record.yaml) into FOLDER (default: here), to try --brand and --dispense with. Files that
    are already there are left alone."""
    from .examples import copy_examples

    for path, copied in copy_examples(folder):
        click.echo(f"{'wrote' if copied else 'kept (already there)'} {path}")


@main.command(name="list", short_help="List the library's leaflets by drug and brand name.")
@click.argument("query", required=False)
@click.option("--languages", is_flag=True, help="List the supported languages instead.")
@_library_option
def list_leaflets(query: str | None, languages: bool, library: Path | None) -> None:
    """List the leaflets in the library: id, drug (brands), language, profile, expiry, codes.
    QUERY filters by part of a name, or by an NDC or RxCUI."""
    from .source.library import describe_library, matches, scan
    from .source.locales import language_names, locale_for

    if languages:
        for tag, name in language_names():
            click.echo(f"{tag}\t{name}")
        return

    folder = _library_folder(library)
    click.echo(f"leaflets in {describe_library(folder)}:", err=True)  # the table stays on stdout
    found = scan(folder)
    shown = [m for m in found.leaflets if query is None or matches(m, query)]
    for leaflet in sorted(shown, key=lambda m: (m.drug.name.casefold(), m.language)):
        brands = f" ({', '.join(leaflet.drug.brands)})" if leaflet.drug.brands else ""
        codes = "; ".join(
            f"{kind} {', '.join(values)}"
            for kind, values in (
                ("RxCUI", leaflet.codes.rxcui),
                ("NDC", tuple(f"{n[:5]}-{n[5:9]}-{n[9:]}" for n in leaflet.codes.ndc)),
            )
            if values
        )
        click.echo(
            f"{leaflet.id}\t{leaflet.drug.name}{brands}\t{leaflet.language} "
            f"{locale_for(leaflet.language).name}\t"
            f"{leaflet.profile}\texpires {leaflet.attribution.expires.isoformat()}"
            + (f"\t{codes}" if codes else "")
        )
    for error in found.errors:
        _report(error)
    if query is not None and not shown:
        click.echo(f"no leaflet matches '{query}'", err=True)
        sys.exit(ExitCode.REFUSED)
    _exit(bool(found.errors))
