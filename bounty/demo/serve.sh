#!/usr/bin/env bash
# `make demo` after the install: migrate and seed, start a Celery worker and beat (their logs go to
# files) and the web server, and print the logins last, once the site answers. Ctrl-C (or SIGTERM)
# stops all three and exits 0; a process that stops by itself ends the demo with its exit status.
#
# Started as root, the demo runs as an unprivileged user instead (BOUNTY_DEMO_USER, by default the
# owner of the checkout, or `nobody` when that is root), who is given the data dir first: the worker
# runs participants' models, and Celery rightly warns when a worker has superuser privileges. When that
# user cannot run the virtualenv's Python (an interpreter under /root, say), the demo says so and stays
# root; BOUNTY_DEMO_ALLOW_ROOT=1 stays root without asking.
#
# Environment (the Makefile sets the first three; tests replace the others with short commands):
#   PY           the virtualenv's python
#   WORKER_CMD   the Celery worker          BEAT_CMD   Celery beat
#   FIT_WORKER_CMD  the worker that fits models without code, apart from scoring (optional)
#   DEMO_SETUP   migrate and seed (default: manage.py migrate, then seed_demo --no-logins)
#   DEMO_WEB     the web server (default: manage.py runserver --noreload 127.0.0.1:8000)
#   DEMO_URL     where it answers (default http://127.0.0.1:8000)
#   DEMO_LOGINS  prints the logins (default: manage.py seed_demo --logins-only)
set -euo pipefail

PY=${PY:-.venv/bin/python}
DEMO_URL=${DEMO_URL:-http://127.0.0.1:8000}
DEMO_SETUP=${DEMO_SETUP:-"$PY manage.py migrate --noinput && $PY manage.py seed_demo --no-logins"}
DEMO_WEB=${DEMO_WEB:-"$PY manage.py runserver --noreload 127.0.0.1:8000"}
DEMO_LOGINS=${DEMO_LOGINS:-"$PY manage.py seed_demo --logins-only"}
DATA=${BOUNTY_DATA_DIR:-var}

# -- started as root: hand the data dir to an unprivileged user and run as them, if they can ----------
if [ "$(id -u)" = 0 ] && [ -z "${BOUNTY_DEMO_ALLOW_ROOT:-}" ]; then
    user=${BOUNTY_DEMO_USER:-$(stat -c %U .)}
    [ "$user" = root ] && user=nobody
    group=$(id -gn "$user")
    as_user=(setpriv "--reuid=$user" "--regid=$group" --clear-groups --)
    # (through bash: setpriv itself still holds root's capabilities while it starts the command)
    if "${as_user[@]}" bash -c "test -r manage.py && $PY -c ''" 2>/dev/null; then
        mkdir -p "$DATA"
        chown "$user:$group" "$DATA"
        # everything in it but the test suite's own data dir (var/test)
        find "$DATA" -mindepth 1 -maxdepth 1 ! -name test -exec chown -R "$user:$group" {} +
        echo "Started as root: the demo runs as $user, who now owns $DATA."
        export HOME="$DATA/demo/home"
        exec "${as_user[@]}" bash "$0" "$@"
    fi
    echo "Started as root, and $user cannot run $PY (is it under a private home such as /root?):" \
        "the demo runs as root, and Celery's warning about a root worker is in $DATA/demo/worker.log." \
        "Run make demo as a normal user, or set BOUNTY_DEMO_USER to one who can run $PY, to avoid it."
fi

mkdir -p "$DATA/demo/home"
LOGS=$DATA/demo
bash -c "$DEMO_SETUP"

pids=()
stop() {
    trap - INT TERM
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    exit "${1:-0}"
}
trap 'echo; echo "Stopping the demo..."; stop 0' INT TERM

bash -c "exec $WORKER_CMD" >"$LOGS/worker.log" 2>&1 &
pids+=($!)
if [ -n "${FIT_WORKER_CMD:-}" ]; then
    bash -c "exec $FIT_WORKER_CMD" >"$LOGS/fit-worker.log" 2>&1 &
    pids+=($!)
fi
bash -c "exec $BEAT_CMD" >"$LOGS/beat.log" 2>&1 &
pids+=($!)
bash -c "exec $DEMO_WEB" &
web=$!
pids+=("$web")

answers() {
    "$PY" - "$DEMO_URL/healthz" <<'EOF'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=1)
except urllib.error.HTTPError:
    pass  # it answers
except OSError:
    sys.exit(1)
EOF
}
for _ in $(seq 600); do
    answers && break
    kill -0 "$web" 2>/dev/null || break
    sleep 0.2
done

if kill -0 "$web" 2>/dev/null; then
    echo
    echo "  Bias Bounty demo: $DEMO_URL/"
    echo "  Worker and beat logs: $LOGS/worker.log, $LOGS/beat.log (fitting: $LOGS/fit-worker.log)"
    echo "  Ctrl-C stops the web server, the worker and beat."
    echo
    bash -c "$DEMO_LOGINS" | sed 's/^/  /'
    echo
fi

status=0
wait -n "${pids[@]}" || status=$?
[ "$status" = 0 ] && status=1  # nothing should stop before Ctrl-C
echo "make demo: a demo process stopped by itself (exit status $status); see $LOGS/." >&2
stop "$status"
