"""The rate limiter's arithmetic and the client-address rules (the real-stack 429 test is in
tests/hardening/test_security.py)."""
from __future__ import annotations

import pytest

from bot.rasa_ext import ratelimit
from bot.rasa_ext.ratelimit import RateLimiter, client_address, parse_networks


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sender_burst_then_refill():
    clock = Clock()
    limiter = RateLimiter(per_sender=3, per_address=0, clock=clock)
    assert [limiter.check("a", "1.2.3.4") for _ in range(3)] == [None, None, None]
    denied = limiter.check("a", "1.2.3.4")
    assert denied.scope == "sender" and denied.retry_after == 20  # 3/min: one token per 20 s
    assert limiter.check("b", "1.2.3.4") is None  # another sender is not affected
    clock.now += 19.0
    assert limiter.check("a", "1.2.3.4").retry_after == 1
    clock.now += 1.0
    assert limiter.check("a", "1.2.3.4") is None
    assert limiter.check("a", "1.2.3.4") is not None


def test_refused_messages_use_no_tokens():
    clock = Clock()
    limiter = RateLimiter(per_sender=1, per_address=0, clock=clock)
    assert limiter.check("a", None) is None
    for _ in range(50):  # hammering while limited does not push the wait further out
        assert limiter.check("a", None) is not None
    clock.now += 60
    assert limiter.check("a", None) is None


def test_address_limit_covers_many_senders():
    clock = Clock()
    limiter = RateLimiter(per_sender=30, per_address=5, clock=clock)
    assert all(limiter.check(f"s{i}", "10.0.0.1") is None for i in range(5))
    denied = limiter.check("s99", "10.0.0.1")
    assert denied.scope == "address" and denied.retry_after == 12
    assert limiter.check("s99", "10.0.0.2") is None
    # the refused message did not spend s99's own budget
    assert limiter.sender.wait_seconds("s99", clock.now) == 0


def test_zero_disables(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_PER_SENDER", "0")
    monkeypatch.setenv("RATE_LIMIT_PER_ADDRESS", "0")
    limiter = RateLimiter.from_env()
    assert not limiter.enabled
    assert all(limiter.check("a", "1.1.1.1") is None for _ in range(10_000))


def test_defaults_and_bad_values(monkeypatch):
    monkeypatch.delenv("RATE_LIMIT_PER_SENDER", raising=False)
    monkeypatch.delenv("RATE_LIMIT_PER_ADDRESS", raising=False)
    limiter = RateLimiter.from_env()
    assert limiter.sender.capacity == ratelimit.DEFAULT_PER_SENDER == 30
    assert limiter.address.capacity == ratelimit.DEFAULT_PER_ADDRESS == 300
    for bad in ("ten", "-1", "1.5"):
        monkeypatch.setenv("RATE_LIMIT_PER_SENDER", bad)
        with pytest.raises(ValueError, match="RATE_LIMIT_PER_SENDER"):
            RateLimiter.from_env()


def test_memory_is_bounded():
    clock = Clock()
    bucket = ratelimit.TokenBucket(10, clock, max_keys=100)
    for i in range(1000):
        bucket.take(f"k{i}", clock.now)
    assert len(bucket._buckets) == 100


LOOPBACK = parse_networks(None)


@pytest.mark.parametrize("peer,xff,trusted,expected", [
    ("203.0.113.5", None, LOOPBACK, "203.0.113.5"),  # direct visitor
    ("203.0.113.5", "1.2.3.4", LOOPBACK, "203.0.113.5"),  # untrusted peer cannot claim an address
    ("127.0.0.1", "198.51.100.7", LOOPBACK, "198.51.100.7"),  # our local reverse proxy / web server
    ("127.0.0.1", "6.6.6.6, 198.51.100.7", LOOPBACK, "198.51.100.7"),  # the left entry is the client's own claim
    ("10.0.0.2", "198.51.100.7, 10.0.0.9", parse_networks("10.0.0.0/8"), "198.51.100.7"),  # two trusted hops
    ("127.0.0.1", "not-an-ip", LOOPBACK, "127.0.0.1"),
    ("127.0.0.1", None, LOOPBACK, "127.0.0.1"),
    ("::1", "2001:db8::1", LOOPBACK, "2001:db8::1"),
])
def test_client_address(peer, xff, trusted, expected):
    assert client_address(peer, xff, trusted) == expected


def test_trusted_proxies_parsing():
    nets = parse_networks("10.0.0.0/8, 192.168.1.1 ::1")
    assert len(nets) == 3
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        parse_networks("10.0.0.0/8 proxy.local")
