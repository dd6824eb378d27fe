"""Per-sender and per-client-address rate limits for the public chat channels (REST, socket.io).

Token buckets held in this process: each key may send ``per_minute`` messages at once and then one
every ``60 / per_minute`` seconds. With several Rasa replicas behind a load balancer each replica
counts on its own, so the effective limit is the configured one times the number of replicas.

Configured from the environment (read when the channel is created):

* ``RATE_LIMIT_PER_SENDER``  messages per minute per sender / session id (default 30; 0 = off)
* ``RATE_LIMIT_PER_ADDRESS`` messages per minute per client address (default 300; 0 = off)
* ``TRUSTED_PROXIES``        space/comma separated addresses or CIDR networks whose
  ``X-Forwarded-For`` is believed (default loopback: a reverse proxy on the same host).

A visitor typing fast sends a message every few seconds, far below 30 a minute; the address limit is
higher because many visitors may share one address (a hospital's guest Wi-Fi behind one NAT).
"""
from __future__ import annotations

import ipaddress
import math
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

DEFAULT_PER_SENDER = 30
DEFAULT_PER_ADDRESS = 300
DEFAULT_TRUSTED_PROXIES = "127.0.0.0/8 ::1/128"
# Bounds the memory an attacker can make us spend by inventing sender ids: the least recently
# seen keys are forgotten first (a forgotten key starts with a full bucket again; its address
# bucket still holds).
MAX_KEYS = 100_000

LIMITED_TEXT = (
    "You're sending messages faster than I can answer. Please wait a moment and try again."
)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number of messages per minute, got {raw!r}") from exc
    if value < 0:
        raise ValueError(f"{name} must be >= 0 (0 disables the limit), got {value}")
    return value


class TokenBucket:
    """``per_minute`` tokens, refilled continuously; one message takes one token."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = MAX_KEYS) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: "OrderedDict[str, tuple[float, float]]" = OrderedDict()

    def _level(self, key: str, now: float) -> float:
        tokens, stamp = self._buckets.get(key, (self.capacity, now))
        return min(self.capacity, tokens + (now - stamp) * self.rate)

    def wait_seconds(self, key: str, now: float) -> float:
        """0 when ``key`` may send now, else the seconds until it may."""
        level = self._level(key, now)
        return 0.0 if level >= 1.0 else (1.0 - level) / self.rate

    def take(self, key: str, now: float) -> None:
        self._buckets[key] = (self._level(key, now) - 1.0, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)


@dataclass
class Denied:
    scope: str  # "sender" or "address"
    retry_after: int  # whole seconds, for the Retry-After header

    @property
    def message(self) -> str:
        return (f"Too many messages from this {self.scope}; "
                f"please wait {self.retry_after} s before sending another.")


class RateLimiter:
    def __init__(self, per_sender: int, per_address: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.sender = TokenBucket(per_sender, clock) if per_sender > 0 else None
        self.address = TokenBucket(per_address, clock) if per_address > 0 else None
        # Sanic handlers run on one event loop, but the lock keeps check-then-take atomic anyway
        # should a channel ever call this from a thread.
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> "RateLimiter":
        return cls(_env_int("RATE_LIMIT_PER_SENDER", DEFAULT_PER_SENDER),
                   _env_int("RATE_LIMIT_PER_ADDRESS", DEFAULT_PER_ADDRESS))

    @property
    def enabled(self) -> bool:
        return self.sender is not None or self.address is not None

    def check(self, sender: str, address: Optional[str]) -> Optional[Denied]:
        """Count one message; None when allowed. A refused message uses up no token."""
        if not self.enabled:
            return None
        with self._lock:
            now = self.clock()
            waits = []
            if self.sender is not None:
                waits.append(("sender", self.sender, sender, self.sender.wait_seconds(sender, now)))
            if self.address is not None and address:
                waits.append(("address", self.address, address, self.address.wait_seconds(address, now)))
            for scope, _, _, wait in waits:
                if wait > 0:
                    return Denied(scope, max(1, math.ceil(wait)))
            for _, bucket, key, _ in waits:
                bucket.take(key, now)
            return None


def parse_networks(spec: Optional[str]) -> list:
    spec = DEFAULT_TRUSTED_PROXIES if spec is None else spec
    nets = []
    for item in spec.replace(",", " ").split():
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"TRUSTED_PROXIES: {item!r} is not an address or network") from exc
    return nets


def _ip(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def client_address(peer: Optional[str], forwarded_for: Optional[str], trusted: Iterable) -> Optional[str]:
    """The visitor's address: the peer, unless the peer is a trusted proxy.

    Behind trusted proxies, ``X-Forwarded-For`` is read from the right (the entries our proxies
    appended) and the first address that is not a trusted proxy is the client; entries further
    left were written by the client itself and could be anything, so they are never used.
    """
    trusted = list(trusted)

    def is_trusted(addr) -> bool:
        return addr is not None and any(addr in net for net in trusted)

    peer_ip = _ip(peer or "")
    if not forwarded_for or not is_trusted(peer_ip):
        return str(peer_ip) if peer_ip is not None else (peer or None)
    hops = [h for h in (p.strip() for p in forwarded_for.split(",")) if h]
    for hop in reversed(hops):
        addr = _ip(hop)
        if addr is None:
            return str(peer_ip)  # garbage in the chain: fall back to what we can vouch for
        if not is_trusted(addr):
            return str(addr)
    return str(_ip(hops[0])) if hops else str(peer_ip)


def trusted_proxies_from_env() -> list:
    return parse_networks(os.environ.get("TRUSTED_PROXIES"))


_shared: Optional[RateLimiter] = None
_shared_lock = threading.Lock()


def shared_limiter() -> RateLimiter:
    """One limiter per process, shared by the REST and socket.io channels (so one address's
    budget covers both)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = RateLimiter.from_env()
        return _shared
