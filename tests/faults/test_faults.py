"""Issue 7, faults (`make test-faults`): the real Rasa with a PostgreSQL tracker store and the real
action server, broken on purpose while a conversation is going on.

The tests share one stack and run in file order (each leaves it answering again)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.faults.pg import Postgres
from tests.hardening.conftest import NORMAL_FACT, NORMAL_QUESTION, UNAVAILABLE, SocketVisitor, reply_text
from tests.stack import REPO, Stack, _children

POLITE_WITHIN_S = 10  # "a polite reply within a few seconds": ACTION_TIMEOUT_SECONDS is 5 by default


@pytest.fixture(scope="module")
def pg():
    p = Postgres()
    yield p
    p.cleanup()


@pytest.fixture(scope="module")
def fstack(pg, tmp_path_factory):
    s = Stack(logs_dir=tmp_path_factory.mktemp("logs"), tracker_store=pg.tracker_store_yaml)
    s.start_actions()
    yield s
    s.stop()


def ask(stack: Stack, sender: str, message: str) -> tuple[int, str, float]:
    started = time.monotonic()
    r = requests.post(stack.url, json={"sender": sender, "message": message}, timeout=120)
    elapsed = time.monotonic() - started
    return r.status_code, reply_text(r.json()) if r.status_code == 200 else r.text, elapsed


def answers_normally(stack: Stack) -> None:
    status, text, _ = ask(stack, uuid.uuid4().hex, NORMAL_QUESTION)
    assert status == 200 and NORMAL_FACT in text, text


def log_since(path: Path, offset: int) -> str:
    with open(path, "rb") as fh:
        fh.seek(offset)
        return fh.read().decode(errors="replace")


def log_size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def user_turns(pg: Postgres, sender: str) -> int:
    return int(pg.query(f"SELECT count(*) FROM events WHERE sender_id = '{sender}' AND type_name = 'user'"))


# ----------------------------------------------------------------------------- conversation store


def test_store_down_when_rasa_starts(fstack, pg):
    rasa_log = fstack.logs_dir / "rasa.log"
    fstack.start_rasa()  # PostgreSQL is not running yet
    log = rasa_log.read_text(errors="replace")
    assert "Could not create tables" in log and "Connection refused" in log, log[-2000:]
    sender = uuid.uuid4().hex
    status, text, elapsed = ask(fstack, sender, NORMAL_QUESTION)
    assert status == 200 and UNAVAILABLE in text and elapsed < POLITE_WITHIN_S, (status, text, elapsed)
    assert "conversation store unreachable" in rasa_log.read_text(errors="replace")
    pg.start()
    # the same visitor tries again: answered, the tables were created on first use, the turn stored
    status, text, _ = ask(fstack, sender, NORMAL_QUESTION)
    assert status == 200 and NORMAL_FACT in text, text
    assert user_turns(pg, sender) == 1


def test_store_down_mid_conversation_then_back(fstack, pg):
    sender = uuid.uuid4().hex
    status, text, _ = ask(fstack, sender, "Tell me about the Second Affiliated Hospital")
    assert "1869" in text
    visitor = SocketVisitor(f"http://127.0.0.1:{fstack.rasa_port}")
    try:
        pg.stop()
        status, text, elapsed = ask(fstack, sender, "How many beds does it have?")
        # not a 500, not silence, not an answer without the conversation's context
        assert status == 200 and UNAVAILABLE in text and elapsed < POLITE_WITHIN_S, (status, text, elapsed)
        assert UNAVAILABLE in reply_text(visitor.ask(NORMAL_QUESTION, timeout=POLITE_WITHIN_S))
    finally:
        pg.start()
        visitor.close()
    status, text, _ = ask(fstack, sender, "How many beds does it have?")
    assert status == 200 and NORMAL_FACT in text, text  # "it" = the Second Affiliated Hospital, from the store
    # every answered turn is stored; the one refused during the outage was not processed at all
    assert user_turns(pg, sender) == 2
    bot_texts = pg.query(f"SELECT data FROM events WHERE sender_id = '{sender}' AND type_name = 'bot' ORDER BY id")
    assert "1869" in bot_texts and NORMAL_FACT in bot_texts


# --------------------------------------------------------------------------------------- restarts


def test_rasa_restart_mid_conversation(fstack, pg):
    sender = uuid.uuid4().hex
    assert "1869" in ask(fstack, sender, "Tell me about the Second Affiliated Hospital")[1]
    old_pid = fstack.procs["rasa"].pid
    fstack.stop_rasa()
    fstack.start_rasa()
    assert fstack.procs["rasa"].pid != old_pid
    status, text, _ = ask(fstack, sender, "How many beds does it have?")
    assert status == 200 and NORMAL_FACT in text, text
    assert "1300" in ask(fstack, sender, "and the children's hospital?")[1]
    assert user_turns(pg, sender) == 3


def test_action_server_restart_mid_conversation(fstack):
    sender = uuid.uuid4().hex
    assert "1869" in ask(fstack, sender, "Tell me about the Second Affiliated Hospital")[1]
    rasa_pid = fstack.procs["rasa"].pid
    fstack.stop_actions()
    fstack.start_actions()
    status, text, _ = ask(fstack, sender, "How many beds does it have?")
    assert status == 200 and NORMAL_FACT in text, text
    assert fstack.procs["rasa"].pid == rasa_pid


def _signal_action_server(stack: Stack, sig: int) -> None:
    proc = stack.procs["actions"]
    for pid in [proc.pid, *_children(proc.pid)]:
        os.kill(pid, sig)


def test_action_server_hung_then_back(fstack):
    """A hung action server (SIGSTOP: connections are accepted by the kernel, never answered)."""
    sender = uuid.uuid4().hex
    assert "1869" in ask(fstack, sender, "Tell me about the Second Affiliated Hospital")[1]
    rasa_pid = fstack.procs["rasa"].pid
    visitor = SocketVisitor(f"http://127.0.0.1:{fstack.rasa_port}")
    _signal_action_server(fstack, signal.SIGSTOP)
    try:
        status, text, elapsed = ask(fstack, sender, "How many beds does it have?")
        assert status == 200 and UNAVAILABLE in text, (status, text)
        assert elapsed < POLITE_WITHIN_S, f"polite reply took {elapsed:.1f} s"
        started = time.monotonic()
        assert UNAVAILABLE in reply_text(visitor.ask(NORMAL_QUESTION, timeout=POLITE_WITHIN_S))
        assert time.monotonic() - started < POLITE_WITHIN_S
    finally:
        _signal_action_server(fstack, signal.SIGCONT)
        visitor.close()
    # answers resume without restarting Rasa, and the conversation kept its context
    status, text, _ = ask(fstack, sender, "How many beds does it have?")
    assert status == 200 and NORMAL_FACT in text, text
    assert fstack.procs["rasa"].pid == rasa_pid


# ------------------------------------------------------------------------------------------ index


def _missing(d: Path) -> None:
    shutil.rmtree(d)
    d.mkdir()


def _truncated(d: Path) -> None:
    data = (d / "passages.faiss").read_bytes()
    (d / "passages.faiss").write_bytes(data[: len(data) // 2])


def _manifest(**changes):
    def edit(d: Path) -> None:
        manifest = json.loads((d / "manifest.json").read_text())
        manifest.update(changes)
        (d / "manifest.json").write_text(json.dumps(manifest))
    return edit


INDEX_FAULTS = {
    # id: (break the copy, what the action server's log must say)
    "missing": (_missing, "no knowledge index"),
    "truncated": (_truncated, "unreadable"),
    "records-truncated": (lambda d: (d / "records.json").write_text((d / "records.json").read_text()[:5000]),
                          "unreadable"),
    "other-model": (_manifest(model="sentence-transformers/all-mpnet-base-v2"), "was built with"),
    "other-knowledge-version": (_manifest(knowledge_fingerprint="0" * 64), "stale"),
    "other-format": (_manifest(format_version=-1), "index format"),
}


@pytest.mark.parametrize("fault", list(INDEX_FAULTS))
def test_bad_index_is_refused(fstack, tmp_path, fault):
    broken = tmp_path / "index"
    shutil.copytree(REPO / "models" / "index", broken)
    breaker, reason = INDEX_FAULTS[fault]
    breaker(broken)
    log = fstack.logs_dir / "actions.log"
    offset = log_size(log)
    fstack.stop_actions()
    fstack.env["KB_INDEX_DIR"] = str(broken)
    try:
        fstack.start_actions()
        status, text, elapsed = ask(fstack, uuid.uuid4().hex, NORMAL_QUESTION)
        assert status == 200 and UNAVAILABLE in text and NORMAL_FACT not in text, text
        assert elapsed < POLITE_WITHIN_S
        new_log = log_since(log, offset)
        assert reason in new_log and "make index" in new_log, new_log[-2000:]
    finally:
        fstack.stop_actions()
        del fstack.env["KB_INDEX_DIR"]
        fstack.start_actions()
    answers_normally(fstack)
