"""`rxleaflet batch`: parallel, resumable, a manifest, never stopped by one bad file, and
never a partial PDF — not even when the whole process group is killed."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rxleaflet.batch import LOCK, MANIFEST, TEMPORARY, Entry, _manifest_chunks, _record, run_batch
from rxleaflet.check import check_pdf
from rxleaflet.cli import main
from rxleaflet.pipeline import RenderOptions
from rxleaflet.source.locales import locale_for, supported_languages

from .conftest import LIBRARY, TODAY

OPTIONS = RenderOptions(as_of=TODAY)


def make_library(folder: Path, copies: int, template: str = "lisinopril") -> Path:
    """``copies`` leaflets made from a bundled one, each with its own id, in nested folders."""
    text = (LIBRARY / f"{template}.yaml").read_text(encoding="utf-8")
    for index in range(copies):
        sub = folder / f"group{index % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{template}-{index:04d}.yaml").write_text(
            text.replace(f"id: {template}", f"id: {template}-{index:04d}"), encoding="utf-8"
        )
    return folder


def manifest(outdir: Path) -> dict:
    return json.loads((outdir / MANIFEST).read_text(encoding="utf-8"))


def statuses(outdir: Path) -> dict[str, str]:
    return {Path(e["source"]).name: e["status"] for e in manifest(outdir)["leaflets"]}


def test_batch_produces_everything_and_one_bad_file_does_not_stop_it(tmp_path: Path) -> None:
    library = make_library(tmp_path / "in", 5)
    (library / "broken.yaml").write_text("rxleaflet: 1\nid: Broken\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch(library, out, OPTIONS, jobs=2)
    assert (result.count("produced"), result.count("refused")) == (5, 1)
    data = manifest(out)
    assert data["rxleaflet"] and data["options"]["paper"] == "letter" and data["complete"]
    entries = {Path(e["source"]).name: e for e in data["leaflets"]}
    broken = entries.pop("broken.yaml")
    assert broken["status"] == "refused"
    assert "required key 'language' is missing" in broken["reasons"][0]
    for entry in entries.values():
        pdf = (out / entry["output"]).read_bytes()
        assert entry["status"] == "produced" and entry["pages"] == 2
        assert len(entry["source_sha256"]) == 64
        import hashlib

        assert hashlib.sha256(pdf).hexdigest() == entry["output_sha256"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [LOCK, MANIFEST, *(e["output"] for e in entries.values())]
    )


def test_rerun_skips_what_is_done_and_redoes_what_changed(tmp_path: Path) -> None:
    library = make_library(tmp_path / "in", 4)
    out = tmp_path / "out"
    run_batch(library, out, OPTIONS, jobs=2)
    assert set(statuses(out).values()) == {"produced"}
    run_batch(library, out, OPTIONS, jobs=2)
    assert set(statuses(out).values()) == {"skipped"}
    edited = next(library.rglob("lisinopril-0001.yaml"))
    edited.write_text(edited.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    (out / "lisinopril-0002.pdf").unlink()
    (out / "lisinopril-0003.pdf").write_bytes(b"%PDF-1.4 tampered")
    run_batch(library, out, OPTIONS, jobs=2)
    assert statuses(out) == {
        "lisinopril-0000.yaml": "skipped",
        "lisinopril-0001.yaml": "produced",
        "lisinopril-0002.yaml": "produced",
        "lisinopril-0003.yaml": "produced",
    }
    run_batch(library, out, OPTIONS, jobs=1, force=True)
    assert set(statuses(out).values()) == {"produced"}
    run_batch(library, out, RenderOptions(as_of=TODAY, paper="a4"), jobs=1)
    assert set(statuses(out).values()) == {"produced"}


def test_a_changed_brand_file_or_epoch_redoes_everything(tmp_path: Path, monkeypatch) -> None:
    from PIL import Image

    from rxleaflet.source.brand import load_brand

    library = make_library(tmp_path / "in", 2)
    out = tmp_path / "out"
    brand_file = tmp_path / "brand.yaml"
    brand_file.write_text("rxleaflet-brand: 1\nname: Riverside Pharmacy\n", encoding="utf-8")

    def branded() -> RenderOptions:
        return dataclasses.replace(OPTIONS, brand=load_brand(brand_file))

    run_batch(library, out, branded(), brand_file=brand_file, jobs=1)
    run_batch(library, out, branded(), brand_file=brand_file, jobs=1)
    assert set(statuses(out).values()) == {"skipped"}
    brand_file.write_text("rxleaflet-brand: 1\nname: Hillside Pharmacy\n", encoding="utf-8")
    run_batch(library, out, branded(), brand_file=brand_file, jobs=1)
    assert set(statuses(out).values()) == {"produced"}
    Image.new("RGB", (40, 20), (0, 0, 0)).save(tmp_path / "logo.png")
    brand_file.write_text(
        "rxleaflet-brand: 1\nname: Hillside Pharmacy\nlogo: logo.png\nlogo_alt: Hillside\n",
        encoding="utf-8",
    )
    run_batch(library, out, branded(), brand_file=brand_file, jobs=1)
    assert set(statuses(out).values()) == {"produced"}
    run_batch(library, out, branded(), brand_file=brand_file, jobs=1)
    assert set(statuses(out).values()) == {"skipped"}
    Image.new("RGB", (40, 20), (0, 0, 90)).save(tmp_path / "logo.png")  # same brand file
    run_batch(library, out, branded(), brand_file=brand_file, jobs=1)
    assert set(statuses(out).values()) == {"produced"}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")
    run_batch(library, out, branded(), brand_file=brand_file, jobs=1)
    assert set(statuses(out).values()) == {"produced"}


def test_leaflet_refused_on_rerun_loses_its_old_pdf(tmp_path: Path) -> None:
    library = make_library(tmp_path / "in", 2)
    out = tmp_path / "out"
    run_batch(library, out, OPTIONS, jobs=1)
    run_batch(library, out, RenderOptions(as_of=dt_after_expiry()), jobs=1)
    assert set(statuses(out).values()) == {"refused"}
    assert not list(out.glob("*.pdf"))
    reasons = manifest(out)["leaflets"][0]["reasons"]
    assert "information expired 2027-10-31" in reasons[0]
    assert reasons[-1] == "the earlier lisinopril-0000.pdf was removed"


def dt_after_expiry():
    import datetime as dt

    return dt.date(2027, 11, 1)


def test_duplicate_ids_are_both_refused(tmp_path: Path) -> None:
    library = make_library(tmp_path / "in", 1)
    (library / "copy.yaml").write_text(
        next(library.rglob("*.yaml")).read_text(encoding="utf-8"), encoding="utf-8"
    )
    out = tmp_path / "out"
    result = run_batch(library, out, OPTIONS, jobs=1)
    assert result.count("refused") == 2
    assert "id 'lisinopril-0000' is used by" in result.entries[0].reasons[0]
    assert not list(out.glob("*.pdf"))


def test_cli_summary_and_exit_status(tmp_path: Path, monkeypatch) -> None:
    library = make_library(tmp_path / "in", 3)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["batch", str(library), "-o", str(out), "--jobs", "2", "--as-of", TODAY.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("produced 3, refused 0, skipped 0 in ")
    assert "leaflets/s); manifest: " in result.stdout
    (library / "bad.yaml").write_text("nonsense: [", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["batch", str(library), "-o", str(out), "--as-of", TODAY.isoformat()]
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("produced 0, refused 1, skipped 3")
    assert "refused: " in result.stderr and "invalid YAML" in result.stderr


def _start_batch(library: Path, out: Path, jobs: int) -> subprocess.Popen:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rxleaflet",
            "batch",
            str(library),
            "-o",
            str(out),
            "--jobs",
            str(jobs),
            "--as-of",
            TODAY.isoformat(),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
        # as from a terminal: a shell starts background jobs with Ctrl-C ignored, and Python
        # keeps an ignored SIGINT ignored (so a suite run with '&' would see no interruption)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_some_output(out: Path, process: subprocess.Popen, at_least: int = 5) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if len(list(out.glob("*.pdf"))) >= at_least:
            return
        time.sleep(0.02)
    pytest.fail("the batch finished or stalled before it could be interrupted")


def _assert_only_complete_pdfs(out: Path) -> int:
    pdfs = list(out.glob("*.pdf"))
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), pdf
    for pdf in pdfs[:3]:
        assert check_pdf(pdf.read_bytes()).pages == 2
    assert not [
        p
        for p in out.iterdir()
        if p.suffix not in (".pdf", ".json", ".jsonl") and p.name not in (TEMPORARY, LOCK)
    ]
    return len(pdfs)


@pytest.mark.parametrize("how", ["kill-9", "ctrl-c"])
def test_interrupted_batch_leaves_only_complete_pdfs_and_rerun_finishes(
    tmp_path: Path, how: str
) -> None:
    library = make_library(tmp_path / "in", 150)
    out = tmp_path / "out"
    process = _start_batch(library, out, jobs=2)
    _wait_for_some_output(out, process)
    os.killpg(process.pid, signal.SIGKILL if how == "kill-9" else signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    if how == "ctrl-c":
        assert process.returncode == 1, (process.returncode, stderr[-2000:])
        assert b"interrupted: completed leaflets are kept" in stderr
        assert manifest(out)["complete"] is False
    done_before = _assert_only_complete_pdfs(out)
    assert 0 < done_before < 150
    rerun = _start_batch(library, out, jobs=2)
    stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr
    summary = stdout.decode()
    skipped = int(summary.split("skipped ")[1].split(" ")[0])
    assert skipped >= done_before - 4  # only leaflets in flight at the kill are redone
    assert _assert_only_complete_pdfs(out) == 150
    assert set(statuses(out).values()) <= {"produced", "skipped"}
    assert not (out / TEMPORARY).exists()


def test_combine_writes_one_tagged_print_file_with_odd_page_starts(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from rxleaflet.check.pdfread import read_pdf

    from .conftest import assert_pdfua

    out = tmp_path / "out"
    combined = tmp_path / "print" / "all.pdf"
    result = CliRunner().invoke(
        main,
        [
            "batch",
            str(LIBRARY),
            "-o",
            str(out),
            "--allow-expired",
            "--as-of",
            TODAY.isoformat(),
            "--combine",
            str(combined),
        ],
    )
    assert result.exit_code == 0, result.output
    data = combined.read_bytes()
    assert_pdfua(data)
    reader = PdfReader(combined)
    # check's reading: ActualText for shaped runs (pypdf reads their glyphs, not the text)
    texts = [page.text for page in read_pdf(data, max_pages=None).pages]
    assert len(texts) == len(reader.pages)
    first_pages = [
        re.escape("".join(locale_for(tag).words["page"].split()))
        .replace(r"\{n\}", "1")
        .replace(r"\{m\}", r"\d+")
        for tag in supported_languages()
    ]
    starts = [
        index
        for index, text in enumerate(texts)
        if any(re.search(page_one, "".join(text.split())) for page_one in first_pages)
    ]
    assert len(starts) == len(list(LIBRARY.glob("*.yaml")))
    assert all(index % 2 == 0 for index in starts), starts  # 0-based even = printed odd page
    blanks = [index for index, text in enumerate(texts) if not text.strip()]
    assert all(index + 1 in starts for index in blanks)
    assert f"({len(starts)} leaflets, {len(texts)} pages)" in result.stdout
    parts = [
        kid.get_object()
        for kid in reader.trailer["/Root"]["/StructTreeRoot"]["/K"][0].get_object()["/K"]
    ]
    assert [part["/S"] for part in parts] == ["/Part"] * len(starts)
    assert "es-US" in [part["/Lang"] for part in parts]


def test_combined_file_is_checked_before_it_is_written(tmp_path: Path, monkeypatch) -> None:
    from rxleaflet import pipeline
    from rxleaflet.combine import write_combined
    from rxleaflet.errors import VerificationError

    from .defects import without_footer

    real = pipeline.render_combined

    def no_footer_on_second_page(leaflets, paper, title=None):
        made = real(leaflets, paper, title)
        return dataclasses.replace(made, pdf=without_footer(made.pdf, 1))

    result = run_batch(LIBRARY, tmp_path / "out", RenderOptions(as_of=TODAY, allow_expired=True))
    monkeypatch.setattr(pipeline, "render_combined", no_footer_on_second_page)

    target = tmp_path / "all.pdf"
    with pytest.raises(VerificationError) as caught:
        write_combined(result, target, RenderOptions(as_of=TODAY, allow_expired=True))
    assert "[page-numbers] page 2: lisinopril" not in str(caught.value)
    assert "baclofen-intrathecal: expected 'Page 2 of 2'" in str(caught.value)
    assert not target.exists()


def test_empty_folder_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(
        main, ["batch", str(tmp_path / "empty"), "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no leaflet sources (*.yaml, *.yml) under {tmp_path / 'empty'}; nothing to do\n"
    )
    assert not (tmp_path / "out").exists()


def test_the_manifest_written_an_entry_at_a_time_is_the_json_of_the_whole() -> None:
    document: dict[str, object] = {"rxleaflet": "0", "options": {"paper": "a4", "brand": None},
                                   "complete": True, "summary": {"produced": 1}}  # fmt: skip
    entries = [
        Entry("in/a.yaml", "1" * 64, "a", "a.pdf", "2" * 64, 2, "produced"),
        Entry("in/ü b.yaml", None, None, None, None, None, "refused", ['no "expires"', "two"]),
    ]
    for some in (entries, entries[:1], []):
        whole = {**document, "leaflets": [_record(entry) for entry in some]}
        expected = json.dumps(whole, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        assert b"".join(_manifest_chunks(document, some)) == expected


def test_one_worker_or_two_give_the_same_bytes(tmp_path: Path) -> None:
    """Different leaflets, languages and scripts: the PDFs do not depend on which worker made
    them, or in what order (caches of measured words and read fonts are per process)."""
    library = tmp_path / "in"
    library.mkdir()
    names = ("lisinopril", "metformin-zh-hans", "metformin-ko", "metformin-vi", "metformin-hi",
             "humira")  # fmt: skip
    for name in names:
        (library / f"{name}.yaml").write_bytes((LIBRARY / f"{name}.yaml").read_bytes())
    outputs = {}
    for jobs in (1, 2):
        run_batch(library, tmp_path / f"out{jobs}", OPTIONS, jobs=jobs)
        outputs[jobs] = {
            pdf.name: pdf.read_bytes() for pdf in sorted((tmp_path / f"out{jobs}").glob("*.pdf"))
        }
    assert len(outputs[1]) == len(names)
    assert outputs[1] == outputs[2]
