"""The scaled profile's load balancer config (bot/ops/scaled.py) and the lock-ticket revival (bot/rasa_ext/tickets.py)."""
from __future__ import annotations

import shutil
import subprocess
import time
from collections import deque
from dataclasses import dataclass

import pytest

from bot.ops.scaled import config_from_env, parse_ports, render_haproxy
from bot.rasa_ext.tickets import revive_ticket

ENV = {"LB_PORT": "5105", "ACTION_LB_PORT": "5155", "RASA_PORTS": "5106 5107", "ACTION_PORTS": "5156,5157"}


def test_config_from_env_reads_every_replica_and_derives_the_server_timeout():
    cfg = config_from_env({**ENV, "TICKET_LOCK_LIFETIME": "20", "SCALED_HOST": "10.0.0.5"})
    assert [str(e) for e in cfg.rasa] == ["10.0.0.5:5106", "10.0.0.5:5107"]
    assert [e.port for e in cfg.actions] == [5156, 5157]
    assert cfg.server_timeout_s == 60  # a retried message may wait a dead replica's ticket out


@pytest.mark.parametrize("bad", [{"RASA_PORTS": "5105 5107"}, {"ACTION_PORTS": ""}, {"LB_PORT": "70000"}])
def test_config_from_env_refuses_clashing_missing_or_invalid_ports(bad):
    with pytest.raises(ValueError):
        config_from_env({**ENV, **bad})


def test_parse_ports_accepts_spaces_and_commas():
    assert parse_ports(" 1, 2 3") == [1, 2, 3]


def test_rendered_config_retries_posts_elsewhere_and_keeps_socketio_sticky():
    text = render_haproxy(config_from_env(ENV))
    assert "bind 127.0.0.1:5105" in text and "bind 127.0.0.1:5155" in text
    for port in (5106, 5107, 5156, 5157):
        assert f"127.0.0.1:{port} check" in text
    assert "option http-buffer-request" in text and "retry-on conn-failure empty-response" in text
    assert "option redispatch 1" in text
    sticky = text.split("\nbackend rasa_socketio", 1)[1].split("\nbackend", 1)[0]
    assert "balance source" in sticky and "hash-type consistent" in sticky
    assert "use_backend rasa_socketio if is_socketio" in text
    assert "option forwardfor" in text  # per-address rate limits see the visitor, not the LB


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="Debian's haproxy is not installed (make scaled-deps)")
def test_rendered_config_is_valid_for_haproxy(tmp_path):
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(render_haproxy(config_from_env(ENV)), encoding="utf-8")
    proc = subprocess.run(["haproxy", "-c", "-f", str(cfg)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr


@dataclass
class FakeTicket:
    number: int
    expires: float

    def has_expired(self) -> bool:
        return time.time() > self.expires


def test_a_waiter_whose_ticket_expired_gets_it_back_in_number_order():
    now = time.time()
    dead_holder, waiter, later = FakeTicket(0, now - 1), FakeTicket(1, now - 0.5), FakeTicket(2, now + 10)
    revived = revive_ticket(deque([dead_holder, waiter, later]), 1, lambda n: FakeTicket(n, now + 10))
    assert [t.number for t in revived] == [1, 2]  # served next: the lowest live number is its own


def test_a_live_ticket_is_left_alone_and_an_empty_queue_is_refilled():
    now = time.time()
    assert revive_ticket(deque([FakeTicket(0, now + 5), FakeTicket(1, now + 5)]), 1, lambda n: FakeTicket(n, now)) is None
    assert [t.number for t in revive_ticket(deque(), 4, lambda n: FakeTicket(n, now + 10))] == [4]
