"""Start / stop / crash the scaled profile (scripts/scaled.sh --background) on free ports, for `make scale-test`
and the benchmark's "scaled" profile. Same interface as tests.stack.Stack: .url, .say(), .rss_mb(), .stop()."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

from tests.scale.checks import StoredEvent, parse_event_row
from tests.stack import REPO, free_port, tree_rss_mb

SCRIPT = REPO / "scripts" / "scaled.sh"
# RedisLockStore's key for a conversation: key_prefix from bot/endpoints.scaled.yml + Rasa's "lock:".
LOCK_KEY_PREFIX = "hospital:lock:"
FIELD_SEP = "\x1f"  # psql field separator: never inside Rasa's JSON (control characters are escaped there)


def free_ports(n: int) -> list[int]:
    """n distinct free ports (the OS may hand out a just-released port twice)."""
    ports: list[int] = []
    deadline = time.monotonic() + 10
    while len(ports) < n and time.monotonic() < deadline:
        p = free_port()
        if p not in ports:
            ports.append(p)
    if len(ports) < n:
        raise RuntimeError("could not find enough free ports")
    return ports


class ScaledStack:
    """The whole scaled profile in its own directory (default models/scale-test, wiped at start)."""

    def __init__(self, scaled_dir: Path | None = None, replicas: int = 2, env: dict[str, str] | None = None,
                 fresh: bool = True) -> None:
        self.dir = (scaled_dir or REPO / "models" / "scale-test").resolve()
        self.fresh = fresh
        p = free_ports(5 + 2 * replicas)
        self.rasa_ports, self.action_ports = p[5:5 + replicas], p[5 + replicas:]
        self.env = {
            **os.environ,
            "SCALED_DIR": str(self.dir), "SCALED_HOST": "127.0.0.1",
            "LB_PORT": str(p[0]), "ACTION_LB_PORT": str(p[1]), "WEB_PORT": str(p[2]),
            "TRACKER_DB_PORT": str(p[3]), "REDIS_PORT": str(p[4]),
            "RASA_PORTS": " ".join(map(str, self.rasa_ports)), "ACTION_PORTS": " ".join(map(str, self.action_ports)),
            # The REST channel's rate limits would throttle a load test from one address.
            "RATE_LIMIT_PER_SENDER": "0", "RATE_LIMIT_PER_ADDRESS": "0",
            **(env or {}),
        }
        # Local database / Redis of this run, always: the test must never write to a shared one.
        for k in ("TRACKER_DB_HOST", "REDIS_HOST", "ACTION_LB_HOST", "TRACKER_DB_PASSWORD", "REDIS_PASSWORD",
                  "LOCAL_DB", "LOCAL_REDIS", "SOCKET_URL"):
            if not env or k not in env:
                self.env.pop(k, None)
        self.lb_port = int(self.env["LB_PORT"])

    @property
    def ticket_lifetime_s(self) -> float:
        return float(self.env.get("TICKET_LOCK_LIFETIME") or 10)  # scripts/scaled.sh's default

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.lb_port}/webhooks/rest/webhook"

    def start(self) -> "ScaledStack":
        if self.fresh and self.dir.exists():
            subprocess.run([str(SCRIPT), "stop"], cwd=REPO, env=self.env, check=False, timeout=120)
            shutil.rmtree(self.dir)
        proc = subprocess.run([str(SCRIPT), "--background"], cwd=REPO, env=self.env, timeout=600,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"scripts/scaled.sh --background failed ({proc.returncode}):\n{proc.stdout}")
        return self

    def stop(self) -> None:
        subprocess.run([str(SCRIPT), "stop"], cwd=REPO, env=self.env, check=False, timeout=120)

    def pid(self, name: str) -> int:
        return int((self.dir / "run" / f"{name}.pid").read_text().strip())

    def kill(self, name: str) -> None:
        """SIGKILL a replica and everything in its process group (rasa-sdk's Sanic worker too): a crash, not a
        shutdown, so nothing gets to finish its request or release its lock."""
        os.killpg(self.pid(name), signal.SIGKILL)

    def plant_dead_ticket(self, sender: str, lifetime_s: float) -> None:
        """Leave a lock ticket for `sender` in Redis exactly as a Rasa replica killed mid-message leaves it, so
        the next message of that conversation has to wait it out (bot/rasa_ext/lock_store.py)."""
        ticket = json.dumps({"number": 0, "expires": time.time() + lifetime_s})
        value = json.dumps({"conversation_id": sender, "tickets": [ticket]})
        password = (self.dir / "secrets" / "redis_password").read_text().strip()
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", self.env["REDIS_PORT"], "-n", self.env.get("REDIS_DB", "1"),
                        "--no-auth-warning", "-a", password, "SET", f"{LOCK_KEY_PREFIX}{sender}", value],
                       check=True, capture_output=True, timeout=10)

    def cpu_seconds(self) -> float:
        """CPU time used so far by every process of the profile (user + system, with reaped children). They are
        not this process's children (scripts/scaled.sh started them and exited), so os.times() misses them."""
        groups = set()
        for name in self.names():
            try:
                groups.add(self.pid(name))
            except (OSError, ValueError):
                pass
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) in groups:  # field 5 of /proc/pid/stat: process group
                total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        return total / os.sysconf("SC_CLK_TCK")

    def names(self) -> list[str]:
        return sorted(p.stem for p in (self.dir / "run").glob("*.pid"))

    def rss_mb(self) -> dict[str, float]:
        """RSS per process of the profile (children included), rasa1/rasa2/actions1/... separately."""
        out: dict[str, float] = {}
        for name in self.names():
            try:
                out[name] = tree_rss_mb(self.pid(name))
            except (OSError, ValueError):
                continue
        return out

    def say(self, sender: str, message: str, timeout: float = 60) -> list[dict]:
        r = requests.post(self.url, json={"sender": sender, "message": message}, timeout=timeout)
        r.raise_for_status()
        return r.json()

    def stored_events(self, sender_prefix: str) -> list[StoredEvent]:
        """User and bot events of the senders starting with sender_prefix, from PostgreSQL (psql: the kb venv
        has no PostgreSQL driver and needs none)."""
        password = (self.dir / "secrets" / "tracker_db_password").read_text().strip()
        env = {**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"}
        like = sender_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql = ("select sender_id, type_name, data from events where sender_id like :'prefix' "
               "and type_name in ('user', 'bot') order by id")
        proc = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", self.env["TRACKER_DB_PORT"], "-U", self.env.get("TRACKER_DB_USER", "rasa"),
             "-d", self.env.get("TRACKER_DB_NAME", "rasa"), "-X", "-tA", "-F", FIELD_SEP, "-v", "ON_ERROR_STOP=1",
             "-v", f"prefix={like}"],
            input=sql + ";\n", env=env, capture_output=True, text=True, timeout=60, check=True)
        rows = [line.split(FIELD_SEP, 2) for line in proc.stdout.splitlines() if line]
        return [parse_event_row(*row) for row in rows]
