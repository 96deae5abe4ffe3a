"""Shared fixtures: a minimal valid leaflet, a renderer that validates every PDF it makes."""

from __future__ import annotations

import datetime as dt
import glob
import io
import os
import shutil
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import page
import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase
from pypdf import PdfReader

from rxleaflet.pipeline import RenderOptions, build, prepare

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "leaflets"
SEED = REPO / "tests" / "data" / "seed" / "baclofen-intrathecal.txt"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
TODAY = dt.date(2026, 11, 27)

# Hypothesis keeps its examples and caches outside the work tree, like every file a test writes.
_HYPOTHESIS_HOME = Path(tempfile.gettempdir()) / "rxleaflet-hypothesis"
set_hypothesis_home_dir(str(_HYPOTHESIS_HOME))
settings.register_profile(
    "rxleaflet", database=DirectoryBasedExampleDatabase(_HYPOTHESIS_HOME / "examples")
)
settings.load_profile("rxleaflet")


def _tree_files() -> set[str]:
    found = set()
    for folder, folders, files in os.walk(REPO):
        folders[:] = [f for f in folders if f not in (".git", "__pycache__")]
        found.update(os.path.relpath(os.path.join(folder, name), REPO) for name in files)
    return found


@pytest.fixture(scope="session", autouse=True)
def _work_tree_untouched():
    """No test may write into the repository: every output goes to a temporary folder."""
    before = _tree_files()
    yield
    added = sorted(_tree_files() - before)
    assert not added, f"tests wrote into the work tree: {added[:10]}"


MINIMAL = """\
rxleaflet: 1
id: testdrug
language: en-US
drug:
  name: Testdrug
warning: |
  Do not stop taking Testdrug suddenly.
sections:
  - kind: uses
    text: |
      Testdrug treats testing.
  - kind: how-to-use
    text: |
      Take one tablet daily.
source:
  copyright: "Copyright © 2026 Example Inc."
  disclaimer: |
    This is a summary and does not contain all possible information.
  expires: 2027-06
"""


@pytest.fixture(autouse=True)
def _fixed_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def write_source(tmp_path: Path) -> Callable[..., Path]:
    """Write a leaflet source: MINIMAL, or given text, with optional literal replacements."""

    def write(
        text: str = MINIMAL, name: str = "testdrug.yaml", replace: dict[str, str] | None = None
    ) -> Path:
        body = textwrap.dedent(text)
        for old, new in (replace or {}).items():
            assert old in body, f"fixture text has no {old!r}"
            body = body.replace(old, new)
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        return path

    return write


def assert_pdfua(pdf: bytes) -> None:
    """Every PDF the tests make must pass the page-validation PDF/UA-1 rules."""
    report = page.validate_pdf_bytes(pdf)
    assert report.is_compliant, [str(f) for f in report.failures]


def render_source(path: Path, **options: object) -> bytes:
    options.setdefault("as_of", TODAY)
    rendered = build(prepare(path, RenderOptions(**options)), str(options.get("paper", "letter")))
    assert_pdfua(rendered.pdf)
    return rendered.pdf


def page_texts(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


# Scripts drawn as shaped glyph runs: pypdf reads their glyphs in visual order and ignores the
# /ActualText that gives the logical text; pdftotext (poppler) reads it.
SHAPED_SCRIPTS = frozenset(("DEVANAGARI", "BENGALI", "GURMUKHI"))


def logical_page_texts(pdf: bytes) -> list[str]:
    """Each page's text as pdftotext reads it, through the /ActualText of shaped runs."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "read.pdf"
        path.write_bytes(pdf)
        command = ["pdftotext", "-enc", "UTF-8", str(path), "-"]
        text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return text.split("\f")[: len(PdfReader(io.BytesIO(pdf)).pages)]


@pytest.fixture
def write_leaflet(tmp_path: Path) -> Callable[..., Path]:
    """Write MINIMAL with fields changed through data, so any text is quoted correctly."""

    def write(
        how_to_use: str | None = None, name: str = "testdrug.yaml", **changes: object
    ) -> Path:
        import yaml

        data = yaml.safe_load(MINIMAL)
        if how_to_use is not None:
            data["sections"][1]["text"] = how_to_use
        for key, value in changes.items():
            data[key] = value
        path = tmp_path / name
        path.write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000),
            encoding="utf-8",
        )
        return path

    return write


@pytest.fixture(scope="session")
def cups_queue():
    """A cups-pdf queue on a running CUPS (started here when needed); skipped, with the reason,
    where CUPS or cups-pdf is not installed."""
    for tool in ("lpadmin", "lpstat", "lp"):
        if not shutil.which(tool):
            pytest.skip(f"CUPS is not installed ({tool} not found)")
    ppds = glob.glob("/usr/share/ppd/cups-pdf/*.ppd")
    if not ppds:
        pytest.skip("cups-pdf is not installed (printer-driver-cups-pdf)")
    if "is running" not in subprocess.run(["lpstat", "-r"], capture_output=True, text=True).stdout:
        cupsd = shutil.which("cupsd") or "/usr/sbin/cupsd"
        subprocess.run([cupsd], capture_output=True, check=False)
        for _ in range(50):
            if (
                "is running"
                in subprocess.run(["lpstat", "-r"], capture_output=True, text=True).stdout
            ):
                break
            time.sleep(0.1)
        else:
            pytest.skip("the CUPS scheduler could not be started (needs root)")
    queue = f"rxleaflet-test-{os.getpid()}"
    added = subprocess.run(["lpadmin", "-p", queue, "-E", "-v", "cups-pdf:/", "-P", ppds[0]],
                           capture_output=True, text=True)  # fmt: skip
    if added.returncode != 0:
        pytest.skip(f"could not add a cups-pdf queue: {added.stderr.strip()}")
    yield queue
    subprocess.run(["lpadmin", "-x", queue], capture_output=True, check=False)


def cups_pdf_outputs() -> dict[str, float]:
    """The PDFs cups-pdf has written (it may overwrite one of the same title), with mtimes."""
    found = glob.glob(os.path.expanduser("~/PDF/*.pdf")) + glob.glob("/var/spool/cups-pdf/*/*.pdf")
    return {path: os.stat(path).st_mtime_ns for path in found}


def wait_for_cups_pdf(before: dict[str, float], seconds: float = 30) -> list[Path]:
    """The files cups-pdf wrote or rewrote since ``before`` (waiting for them)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        now = cups_pdf_outputs()
        made = [Path(p) for p, mtime in now.items() if before.get(p) != mtime]
        if made:
            time.sleep(0.2)  # let it finish writing
            return made
        time.sleep(0.1)
    return []
