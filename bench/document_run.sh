#!/usr/bin/env bash
# Benchmark document search with 500,000 documents: `GET /api/v1/documents/?q=…` by number and
# notation, notation, subject words, sender and a word of the PDF text, on gunicorn (2 sync
# workers) and PostgreSQL, DEBUG off. Loopback only; every run is bounded.
#
#   bench/document_run.sh                                   # seed 500,000 documents, 10 s per run
#   BENCH_DOCUMENTS=20000 BENCH_DURATION=3 bench/document_run.sh   # a quick smoke run
#   BENCH_KEEP_DB=1 bench/document_run.sh                   # keep (and reuse) the seeded database
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, no password, as in CI). Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PORT="${BENCH_PORT:-8768}"
DB="${BENCH_DB:-cqs_document_bench}"
DURATION="${BENCH_DURATION:-10}"
WORKERS="${BENCH_WORKERS:-2}"
THREADS="${BENCH_THREADS:-1}"
CONCURRENCY="${BENCH_CONCURRENCY:-16}"
DOCUMENTS="${BENCH_DOCUMENTS:-500000}"
KEEP="${BENCH_KEEP_DB:-0}"
# shellcheck source=bench/lib.sh
. bench/lib.sh

bench_check_port
VAR_DIR="$(mktemp -d -t cqs-document-bench.XXXXXX)"
LOG="$VAR_DIR/gunicorn.log"
cleanup() {
    bench_stop_server
    if [ "$KEEP" != "1" ]; then dropdb "${PG[@]}" --if-exists "$DB" || true; fi
    rm -rf "$VAR_DIR"
}
trap cleanup EXIT
bench_environment
# The demo's own reports and dossiers are not wanted: the seed writes the documents.
export FEEDBACK_DEMO_REPORTS=0 DOSSIER_DEMO_COUNT=0 DOCUMENTS_DEMO_OUTGOING=0

existing=0
if [ "$KEEP" = "1" ] && bench_database_exists; then
    existing="$(psql "${PG[@]}" -d "$DB" -tAc "SELECT count(*) FROM documents_document" 2>/dev/null || echo 0)"
fi
if [ "$existing" -lt "$DOCUMENTS" ]; then
    echo "Preparing database $DB: demo units, then $DOCUMENTS documents" >&2
    bench_fresh_database
    SEED_START=$(date +%s)
    "$PY" bench/document_seed.py --count "$DOCUMENTS"
    SEED_SECONDS=$(( $(date +%s) - SEED_START ))
else
    echo "Reusing database $DB ($existing documents)" >&2
    "$PY" manage.py migrate --noinput -v 0
    SEED_SECONDS="reused"
fi
bench_start_server

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
status=0
TABLE="$("$PY" bench/document_bench.py --base-url "http://127.0.0.1:$PORT" \
    --database-url "$DATABASE_URL" --duration "$DURATION" --concurrency "$CONCURRENCY")" || status=$?
counts="$(psql "${PG[@]}" -d "$DB" -tAc "SELECT count(*), count(*) FILTER (WHERE full_text <> '') FROM documents_document")"

echo
bench_report_header "bench/document_run.sh (BENCH_DURATION=$DURATION, BENCH_DOCUMENTS=$DOCUMENTS, concurrency $CONCURRENCY)"
echo "Data: documents, of which with PDF text: ${counts/|/, }; seeding took ${SEED_SECONDS} s"
echo
echo "$TABLE"
if [ "$status" -ne 0 ]; then
    echo "Some requests failed; gunicorn log:" >&2
    tail -n 30 "$LOG" >&2
fi
exit "$status"
