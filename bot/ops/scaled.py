"""Configuration of the scaled profile (`make run-scaled`, scripts/scaled.sh): HAProxy in front of N Rasa and
N action-server replicas. Standard library only, so either venv (or a bare python3) can run it.

    python -m bot.ops.scaled haproxy OUT.cfg      # render the load balancer config from the environment

Every address comes from the environment (see docs/scale.md); the defaults are the local ones scripts/scaled.sh
exports. No secret goes into the rendered file: the LB needs none.
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

# Rasa holds a conversation's ticket in the Redis lock store for this many seconds at most. A replica killed
# while holding one blocks that conversation on the other replicas until it expires, so it must be short, but
# longer than the slowest message (NLU + action call + tracker save; ~1 s under load here).
DEFAULT_TICKET_LOCK_LIFETIME = 10


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class LbConfig:
    """What the load balancer needs to know. Ports are numbers; hosts are names or addresses."""
    bind_host: str
    lb_port: int
    action_lb_port: int
    rasa: tuple[Endpoint, ...]
    actions: tuple[Endpoint, ...]
    # The retried request waits for the dead replica's ticket to expire, so the LB must wait longer than that.
    server_timeout_s: int = 3 * DEFAULT_TICKET_LOCK_LIFETIME


def parse_ports(value: str) -> list[int]:
    """"5106 5107" or "5106,5107" -> [5106, 5107]."""
    ports = [int(p) for p in value.replace(",", " ").split()]
    if not ports:
        raise ValueError("no port given")
    for p in ports:
        if not 0 < p < 65536:
            raise ValueError(f"port out of range: {p}")
    return ports


def config_from_env(env: Mapping[str, str]) -> LbConfig:
    """Reads SCALED_HOST, LB_PORT, ACTION_LB_PORT, RASA_PORTS, ACTION_PORTS, TICKET_LOCK_LIFETIME
    (scripts/scaled.sh exports all of them with their defaults)."""
    host = env.get("SCALED_HOST", "127.0.0.1")
    lifetime = int(env.get("TICKET_LOCK_LIFETIME") or DEFAULT_TICKET_LOCK_LIFETIME)
    cfg = LbConfig(
        bind_host=host,
        lb_port=parse_ports(env["LB_PORT"])[0],
        action_lb_port=parse_ports(env["ACTION_LB_PORT"])[0],
        rasa=tuple(Endpoint(host, p) for p in parse_ports(env["RASA_PORTS"])),
        actions=tuple(Endpoint(host, p) for p in parse_ports(env["ACTION_PORTS"])),
        server_timeout_s=max(30, 3 * lifetime),
    )
    used = [cfg.lb_port, cfg.action_lb_port, *(e.port for e in cfg.rasa), *(e.port for e in cfg.actions)]
    if len(set(used)) != len(used):
        raise ValueError(f"ports must all differ: {used}")
    return cfg


def render_haproxy(cfg: LbConfig) -> str:
    rasa_servers = "\n".join(f"    server rasa{i + 1} {e} check" for i, e in enumerate(cfg.rasa))
    action_servers = "\n".join(f"    server actions{i + 1} {e} check" for i, e in enumerate(cfg.actions))
    return f"""\
# Rendered by bot/ops/scaled.py (scripts/scaled.sh) from the environment; do not edit, edit the renderer.
global
    maxconn 2000
    # info: one line per request (retries and redispatches show in its counters), into $SCALED_DIR/logs.
    log stderr format raw local0 info

defaults
    mode http
    log global
    option httplog
    option dontlognull
    timeout connect 2s
    timeout client 60s
    # Longer than a retried message can wait for a killed replica's lock ticket (TICKET_LOCK_LIFETIME).
    timeout server {cfg.server_timeout_s}s
    timeout http-request 10s
    # socket.io upgrades to a websocket; keep idle ones open as long as a visitor keeps the page.
    timeout tunnel 1h
    # A replica that dies mid-request resets the connection: resend the (buffered) POST to another replica.
    # Safe for Rasa: a message is only stored when it was fully handled, and the lock store serialises a
    # conversation across replicas. Not on response-timeout: a slow reply is not a dead replica.
    option http-buffer-request
    retry-on conn-failure empty-response junk-response
    retries 3
    # Every retry goes to another server, not the dead one again.
    option redispatch 1
    # Fast health checks: a killed replica refuses connections, so it is out of rotation within ~1 s (and
    # requests sent to it before that are retried elsewhere). A busy one is not dead: the action server answers
    # /health between encodes, which can take a few hundred ms under load, so a check may take seconds before
    # it counts as failed (a check timeout of `inter` took both action servers out at 20 visitors).
    timeout check 5s
    default-server inter 500ms fastinter 250ms downinter 1s fall 2 rise 2

# Rasa: REST, socket.io and Telegram webhooks, one address for visitors and the web page.
frontend rasa_in
    bind {cfg.bind_host}:{cfg.lb_port}
    # Per-address rate limiting behind the LB needs the visitor's address, not the LB's.
    option forwardfor
    acl is_socketio path_beg /socket.io
    use_backend rasa_socketio if is_socketio
    default_backend rasa_rest

# REST needs no stickiness: the tracker is in PostgreSQL and the Redis lock store orders a conversation's
# messages, so any replica can take any message.
backend rasa_rest
    balance roundrobin
    option httpchk GET /
    http-check expect status 200
{rasa_servers}

# socket.io's long-polling handshake and its later requests must reach the same replica (the session lives in
# that process), and a page may be behind a NAT with other visitors: hash the client address, consistently,
# so a replica going down only moves its own visitors.
backend rasa_socketio
    balance source
    hash-type consistent
    option httpchk GET /
    http-check expect status 200
{rasa_servers}

# Action servers: stateless, Rasa reaches them through this frontend (action_endpoint url).
frontend actions_in
    bind {cfg.bind_host}:{cfg.action_lb_port}
    default_backend actions

backend actions
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
{action_servers}
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.ops.scaled")
    sub = ap.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("haproxy", help="render the HAProxy config from the environment")
    h.add_argument("out", type=Path)
    args = ap.parse_args(argv)
    try:
        cfg = config_from_env(os.environ)
    except (KeyError, ValueError) as e:
        print(f"scaled profile config: {e}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(render_haproxy(cfg), encoding="utf-8")
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
