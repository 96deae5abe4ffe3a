"""The command line, in-process and as a real subprocess: exit codes, messages, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rxleaflet.cli import main

from .conftest import LIBRARY, TODAY, assert_pdfua

AS_OF = ["--as-of", TODAY.isoformat()]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_every_command_has_help(run) -> None:
    for command in ("render", "validate", "list"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_render_by_drug_name_into_current_folder(run, tmp_path: Path) -> None:
    result = run("render", "LISINOPRIL", "--library", str(LIBRARY), *AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote lisinopril.pdf\n"
    assert_pdfua((tmp_path / "lisinopril.pdf").read_bytes())


def test_render_by_brand_name_to_pdf_path(run, tmp_path: Path) -> None:
    result = run("render", "zestril", "-o", "out/mine.pdf", "--library", str(LIBRARY), *AS_OF)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "mine.pdf").is_file()


def test_render_several_into_folder(run, tmp_path: Path) -> None:
    result = run(
        "render",
        "lisinopril",
        "metformina",
        "-o",
        "pdfs",
        "--library",
        str(LIBRARY),
        "--paper",
        "a4",
        "--large-print",
        *AS_OF,
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "pdfs").iterdir()) == [
        "lisinopril.pdf",
        "metformina.pdf",
    ]


def test_expired_is_refused_with_exit_1_and_nothing_written(run, tmp_path: Path) -> None:
    result = run("render", "baclofen-intrathecal", "--library", str(LIBRARY), *AS_OF)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {LIBRARY / 'baclofen-intrathecal.yaml'}: information expired 2025-12-31; get a "
        "current monograph, or use --allow-expired to print it marked 'not for patient use'\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_allow_expired_renders_with_mark(run, tmp_path: Path) -> None:
    result = run("render", "baclofen", "--library", str(LIBRARY), "--allow-expired", *AS_OF)
    assert result.exit_code == 0
    assert result.stdout == "wrote baclofen-intrathecal.pdf (EXPIRED — not for patient use)\n"


def test_unknown_name_is_exit_1_with_hint(run) -> None:
    result = run("render", "aspirin", "--library", str(LIBRARY))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no leaflet 'aspirin' in {LIBRARY}; see 'rxleaflet list' for what there is\n"
    )


def test_usage_errors_are_exit_2(run) -> None:
    assert run("render").exit_code == 2
    assert run("render", "x", "--paper", "legal").exit_code == 2
    assert run("render", "x", "--as-of", "tomorrow").exit_code == 2
    assert run("render", "a", "b", "-o", "one.pdf").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_bad_source_is_one_line_and_nothing_written(run, tmp_path: Path, write_source) -> None:
    path = write_source(replace={"warning: |": "warnng: |"})
    result = run("render", str(path), "-o", "out")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "unknown key 'warnng' (did you mean 'warning'?)" in result.stderr
    assert not (tmp_path / "out").exists()


def test_bad_brand_is_refused(run, tmp_path: Path, write_source) -> None:
    brand = tmp_path / "brand.yaml"
    brand.write_text('rxleaflet-brand: 1\nname: X\ncolors:\n  accent: "#FFFF00"\n')
    result = run("render", str(write_source()), "--brand", str(brand), *AS_OF)
    assert result.exit_code == 1
    assert "has contrast 1.07:1; at least 4.5:1 is required" in result.stderr
    assert not list(tmp_path.glob("*.pdf"))


def test_validate_reports_each_file(run, write_source) -> None:
    good = write_source()
    bad = write_source(name="bad.yaml", replace={"id: testdrug": "id: Bad_Id"})
    result = run("validate", str(good), str(bad), *AS_OF)
    assert result.exit_code == 1
    assert result.stdout == f"ok {good} (testdrug, monograph)\n"
    assert f"error: {bad}:2: id 'Bad_Id' is not allowed" in result.stderr


def test_validate_library_folder(run) -> None:
    result = run("validate", str(LIBRARY), "--allow-expired", *AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("ok ") == len(list(LIBRARY.glob("*.yaml")))


def test_list_and_query(run) -> None:
    result = run("list", "--library", str(LIBRARY))
    assert result.exit_code == 0
    line = "lisinopril\tLisinopril (Prinivil, Zestril, Qbrelis)\ten-US English\tmonograph"
    assert line in result.stdout
    result = run("list", "glucophage", "--library", str(LIBRARY))
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [
        "metformin",  # Metformin, en-US
        "metformin-vi",  # Metformin, vi
        "metformina",  # Metformina, es-US
        "metformin-pl",  # Metformina, pl
        "metformin-fr",  # Metformine
        "metformin-ru",  # Метформин
        "metformin-ar",  # ميتفورمين
        "metformin-ur",  # میٹفارمن
        "metformin-hi",  # मेटफ़ॉर्मिन
        "metformin-bn",  # মেটফরমিন
        "metformin-zh-hans",  # 二甲双胍
        "metformin-ko",  # 메트포르민
    ]
    assert result.stdout.splitlines()[0].endswith("RxCUI 6809, 861007; NDC 00093-1048-01")
    result = run("list", "0093-1048-01", "--library", str(LIBRARY))
    assert len(result.stdout.splitlines()) == 12
    assert run("list", "nothing-like-this", "--library", str(LIBRARY)).exit_code == 1


def test_internal_errors_never_show_a_traceback(run, monkeypatch, write_source) -> None:
    from rxleaflet import pipeline

    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "render_pdf", explode)
    result = run("render", str(write_source()), *AS_OF)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: internal error (RuntimeError: boom)")


def test_console_script_runs_as_a_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    command = [
        sys.executable,
        "-m",
        "rxleaflet",
        "render",
        "metformina",
        "--library",
        str(LIBRARY),
        "-o",
        str(tmp_path),
        *AS_OF,
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "metformina.pdf").is_file()
    refused = subprocess.run(
        [*command[:4], str(tmp_path / "missing.yaml")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert refused.returncode == 1
    assert refused.stderr == f"error: {tmp_path / 'missing.yaml'}: no such file; check the path\n"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc on this system")
def test_special_paths_get_a_message_that_says_what_to_do(run, tmp_path: Path) -> None:
    result = run("render", "lisinopril", "--library", str(LIBRARY), "-o", "/proc/rx.pdf", *AS_OF)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: /proc/rx.pdf: cannot write here: /proc takes no new files (a system folder such "
        "as /proc or /sys); write to a folder of your own\n"
    )
    pipe = tmp_path / "rx.pdf"
    os.mkfifo(pipe)
    result = run("render", "lisinopril", "--library", str(LIBRARY), "-o", str(pipe), *AS_OF)
    assert result.exit_code == 1 and "is a device or pipe, not a file" in result.stderr
    assert pipe.is_fifo()  # never replaced by a regular file


def test_validate_without_sources_checks_the_whole_library(run) -> None:
    result = run("validate", "--library", str(LIBRARY), *AS_OF)
    assert result.exit_code == 1  # the seed monograph expired in December 2025
    assert "baclofen-intrathecal.yaml: information expired 2025-12-31" in result.stderr
    result = run("validate", "--library", str(LIBRARY), "--allow-expired", *AS_OF)
    assert result.exit_code == 0 and result.stdout.count("\nok ") + 1 == len(
        list(LIBRARY.glob("*.yaml"))
    )


def test_a_reader_that_stops_reading_ends_the_command_quietly() -> None:
    """``rxleaflet list | head -1``: the pipe closes before the listing is written; the command
    stops with exit 1 and no error (no traceback, no "internal error"); the note of which
    library is listed still goes to standard error."""
    process = subprocess.Popen(
        [sys.executable, "-m", "rxleaflet", "list", "--library", str(LIBRARY)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    process.stdout.close()  # before the command has started writing
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert errors.startswith("leaflets in ")
    assert "error" not in errors and "Traceback" not in errors
