#!/usr/bin/env bash
# Start the action/knowledge server, Rasa and the chat page; Ctrl-C stops all of them.
# `--shell` chats in the terminal (rasa shell) instead of starting the web page.
# `--credentials-only FILE` writes the Rasa credentials file (see write_credentials) and exits.
#
# Messaging channels are enabled only when their environment variables are set (no secret is
# ever written to disk: the generated file refers to the variables, Rasa expands them):
#   Telegram: TELEGRAM_TOKEN and TELEGRAM_WEBHOOK_URL (the public https URL that ends in
#             /webhooks/telegram/webhook); optional TELEGRAM_BOT_NAME, TELEGRAM_SECRET_TOKEN,
#             TELEGRAM_API_URL (another Bot API server, e.g. a local stand-in in tests).
# Widget: SOCKET_URL is Rasa's URL as browsers reach it (default http://localhost:$RASA_PORT);
#         WIDGET_ORIGINS (space-separated) are other sites' origins that embed the widget.
# Rasa's HTTP API (/status, /conversations/..., /model) is off. RASA_API_TOKEN turns it on, and
# then only with that token (`?token=...`); there is no way to turn it on without one.
# Rate limits and timeouts (read by Rasa's channels, see docs/hardening.md): RATE_LIMIT_PER_SENDER
# (default 30/min), RATE_LIMIT_PER_ADDRESS (300/min), TRUSTED_PROXIES (loopback), ACTION_TIMEOUT_SECONDS (5).
# `--api-args` prints the API arguments `rasa run` gets (token masked) and exits.
set -euo pipefail
cd "$(dirname "$0")/.."

write_credentials() {  # $1: output file. bot/credentials.yml plus the channels whose variables are set.
  local out="$1"
  {
    cat bot/credentials.yml
    if [[ -n "${TELEGRAM_TOKEN:-}" && -n "${TELEGRAM_WEBHOOK_URL:-}" ]]; then
      echo
      echo "# Added by scripts/serve.sh: TELEGRAM_TOKEN and TELEGRAM_WEBHOOK_URL are set. Rasa reads the values"
      echo "# from the environment when it starts; this file holds no secret."
      echo "bot.rasa_ext.telegram_channel.TelegramInput:"
      echo '  access_token: ${TELEGRAM_TOKEN}'
      echo '  webhook_url: ${TELEGRAM_WEBHOOK_URL}'
      if [[ -n "${TELEGRAM_BOT_NAME:-}" ]]; then echo '  verify: ${TELEGRAM_BOT_NAME}'; fi
      if [[ -n "${TELEGRAM_SECRET_TOKEN:-}" ]]; then echo '  secret_token: ${TELEGRAM_SECRET_TOKEN}'; fi
      if [[ -n "${TELEGRAM_API_URL:-}" ]]; then echo '  api_url: ${TELEGRAM_API_URL}'; fi
    elif [[ -n "${TELEGRAM_TOKEN:-}${TELEGRAM_WEBHOOK_URL:-}" ]]; then
      echo "Telegram needs both TELEGRAM_TOKEN and TELEGRAM_WEBHOOK_URL; it stays off." >&2
    fi
  } > "$out.tmp"
  mv "$out.tmp" "$out"
}

api_args=()
if [[ -n "${RASA_API_TOKEN:-}" ]]; then
  # Rasa 3.6 takes the token only as an argument (visible to local users in the process list,
  # never written to a file); the API stays off when the variable is unset or empty.
  # "=" keeps a token that starts with "-" from being read as an option.
  api_args=(--enable-api "--auth-token=$RASA_API_TOKEN")
fi
if [[ "${1:-}" == "--api-args" ]]; then
  if ((${#api_args[@]})); then echo "--enable-api --auth-token ***"; fi
  exit 0
fi

if [[ "${1:-}" == "--credentials-only" ]]; then
  write_credentials "${2:?usage: serve.sh --credentials-only FILE}"
  exit 0
fi
export PYTHONPATH="$PWD" RASA_TELEMETRY_ENABLED=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TF_CPP_MIN_LOG_LEVEL=2
RASA_PORT="${RASA_PORT:-5005}" ACTION_PORT="${ACTION_PORT:-5055}" WEB_PORT="${WEB_PORT:-8080}"
mkdir -p models/logs
CREDENTIALS=models/credentials.yml
write_credentials "$CREDENTIALS"
SOCKET_URL="${SOCKET_URL:-http://localhost:$RASA_PORT}"
# bot/endpoints.yml names the action server at localhost:5055; follow ACTION_PORT.
ENDPOINTS=models/endpoints.yml
sed "s#localhost:5055/#localhost:$ACTION_PORT/#" bot/endpoints.yml > "$ENDPOINTS"
read -r -a widget_origins <<< "${WIDGET_ORIGINS:-}"
cors_args=()
for o in "${widget_origins[@]}"; do cors_args+=(--cors-origin "$o"); done
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
  .venv/rasa/bin/rasa shell -m models/rasa/hospital.tar.gz --endpoints "$ENDPOINTS"
  exit 0
fi
.venv/rasa/bin/rasa run -m models/rasa/hospital.tar.gz --credentials "$CREDENTIALS" --endpoints "$ENDPOINTS" \
  --port "$RASA_PORT" --cors "http://localhost:$WEB_PORT" "${widget_origins[@]}" "${api_args[@]}" > models/logs/rasa.log 2>&1 &
pids+=($!)
.venv/kb/bin/python -m bot.web.server --port "$WEB_PORT" --rasa-url "http://localhost:$RASA_PORT" \
  --socket-url "$SOCKET_URL" "${cors_args[@]}" > models/logs/web.log 2>&1 &
pids+=($!)
wait_for "http://localhost:$ACTION_PORT/health" "action server" 60
wait_for "http://localhost:$RASA_PORT/" "Rasa" 120
wait_for "http://localhost:$WEB_PORT/healthz" "web page" 30
cat <<MSG
The ZUSM hospital assistant is up (logs in models/logs/; Ctrl-C stops everything):
  demo page + chat widget  http://localhost:$WEB_PORT/   (full-page chat: /chat, FAQ: /faq)
  REST channel             POST http://localhost:$RASA_PORT/webhooks/rest/webhook  {"sender": "me", "message": "hi"}
  action server            http://localhost:$ACTION_PORT/health
  terminal chat            make shell
  feedback                 make feedback   (worst-rated answers)
MSG
if grep -q telegram_channel "$CREDENTIALS"; then echo "  Telegram                 webhook $TELEGRAM_WEBHOOK_URL"; fi
wait -n "${pids[@]}"
echo "a server stopped; see models/logs/" >&2
exit 1
