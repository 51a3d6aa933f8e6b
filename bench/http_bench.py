"""A small HTTP load generator for the platform, standard library only.

Measures requests per second and latency percentiles of GET requests against a server on the
loopback interface, with N threads each sending one request at a time. Every run is bounded by
both a duration and a request count::

    python bench/http_bench.py --base-url http://127.0.0.1:8765 --path /healthz --path / \
        --concurrency 8 --concurrency 32 --duration 10

Prints a Markdown table (or JSON with ``--json``). The client shares the machine with the
server, so the figures are a floor of what the server does alone.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import sys
import threading
import time
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class RunResult:
    path: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (``nan`` when empty)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def run_one(
    host: str, port: int, path: str, concurrency: int, duration: float, max_requests: int
) -> RunResult:
    """Hammer *path* with *concurrency* threads until *duration* or *max_requests* is reached."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    budget = threading.Semaphore(max_requests)
    start_gate = threading.Barrier(concurrency + 1)
    deadline = 0.0

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        mine = latencies[index]
        start_gate.wait()
        while time.perf_counter() < deadline and budget.acquire(blocking=False):
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": "text/html,application/json"})
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[index] += 1
                    continue
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                conn.close()
                continue
            mine.append(time.perf_counter() - began)
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + duration
    start_gate.wait()
    for thread in threads:
        thread.join(timeout=duration + 30)
    elapsed = time.perf_counter() - began
    ok = sorted(x for per_thread in latencies for x in per_thread)
    return RunResult(
        path=path,
        concurrency=concurrency,
        requests=len(ok),
        errors=sum(errors),
        seconds=round(elapsed, 2),
        rps=round(len(ok) / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(percentile(ok, 0.50) * 1000, 1),
        p99_ms=round(percentile(ok, 0.99) * 1000, 1),
    )


def markdown(results: list[RunResult]) -> str:
    lines = [
        "| path | concurrency | requests | errors | req/s | p50 (ms) | p99 (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| `{r.path}` | {r.concurrency} | {r.requests} | {r.errors} | {r.rps:.1f} "
            f"| {r.p50_ms:.1f} | {r.p99_ms:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8765")
    parser.add_argument(
        "--path", action="append", dest="paths", help="repeatable; default /healthz"
    )
    parser.add_argument("--concurrency", action="append", type=int, dest="levels")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run (max 120)")
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per path")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)

    url = urlsplit(args.base_url)
    host = url.hostname or ""
    if url.scheme != "http" or host not in LOOPBACK_HOSTS:
        parser.error("only http:// on the loopback interface (127.0.0.1, localhost, ::1)")
    port = url.port or 80
    duration = min(max(args.duration, 0.5), 120.0)
    paths = args.paths or ["/healthz"]
    levels = args.levels or [8, 32]
    if any(not 1 <= c <= 256 for c in levels):
        parser.error("concurrency must be between 1 and 256")

    results = []
    for path in paths:
        if args.warmup > 0:
            run_one(host, port, path, min(levels), min(args.warmup, 10.0), args.max_requests)
        for level in levels:
            results.append(run_one(host, port, path, level, duration, args.max_requests))
            print(f"  {path} c={level}: {results[-1].rps:.1f} req/s", file=sys.stderr)

    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        print(markdown(results))
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
