"""Send a verified PDF to a CUPS printer with ``lp``: duplex on the long edge, the leaflet's paper.

The job is named by the leaflet id only (job names are logged by CUPS; patient data never is).
"""

from __future__ import annotations

import shutil
import subprocess

from .errors import LeafletError

MEDIA = {"letter": "Letter", "a4": "A4"}
TIMEOUT_SECONDS = 30


class PrintError(LeafletError):
    """CUPS did not take the job; the message is CUPS's own."""


def available() -> str | None:
    """None when ``lp`` can be run here, else why not."""
    return None if shutil.which("lp") else "CUPS is not installed here (no 'lp' command)"


def refuse_unless_available() -> None:
    """Raise PrintError, saying what to do, when nothing can be printed here."""
    reason = available()
    if reason:
        raise PrintError(f"{reason}; install CUPS, or write the PDF with -o and print it")


def print_pdf(pdf: bytes, *, queue: str | None, paper: str, job_name: str) -> str:
    """Print ``pdf`` (handed to ``lp`` on its standard input: no file is made); return what
    CUPS said (e.g. "request id is office-12 (1 file(s))")."""
    refuse_unless_available()
    command = ["lp", "-t", job_name, "-o", "sides=two-sided-long-edge", "-o",
               f"media={MEDIA[paper]}"]  # fmt: skip
    if queue:
        command += ["-d", queue]
    try:
        done = subprocess.run(
            [*command, "--", "-"],
            input=pdf,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PrintError(
            f"CUPS did not answer within {TIMEOUT_SECONDS} s; is cupsd running?"
        ) from None
    said = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
    if done.returncode != 0:
        where = f"queue '{queue}'" if queue else "the default queue"
        raise PrintError(
            f"printing to {where} failed: {said or 'lp exited ' + str(done.returncode)}"
        )
    return done.stdout.decode("utf-8", "replace").strip()
