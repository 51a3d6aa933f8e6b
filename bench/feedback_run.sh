#!/usr/bin/env bash
# Benchmark the feedback pages with 200,000 reports: gunicorn (2 sync workers) on PostgreSQL,
# DEBUG off, static files collected. Loopback only; every run is bounded.
#
#   bench/feedback_run.sh                         # seed 200,000 reports, 10 s per run
#   BENCH_DURATION=5 BENCH_REPORTS=50000 bench/feedback_run.sh
#   BENCH_KEEP_DB=1 bench/feedback_run.sh         # keep (and reuse) the seeded database
#   BENCH_KEEP_DB=1 BENCH_ONLY_SUBMIT=1 bench/feedback_run.sh   # /healthz floor + submit only
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, no password, as in CI). Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-8766}"
DB="${BENCH_DB:-cqs_feedback_bench}"
DURATION="${BENCH_DURATION:-10}"
WORKERS="${BENCH_WORKERS:-2}"
# Threads per worker: 1 runs gunicorn's sync workers; more runs gthread workers, which keep
# serving while a request waits on PostgreSQL.
THREADS="${BENCH_THREADS:-1}"
REPORTS="${BENCH_REPORTS:-200000}"
KEEP="${BENCH_KEEP_DB:-0}"
PY=.venv/bin/python
PG=(-h 127.0.0.1 -U postgres)

if "$PY" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $PORT)) != 0)"; then
    echo "Port $PORT on 127.0.0.1 is already in use; set BENCH_PORT." >&2
    exit 1
fi

VAR_DIR="$(mktemp -d -t cqs-feedback-bench.XXXXXX)"
LOG="$VAR_DIR/gunicorn.log"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$KEEP" != "1" ]; then dropdb "${PG[@]}" --if-exists "$DB" || true; fi
    rm -rf "$VAR_DIR"
}
trap cleanup EXIT

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export DEBUG=0
export CQS_VAR_DIR="$VAR_DIR"
export LOG_LEVEL=WARNING
export FEEDBACK_DEMO_REPORTS=0
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY

existing=0
if [ "$KEEP" = "1" ] && psql "${PG[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    existing="$(psql "${PG[@]}" -d "$DB" -tAc "SELECT count(*) FROM feedback_report WHERE channel = 'bench'" 2>/dev/null || echo 0)"
fi
if [ "$existing" -lt "$REPORTS" ]; then
    echo "Preparing database $DB: demo units and categories, then $REPORTS reports" >&2
    dropdb "${PG[@]}" --if-exists "$DB"
    createdb "${PG[@]}" "$DB"
    "$PY" manage.py migrate --noinput -v 0
    DEMO_MODE=1 "$PY" manage.py demo --load-only >/dev/null
    SEED_START=$(date +%s)
    "$PY" bench/feedback_seed.py --count "$REPORTS"
    SEED_SECONDS=$(( $(date +%s) - SEED_START ))
else
    echo "Reusing database $DB ($existing bench reports)" >&2
    "$PY" manage.py migrate --noinput -v 0
    SEED_SECONDS="reused"
fi
"$PY" manage.py collectstatic --noinput -v 0

echo "Starting gunicorn ($WORKERS workers) on 127.0.0.1:$PORT" >&2
.venv/bin/gunicorn chinhquyenso.wsgi:application \
    --workers "$WORKERS" --threads "$THREADS" --bind "127.0.0.1:$PORT" \
    --error-logfile "$LOG" --log-level warning &
SERVER_PID=$!
for _ in $(seq 1 50); do
    if "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/readyz', timeout=2)" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "gunicorn exited; its log:" >&2
        cat "$LOG" >&2
        exit 1
    fi
    sleep 0.2
done

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
status=0
TABLE="$("$PY" bench/feedback_bench.py --base-url "http://127.0.0.1:$PORT" \
    --database-url "$DATABASE_URL" --duration "$DURATION" ${BENCH_SKIP_SUBMIT:+--skip-submit} \
    ${BENCH_ONLY_SUBMIT:+--only-submit} --server-pid "$SERVER_PID")" || status=$?
counts="$(psql "${PG[@]}" -d "$DB" -tAc "SELECT count(*), count(*) FILTER (WHERE is_published) FROM feedback_report")"

cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)"
cat <<REPORT

Date: $(date -u +"%Y-%m-%d %H:%M UTC")
Machine: $(nproc) cores (${cpu:-unknown CPU}), $(free -g 2>/dev/null | awk '/^Mem:/{print $2 " GB RAM"}')
Server: gunicorn $(.venv/bin/gunicorn --version 2>/dev/null | awk '{print $3}' | tr -d '()'), $WORKERS workers × $THREADS threads ($([ "$THREADS" -gt 1 ] && echo gthread || echo sync)), PostgreSQL $(psql "${PG[@]}" -tAc 'SHOW server_version' | cut -d' ' -f1), DEBUG off
Command: bench/feedback_run.sh (BENCH_DURATION=$DURATION, BENCH_REPORTS=$REPORTS); load average before: $LOAD_BEFORE
Data: reports in the database after the runs (all, published): ${counts/|/, }; seeding took ${SEED_SECONDS} s

$TABLE
REPORT
if [ "$status" -ne 0 ]; then
    echo "Some requests failed or reports were lost; gunicorn log:" >&2
    tail -n 30 "$LOG" >&2
fi
exit "$status"
