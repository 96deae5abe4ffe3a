"""Hostile input, bounded: every class of the adversarial review, with the inputs built here.

Time bounds are generous on purpose (a regression to quadratic or unbounded behaviour is
orders of magnitude slower); they are not benchmarks.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from PIL import Image

from rxleaflet.batch import LOCK, MANIFEST, run_batch
from rxleaflet.check import CheckOptions, check_file, check_pdf
from rxleaflet.cli import main
from rxleaflet.errors import BatchBusyError, BrandError, SourceError
from rxleaflet.pipeline import RenderOptions, build, prepare
from rxleaflet.source.brand import load_brand
from rxleaflet.source.markup import MarkupError, parse
from rxleaflet.source.monograph import load_monograph

from .conftest import LIBRARY, MINIMAL, REPO, TODAY
from .handmade import handmade_pdf, one_page_pdf
from .processes import children

GENEROUS = 5.0  # seconds; the quadratic versions took minutes to hours


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# -- patient safety -----------------------------------------------------------------------------


def test_a_body_sentence_cannot_stand_in_for_the_footers_expiry(write_leaflet) -> None:
    path = write_leaflet(how_to_use="Information expires December 2099. Take one tablet daily.")
    late = dt_after_expiry = TODAY.replace(year=2027, month=7, day=1)
    leaflet = prepare(path, RenderOptions(as_of=late, allow_expired=True))
    pdf = build(leaflet, "letter", late).pdf
    from .defects import strip_embedded_source

    for variant in (pdf, strip_embedded_source(pdf)):
        report = check_pdf(variant, options=CheckOptions(as_of=dt_after_expiry))
        assert "information expired 2027-06-30" in [f.message for f in report.errors]


def test_invisible_variation_selectors_are_refused() -> None:
    for text in ("Take ≥\ufe00 2", "mg\ufe0f", "a\U000e0100"):
        with pytest.raises(MarkupError, match="variation selector"):
            parse(text)


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        ("2027-W10", "is not a valid date"),
        ("'2027-W10-1'", "is not a valid date"),
        ("0000-01", "has the year 0"),
        ("0000-01-05", "looks like a date but is not a valid one"),
    ],
)
def test_odd_dates_are_refused_with_their_line(write_source, expires: str, message: str) -> None:
    path = write_source(replace={"expires: 2027-06": f"expires: {expires}"})
    with pytest.raises(SourceError) as caught:
        load_monograph(path)
    assert str(caught.value).startswith(f"{path}:") and message in str(caught.value)


def test_an_expiry_more_than_five_years_away_is_refused(write_source) -> None:
    path = write_source(replace={"expires: 2027-06": "expires: 2039-12"})
    with pytest.raises(SourceError) as caught:
        prepare(path, RenderOptions(as_of=TODAY))
    assert str(caught.value) == (
        f"{path}:19: source.expires 2039-12-31 is more than 5 years after today (2026-11-27); "
        "patient information is reviewed at least every 5 years — check the date"
    )


def test_look_alike_letters_in_a_drug_name_are_warned(write_source) -> None:
    path = write_source(replace={"name: Testdrug": "name: Tеstdrug"})  # Cyrillic е
    result = run_cli("validate", str(path), "--as-of", TODAY.isoformat())
    assert result.exit_code == 0
    assert "warning: " in result.stderr and "CYRILLIC and LATIN" in result.stderr


def test_two_sources_with_one_id_are_both_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yaml"
    first.write_text(MINIMAL, encoding="utf-8")
    second.write_text(MINIMAL.replace("Take one tablet", "Take two tablets"), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("render", str(first), str(second), "-o", str(out), "--as-of", "2026-11-27")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("id 'testdrug' is also used by another source") == 2
    assert not out.exists()


# -- data safety (batch) ------------------------------------------------------------------------


def _library(folder: Path, count: int) -> Path:
    text = (LIBRARY / "lisinopril.yaml").read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"l{index:03d}.yaml").write_text(
            text.replace("id: lisinopril", f"id: l{index:03d}"), encoding="utf-8"
        )
    return folder


def test_a_failure_that_is_not_the_leaflets_own_keeps_its_earlier_pdf(tmp_path: Path) -> None:
    library = _library(tmp_path / "in", 3)
    out = tmp_path / "out"
    options = RenderOptions(as_of=TODAY)
    run_batch(library, out, options, force=True)
    before = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    assert len(before) == 3
    os.environ["SOURCE_DATE_EPOCH"] = "not-a-number"
    try:
        result = run_cli("batch", str(library), "-o", str(out), "--force", "--as-of", "2026-11-27")
    finally:
        os.environ["SOURCE_DATE_EPOCH"] = "1767225600"
    assert result.exit_code == 1 and "SOURCE_DATE_EPOCH" in result.stderr
    assert {p.name: p.read_bytes() for p in out.glob("*.pdf")} == before
    # a write that fails (here: the disk is full for one file) is not the leaflet's fault
    original = (library / "l000.yaml").read_text(encoding="utf-8")
    (library / "l000.yaml").write_text(original + "# reviewed\n", encoding="utf-8")
    import rxleaflet.batch as batch_module
    from rxleaflet.errors import OutputError

    real_write = batch_module.write_atomic

    def disk_full(path, data, **kwargs):
        if Path(path).name == "l000.pdf":
            raise OutputError("cannot write file: No space left on device", path=path)
        real_write(path, data, **kwargs)

    batch_module.write_atomic = disk_full
    try:
        result_entries = run_batch(library, out, options).entries
    finally:
        batch_module.write_atomic = real_write
    refused = [e for e in result_entries if e.status == "refused"]
    assert [e.id for e in refused] == ["l000"]
    assert "the earlier l000.pdf was kept" in refused[0].reasons
    assert (out / "l000.pdf").read_bytes() == before["l000.pdf"]
    # a leaflet refused on its own merits loses its earlier PDF
    (library / "l001.yaml").write_text("rxleaflet: 1\nid: l001\n", encoding="utf-8")
    run_batch(library, out, options)
    assert not (out / "l001.pdf").exists()


def test_a_second_batch_on_the_same_folder_is_refused_at_once(tmp_path: Path) -> None:
    library = _library(tmp_path / "in", 1)
    out = tmp_path / "out"
    out.mkdir()
    with (out / LOCK).open("a+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        holder.write("pid 4242")
        holder.flush()
        with pytest.raises(BatchBusyError) as caught:
            run_batch(library, out, RenderOptions(as_of=TODAY))
    assert "another rxleaflet batch (pid 4242) is writing to this folder" in str(caught.value)
    assert not (out / MANIFEST).exists()
    run_batch(library, out, RenderOptions(as_of=TODAY))  # the lock went with its holder


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc and prctl (Linux)")
def test_workers_die_with_a_killed_batch_and_the_rerun_is_complete(tmp_path: Path) -> None:
    library = _library(tmp_path / "in", 40)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "rxleaflet", "batch", str(library), "-o", str(out),
               "--jobs", "2", "--as-of", "2026-11-27"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 20
    workers: list[int] = []
    while time.monotonic() < deadline and not (len(workers) >= 2 and list(out.glob("*.pdf"))):
        workers = children(process.pid)
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert workers
    time.sleep(0.5)
    assert not [pid for pid in workers if _alive(pid)], "workers outlived their parent"
    rerun = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    time.sleep(0.3)  # anything left behind would have acted by now
    import hashlib

    for entry in manifest["leaflets"]:
        assert entry["status"] in ("produced", "skipped")
        data = (out / entry["output"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["output_sha256"]


def test_a_killed_combine_leaves_no_temporary_file_behind(tmp_path: Path) -> None:
    library = _library(tmp_path / "in", 2)
    target = tmp_path / "print" / "all.pdf"
    target.parent.mkdir()
    leftover = target.parent / ".all.pdf.k1ll3d.tmp"
    leftover.write_bytes(b"%PDF- half")
    result = run_cli("batch", str(library), "-o", str(tmp_path / "out"), "--combine", str(target),
                     "--as-of", "2026-11-27")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not leftover.exists() and target.is_file()


# -- bounded time and memory --------------------------------------------------------------------


def test_bold_markers_without_partners_are_parsed_in_linear_time() -> None:
    blocks, seconds = timed(parse, "**x " * 16_000)
    assert blocks[0].plain.startswith("**x") and seconds < GENEROUS


def test_a_megabyte_of_bold_markers_validates_in_bounded_time(tmp_path: Path) -> None:
    data = yaml.safe_load(MINIMAL)
    data["sections"][1]["text"] = "**x " * 200_000
    path = tmp_path / "bold.yaml"
    path.write_text(yaml.safe_dump(data, width=10**9), encoding="utf-8")
    _, seconds = timed(load_monograph, path)
    assert seconds < GENEROUS


def test_readability_of_a_long_run_of_dots_is_linear() -> None:
    from rxleaflet.check.readability import flesch_kincaid_grade

    _, seconds = timed(flesch_kincaid_grade, ["Take it" + "." * 200_000 + "x"])
    assert seconds < GENEROUS


@pytest.mark.parametrize(
    "content",
    [b"(" * 40_000, b"[" * 40_000, b"BT " + b"[(a" * 20_000, b"<<" * 40_000],
    ids=["parentheses", "brackets", "open-arrays", "dictionaries"],
)
def test_pathological_content_streams_are_findings_in_bounded_time(content: bytes) -> None:
    report, seconds = timed(check_pdf, one_page_pdf(content))
    assert seconds < GENEROUS
    assert "pdf-readable" in {f.rule for f in report.errors}


@pytest.mark.parametrize(
    "content",
    [b"BT [" + b"1" * 40 + b"x] TJ ET", b"11 " * 30_000 + b"(", b"BT [" + b"1 " * 30_000 + b"x"],
    ids=["digits-in-an-array", "operands-without-operator", "adjustments-without-end"],
)
def test_runs_of_numbers_in_content_are_read_in_bounded_time(content: bytes) -> None:
    """A run of digits is one number and an operator's operands are looked ahead for only so
    far: the first took exponential time in the fast pass, the second quadratic."""
    report, seconds = timed(check_pdf, one_page_pdf(content))
    assert seconds < GENEROUS
    assert report.pages == 1


@pytest.mark.parametrize(
    "body",
    [b"<< /A " + b"1" * 3_000 + b"x >>", b"[ " + b"11 " * 40 + b"/X ]"],
    ids=["a-long-run-of-digits", "numbers-then-a-name"],
)
def test_runs_of_numbers_in_objects_are_read_in_bounded_time(body: bytes) -> None:
    """The object readers' number pattern: ambiguous, it took minutes on these."""
    report, seconds = timed(check_pdf, one_page_pdf(b"BT ET", b"5 0 R", extra=[body]))
    assert seconds < GENEROUS
    assert report.pages == 1 or "pdf-readable" in {f.rule for f in report.errors}


def test_many_heading_candidates_do_not_make_the_heading_search_quadratic() -> None:
    import re

    from rxleaflet.check.pdfread import PageFact, PdfFacts
    from rxleaflet.check.rules import _heading_regex, subject_for

    text = "WhatisMedicationGuide" + "Whatis" * 8000
    facts = PdfFacts(1, [PageFact(1, text=text)], {}, "en", True, True, True, "", [], None)
    subject = subject_for(facts, None, CheckOptions(profile="medication-guide"))
    subject.drug = None
    pattern = re.compile(_heading_regex(subject, "what-is"), re.IGNORECASE)
    _, seconds = timed(pattern.search, text)
    assert seconds < GENEROUS


def test_a_deeply_nested_pdf_keeps_stderr_quiet(tmp_path: Path) -> None:
    deep = b"<< /A " * 100_000 + b">>" * 100_000
    path = tmp_path / "deep.pdf"
    path.write_bytes(
        handmade_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R /Deep 3 0 R >>",
                b"<< /Type /Pages /Kids [] /Count 0 >>",
                deep,
            ]
        )  # fmt: skip
    )
    done = subprocess.run(
        [sys.executable, "-m", "rxleaflet", "check", str(path)],
        capture_output=True, text=True, timeout=60, check=False, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) <= 3, done.stderr[:500]
    assert "pdf-readable" in done.stdout


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "folder"])
def test_only_regular_files_are_read(tmp_path: Path, special: str) -> None:
    if special == "fifo":
        path = tmp_path / "pipe.pdf"
        os.mkfifo(path)
    elif special == "folder":
        path = tmp_path / "dir.pdf"
        path.mkdir()
    else:
        path = Path(special)
    report, seconds = timed(check_file, path)
    assert seconds < GENEROUS
    assert [f.rule for f in report.errors] == ["pdf-readable"]
    assert "regular file" in report.errors[0].message or "folder" in report.errors[0].message
    with pytest.raises(SourceError, match="regular file|folder"):
        load_monograph(path)
    with pytest.raises(SourceError, match="regular file|folder"):
        load_brand(path)


def _brand_with_logo(tmp_path: Path, logo: Path | str) -> Path:
    brand = tmp_path / "brand.yaml"
    brand.write_text(
        f"rxleaflet-brand: 1\nname: Riverside\nlogo: {logo}\nlogo_alt: Riverside\n",
        encoding="utf-8",
    )
    return brand


def test_logos_are_checked_in_full_within_limits(tmp_path: Path) -> None:
    huge = tmp_path / "huge.png"
    Image.new("1", (13_300, 13_300)).save(huge, optimize=True)
    assert huge.stat().st_size < 2_000_000
    with pytest.raises(BrandError, match="13300×13300 pixels; at most 4,000,000"):
        load_brand(_brand_with_logo(tmp_path, huge.name))
    good = tmp_path / "good.png"
    Image.new("RGB", (160, 48), (0, 90, 0)).save(good)
    data = good.read_bytes()
    (tmp_path / "truncated.png").write_bytes(data[: len(data) - 30])
    crc = bytearray(data)
    crc[-20] ^= 0xFF  # inside the last chunks' checksum area
    (tmp_path / "bad-crc.png").write_bytes(bytes(crc))
    for name in ("truncated.png", "bad-crc.png"):
        with pytest.raises(BrandError, match="damaged and cannot be decoded"):
            load_brand(_brand_with_logo(tmp_path, name))
    (tmp_path / "big.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 3_000_000)
    with pytest.raises(BrandError, match="the limit for a logo is 2,000,000 bytes"):
        load_brand(_brand_with_logo(tmp_path, "big.jpg"))
    with pytest.raises(BrandError, match="regular file"):
        load_brand(_brand_with_logo(tmp_path, "/dev/zero"))


# -- wrong refusals and noisy errors ------------------------------------------------------------


@pytest.mark.parametrize("large_print", [False, True])
def test_long_valid_text_renders_in_every_mode(write_leaflet, large_print: bool) -> None:
    path = write_leaflet(
        how_to_use=("Take this medicine exactly as your doctor tells you to. " * 30)
        + "\n\n"
        + "x" * 3000,
        warning="Do not stop taking it suddenly. " * 120,
    )
    for paper in ("letter", "a4"):
        leaflet = prepare(path, RenderOptions(as_of=TODAY, large_print=large_print, paper=paper))
        assert build(leaflet, paper, TODAY).pages >= 2


def test_a_file_name_with_a_line_break_stays_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad\nname.yaml"
    path.write_text("rxleaflet: 2\n", encoding="utf-8")
    result = run_cli("validate", str(path))
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and "bad\\nname.yaml" in result.stderr


def test_verification_errors_are_bounded() -> None:
    from rxleaflet.errors import VerificationError

    error = VerificationError([f"[rule] problem {i} " + "x" * 1000 for i in range(5000)])
    assert len(error.reasons) == 11 and error.reasons[-1] == "… and 4990 more"
    assert len(str(error)) <= 600
