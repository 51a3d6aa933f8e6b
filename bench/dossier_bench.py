"""Benchmark dossiers: the public look-up by code (GET) and online submission (POST, 3 × 1 MB).

Runs against a server on the loopback interface whose database already holds the bench data
(``bench/dossier_seed.py``); ``bench/dossier_run.sh`` prepares both. The groups and their
figures are those of ``bench/feedback_bench.py``, whose runner this reuses: *N* threads each
send one request at a time for a fixed time, cycling through the group's requests.

- ``/healthz``, before and after: the floor of the machine at that moment;
- ``GET /api/v1/public/dossiers/{code}`` and the page ``/tra-cuu/?ma=<code>``, over 2,000 codes
  drawn at random from the database;
- ``POST /api/v1/dossiers/`` as a kiosk sends it: ``multipart/form-data`` with the JSON part and
  three PDF documents of 1 MB each, with the API key; all to one ward (they queue on its day
  sequence, the worst case), then spread over 20 communes.

Afterwards the rows are counted: every ``201`` must be one more dossier, with a code of its own,
and the agencies' sequences of the day must have moved by exactly as many numbers (no gap, no
repeat)::

    .venv/bin/python bench/dossier_bench.py --base-url http://127.0.0.1:8767 \\
        --database-url postgres://postgres@127.0.0.1:5432/cqs_dossier_bench \\
        --payload /tmp/payload.json --api-key demo-api-key
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from feedback_bench import (
    CLOCK_TICKS,
    GroupResult,
    Request,
    _cpu_ticks,
    floor_ratio,
    get,
    markdown,
    run_group,
    server_pids,
)
from http_bench import LOOPBACK_HOSTS

SUBMIT_URL = "/api/v1/dossiers/"
FILE_SIZE = 1024 * 1024
FILES = 3


def pdf_of_size(size: int, tag: str) -> bytes:
    """A PDF of *size* bytes that passes the upload checks (header, end-of-file marker)."""
    head = f"%PDF-1.4\n% {tag}\n".encode()
    tail = b"\n%%EOF\n"
    filler = size - len(head) - len(tail)
    line = b"%" + b"0" * 78 + b"\n"
    body = (line * (filler // len(line) + 1))[:filler]
    return head + body + tail


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body and its content type."""
    boundary = "cqs" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n'
            f"Content-Type: application/json; charset=utf-8\r\n\r\n".encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def submit_requests(
    api_key: str, payload: dict[str, Any], *, units: list[str], n: int = 8
) -> list[Request]:
    """*n* different submissions (their documents differ), each with three files of 1 MB, sent
    to *units* in turn."""
    requests = []
    components = payload["components"][:FILES]
    for i in range(max(n, len(units))):
        files = {
            f"component.{code}": (f"{code}.pdf", pdf_of_size(FILE_SIZE, f"{i}-{code}"))
            for code in components
        }
        dossier = {**payload["dossier"], "receiving_unit": units[i % len(units)]}
        body, content_type = multipart({"dossier": json.dumps(dossier)}, files)
        headers = {"Authorization": f"Bearer {api_key}", "Content-Type": content_type}
        requests.append(Request("POST", SUBMIT_URL, body, headers))
    return requests


def _connect(database_url: str) -> Any:
    import psycopg  # the project's own PostgreSQL driver

    return psycopg.connect(database_url)


def sample_codes(database_url: str, n: int = 2000) -> list[str]:
    with _connect(database_url) as conn:
        rows = conn.execute(
            "SELECT code FROM dossiers_dossier TABLESAMPLE SYSTEM (1) "
            "WHERE code IS NOT NULL LIMIT %s",
            (n,),
        ).fetchall()
    if not rows:
        raise SystemExit("No dossiers in the database: run bench/dossier_seed.py first.")
    return [str(row[0]) for row in rows]


def dossier_counts(database_url: str) -> dict[str, int]:
    """Dossiers in all, distinct codes, and the numbers given today, all agencies together."""
    with _connect(database_url) as conn:
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT code) FROM dossiers_dossier"
        ).fetchone()
        (today,) = conn.execute(
            "SELECT coalesce(sum(last_number), 0) FROM dossiers_dossiersequence "
            "WHERE day = (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
        ).fetchone()
    return {"dossiers": total, "codes": distinct, "today": int(today)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8767")
    parser.add_argument("--database-url", required=True, help="to draw codes and count rows")
    parser.add_argument("--payload", type=Path, required=True, help="from dossier_seed.py")
    parser.add_argument("--api-key", default="demo-api-key")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run (max 120)")
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap per run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--server-pid", type=int, default=0, help="gunicorn's master process")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    url = urlsplit(args.base_url)
    host = url.hostname or ""
    if url.scheme != "http" or host not in LOOPBACK_HOSTS:
        parser.error("only http:// on the loopback interface (127.0.0.1, localhost, ::1)")
    port = url.port or 80
    duration = min(max(args.duration, 0.5), 120.0)
    level = args.concurrency
    if not 1 <= level <= 256:
        parser.error("concurrency must be between 1 and 256")
    payload = json.loads(args.payload.read_text())
    codes = sample_codes(args.database_url)

    def measure(name: str, requests: list[Request], warm_up: float = 2.0) -> GroupResult:
        run_group(host, port, name, requests, level, warm_up, args.max_requests)
        result = run_group(host, port, name, requests, level, duration, args.max_requests)
        print(f"  {name}: {result.rps:.1f} req/s, p95 {result.p95_ms} ms", file=sys.stderr)
        return result

    floor = [get("/healthz")]
    results = [
        measure("`/healthz` (floor)", floor),
        measure(
            "look-up `GET /api/v1/public/dossiers/{code}`",
            [get(f"/api/v1/public/dossiers/{quote(code)}") for code in codes],
        ),
        measure("look-up page `/tra-cuu/?ma=`", [get(f"/tra-cuu/?ma={quote(c)}") for c in codes]),
    ]

    one_ward = submit_requests(args.api_key, payload, units=payload["units"][:1])
    spread = submit_requests(args.api_key, payload, units=payload["units"])
    # Warm every worker (and its PostgreSQL backend) first; its dossiers are not counted.
    run_group(host, port, "submit warm-up", one_ward, level, 1.0, args.max_requests)
    before = dossier_counts(args.database_url)
    pids = server_pids(args.server_pid, args.database_url) if args.server_pid else []
    ticks = sum(_cpu_ticks(pid) for pid in pids)
    submits = []
    for name, requests in (
        (f"submit `POST {SUBMIT_URL}` ({FILES} × 1 MB), one ward", one_ward),
        (f"submit, the same spread over {len(payload['units'])} communes", spread),
    ):
        submits.append(run_group(host, port, name, requests, level, duration, args.max_requests))
        print(f"  {name}: {submits[-1].rps:.1f} req/s, {submits[-1].statuses}", file=sys.stderr)
    ticks = sum(_cpu_ticks(pid) for pid in pids) - ticks
    after = dossier_counts(args.database_url)
    results.extend(submits)
    results.append(measure("`/healthz` (floor) again", floor, warm_up=0.5))

    created = sum(s.statuses.get(201, 0) for s in submits)
    done = sum(s.requests for s in submits)
    added = after["dossiers"] - before["dossiers"]
    numbered = after["today"] - before["today"]
    distinct = after["codes"] == after["dossiers"]
    lost = created != added or numbered != added or not distinct
    cpu_ms = 1000 * ticks / CLOCK_TICKS / done if pids and done else 0.0
    if args.json:
        summary = {"created_201": created, "rows_added": added, "numbers_taken": numbered}
        print(json.dumps({"runs": [r.__dict__ for r in results], "submit": summary}, indent=2))
    else:
        print(markdown(results))
        print(
            f"\nSubmitted: {created} answered 201; dossiers {before['dossiers']:,} → "
            f"{after['dossiers']:,} (+{added}); the numbers of the day moved by "
            f"{numbered}; codes {'all distinct' if distinct else 'NOT DISTINCT'}: "
            f"{'none lost' if not lost else 'MISMATCH'}."
        )
        for submit in submits:  # each submit run against the floors of the same run
            ratio = floor_ratio([r for r in results if r not in submits or r is submit])
            print(f"{submit.name} — {ratio}")
        if cpu_ms:
            print(
                f"Server CPU per submitted dossier (gunicorn workers and their PostgreSQL "
                f"backends): {cpu_ms:.1f} ms."
            )
    return 1 if lost or any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
