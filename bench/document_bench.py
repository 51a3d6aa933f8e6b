"""Benchmark document search: ``GET /api/v1/documents/?q=…`` over the seeded documents.

Runs against a server on the loopback interface whose database already holds the bench data
(``bench/document_seed.py``); ``bench/document_run.sh`` prepares both. The runner is
``bench/feedback_bench.py``'s: *N* threads each send one request at a time for a fixed time,
cycling through the group's requests, after a warm-up; p50/p95/p99 by nearest rank. Every
request carries the demo API key (scope ``documents:read``) and asks for the first page of 20.

Groups, each a mix of queries:

- ``/healthz``, before and after: the floor of the machine at that moment;
- number and notation, ``q=15/QĐ-UBND``: 300 references of issued documents drawn from the
  database, and the same through the ``number`` and ``notation`` filters;
- notation alone, ``q=KH-SYT``: 40 notations drawn from the database (each is common);
- subject words without diacritics (``chuyen doi so``), sender (``so tai chinh``) and a word
  of the PDF text only (``keo lai giam hom``), plus a phrase found nowhere.

Before the runs each query is sent once and its ``count`` printed, so a fast empty answer cannot
pass for a search::

    .venv/bin/python bench/document_bench.py --base-url http://127.0.0.1:8768 \\
        --database-url postgres://postgres@127.0.0.1:5432/cqs_document_bench
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from feedback_bench import GroupResult, Request, markdown, run_group
from http_bench import LOOPBACK_HOSTS

LIST_URL = "/api/v1/documents/"
PAGE = 20
SUBJECT_WORDS = (
    "chuyen doi so",
    "phong chay chua chay",
    "trung thu thieu nhi",
    "giai phong mat bang",
    "nong thon moi",
    "tiem chung",
    "karaoke",
    "rac thai sinh hoat",
    "tuyen sinh lop 10",
    "bau cu dai bieu",
)
SENDERS = (
    "so tai chinh",
    "cong an tinh",
    "bo noi vu",
    "kho bac",
    "bao hiem xa hoi",
    "mat tran to quoc",
)
PDF_WORDS = (
    "keo lai giam hom",
    "ca tam",
    "huoi giang",
    "song lam",
    "quynh luu",
    "sat lo",
)
NOWHERE = "tu khoa khong ton tai qwxz"


def _connect(database_url: str):  # type: ignore[no-untyped-def]
    import psycopg  # the project's own PostgreSQL driver

    return psycopg.connect(database_url)


def sample_references(database_url: str, n: int = 300) -> list[tuple[int, str]]:
    with _connect(database_url) as conn:
        rows = conn.execute(
            "SELECT number, notation FROM documents_document TABLESAMPLE SYSTEM (2) "
            "WHERE direction = 'outgoing' AND number IS NOT NULL AND secrecy = 'none' LIMIT %s",
            (n,),
        ).fetchall()
    if not rows:
        raise SystemExit("No documents in the database: run bench/document_seed.py first.")
    return [(int(number), str(notation)) for number, notation in rows]


def sample_notations(database_url: str, n: int = 40) -> list[str]:
    with _connect(database_url) as conn:
        rows = conn.execute(
            "SELECT notation FROM (SELECT DISTINCT notation FROM documents_document "
            "TABLESAMPLE SYSTEM (2) WHERE notation <> '') AS t ORDER BY notation LIMIT %s",
            (n,),
        ).fetchall()
    return [str(row[0]) for row in rows]


def api_get(params: dict[str, str | int], api_key: str) -> Request:
    query = urlencode({**params, "limit": PAGE})
    return Request(
        "GET",
        f"{LIST_URL}?{query}",
        headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
    )


def count_of(host: str, port: int, request: Request) -> int:
    """The ``count`` the API answers for *request* (−1 on an error)."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(request.method, request.path, headers=request.headers)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != 200:
        return -1
    return int(json.loads(body)["count"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8768")
    parser.add_argument("--database-url", required=True, help="to draw numbers and notations")
    parser.add_argument("--api-key", default="demo-api-key")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run (max 120)")
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap per run")
    parser.add_argument("--concurrency", type=int, default=16)
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
    key = args.api_key
    references = sample_references(args.database_url)
    notations = sample_notations(args.database_url)

    groups: list[tuple[str, list[Request]]] = [
        (
            "number and notation, `q=15/QĐ-UBND`",
            [api_get({"q": f"{n:02d}/{notation}"}, key) for n, notation in references],
        ),
        (
            "number and notation, `number=&notation=`",
            [api_get({"number": n, "notation": notation}, key) for n, notation in references],
        ),
        ("notation, `q=KH-SYT`", [api_get({"q": notation}, key) for notation in notations]),
        ("subject words without diacritics", [api_get({"q": q}, key) for q in SUBJECT_WORDS]),
        ("sender", [api_get({"q": q}, key) for q in SENDERS]),
        ("word of the PDF text", [api_get({"q": q}, key) for q in PDF_WORDS]),
        ("found nowhere", [api_get({"q": NOWHERE}, key)]),
    ]

    for name, requests in groups:
        counts = [count_of(host, port, r) for r in requests[:6]]
        print(f"  {name}: counts of the first queries {counts}", file=sys.stderr)
        if any(c < 0 for c in counts):
            print("  (an error answer: check the API key and the server log)", file=sys.stderr)
            return 1

    def measure(name: str, requests: list[Request], warm_up: float = 2.0) -> GroupResult:
        run_group(host, port, name, requests, level, warm_up, args.max_requests)
        result = run_group(host, port, name, requests, level, duration, args.max_requests)
        print(f"  {name}: {result.rps:.1f} req/s, p95 {result.p95_ms} ms", file=sys.stderr)
        return result

    floor = [Request("GET", "/healthz")]
    results = [measure("`/healthz` (floor)", floor)]
    results += [measure(name, requests) for name, requests in groups]
    results.append(measure("`/healthz` (floor) again", floor, warm_up=0.5))

    if args.json:
        print(json.dumps([r.__dict__ for r in results], indent=2, ensure_ascii=False))
    else:
        print(markdown(results))
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
