#!/usr/bin/env bash
# The scaled profile (`make run-scaled`, docs/scale.md): PostgreSQL tracker store, Redis lock store, N Rasa and
# N action-server replicas behind HAProxy, and the web page pointing at HAProxy. Local processes only, all
# state under $SCALED_DIR (default models/scaled): no system service, no container.
#
#   scripts/scaled.sh               start everything, wait; Ctrl-C or any exit stops everything
#   scripts/scaled.sh --background  start everything, return once all of it answers (tests, benchmarks)
#   scripts/scaled.sh stop          stop what --background started (same SCALED_DIR)
#
# Configuration: environment variables, defaults below. The defaults keep off the single profile's
# 5005/5055/8080 so both can run side by side. With no TRACKER_DB_PASSWORD / REDIS_PASSWORD set, random ones
# are generated once into $SCALED_DIR/secrets/ (git-ignored, mode 600); nothing secret is in the repository.
# RATE_LIMIT_PER_SENDER / RATE_LIMIT_PER_ADDRESS (the REST channel's limits) reach every Rasa replica as set.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"

export SCALED_DIR="${SCALED_DIR:-models/scaled}"
export SCALED_HOST="${SCALED_HOST:-127.0.0.1}"
export LB_PORT="${LB_PORT:-5105}"                  # Rasa through the LB: REST + socket.io (what visitors use)
export ACTION_LB_HOST="${ACTION_LB_HOST:-$SCALED_HOST}"
export ACTION_LB_PORT="${ACTION_LB_PORT:-5155}"    # action servers through the LB (what Rasa uses)
export RASA_PORTS="${RASA_PORTS:-5106 5107}"       # one per Rasa replica
export ACTION_PORTS="${ACTION_PORTS:-5156 5157}"   # one per action-server replica
export WEB_PORT="${WEB_PORT:-8180}"
export SOCKET_URL="${SOCKET_URL:-http://localhost:$LB_PORT}"  # the LB as browsers reach it
export TRACKER_DB_HOST="${TRACKER_DB_HOST:-127.0.0.1}" TRACKER_DB_PORT="${TRACKER_DB_PORT:-5433}"
export TRACKER_DB_NAME="${TRACKER_DB_NAME:-rasa}" TRACKER_DB_USER="${TRACKER_DB_USER:-rasa}"
export REDIS_HOST="${REDIS_HOST:-127.0.0.1}" REDIS_PORT="${REDIS_PORT:-6380}" REDIS_DB="${REDIS_DB:-1}"
# Seconds a dead replica's lock ticket blocks its conversation (Rasa's default is 60); see bot/ops/scaled.py.
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-10}"
# Start PostgreSQL / Redis here only when they are local; point TRACKER_DB_HOST / REDIS_HOST elsewhere and set
# LOCAL_DB=0 / LOCAL_REDIS=0 to use existing ones.
LOCAL_DB="${LOCAL_DB:-1}" LOCAL_REDIS="${LOCAL_REDIS:-1}"
export PYTHONPATH="$REPO" RASA_TELEMETRY_ENABLED=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TF_CPP_MIN_LOG_LEVEL=2

RUN="$SCALED_DIR/run" LOGS="$SCALED_DIR/logs" SECRETS="$SCALED_DIR/secrets"
read -r -a rasa_ports <<< "${RASA_PORTS//,/ }"
read -r -a action_ports <<< "${ACTION_PORTS//,/ }"

stop_group() {  # $1: signal, rest: names. Signal each (a process group), wait up to 20 s for all, then SIGKILL.
  local sig="$1" name pid f deadline; shift
  local pids=()
  for name in "$@"; do
    for f in "$RUN"/$name.pid; do
      [[ -e "$f" ]] || continue
      pid="$(cat "$f")"
      kill "-$sig" -- "-$pid" 2>/dev/null || true
      pids+=("$pid")
    done
  done
  deadline=$((SECONDS + 20))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  for name in "$@"; do rm -f "$RUN"/$name.pid; done
}

stop_all() {  # every process this profile started (pid files in $RUN), front to back: no request is cut off
  [[ -d "$RUN" ]] || return 0  # by a store going away under it
  stop_group TERM web haproxy
  stop_group TERM 'rasa*'
  stop_group TERM 'actions*'
  stop_group TERM redis
  stop_group INT postgres  # SIGINT is PostgreSQL's fast shutdown (SIGTERM waits for clients to disconnect)
}

if [[ "${1:-}" == "stop" ]]; then
  stop_all
  exit 0
fi
MODE="${1:-foreground}"
[[ "$MODE" == foreground || "$MODE" == --background ]] || { echo "usage: $0 [--background|stop]" >&2; exit 2; }

pg_bin() {  # directory with initdb/postgres: PG_BIN, else Debian's newest /usr/lib/postgresql/N/bin
  if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}
missing=()
[[ "$LOCAL_DB" != 1 || -x "$(pg_bin)/initdb" ]] || missing+=(postgresql)
[[ "$LOCAL_REDIS" != 1 ]] || command -v redis-server >/dev/null || missing+=(redis-server)
command -v haproxy >/dev/null || missing+=(haproxy)
command -v psql >/dev/null || missing+=(postgresql-client)
if (( ${#missing[@]} )); then echo "missing: ${missing[*]}; run: make scaled-deps" >&2; exit 1; fi
for f in models/rasa/hospital.tar.gz models/index/manifest.json; do
  [[ -e "$f" ]] || { echo "$f is missing: run make train / make index (make run-scaled does)" >&2; exit 1; }
done

mkdir -p "$RUN" "$LOGS" "$SECRETS"
chmod 700 "$SECRETS"
secret() {  # $1: file name under $SECRETS. Generated once, reused: the local cluster was initialised with it.
  local f="$SECRETS/$1"
  [[ -s "$f" ]] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$f")
  cat "$f"
}
if [[ -z "${TRACKER_DB_PASSWORD:-}" ]]; then TRACKER_DB_PASSWORD="$(secret tracker_db_password)"; fi
if [[ -z "${REDIS_PASSWORD+set}" ]]; then REDIS_PASSWORD="$(secret redis_password)"; fi
export TRACKER_DB_PASSWORD REDIS_PASSWORD
stop_all  # leftovers of an earlier --background run in this directory

if [[ "$MODE" == foreground ]]; then trap 'trap - INT TERM EXIT; stop_all' INT TERM EXIT; fi
started_ok=0
if [[ "$MODE" == --background ]]; then trap '[[ $started_ok == 1 ]] || stop_all' EXIT; fi

start() {  # $1: name, rest: command. Own session (setsid): its pid is its process group, killed as a whole.
  local name="$1"; shift
  setsid "$@" > "$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}

wait_for() {  # $1: process name ("" if not ours), $2: seconds, rest: command that succeeds once it is up
  local name="$1" secs="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [[ -n "$name" ]] && ! kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
      echo "$name exited; see $LOGS/$name.log" >&2; tail -5 "$LOGS/$name.log" >&2; return 1
    fi
    if (( SECONDS >= deadline )); then echo "${name:-$*} did not come up in ${secs}s; see $LOGS/" >&2; return 1; fi
    sleep 0.5
  done
}
http_ok() { curl -fs -o /dev/null --max-time 2 "$1"; }

# ---- PostgreSQL: a private cluster, TCP on TRACKER_DB_HOST:PORT only, password auth ----
as_pg=()  # PostgreSQL refuses to run as root: drop to the postgres user Debian's package creates
if [[ "$(id -u)" == 0 ]]; then as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups); fi
psql_db() { PGPASSWORD="$TRACKER_DB_PASSWORD" psql -h "$TRACKER_DB_HOST" -p "$TRACKER_DB_PORT" -U "$TRACKER_DB_USER" -v ON_ERROR_STOP=1 -tAq "$@"; }
if [[ "$LOCAL_DB" == 1 ]]; then
  PGDATA="$SCALED_DIR/pg"
  if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
    rm -rf "$PGDATA"; mkdir -p "$PGDATA"
    pwfile="$(mktemp)"; printf '%s\n' "$TRACKER_DB_PASSWORD" > "$pwfile"
    if (( ${#as_pg[@]} )); then chown postgres: "$PGDATA" "$pwfile"; fi
    "${as_pg[@]}" "$(pg_bin)/initdb" -D "$PGDATA" -U "$TRACKER_DB_USER" --pwfile="$pwfile" -A scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 > "$LOGS/initdb.log" 2>&1 || { rm -f "$pwfile"; echo "initdb failed; see $LOGS/initdb.log" >&2; exit 1; }
    rm -f "$pwfile"
  fi
  start postgres "${as_pg[@]}" "$(pg_bin)/postgres" -D "$PGDATA" -p "$TRACKER_DB_PORT" \
    -c listen_addresses="$TRACKER_DB_HOST" -c unix_socket_directories= -c fsync=on
fi

# ---- Redis: the lock store needs no persistence (tickets live seconds) ----
if [[ "$LOCAL_REDIS" == 1 ]]; then
  mkdir -p "$SCALED_DIR/redis"
  (umask 077; {
    echo "bind $REDIS_HOST"; echo "port $REDIS_PORT"; echo "dir $(realpath "$SCALED_DIR/redis")"
    echo 'save ""'; echo "appendonly no"; echo "daemonize no"; echo "protected-mode yes"
    if [[ -n "$REDIS_PASSWORD" ]]; then echo "requirepass $REDIS_PASSWORD"; fi
  } > "$SCALED_DIR/redis.conf")
  start redis redis-server "$SCALED_DIR/redis.conf"
fi

# ---- action servers (they load the model lazily; startup is mostly imports) ----
for i in "${!action_ports[@]}"; do
  start "actions$((i + 1))" .venv/kb/bin/python -m rasa_sdk --actions bot.actions.actions --port "${action_ports[$i]}"
done

if [[ "$LOCAL_DB" == 1 ]]; then
  wait_for postgres 60 psql_db -d postgres -c "select 1"
fi
# The tracker database must exist before the replicas connect (a managed database is usually pre-created).
if [[ "$(psql_db -d postgres -c "select 1 from pg_database where datname = '$TRACKER_DB_NAME'")" != 1 ]]; then
  psql_db -d postgres -c "create database \"$TRACKER_DB_NAME\""
fi

# ---- Rasa replicas: same model, same endpoints (bot/endpoints.scaled.yml reads the variables above) ----
scripts/serve.sh --credentials-only "$SCALED_DIR/credentials.yml"
for i in "${!rasa_ports[@]}"; do
  start "rasa$((i + 1))" .venv/rasa/bin/rasa run -m models/rasa/hospital.tar.gz --credentials "$SCALED_DIR/credentials.yml" \
    --endpoints bot/endpoints.scaled.yml --port "${rasa_ports[$i]}" -i "$SCALED_HOST" \
    --cors "http://localhost:$WEB_PORT" "http://127.0.0.1:$WEB_PORT"
done

# ---- load balancer ----
.venv/kb/bin/python -m bot.ops.scaled haproxy "$SCALED_DIR/haproxy.cfg"
haproxy -c -q -f "$SCALED_DIR/haproxy.cfg"
start haproxy haproxy -db -f "$SCALED_DIR/haproxy.cfg"

# ---- web page, talking to Rasa through the LB only ----
start web .venv/kb/bin/python -m bot.web.server --host "$SCALED_HOST" --port "$WEB_PORT" \
  --rasa-url "http://$SCALED_HOST:$LB_PORT" --socket-url "$SOCKET_URL" --feedback-db "$SCALED_DIR/feedback.db"

for i in "${!action_ports[@]}"; do wait_for "actions$((i + 1))" 120 http_ok "http://$SCALED_HOST:${action_ports[$i]}/health"; done
for i in "${!rasa_ports[@]}"; do wait_for "rasa$((i + 1))" 300 http_ok "http://$SCALED_HOST:${rasa_ports[$i]}/"; done
wait_for haproxy 30 http_ok "http://$SCALED_HOST:$LB_PORT/"
wait_for web 30 http_ok "http://$SCALED_HOST:$WEB_PORT/healthz"
started_ok=1

cat <<MSG
The scaled profile is up (logs in $LOGS/):
  demo page + chat widget   http://localhost:$WEB_PORT/
  REST channel (via LB)     POST http://$SCALED_HOST:$LB_PORT/webhooks/rest/webhook
  Rasa replicas             ${rasa_ports[*]}   action servers ${action_ports[*]} (LB $ACTION_LB_HOST:$ACTION_LB_PORT)
  tracker store             postgresql://$TRACKER_DB_USER@$TRACKER_DB_HOST:$TRACKER_DB_PORT/$TRACKER_DB_NAME
  lock store                redis://$REDIS_HOST:$REDIS_PORT/$REDIS_DB (ticket lifetime ${TICKET_LOCK_LIFETIME}s)
  rate limits               per sender ${RATE_LIMIT_PER_SENDER-unset}, per address ${RATE_LIMIT_PER_ADDRESS-unset} (messages/min)
MSG
if [[ "$MODE" == --background ]]; then
  echo "stop with: SCALED_DIR=$SCALED_DIR scripts/scaled.sh stop"
  exit 0
fi
echo "Ctrl-C stops everything."
pids=()
for f in "$RUN"/*.pid; do pids+=("$(cat "$f")"); done
# setsid execs in place (a background job is no group leader), so these are this shell's own children.
wait -n "${pids[@]}" || true
echo "a process of the scaled profile stopped; see $LOGS/ - stopping the rest" >&2
exit 1
