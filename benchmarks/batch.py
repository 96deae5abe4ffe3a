"""Batch benchmark: N copies of a 2-page, ~1,200-word leaflet through `rxleaflet batch`.

Reports leaflets/s for --jobs 1 and --jobs 2 (whole command, start-up included) and memory
over the run: the parent's and the largest worker's RSS at a tenth of the run, at its end, and
at peak (flat when the first two agree; try --count 5000). With --sign, each run is followed
by the same run signing every leaflet (PAdES B-B, a throwaway RSA-2048 key), unsigned and
signed alternating for --rounds rounds, so that the signing cost per leaflet shows through the
machine's noise. Run from the repository root:

    python3 benchmarks/batch.py [--count 200] [--jobs 1 2] [--sign --rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/processes.py

from tests.processes import children, resident_mib  # noqa: E402

SEED_LEAFLET = Path(__file__).resolve().parents[1] / "leaflets" / "baclofen-intrathecal.yaml"

EXTRA_SECTIONS = (Path(__file__).with_name("extra_sections.yaml")).read_text(encoding="utf-8")


def make_library(folder: Path, count: int) -> int:
    """Write ``count`` distinct leaflets; return the number of words in one."""
    valid = f"expires: {dt.date.today().year + 2}-12"  # well ahead, within the 5-year limit
    text = SEED_LEAFLET.read_text(encoding="utf-8").replace("expires: 2025-12", valid)
    text = text.replace("source:\n", EXTRA_SECTIONS.split("\n", 1)[1] + "source:\n", 1)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        body = text.replace("id: baclofen-intrathecal", f"id: leaflet-{index:05d}")
        (folder / f"leaflet-{index:05d}.yaml").write_text(body, encoding="utf-8")
    words = re.findall(r"[A-Za-z]+", text.split("sections:", 1)[1])
    return len(words)


def make_key(folder: Path) -> Path:
    """A throwaway RSA-2048 key and self-signed certificate (valid 2020–2040), in one PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Benchmark Pharmacy")])
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2040, 1, 1, tzinfo=dt.UTC))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    path = folder / "benchmark-key.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + certificate.public_bytes(serialization.Encoding.PEM)
    )
    return path


def run(
    library: Path, out: Path, jobs: int, sign: Path | None = None
) -> tuple[float, list[tuple[float, float, float]], str]:
    """Wall time, memory samples (seconds, parent MiB, largest worker MiB) and the command's
    summary line."""
    command = [
        sys.executable, "-m", "rxleaflet", "batch", str(library), "-o", str(out),
        "--jobs", str(jobs), "--force", *(["--sign", str(sign)] if sign else []),
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"},
    )
    samples = []
    while process.poll() is None:
        workers = [resident_mib(child) for child in children(process.pid)]
        samples.append(
            (time.perf_counter() - started, resident_mib(process.pid), max(workers, default=0.0))
        )
        time.sleep(0.1)
    stdout, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(stderr)
    return elapsed, [s for s in samples if s[1]], stdout.strip()


def _memory_line(samples: list[tuple[float, float, float]]) -> str:
    """Memory at a tenth of the run, near its end, and its peak: flat when the first two agree
    (with --jobs 1 the parent does the work, and there are no workers)."""
    working = [sample for sample in samples if sample[2]] or samples
    if len(working) < 10:
        return "memory: the run was too short to sample (try a larger --count)"
    early, late = working[len(working) // 10], working[-1]
    line = (
        f"memory at {early[0]:.0f} s / {late[0]:.0f} s / peak: parent {early[1]:.0f} / "
        f"{late[1]:.0f} / {max(sample[1] for sample in samples):.0f} MiB"
    )
    if late[2]:
        peak = max(sample[2] for sample in working)
        line += f", largest worker {early[2]:.0f} / {late[2]:.0f} / {peak:.0f} MiB"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sign", action="store_true", help="Also time signed runs (A/B).")
    parser.add_argument("--rounds", type=int, default=1, help="Unsigned/signed rounds.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        library = Path(folder) / "in"
        words = make_library(library, args.count)
        key = make_key(Path(folder)) if args.sign else None
        print(f"{args.count} leaflets of ~{words} words each")
        for jobs in args.jobs:
            times: dict[str, list[float]] = {"unsigned": [], "signed": []}
            for _ in range(args.rounds):
                for label, signing in (("unsigned", None), ("signed", key)):
                    if label == "signed" and key is None:
                        continue
                    out = Path(folder) / f"out{jobs}-{label}"
                    elapsed, samples, summary = run(library, out, jobs, signing)
                    times[label].append(elapsed)
                    print(
                        f"--jobs {jobs} {label}: {elapsed:.2f} s wall, "
                        f"{args.count / elapsed:.1f} leaflets/s (whole command)"
                    )
                    print(f"  {_memory_line(samples)}")
                    print(f"  {summary}")
            if times["signed"]:
                plain, signed = min(times["unsigned"]), min(times["signed"])
                print(
                    f"--jobs {jobs}: signing costs {(signed - plain) / args.count * 1000:.1f} ms "
                    f"a leaflet (best of {args.rounds}: {args.count / plain:.1f} → "
                    f"{args.count / signed:.1f} leaflets/s, "
                    f"{100 * (plain / signed):.0f} % of the unsigned throughput; runs "
                    f"unsigned {', '.join(f'{t:.1f}' for t in times['unsigned'])} s, signed "
                    f"{', '.join(f'{t:.1f}' for t in times['signed'])} s)"
                )


if __name__ == "__main__":
    main()
