#!/usr/bin/env bash
# Start the action/knowledge server, Rasa and the chat page; Ctrl-C stops all of them.
# `--shell` chats in the terminal (rasa shell) instead of starting the web page.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" RASA_TELEMETRY_ENABLED=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TF_CPP_MIN_LOG_LEVEL=2
RASA_PORT="${RASA_PORT:-5005}" ACTION_PORT="${ACTION_PORT:-5055}" WEB_PORT="${WEB_PORT:-8080}"
mkdir -p models/logs
pids=()
cleanup() { trap - INT TERM EXIT; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT

wait_for() {  # url, name, seconds
  for _ in $(seq 1 "$3"); do curl -fs -o /dev/null "$1" && return 0; sleep 1; done
  echo "$2 did not start; see models/logs/" >&2; return 1
}

.venv/kb/bin/python -m rasa_sdk --actions bot.actions.actions --port "$ACTION_PORT" > models/logs/actions.log 2>&1 &
pids+=($!)
if [[ "${1:-}" == "--shell" ]]; then
  wait_for "http://localhost:$ACTION_PORT/health" "action server" 60
  .venv/rasa/bin/rasa shell -m models/rasa/hospital.tar.gz --endpoints bot/endpoints.yml
  exit 0
fi
.venv/rasa/bin/rasa run -m models/rasa/hospital.tar.gz --credentials bot/credentials.yml --endpoints bot/endpoints.yml \
  --port "$RASA_PORT" --cors "http://localhost:$WEB_PORT" > models/logs/rasa.log 2>&1 &
pids+=($!)
.venv/kb/bin/python -m bot.web.server --port "$WEB_PORT" --rasa-url "http://localhost:$RASA_PORT" > models/logs/web.log 2>&1 &
pids+=($!)
wait_for "http://localhost:$ACTION_PORT/health" "action server" 60
wait_for "http://localhost:$RASA_PORT/" "Rasa" 120
wait_for "http://localhost:$WEB_PORT/healthz" "web page" 30
cat <<MSG
The ZUSM hospital assistant is up (logs in models/logs/; Ctrl-C stops everything):
  chat page      http://localhost:$WEB_PORT/      (FAQ: http://localhost:$WEB_PORT/faq)
  REST channel   POST http://localhost:$RASA_PORT/webhooks/rest/webhook  {"sender": "me", "message": "hi"}
  action server  http://localhost:$ACTION_PORT/health
  terminal chat  make shell
MSG
wait -n "${pids[@]}"
echo "a server stopped; see models/logs/" >&2
exit 1
