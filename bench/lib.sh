# Steps the bench/*_run.sh scripts share; source it from the repository root after setting
# PY, PORT, DB, WORKERS and THREADS. Everything stays on 127.0.0.1.

PG=(-h 127.0.0.1 -U postgres)

# Refuse to start when something already listens on $PORT.
bench_check_port() {
    if "$PY" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $PORT)) != 0)"; then
        echo "Port $PORT on 127.0.0.1 is already in use; set BENCH_PORT." >&2
        exit 1
    fi
}

# The settings of a deployed server (DEBUG off, a fresh secret) on database $DB, with files
# and logs in the temporary folder $VAR_DIR.
bench_environment() {
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
    export DEBUG=0
    export CQS_VAR_DIR="$VAR_DIR"
    export LOG_LEVEL=WARNING
    SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
    export SECRET_KEY
}

# Whether database $DB exists.
bench_database_exists() {
    psql "${PG[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1
}

# A new database $DB, migrated, with the Nghệ An demo data (units, catalogue, API client).
bench_fresh_database() {
    dropdb "${PG[@]}" --if-exists "$DB"
    createdb "${PG[@]}" "$DB"
    "$PY" manage.py migrate --noinput -v 0
    DEMO_MODE=1 "$PY" manage.py demo --load-only >/dev/null
}

# Start gunicorn ($WORKERS workers × $THREADS threads) in the background, logging to $LOG, and
# wait until /readyz answers; sets SERVER_PID.
bench_start_server() {
    "$PY" manage.py collectstatic --noinput -v 0
    echo "Starting gunicorn ($WORKERS workers) on 127.0.0.1:$PORT" >&2
    .venv/bin/gunicorn chinhquyenso.wsgi:application \
        --workers "$WORKERS" --threads "$THREADS" --bind "127.0.0.1:$PORT" \
        --error-logfile "$LOG" --log-level warning &
    SERVER_PID=$!
    for _ in $(seq 1 50); do
        if "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/readyz', timeout=2)" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "gunicorn exited; its log:" >&2
            cat "$LOG" >&2
            exit 1
        fi
        sleep 0.2
    done
}

# Stop the server started by bench_start_server, if it runs.
bench_stop_server() {
    if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}

# The lines every report starts with: date, machine, server; $1 describes the command.
bench_report_header() {
    local cpu
    cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)"
    echo "Date: $(date -u +"%Y-%m-%d %H:%M UTC")"
    echo "Machine: $(nproc) cores (${cpu:-unknown CPU}), $(free -g 2>/dev/null | awk '/^Mem:/{print $2 " GB RAM"}')"
    echo "Server: gunicorn $(.venv/bin/gunicorn --version 2>/dev/null | awk '{print $3}' | tr -d '()'), $WORKERS workers × $THREADS threads ($([ "$THREADS" -gt 1 ] && echo gthread || echo sync)), PostgreSQL $(psql "${PG[@]}" -tAc 'SHOW server_version' | cut -d' ' -f1), DEBUG off"
    echo "Command: $1; load average before: ${LOAD_BEFORE:-unknown}"
}
