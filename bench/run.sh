#!/usr/bin/env bash
# Benchmark the platform as deployed: gunicorn (2 sync workers) on PostgreSQL, DEBUG off,
# static files collected and served by WhiteNoise. Loopback only; every run is bounded.
#
#   bench/run.sh                       # 10 s per (path, concurrency) run
#   BENCH_DURATION=5 bench/run.sh      # shorter
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, no password, as in CI). Creates and drops
# its own database (cqs_bench by default), prints a Markdown table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-8765}"
DB="${BENCH_DB:-cqs_bench}"
DURATION="${BENCH_DURATION:-10}"
WORKERS="${BENCH_WORKERS:-2}"
PATHS=(/healthz /)
PY=.venv/bin/python

if "$PY" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $PORT)) != 0)"; then
    echo "Port $PORT on 127.0.0.1 is already in use; set BENCH_PORT." >&2
    exit 1
fi

VAR_DIR="$(mktemp -d -t cqs-bench.XXXXXX)"
LOG="$VAR_DIR/gunicorn.log"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" || true
    rm -rf "$VAR_DIR"
}
trap cleanup EXIT

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export DEBUG=0
export CQS_VAR_DIR="$VAR_DIR"
export LOG_LEVEL=WARNING
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY

echo "Preparing database $DB and static files" >&2
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
createdb -h 127.0.0.1 -U postgres "$DB"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
# The Nghệ An demo data, so the home page shows what a real installation shows.
DEMO_MODE=1 "$PY" manage.py demo --load-only >/dev/null

echo "Starting gunicorn ($WORKERS workers) on 127.0.0.1:$PORT" >&2
.venv/bin/gunicorn chinhquyenso.wsgi:application \
    --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
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

path_args=()
for p in "${PATHS[@]}"; do path_args+=(--path "$p"); done

echo "Running: ${DURATION}s per run, concurrency 8 and 32" >&2
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
status=0
TABLE="$("$PY" bench/http_bench.py --base-url "http://127.0.0.1:$PORT" "${path_args[@]}" \
    --concurrency 8 --concurrency 32 --duration "$DURATION" --max-requests 100000)" || status=$?

cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)"
cat <<REPORT

Date: $(date -u +"%Y-%m-%d %H:%M UTC")
Machine: $(nproc) cores (${cpu:-unknown CPU}), $(free -g 2>/dev/null | awk '/^Mem:/{print $2 " GB RAM"}')
Server: gunicorn $(.venv/bin/gunicorn --version 2>/dev/null | awk '{print $3}' | tr -d '()'), $WORKERS sync workers, PostgreSQL $(psql -h 127.0.0.1 -U postgres -tAc 'SHOW server_version' | cut -d' ' -f1), DEBUG off
Command: bench/run.sh (BENCH_DURATION=$DURATION); load average before the run: $LOAD_BEFORE
Client: bench/http_bench.py on the same machine (threads, one request at a time each)

$TABLE
REPORT
if [ "$status" -ne 0 ]; then
    echo "Some requests failed; gunicorn log:" >&2
    tail -n 30 "$LOG" >&2
fi
exit "$status"
