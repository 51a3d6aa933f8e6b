#!/usr/bin/env bash
# Benchmark dossiers with 1,000,000 of them: the public look-up by code and online submission
# with three documents of 1 MB, on gunicorn (2 sync workers) and PostgreSQL, DEBUG off.
# Loopback only; every run is bounded.
#
#   bench/dossier_run.sh                            # seed 1,000,000 dossiers, 10 s per run
#   BENCH_DOSSIERS=50000 BENCH_DURATION=3 bench/dossier_run.sh   # a quick smoke run
#   BENCH_KEEP_DB=1 bench/dossier_run.sh            # keep (and reuse) the seeded database
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, no password, as in CI). Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PORT="${BENCH_PORT:-8767}"
DB="${BENCH_DB:-cqs_dossier_bench}"
DURATION="${BENCH_DURATION:-10}"
WORKERS="${BENCH_WORKERS:-2}"
THREADS="${BENCH_THREADS:-1}"
CONCURRENCY="${BENCH_CONCURRENCY:-16}"
DOSSIERS="${BENCH_DOSSIERS:-1000000}"
KEEP="${BENCH_KEEP_DB:-0}"
# shellcheck source=bench/lib.sh
. bench/lib.sh

bench_check_port
VAR_DIR="$(mktemp -d -t cqs-dossier-bench.XXXXXX)"
LOG="$VAR_DIR/gunicorn.log"
PAYLOAD="$VAR_DIR/payload.json"
cleanup() {
    bench_stop_server
    if [ "$KEEP" != "1" ]; then dropdb "${PG[@]}" --if-exists "$DB" || true; fi
    rm -rf "$VAR_DIR"
}
trap cleanup EXIT
bench_environment
# The demo's own feedback reports and dossiers are not wanted: the seed writes the dossiers.
export FEEDBACK_DEMO_REPORTS=0 DOSSIER_DEMO_COUNT=0 DOCUMENTS_DEMO_OUTGOING=0

existing=0
if [ "$KEEP" = "1" ] && bench_database_exists; then
    existing="$(psql "${PG[@]}" -d "$DB" -tAc "SELECT count(*) FROM dossiers_dossier" 2>/dev/null || echo 0)"
fi
if [ "$existing" -lt "$DOSSIERS" ]; then
    echo "Preparing database $DB: demo units and catalogue, then $DOSSIERS dossiers" >&2
    bench_fresh_database
    SEED_START=$(date +%s)
    "$PY" bench/dossier_seed.py --count "$DOSSIERS" --payload "$PAYLOAD"
    SEED_SECONDS=$(( $(date +%s) - SEED_START ))
else
    echo "Reusing database $DB ($existing dossiers)" >&2
    "$PY" manage.py migrate --noinput -v 0
    "$PY" bench/dossier_seed.py --count 0 --payload "$PAYLOAD"
    SEED_SECONDS="reused"
fi
bench_start_server

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
status=0
TABLE="$("$PY" bench/dossier_bench.py --base-url "http://127.0.0.1:$PORT" \
    --database-url "$DATABASE_URL" --payload "$PAYLOAD" --duration "$DURATION" \
    --concurrency "$CONCURRENCY" --server-pid "$SERVER_PID")" || status=$?
counts="$(psql "${PG[@]}" -d "$DB" -tAc "SELECT count(*), (SELECT count(*) FROM dossiers_dossierevent) FROM dossiers_dossier")"

echo
bench_report_header "bench/dossier_run.sh (BENCH_DURATION=$DURATION, BENCH_DOSSIERS=$DOSSIERS, concurrency $CONCURRENCY)"
echo "Data: dossiers and history rows after the runs: ${counts/|/, }; seeding took ${SEED_SECONDS} s"
echo
echo "$TABLE"
if [ "$status" -ne 0 ]; then
    echo "Some requests failed or dossiers were lost; gunicorn log:" >&2
    tail -n 30 "$LOG" >&2
fi
exit "$status"
