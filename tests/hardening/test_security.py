"""Issue 7, security: Rasa's API (off by default, token when on), CORS, rate limits (429), no message
text in the logs, no secret in the repository or the built models, pinned dependencies.

The "served" fixture starts the real `scripts/serve.sh` (action server, Rasa, web page) with the API
token, a widget origin and low rate limits, so what is tested is what `make run` deploys."""
from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import tarfile
import time
import uuid
from pathlib import Path

import pytest
import requests

from bot.ops import secret_scan
from tests.hardening.conftest import NORMAL_FACT, NORMAL_QUESTION, SocketVisitor, reply_text
from tests.stack import REPO, free_port

WIDGET_ORIGIN = "https://hospital.example"
EVIL_ORIGIN = "https://evil.example"
PER_SENDER = 2  # low, so the refill (30 s, 12 s per token) cannot blur the counts on a busy machine
PER_ADDRESS = 5


class Served:
    def __init__(self, logs: Path) -> None:
        self.rasa_port, self.action_port, self.web_port = free_port(), free_port(), free_port()
        self.token = secrets.token_urlsafe(24)  # made up per run: nothing to leak
        self.marker = f"zebra{uuid.uuid4().hex[:12]}"  # message text that must not reach any log
        self.log = logs / "serve.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
        env.update(RASA_PORT=str(self.rasa_port), ACTION_PORT=str(self.action_port), WEB_PORT=str(self.web_port),
                   RASA_API_TOKEN=self.token, WIDGET_ORIGINS=WIDGET_ORIGIN,
                   RATE_LIMIT_PER_SENDER=str(PER_SENDER), RATE_LIMIT_PER_ADDRESS=str(PER_ADDRESS))
        self.proc = subprocess.Popen(["scripts/serve.sh"], cwd=REPO, env=env, stdout=open(self.log, "wb"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 300
        while "assistant is up" not in self.log.read_text(errors="replace"):
            assert self.proc.poll() is None, self.log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "serve.sh did not come up"
            time.sleep(1)

    @property
    def rasa(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def webhook(self) -> str:
        return f"{self.rasa}/webhooks/rest/webhook"

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)  # serve.sh's trap stops its three servers
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("served"))
    yield s
    s.stop()


def fresh_address() -> str:
    """A made-up client address, as a proxy on loopback (trusted by default) would forward it."""
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def still_answers(served: Served) -> None:
    r = requests.post(served.webhook, json={"sender": uuid.uuid4().hex, "message": NORMAL_QUESTION},
                      headers={"X-Forwarded-For": fresh_address()}, timeout=60)
    assert r.status_code == 200 and NORMAL_FACT in reply_text(r.json()), r.text[:300]


# --------------------------------------------------------------------------------------- Rasa's API


def test_api_is_off_by_default(stack):
    # tests.stack.Stack starts Rasa with serve.sh's default arguments: no --enable-api
    for path in ("/status", "/version", f"/conversations/{uuid.uuid4().hex}/tracker", "/domain"):
        r = requests.get(f"http://127.0.0.1:{stack.rasa_port}{path}", timeout=10)
        assert r.status_code == 404 or path == "/version", (path, r.status_code)
    r = requests.put(f"http://127.0.0.1:{stack.rasa_port}/model", json={"model_file": "/etc/passwd"}, timeout=10)
    assert r.status_code in (404, 405)
    env = {k: v for k, v in os.environ.items() if k != "RASA_API_TOKEN"}
    out = subprocess.run(["scripts/serve.sh", "--api-args"], cwd=REPO, env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == ""
    out = subprocess.run(["scripts/serve.sh", "--api-args"], cwd=REPO, env={**env, "RASA_API_TOKEN": ""},
                         capture_output=True, text=True)
    assert out.stdout.strip() == "", "an empty token must not turn the API on"


def test_api_needs_the_token(served):
    tracker = f"{served.rasa}/conversations/{uuid.uuid4().hex}/tracker"
    for url in (f"{served.rasa}/status", tracker):
        assert requests.get(url, timeout=10).status_code == 401
        assert requests.get(url, params={"token": "wrong" + served.token}, timeout=10).status_code in (401, 403)
        assert requests.get(url, params={"token": served.token}, timeout=30).status_code == 200
    r = requests.put(f"{served.rasa}/model", json={"model_file": "/etc/passwd"}, timeout=10)
    assert r.status_code == 401


# --------------------------------------------------------------------------------------------- CORS


def _acao(url: str, origin: str, method: str = "OPTIONS") -> str | None:
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "content-type"}
    return requests.request(method, url, headers=headers, timeout=10).headers.get("Access-Control-Allow-Origin")


def test_cors_only_for_configured_origins(served, stack):
    socket_handshake = "/socket.io/?EIO=4&transport=polling"
    for base in (served.rasa,):
        for path, method in (("/webhooks/rest/webhook", "OPTIONS"), (socket_handshake, "GET")):
            assert _acao(base + path, EVIL_ORIGIN, method) is None, path
            assert _acao(base + path, WIDGET_ORIGIN, method) == WIDGET_ORIGIN, path
            # the demo page's own origin (serve.sh passes it to --cors)
            page = f"http://localhost:{served.web_port}"
            assert _acao(base + path, page, method) == page, path
    # the default stack has no --cors at all: no origin is allowed
    for path, method in (("/webhooks/rest/webhook", "OPTIONS"), (socket_handshake, "GET")):
        assert _acao(f"http://127.0.0.1:{stack.rasa_port}{path}", WIDGET_ORIGIN, method) is None
    web = f"http://127.0.0.1:{served.web_port}/feedback"
    assert _acao(web, EVIL_ORIGIN) is None
    assert _acao(web, WIDGET_ORIGIN) == WIDGET_ORIGIN


# ------------------------------------------------------------------------------------- rate limits


def test_rest_rate_limit_per_sender_and_per_address(served):
    address = fresh_address()
    sender = uuid.uuid4().hex

    def post(s: str, xff: str = address) -> requests.Response:
        return requests.post(served.webhook, json={"sender": s, "message": "hello"},
                             headers={"X-Forwarded-For": xff}, timeout=60)

    assert [post(sender).status_code for _ in range(PER_SENDER)] == [200] * PER_SENDER
    r = post(sender)
    assert r.status_code == 429 and r.headers["Content-Type"].startswith("application/json")
    assert "sender" in r.json()["error"] and 1 <= int(r.headers["Retry-After"]) <= 60 // PER_SENDER
    # other senders from the same address share the address budget (PER_SENDER of it are spent)
    codes = [post(uuid.uuid4().hex).status_code for _ in range(PER_ADDRESS - PER_SENDER)]
    assert codes == [200] * (PER_ADDRESS - PER_SENDER)
    r = post(uuid.uuid4().hex)
    assert r.status_code == 429 and "address" in r.json()["error"] and int(r.headers["Retry-After"]) >= 1
    # another address (forwarded by a trusted proxy on loopback) is not affected
    assert post(uuid.uuid4().hex, xff=fresh_address()).status_code == 200
    # a client cannot pick its address: the hop appended by our proxy counts, not what it wrote
    assert post(uuid.uuid4().hex, xff=f"{fresh_address()}, {address}").status_code == 429
    # the limited visitor's conversation was not harmed: after the refill it is answered again
    time.sleep(60 / PER_SENDER + 1)
    assert post(sender, xff=fresh_address()).status_code == 200


def test_socketio_rate_limit_gets_a_polite_message(served):
    visitor = SocketVisitor(served.rasa, headers={"X-Forwarded-For": fresh_address()})
    try:
        for _ in range(PER_SENDER):
            assert "wait a moment" not in reply_text(visitor.ask("hello"))
        text = reply_text(visitor.ask("hello"))
        assert "sending messages faster than I can answer" in text and "wait a moment" in text
    finally:
        visitor.close()
    still_answers(served)


def test_chat_proxy_forwards_the_visitor_address(served):
    # The web page's /chat proxy passes the visitor's address on: its visitors do not all share
    # the address budget of the web server's own loopback address.
    url = f"http://127.0.0.1:{served.web_port}/webhooks/rest/webhook"
    for i in range(PER_ADDRESS + 2):
        r = requests.post(url, json={"sender": uuid.uuid4().hex, "message": "hello"},
                          headers={"X-Forwarded-For": fresh_address()}, timeout=60)
        assert r.status_code == 200, (i, r.status_code, r.text[:200])


# ------------------------------------------------------------------------------------------ logs


def test_logs_hold_no_message_text(served):
    question = f"how many beds does {served.marker} hospital have"
    requests.post(served.webhook, json={"sender": uuid.uuid4().hex, "message": question},
                  headers={"X-Forwarded-For": fresh_address()}, timeout=60)
    requests.post(f"http://127.0.0.1:{served.web_port}/webhooks/rest/webhook",
                  json={"sender": uuid.uuid4().hex, "message": question},
                  headers={"X-Forwarded-For": fresh_address()}, timeout=60)
    visitor = SocketVisitor(served.rasa, headers={"X-Forwarded-For": fresh_address()})
    try:
        visitor.ask(question)
    finally:
        visitor.close()
    time.sleep(1)  # let the servers flush their log lines
    logs = sorted((REPO / "models" / "logs").glob("*.log"))
    assert {p.name for p in logs} >= {"rasa.log", "actions.log", "web.log"}
    for log in logs:
        assert served.marker not in log.read_text(errors="replace"), log.name
    assert served.token not in "".join(p.read_text(errors="replace") for p in logs)


# -------------------------------------------------------------------------------------- secrets


def test_repository_and_models_hold_no_secret():
    targets = list(secret_scan.default_targets())
    names = {str(p.relative_to(REPO)) for p in targets}
    assert "models/rasa/hospital.tar.gz" in names and "scripts/serve.sh" in names
    assert len(names) > 50
    assert secret_scan.scan(targets) == []


def _planted() -> dict[str, str]:
    """One made-up secret of each kind, assembled at run time so this file itself holds none."""
    rnd = lambda n, alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789": "".join(  # noqa: E731
        secrets.choice(alphabet) for _ in range(n))
    return {
        "telegram-bot-token": f"bot = '{secrets.randbelow(9 * 10**8) + 10**8}:{rnd(35)}'",
        "private-key": "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIE" + rnd(60) + "\n",
        "aws-access-key-id": "AKIA" + rnd(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        "aws-secret-key": "aws_secret_access_key = " + rnd(40),
        "github-token": "ghp_" + rnd(36),
        "slack-token": "xoxb-" + rnd(24),
        "assigned-secret": 'DB_PASSWORD = "' + rnd(20) + '"',
    }


def test_scanner_finds_planted_secrets(tmp_path):
    planted = _planted()
    for kind, text in planted.items():
        (tmp_path / f"{kind}.txt").write_text(f"some: config\n{text}\nmore: lines\n")
    archive = tmp_path / "model.tar.gz"
    inner = tmp_path / "inner.json"
    inner.write_text(json.dumps({"config": {"api_key": "K" + planted["github-token"][4:]}}))
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(inner, arcname="components/train_x/config.json")
    inner.unlink()
    findings = secret_scan.scan(sorted(tmp_path.iterdir()), repo=tmp_path)
    kinds = {f.kind for f in findings}
    assert kinds == set(planted), findings
    assert any(f.where.startswith("model.tar.gz!components/") for f in findings)
    for f in findings:  # a report never repeats the whole secret
        assert all(len(f.excerpt) < len(v) for v in planted.values())
    # environment references and placeholders are not findings
    (tmp_path / "ok.yml").write_text('access_token: "${TELEGRAM_TOKEN}"\npassword = "example-password-here"\n'
                                     'PASSWORD="$TRACKER_DB_PASSWORD" SECRET="$(secret redis_password)"\n')
    assert secret_scan.scan([tmp_path / "ok.yml"], repo=tmp_path) == []
    # and the command line fails on a finding
    proc = subprocess.run([str(REPO / ".venv/kb/bin/python"), "-m", "bot.ops.secret_scan", str(tmp_path / "github-token.txt")],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
    assert proc.returncode == 1 and "github-token" in proc.stdout


# --------------------------------------------------------------------------------- dependencies

PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!_-]+$")
NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:==\s*([^\s;#]+))?")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize("lock,inputs", [("kb.lock", ["kb.txt", "dev.txt"]), ("rasa.lock", ["rasa.txt"])])
def test_every_dependency_is_pinned(lock, inputs):
    req = REPO / "requirements"
    pinned = {}
    for line in (req / lock).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert PIN.match(line), f"{lock}: not pinned with ==: {line!r}"
            name, version = line.split("==")
            pinned[_norm(name)] = version
    for name in inputs:
        for line in (req / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if not line:
                continue
            m = NAME.match(line)
            assert m, line
            assert _norm(m.group(1)) in pinned, f"{name}: {m.group(1)} is not in {lock}"
            if m.group(2) and "*" not in m.group(2):
                assert pinned[_norm(m.group(1))].split("+")[0] == m.group(2).split("+")[0], line


def test_npm_lock_has_integrity_hashes():
    lock = json.loads((REPO / "bot/web/package-lock.json").read_text())
    packages = {k: v for k, v in lock["packages"].items() if k}
    assert packages
    for name, meta in packages.items():
        assert meta.get("integrity", "").startswith("sha512-"), name
        assert meta.get("version"), name


# ------------------------------------------------------------------------------------- retention


def test_retention_purge_on_the_real_store(stack):
    """`make purge-conversations` (bot.ops.retention) on the tracker store the running Rasa writes:
    a conversation idle for 31 days is deleted whole, a current one is kept and goes on."""
    import sqlite3

    old, current = uuid.uuid4().hex, uuid.uuid4().hex
    for sender in (old, current):
        r = requests.post(stack.url, json={"sender": sender, "message": "Tell me about the Second Affiliated Hospital"},
                          timeout=60)
        assert "1869" in reply_text(r.json())
    db_path = stack.workdir / "tracker.db"
    with sqlite3.connect(db_path) as db:  # age one conversation instead of waiting a month
        db.execute("UPDATE events SET timestamp = timestamp - 31 * 86400 WHERE sender_id = ?", (old,))
    out = subprocess.run([str(REPO / ".venv/kb/bin/python"), "-m", "bot.ops.retention", "--days", "30", "--db", str(db_path)],
                         cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    with sqlite3.connect(db_path) as db:
        count = lambda s: db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (s,)).fetchone()[0]  # noqa: E731
        assert count(old) == 0 and count(current) > 0
    r = requests.post(stack.url, json={"sender": current, "message": "How many beds does it have?"}, timeout=60)
    assert NORMAL_FACT in reply_text(r.json())
