"""Telegram, offline: the real Rasa + action server, and a local stand-in of the Telegram Bot API.

The credentials file is written by `scripts/serve.sh --credentials-only` from TELEGRAM_* variables,
exactly as `make run` does. Rasa's start-up call (setWebhook), its getMe check and every reply
(sendMessage) go to the stand-in on 127.0.0.1; the test posts Telegram updates to Rasa's webhook.

    .venv/kb/bin/python -m pytest -q tests/channels
"""
from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests

from tests.stack import REPO, Stack

TOKEN = "123456789:TEST-not-a-real-token_0123456789abcd"
BOT_NAME = "zusm_test_bot"
SECRET = "stand-in-secret-0123"
WEBHOOK_URL = "https://assistant.example.org/webhooks/telegram/webhook"
CHAT_ID = 424242


class TelegramStandIn(ThreadingHTTPServer):
    """Answers Bot API calls (POST /bot<token>/<method>) like Telegram does and records them."""

    daemon_threads = True

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.next_id = 1000
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ctype = self.headers.get("Content-Type", "")
                if ctype.startswith("application/json"):
                    params = json.loads(body or b"{}")
                else:
                    params = {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
                prefix = f"/bot{TOKEN}/"
                if not self.path.startswith(prefix):
                    return self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                method = self.path[len(prefix):]
                with standin.lock:
                    standin.calls.append((method, params))
                    standin.next_id += 1
                    message_id = standin.next_id
                if method == "setWebhook":
                    result = True
                elif method == "getMe":
                    result = {"id": 123456789, "is_bot": True, "first_name": "ZUSM", "username": BOT_NAME}
                elif method == "sendMessage":
                    result = {"message_id": message_id, "date": int(time.time()),
                              "chat": {"id": int(params["chat_id"]), "type": "private"}, "text": params.get("text")}
                else:
                    return self._reply(400, {"ok": False, "error_code": 400, "description": f"unexpected {method}"})
                self._reply(200, {"ok": True, "result": result})

            def _reply(self, status, obj):
                raw = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def sent(self) -> list[dict]:
        with self.lock:
            return [p for m, p in self.calls if m == "sendMessage"]

    def wait_sent(self, count: int, seconds: float = 60) -> list[dict]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            msgs = self.sent()
            if len(msgs) >= count:
                return msgs
            time.sleep(0.1)
        raise AssertionError(f"expected {count} sendMessage calls, got {self.sent()}")


@pytest.fixture(scope="module")
def standin():
    server = TelegramStandIn()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def telegram_env(standin):
    return {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL, "TELEGRAM_API_URL": standin.url,
            "TELEGRAM_SECRET_TOKEN": SECRET}


@pytest.fixture(scope="module")
def credentials(tmp_path_factory, telegram_env) -> Path:
    out = tmp_path_factory.mktemp("creds") / "credentials.yml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    subprocess.run(["bash", "scripts/serve.sh", "--credentials-only", str(out)], cwd=REPO, check=True,
                   env={**env, **telegram_env})
    return out


@pytest.fixture(scope="module")
def stack(credentials, telegram_env, tmp_path_factory):
    s = Stack(logs_dir=tmp_path_factory.mktemp("logs"), credentials=credentials, env=telegram_env)
    try:
        s.start()
    except Exception:
        print((s.logs_dir / "rasa.log").read_text(errors="replace")[-4000:])
        s.stop()
        raise
    yield s
    s.stop()


def webhook(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.rasa_port}/webhooks/telegram/webhook"


_update_id = [5000]


def post_update(stack: Stack, payload: dict, secret: str | None = SECRET) -> requests.Response:
    _update_id[0] += 1
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    return requests.post(webhook(stack), json={"update_id": _update_id[0], **payload}, headers=headers, timeout=60)


def text_update(text: str, chat_id: int = CHAT_ID) -> dict:
    return {"message": {"message_id": _update_id[0], "date": int(time.time()), "text": text,
                        "chat": {"id": chat_id, "type": "private", "first_name": "Visitor"},
                        "from": {"id": chat_id, "is_bot": False, "first_name": "Visitor"}}}


def test_credentials_file_holds_no_secret(credentials):
    text = credentials.read_text()
    assert "bot.rasa_ext.telegram_channel.TelegramInput:" in text
    assert "${TELEGRAM_TOKEN}" in text and TOKEN not in text and SECRET not in text
    # without the variables, no Telegram section
    out = credentials.with_name("plain.yml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    subprocess.run(["bash", "scripts/serve.sh", "--credentials-only", str(out)], cwd=REPO, check=True, env=env)
    assert "telegram_channel" not in out.read_text() and "TELEGRAM_" not in out.read_text()


def test_webhook_registered_at_startup(stack, standin):
    calls = [p for m, p in standin.calls if m == "setWebhook"]
    assert calls and calls[0]["url"] == WEBHOOK_URL and calls[0]["secret_token"] == SECRET


def test_question_is_answered_through_the_standin(stack, standin):
    before = len(standin.sent())
    r = post_update(stack, text_update("How many beds does the Second Affiliated Hospital have?"))
    assert r.status_code == 200 and r.text == "success"
    msgs = standin.wait_sent(before + 1)[before:]
    assert all(int(m["chat_id"]) == CHAT_ID for m in msgs)
    text = "\n".join(m["text"] for m in msgs)
    assert "3,200" in text or "3200" in text
    assert "Source:" in text


def test_quick_reply_buttons_work(stack, standin):
    chat = CHAT_ID + 1
    before = len(standin.sent())
    post_update(stack, text_update("how many beds does the hospital have?", chat_id=chat))
    msgs = standin.wait_sent(before + 1)[before:]
    with_buttons = [m for m in msgs if "reply_markup" in m]
    assert with_buttons, msgs
    keyboard = json.loads(with_buttons[-1]["reply_markup"])["inline_keyboard"]
    buttons = [b for row in keyboard for b in row]
    child = next(b for b in buttons if "Children" in b["text"])
    time.sleep(0.5)
    before = len(standin.sent())
    r = post_update(stack, {"callback_query": {
        "id": "cb1", "from": {"id": chat, "is_bot": False, "first_name": "Visitor"}, "chat_instance": "ci",
        "data": child["callback_data"],
        "message": {"message_id": 1, "date": int(time.time()), "chat": {"id": chat, "type": "private"},
                    "text": with_buttons[-1]["text"]}}})
    assert r.status_code == 200
    text = "\n".join(m["text"] for m in standin.wait_sent(before + 1)[before:])
    assert "Children" in text and "Source:" in text


def test_update_without_secret_is_refused(stack, standin):
    before = len(standin.sent())
    r = post_update(stack, text_update("When was ZUSM founded?"), secret=None)
    assert r.status_code == 403
    r = post_update(stack, text_update("When was ZUSM founded?"), secret="wrong")
    assert r.status_code == 403
    time.sleep(1.0)
    assert len(standin.sent()) == before
