"""The built wheel is the product: installed into a new environment outside the checkout, in an
empty folder, the README's examples work as written (SPEC §19)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from . import browser
from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _block(heading: str) -> list[str]:
    """The command lines of the first ``sh`` block under ``heading`` in the README (comments
    and line continuations resolved)."""
    after = README.split(heading, 1)[1]
    body = re.search(r"```sh\n(.*?)```", after, re.S)
    assert body, f"no sh block under {heading}"
    lines = body.group(1).replace("\\\n", " ").splitlines()
    return [re.sub(r"\s+#\s.*$", "", line).strip() for line in lines if line.strip()]


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory) -> dict[str, object]:
    work = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"),
         str(REPO)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if built.returncode != 0:
        pytest.skip(f"the wheel could not be built here: {built.stderr.strip()[-300:]}")
    wheel = next((work / "dist").glob("rxleaflet-*.whl"))
    # a new environment that sees this Python's dependencies but not the checkout's rxleaflet
    # (its own site-packages come first): the installed wheel is what runs
    env_dir = work / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
         str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    empty = work / "empty"
    empty.mkdir()
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{environment['PATH']}"
    return {"wheel": wheel, "python": python, "cwd": empty, "env": environment}


def _run(wheel_env, command: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, shell=True, capture_output=True, text=True, cwd=wheel_env["cwd"],
        env=wheel_env["env"], timeout=timeout,
    )  # fmt: skip


def test_the_wheel_holds_what_runs_and_only_that(wheel_env) -> None:
    names = zipfile.ZipFile(wheel_env["wheel"]).namelist()
    assert "rxleaflet/fonts/NotoSans-Regular.ttf" in names and "rxleaflet/fonts/OFL.txt" in names
    assert "rxleaflet/library/lisinopril.yaml" in names
    assert "rxleaflet/examples/brand/brand.yaml" in names
    assert "rxleaflet/examples/record.yaml" in names
    # the base fonts as ReportLab parsed them (render/fontcache.py): no parse at start-up
    assert "rxleaflet/data/fontfaces/NotoSans-Regular.ttf.marshal.z" in names
    assert not [n for n in names if n.endswith("dehint.py") or n.startswith(("tests/", "docs/"))]


def test_the_installed_wheel_runs_from_its_own_copy(wheel_env) -> None:
    where = _run(wheel_env, "python -c 'import rxleaflet; print(rxleaflet.__file__)'")
    assert where.returncode == 0 and str(REPO) not in where.stdout, where.stdout
    listed = _run(wheel_env, "rxleaflet list")
    assert listed.returncode == 0 and "the bundled library" in listed.stderr
    assert str(REPO) not in listed.stderr


def test_every_everyday_example_in_the_readme_works_as_written(wheel_env) -> None:
    commands = _block("## Everyday use")
    assert len(commands) >= 8
    for command in commands:
        done = _run(wheel_env, command)
        assert done.returncode == 0, f"{command}\n{done.stderr}"
    made = {p.name for p in Path(wheel_env["cwd"]).rglob("*.pdf")}
    assert {"lisinopril.pdf", "metformin.pdf", "metformina.pdf"} <= made


def test_the_counter_examples_work_without_a_printer(wheel_env) -> None:
    for command in _block("### At the dispensing counter"):
        command = command.replace("--print", "-o rx.pdf").replace("| lp", "> piped.pdf")
        done = _run(wheel_env, command)
        assert done.returncode == 0, f"{command}\n{done.stderr}"
    piped = Path(wheel_env["cwd"]) / "piped.pdf"
    assert piped.read_bytes().startswith(b"%PDF-")


def test_serve_starts_on_the_bundled_library_with_the_example_brand(wheel_env) -> None:
    pytest.importorskip("uvicorn", reason="the serve extra is not installed")
    command = _block("## For integrators: `rxleaflet serve`")[0]
    port = browser.free_port()
    process = subprocess.Popen(
        [*shlex.split(command), "--port", str(port)], cwd=wheel_env["cwd"], env=wheel_env["env"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            answer = None
        assert answer is not None and answer.status_code == 200, process.stderr
        assert answer.json()["leaflets"] >= 10
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert "from the bundled library" in stderr
