"""The HTTP API under load: a real server process, a real HTTP client, on loopback.

Run from the repository root: ``python3 benchmarks/serve.py [--requests N] [--workers W]``.
Reports, for 1 and for 8 concurrent clients rendering the 2-page lisinopril leaflet (with a
dispense record), the median and 99th-percentile latency and the throughput; then the server's
memory (RSS of every server process) before and after N requests, to show it stays flat.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/processes.py finds the workers

from tests.processes import children, resident_mib  # noqa: E402

BODY = {
    "leaflet": "lisinopril",
    "dispense": {"patient": "Jane Q. Doe", "rx": "RX-0012345", "directions": "Take 1 daily."},
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(root: int) -> float:
    """Resident memory of a process and its children (uvicorn's workers), in MB."""
    return sum(resident_mib(pid) for pid in [root, *children(root)])


def run_clients(base: str, clients: int, requests: int) -> tuple[list[float], float]:
    """Latencies (s) of ``requests`` renders spread over ``clients`` threads, and wall time."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = requests // clients

    def client() -> None:
        with httpx.Client(base_url=base, timeout=30) as session:
            for _ in range(per_client):
                started = time.perf_counter()
                response = session.post("/v1/render", json=BODY)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(f"render failed: {response.status_code} {response.text}")
                with lock:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started


def report(label: str, latencies: list[float], seconds: float) -> None:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{label:24} median {statistics.median(ordered) * 1000:6.1f} ms   p99 {p99 * 1000:6.1f} ms"
        f"   {len(ordered) / seconds:6.1f} renders/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "rxleaflet", "serve", "--port", str(port), "--workers",
         str(args.workers), "--library", str(REPO / "leaflets")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ},
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        run_clients(base, 8, 80)  # warm every worker
        print(f"server: {args.workers} worker process(es), 2-page leaflet with a dispense record")
        for clients in (1, 8):
            latencies, seconds = run_clients(base, clients, 400 if clients == 1 else 800)
            report(f"{clients} client(s)", latencies, seconds)
        before = rss_mb(server.pid)
        latencies, seconds = run_clients(base, 8, args.requests)
        after = rss_mb(server.pid)
        report(f"{args.requests} requests", latencies, seconds)
        print(
            f"server memory: {before:.0f} MB after warm-up, {after:.0f} MB after "
            f"{args.requests} requests from 8 clients: x{after / before:.2f} (target <= 1.10)"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
