"""Shared pieces of the hardening tests: one real stack (real Rasa + real action server) for the session,
a socket.io visitor, and the "still answers a normal question" check run after every bad input."""
from __future__ import annotations

import queue
import sqlite3
import threading
import uuid

import pytest
import requests
import socketio

from tests.stack import Stack

NORMAL_QUESTION = "how many beds does the second affiliated hospital have"
NORMAL_FACT = "3,200"  # knowledge/: the Second Affiliated Hospital's page, "3,200 approved beds"
UNAVAILABLE = "can't look that up right now"


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The default configuration (as scripts/serve.sh starts it, rate limits off), shared by the
    bad-input, fuzz and default-security tests: one Rasa start instead of three."""
    s = Stack(logs_dir=tmp_path_factory.mktemp("logs"))
    s.start()
    yield s
    s.stop()


def reply_text(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def assert_still_answers(stack: Stack) -> None:
    """The bot still answers a normal question correctly, in a fresh conversation."""
    r = requests.post(stack.url, json={"sender": uuid.uuid4().hex, "message": NORMAL_QUESTION}, timeout=60)
    assert r.status_code == 200, r.text[:200]
    text = reply_text(r.json())
    assert NORMAL_FACT in text and "Source:" in text, text


def user_turns(stack: Stack, sender: str) -> int:
    """User messages stored for ``sender`` in the stack's SQLite tracker store."""
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                          (sender,)).fetchone()[0]


class SocketVisitor:
    """A widget-like client of Rasa's socket.io channel (same events as bot/web/static/widget.js)."""

    def __init__(self, base_url: str, session_id: str | None = None, headers: dict | None = None) -> None:
        self.replies: "queue.Queue[dict]" = queue.Queue()
        self.session_id: str | None = None
        self.disconnected = threading.Event()
        confirmed = threading.Event()
        self.sio = socketio.Client(reconnection=False)

        @self.sio.on("bot_uttered")
        def _bot(data):
            self.replies.put(data)

        @self.sio.on("session_confirm")
        def _confirm(sid):
            self.session_id = sid
            confirmed.set()

        @self.sio.event
        def disconnect():
            self.disconnected.set()

        self.sio.connect(base_url, socketio_path="socket.io", headers=headers or {}, wait_timeout=20)
        self.sio.emit("session_request", {"session_id": session_id if session_id is not None else uuid.uuid4().hex})
        assert confirmed.wait(20), "no session_confirm"

    def send(self, payload) -> None:
        self.sio.emit("user_uttered", payload)

    def ask(self, message, timeout: float = 60) -> list[dict]:
        self.send({"message": message, "session_id": self.session_id})
        return self.collect(timeout)

    def collect(self, timeout: float = 60, quiet: float = 0.7) -> list[dict]:
        """Every bot message of one turn: wait for the first, then until none comes for ``quiet`` s."""
        out = [self.replies.get(timeout=timeout)]
        while True:
            try:
                out.append(self.replies.get(timeout=quiet))
            except queue.Empty:
                return out

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
