"""Start the real action server and the real Rasa server on free ports, for end-to-end tests and `make eval`."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "models" / "rasa" / "hospital.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise TimeoutError(f"{url} not up after {seconds}s")


class Stack:
    """Action server (Python 3.11 venv) + Rasa (Python 3.10 venv) with the trained model."""

    def __init__(self, logs_dir: Path | None = None, action_port: int | None = None,
                 credentials: Path | str | None = None, env: dict[str, str] | None = None,
                 tracker_store: str | None = None, action_url: str | None = None,
                 rasa_args: list[str] | None = None) -> None:
        """credentials: Rasa credentials file (default bot/credentials.yml); env: extra environment
        (rate limits are off unless env sets them: eval, bench and e2e send hundreds of messages
        from one address); tracker_store: the endpoints.yml `tracker_store:` block (default SQLite
        in the work dir); action_url: where Rasa calls actions (default this stack's action server);
        rasa_args: extra `rasa run` arguments."""
        self.workdir = Path(tempfile.mkdtemp(prefix="hospital-stack-"))
        self.logs_dir = logs_dir or self.workdir
        self.rasa_port = free_port()
        self.action_port = action_port or free_port()
        self.procs: dict[str, subprocess.Popen] = {}
        self.env = {**os.environ, "PYTHONPATH": str(REPO), "RASA_TELEMETRY_ENABLED": "false",
                    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
                    "RATE_LIMIT_PER_SENDER": "0", "RATE_LIMIT_PER_ADDRESS": "0", **(env or {})}
        self.credentials = str(credentials or "bot/credentials.yml")
        self.tracker_store = tracker_store or (
            f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {self.workdir / 'tracker.db'}\n")
        self.action_url = action_url
        self.rasa_args = list(rasa_args or [])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    def start_actions(self) -> None:
        log = open(self.logs_dir / "actions.log", "ab")
        self.procs["actions"] = subprocess.Popen(
            [str(REPO / ".venv/kb/bin/python"), "-m", "rasa_sdk", "--actions", "bot.actions.actions",
             "--port", str(self.action_port)], cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        wait_http(f"http://127.0.0.1:{self.action_port}/health", 90, self.procs["actions"])

    def stop_actions(self) -> None:
        proc = self.procs.pop("actions", None)
        if proc:
            _stop_group(proc, 20)

    def start_rasa(self, wait: bool = True) -> None:
        endpoints = self.workdir / "endpoints.yml"
        action_url = self.action_url or f"http://127.0.0.1:{self.action_port}/webhook"
        endpoints.write_text(
            f"action_endpoint:\n  url: {action_url}\n  enable_selective_domain: true\n"
            f"{self.tracker_store}", encoding="utf-8")
        log = open(self.logs_dir / "rasa.log", "ab")
        self.procs["rasa"] = subprocess.Popen(
            [str(REPO / ".venv/rasa/bin/rasa"), "run", "-m", str(MODEL), "--credentials", self.credentials,
             "--endpoints", str(endpoints), "--port", str(self.rasa_port), "-i", "127.0.0.1", *self.rasa_args],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            wait_http(f"http://127.0.0.1:{self.rasa_port}/", 240, self.procs["rasa"])

    def stop_rasa(self) -> None:
        proc = self.procs.pop("rasa", None)
        if proc:
            _stop_group(proc, 30)

    def start(self) -> "Stack":
        self.start_actions()
        self.start_rasa()
        return self

    def stop(self) -> None:
        for name in list(self.procs):
            _stop_group(self.procs.pop(name), 30)
        # The tracker database and endpoints are this run's alone; logs kept here stay for a failed run.
        for name in ("tracker.db", "endpoints.yml"):
            (self.workdir / name).unlink(missing_ok=True)
        if self.logs_dir != self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def rss_mb(self) -> dict[str, float]:
        return {name: tree_rss_mb(proc.pid) for name, proc in self.procs.items()}

    def say(self, sender: str, message: str, timeout: float = 60) -> list[dict]:
        r = requests.post(self.url, json={"sender": sender, "message": message}, timeout=timeout)
        r.raise_for_status()
        return r.json()


def _stop_group(proc: subprocess.Popen, seconds: float) -> None:
    """SIGTERM the server and its workers (its own process group), SIGKILL them after ``seconds``:
    the action server's Sanic workers are child processes and must not outlive it holding the port."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # leftover workers, if any
    except ProcessLookupError:
        pass
    proc.wait(10)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Sanic workers, Rasa's subprocesses), in MB."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    out = [int(k) for k in kids]
    for k in list(out):
        out.extend(_children(k))
    return out
