"""The dispensing counter: this patient's leaflet, found by code or name, straight to the printer.
Patient data goes onto the page and nowhere else."""

from __future__ import annotations

import glob
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf.generic import StreamObject

from rxleaflet import printing
from rxleaflet.check.pdfread import read_pdf
from rxleaflet.cli import main
from rxleaflet.render import flowables

from .conftest import LIBRARY, REPO, TODAY, assert_pdfua, cups_pdf_outputs, wait_for_cups_pdf

PATIENT = {
    "patient": "Zelda Q. Privacyson",
    "rx": "RX-99887766",
    "prescriber": "Dr. Quentin Secretius",
    "directions": "Take 3 zorbletabs nightly with buttermilk.",
}
RECORD = "rxleaflet-dispense: 1\n" + "".join(f"{k}: {v}\n" for k, v in PATIENT.items())
AS_OF = ["--as-of", TODAY.isoformat()]


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def _forms(text: str) -> list[bytes]:
    """How a string could sit in a PDF object: plain, UTF-16, hex."""
    plain = text.encode("utf-8")
    utf16 = text.encode("utf-16-be")
    return [plain, utf16, plain.hex().encode(), plain.hex().upper().encode(), utf16.hex().encode()]


def leaks(pdf: bytes) -> list[str]:
    """Patient fields found in any PDF object other than page content streams (decompressed)."""
    reader = PdfReader(io.BytesIO(pdf))
    contents = set()
    for page in reader.pages:
        value = page.get("/Contents")
        for ref in value if isinstance(value, list) else [value]:
            contents.add(ref.idnum)
    found = []
    for number in range(1, reader.trailer["/Size"]):
        if number in contents:
            continue
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001 - free or odd entries
            continue
        data = repr(obj).encode("utf-8", "replace")
        if isinstance(obj, StreamObject):
            data += obj.get_data()
        for field, value in PATIENT.items():
            for word in value.replace(".", "").split():
                if len(word) > 4 and any(form in data for form in _forms(word)):
                    found.append(f"{field} in object {number}")
    raw = pdf  # and in the file's own bytes (the trailer, info, anything not in a stream)
    for field, value in PATIENT.items():
        if any(form in raw for form in _forms(value)):
            found.append(f"{field} in the raw file")
    return found


@pytest.fixture
def dispense_file(tmp_path: Path) -> Path:
    path = tmp_path / "dispense.yaml"
    path.write_text(RECORD, encoding="utf-8")
    return path


def test_the_prepared_for_block_is_on_page_one_tagged_and_read_back(
    tmp_path: Path, dispense_file: Path
) -> None:
    out = tmp_path / "out"
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--dispense",
                 str(dispense_file), "-o", str(out), *AS_OF)  # fmt: skip
    assert result.exit_code == 0, result.output
    pdf = (out / "lisinopril.pdf").read_bytes()
    assert_pdfua(pdf)
    facts = read_pdf(pdf)
    first = " ".join(facts.pages[0].text.split())
    assert "Prepared for: Zelda Q. Privacyson" in first
    assert "Rx number: RX-99887766" in first and "Filled: November 27, 2026" in first
    assert "Directions: Take 3 zorbletabs nightly with buttermilk." in first
    assert first.index("Lisinopril") < first.index("Prepared for") < first.index("Warning")
    assert not any("Zelda" in p.text for p in facts.pages[1:])
    sections = [e for e in facts.structure.walk() if e.role == "Sect"]  # type: ignore[union-attr]
    texts = [facts.element_text(s) for s in sections]
    assert any(t.startswith("Prepared for: Zelda") for t in texts)


def test_a_heading_that_does_not_fit_below_a_tall_page_one_goes_to_the_next_page(
    tmp_path: Path,
) -> None:
    """Urdu in two columns, branded, with a dispense record: the title, record and warning run
    across page one and leave its columns 59 pt, too short for the first heading with two
    lines (Nastaliq's 2.0 line spacing) in either column. The heading goes to page two with
    its lines (it was refused: 'internal error (LayoutError: Keep is too large for any
    frame)')."""
    record = tmp_path / "record.yaml"
    record.write_text(
        "rxleaflet-dispense: 1\npatient: Jane Q. Doe\nrx: RX-0012345\n"
        "prescriber: Dr. Ann Smith\ndirections: Take 1 tablet by mouth once daily.\n"
        "directions_language: en\n",
        encoding="utf-8",
    )
    out = tmp_path / "ur.pdf"
    result = run("render", "metformin-ur", "--library", str(LIBRARY), "--layout", "two-column",
                 "--brand", str(REPO / "examples" / "brand" / "brand.yaml"), "--dispense",
                 str(record), "-o", str(out), *AS_OF)  # fmt: skip
    assert result.exit_code == 0, result.output
    facts = read_pdf(out.read_bytes())
    uses = "میٹفارمن مناسب غذا اور ورزش"  # the first section's first words
    assert len(facts.pages) == 2
    assert uses not in facts.pages[0].text and uses in facts.pages[1].text
    assert "Jane Q. Doe" in facts.pages[0].text
    assert_pdfua(out.read_bytes())


def test_patient_data_reaches_the_page_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("render", "lisinopril", "--library", str(LIBRARY), "-o", str(out),
                 *[f"--{k}={v}" for k, v in PATIENT.items()], *AS_OF)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["lisinopril.pdf"]
    pdf = (out / "lisinopril.pdf").read_bytes()
    assert leaks(pdf) == []
    for value in PATIENT.values():
        assert value not in result.output
    # on the page, though
    assert "Zelda Q. Privacyson" in " ".join(read_pdf(pdf).pages[0].text.split())
    # the word-measure cache never holds patient words
    cached = " ".join(
        key if isinstance(key, str) else " ".join(text for text, _ in key)  # type: ignore[attr-defined]
        for words in flowables._MEASURED.values()
        for key in words
    )
    assert "Take" in cached  # the cache holds the leaflet's own words
    assert "Privacyson" not in cached and "Secretius" not in cached
    # the embedded source is the source, without the record
    reader = PdfReader(io.BytesIO(pdf))
    names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
    source = names[1].get_object()["/EF"]["/F"].get_object().get_data()
    assert source == (LIBRARY / "lisinopril.yaml").read_bytes()


def test_a_check_report_of_a_dispensed_leaflet_names_no_patient(tmp_path, dispense_file) -> None:
    target = tmp_path / "l.pdf"
    run("render", "lisinopril", "--library", str(LIBRARY), "--dispense", str(dispense_file),
        "-o", str(target), *AS_OF)  # fmt: skip
    report = run("check", str(target), "--format", "json", *AS_OF)
    assert report.exit_code == 0 and json.loads(report.stdout)["passed"]
    assert "Zelda" not in report.stdout


def test_the_record_from_stdin_as_json_and_the_pdf_to_stdout(tmp_path: Path) -> None:
    record = json.dumps({"rxleaflet-dispense": 1, "patient": "Jane Doe", "rx": 12345}).encode()
    result = run("render", "metformin", "--library", str(LIBRARY), "--dispense", "-", "-o", "-",
                 *AS_OF, stdin=record)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"%PDF-") and result.stdout_bytes.rstrip().endswith(
        b"%%EOF"
    )
    assert "Prepared for: Jane Doe" in " ".join(read_pdf(result.stdout_bytes).pages[0].text.split())
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("rxleaflet-dispense: 1\npatient: A\nrx: R1\npatinet: B\n",
         "unknown key 'patinet' (did you mean 'patient'?)"),
        ("rxleaflet-dispense: 1\nrx: R1\n", "patient is required"),
        ("rxleaflet-dispense: 1\npatient: '  '\nrx: R1\n", "patient is empty"),
        ("rxleaflet-dispense: 1\npatient: A\nrx: R1\nfilled: 2027-02-30\n", "not a valid one"),
        ("rxleaflet-dispense: 1\npatient: A\nrx: R1\nfilled: 2099-01-01\n", "filled is after today"),
        ("rxleaflet-dispense: 1\npatient: A\u200bB\nrx: R1\n", "invisible or undefined character"),
        ("rxleaflet-dispense: 1\npatient: " + "x" * 101 + "\nrx: R1\n", "at most 100 fit"),
        ("patient: A\nrx: R1\n", "'rxleaflet-dispense: 1'"),
    ],
)  # fmt: skip
def test_bad_records_are_refused_and_nothing_is_written(tmp_path, record, message) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(record, encoding="utf-8")
    out = tmp_path / "out"
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--dispense", str(path),
                 "-o", str(out), *AS_OF)  # fmt: skip
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert not out.exists()


def test_options_are_named_in_their_errors_and_are_usage_errors(tmp_path: Path) -> None:
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--rx", "R1", "-o",
                 str(tmp_path), *AS_OF)  # fmt: skip
    assert result.exit_code == 2 and "Error: --patient is required" in result.stderr
    assert not list(tmp_path.iterdir())


def test_every_missing_field_is_named_at_once(tmp_path: Path) -> None:
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--prescriber", "Dr. A",
                 "-o", str(tmp_path), *AS_OF)  # fmt: skip
    assert result.exit_code == 2 and "Error: --patient and --rx are required" in result.stderr
    record = tmp_path / "record.yaml"
    record.write_text("rxleaflet-dispense: 1\nprescriber: Dr. A\n", encoding="utf-8")
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--dispense", str(record),
                 "-o", str(tmp_path / "out"), *AS_OF)  # fmt: skip
    assert result.exit_code == 1 and "patient and rx are required" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "2999-01-01"])
def test_a_bad_filled_date_is_a_usage_error_like_a_bad_as_of(tmp_path: Path, value) -> None:
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--patient", "P", "--rx",
                 "R1", "--filled", value, "-o", str(tmp_path), *AS_OF)  # fmt: skip
    assert result.exit_code == 2 and "--filled" in result.stderr
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--as-of", "2026-13-01",
                 "-o", str(tmp_path))  # fmt: skip
    assert result.exit_code == 2 and "--as-of" in result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("70518-4397-0", "lisinopril"),  # 5-4-1
        ("70518439700", "lisinopril"),  # 11 digits
        ("70518-4397-00", "lisinopril"),  # 5-4-2
        ("0093-1048-01", "metformin"),  # 4-4-2, English first
        ("00093104801", "metformin"),
        ("0093104801", "metformin"),  # 10 digits without dashes: every reading is tried
        ("314076", "lisinopril"),  # RxCUI
        ("861007", "metformin"),
        ("ZESTRIL", "lisinopril"),
    ],
)
def test_lookup_at_the_counter(tmp_path: Path, query: str, expected: str) -> None:
    result = run("render", query, "--library", str(LIBRARY), "-o", str(tmp_path), *AS_OF)
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == [f"{expected}.pdf"]


def test_language_picks_the_same_medicine(tmp_path: Path) -> None:
    result = run("render", "861007", "--language", "es", "--library", str(LIBRARY), "-o",
                 str(tmp_path), *AS_OF)  # fmt: skip
    assert result.exit_code == 0 and (tmp_path / "metformina.pdf").exists()
    result = run("render", "metformina", "--language", "en", "--library", str(LIBRARY), "-o",
                 str(tmp_path), *AS_OF)  # fmt: skip
    assert result.exit_code == 0 and (tmp_path / "metformin.pdf").exists()
    result = run("render", "lisinopril", "--language", "es", "--library", str(LIBRARY), *AS_OF)
    assert result.exit_code == 1
    assert "no es leaflet of Lisinopril" in result.stderr and "it has: en-US" in result.stderr


def test_misspelt_names_and_folders_get_help(tmp_path: Path) -> None:
    result = run("render", "lisinoprill", "--library", str(LIBRARY), *AS_OF)
    assert result.exit_code == 1 and "did you mean 'Lisinopril'?" in result.stderr
    result = run("render", str(LIBRARY), *AS_OF)
    assert result.exit_code == 1 and f"rxleaflet batch {LIBRARY} -o OUTDIR" in result.stderr


def test_paper_names_are_not_case_sensitive_and_help_is_not_cut(tmp_path: Path) -> None:
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--paper", "A4", "-o",
                 str(tmp_path), *AS_OF)  # fmt: skip
    assert result.exit_code == 0
    listing = run("--help").output
    assert "Produce a folder's leaflets in parallel, with a manifest." in listing
    assert "Merge the manifests of a sharded batch." in listing


def test_a_qr_code_for_the_current_version(write_leaflet, tmp_path: Path) -> None:
    source = write_leaflet()
    text = source.read_text(encoding="utf-8").replace(
        "expires: 2027-06", "expires: 2027-06\n  url: https://example.org/leaflets/testdrug"
    )
    source.write_text(text, encoding="utf-8")
    result = run("render", str(source), "-o", str(tmp_path / "q.pdf"), *AS_OF)
    assert result.exit_code == 0, result.output
    pdf = (tmp_path / "q.pdf").read_bytes()
    assert_pdfua(pdf)
    facts = read_pdf(pdf)
    assert "Current version: https://example.org/leaflets/testdrug" in " ".join(
        facts.pages[0].text.split()
    )
    figures = [e for e in facts.structure.walk() if e.role == "Figure"]  # type: ignore[union-attr]
    assert [f.alt for f in figures] == ["QR code: the link to the current version of this leaflet"]
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(tmp_path / "q.pdf"),
                        str(tmp_path / "page")], check=True)  # fmt: skip
        image = glob.glob(str(tmp_path / "page*.png"))[0]
        decoded = subprocess.run(["zbarimg", "-q", "--raw", image], capture_output=True, text=True)
        assert decoded.stdout.strip() == "https://example.org/leaflets/testdrug"
    bad = source.read_text(encoding="utf-8").replace("https://example", "http://example")
    source.write_text(bad, encoding="utf-8")
    assert "must be an https:// link" in run("validate", str(source)).stderr


def test_examples_brand_works_and_a_png_is_not_a_brand_file(tmp_path: Path) -> None:
    brand = REPO / "examples" / "brand" / "brand.yaml"
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--brand", str(brand), "-o",
                 str(tmp_path), *AS_OF)  # fmt: skip
    assert result.exit_code == 0, result.output
    logo = REPO / "examples" / "brand" / "logo.png"
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--brand", str(logo), *AS_OF)
    assert result.exit_code == 1
    assert "a PNG image, not a YAML text file" in result.stderr


def test_check_on_a_truncated_file_prints_only_its_report(tmp_path: Path) -> None:
    good = tmp_path / "l.pdf"
    run("render", "lisinopril", "--library", str(LIBRARY), "-o", str(good), *AS_OF)
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(good.read_bytes()[:3000])
    done = subprocess.run(
        ["python3", "-m", "rxleaflet", "check", str(cut)], capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode == 1 and done.stderr == ""
    assert "pdf-readable" in done.stdout


# -- printing through a real CUPS queue (cups-pdf) ----------------------------------------------


def test_print_sends_the_verified_pdf_to_a_real_queue(cups_queue: str, tmp_path: Path) -> None:
    before = cups_pdf_outputs()
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--print", cups_queue,
                 "--patient", "Zelda Q. Privacyson", "--rx", "RX-1", "-o", str(tmp_path), *AS_OF)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"printed lisinopril: request id is {cups_queue}-" in result.stdout
    made = wait_for_cups_pdf(before)
    assert made, "cups-pdf wrote nothing"
    printed = made[0]
    assert "Privacyson" not in printed.name  # the job is named by the leaflet id only
    text = subprocess.run(["pdftotext", str(printed), "-"], capture_output=True, text=True).stdout
    assert "Lisinopril" in text and "Zelda Q. Privacyson" in text
    printed.unlink()


def test_a_printing_failure_is_cups_own_message(cups_queue: str, tmp_path: Path) -> None:
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--print", "no-such-queue",
                 "-o", str(tmp_path), *AS_OF)  # fmt: skip
    assert result.exit_code == 1
    assert "printing to queue 'no-such-queue' failed: lp:" in result.stderr


def test_without_cups_printing_says_so(monkeypatch) -> None:
    monkeypatch.setattr(printing.shutil, "which", lambda _name: None)
    with pytest.raises(printing.PrintError, match="CUPS is not installed here"):
        printing.print_pdf(b"%PDF-", queue=None, paper="letter", job_name="x")


def test_printing_leaves_no_file_behind(cups_queue: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = cups_pdf_outputs()
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--print", cups_queue,
                 "--patient", "Zelda Q. Privacyson", "--rx", "RX-1", *AS_OF)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "wrote" not in result.output and list(tmp_path.iterdir()) == []
    for made in wait_for_cups_pdf(before):
        made.unlink()


def test_without_cups_the_refusal_comes_before_anything_is_made(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(printing.shutil, "which", lambda _name: None)
    made = []
    monkeypatch.setattr("rxleaflet.pipeline.prepare", lambda *a, **k: made.append(a))
    result = run("render", "lisinopril", "--library", str(LIBRARY), "--print", "--patient", "P",
                 "--rx", "R1", "-o", str(tmp_path / "rx.pdf"), *AS_OF)  # fmt: skip
    assert result.exit_code == 1 and made == [] and list(tmp_path.iterdir()) == []
    assert result.stderr == (
        "error: CUPS is not installed here (no 'lp' command); install CUPS, or write the PDF "
        "with -o and print it\n"
    )


def test_an_expired_leaflet_takes_no_dispense_record_even_when_allowed(tmp_path: Path) -> None:
    for allowed in ([], ["--allow-expired"]):
        result = run("render", "baclofen-intrathecal", "--library", str(LIBRARY), "--patient",
                     "Jane Q. Doe", "--rx", "RX-1", "-o", str(tmp_path), *allowed, *AS_OF)  # fmt: skip
        assert result.exit_code == 1 and not list(tmp_path.iterdir())
    assert "an expired leaflet is never for a patient, so it takes no dispense record" in (
        result.stderr
    )
    assert "Jane" not in result.stderr
