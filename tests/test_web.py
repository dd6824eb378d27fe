"""Tests for the web front end (bot/web/server.py) and the curated FAQ (knowledge/faq.yml).

Rasa is replaced by a tiny fake HTTP server started here; the thing under test is the
web server (static chat page, proxy, FAQ pages) and the FAQ file itself.

    .venv/kb/bin/python -m pytest tests/test_web.py
"""

from __future__ import annotations

import html
import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bot.web import server as web  # noqa: E402

KNOWLEDGE = REPO_ROOT / "knowledge"
FAQ_PATH = KNOWLEDGE / "faq.yml"
WEBHOOK = "/webhooks/rest/webhook"


# ------------------------------------------------------------------ helpers


class FakeRasa(ThreadingHTTPServer):
    """Answers POST /webhooks/rest/webhook with a canned Rasa-like reply and records bodies."""

    daemon_threads = True

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []

        fake = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.received.append((self.path, body))
                if self.path != WEBHOOK:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                sender = json.loads(body).get("sender", "")
                reply = json.dumps([
                    {"recipient_id": sender, "text": "Founded in 1869.\nSource: Second Affiliated Hospital"},
                    {"recipient_id": sender, "text": "Anything else?",
                     "buttons": [{"title": "Beds", "payload": "/ask_beds"}]},
                ]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        super().__init__(("127.0.0.1", 0), H)


def _serve(httpd):
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    return t


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def fake_rasa():
    httpd = FakeRasa()
    _serve(httpd)
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def feedback_db(tmp_path_factory):
    return tmp_path_factory.mktemp("feedback") / "feedback.db"


@pytest.fixture(scope="module")
def app(fake_rasa, feedback_db):
    rasa_url = f"http://127.0.0.1:{fake_rasa.server_address[1]}"
    httpd = web.make_server("127.0.0.1", 0, rasa_url=rasa_url, timeout=5, feedback_db=feedback_db,
                            cors_origins=("https://hospital.example",))
    _serve(httpd)
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def app_rasa_down(tmp_path):
    dead = f"http://127.0.0.1:{_free_port()}"  # nothing listens here
    httpd = web.make_server("127.0.0.1", 0, rasa_url=dead, timeout=5, feedback_db=tmp_path / "f.db")
    _serve(httpd)
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def load_faq_yaml():
    return yaml.safe_load(FAQ_PATH.read_text(encoding="utf-8"))


# ------------------------------------------------------------- web server


def test_index_is_demo_page_with_widget(app):
    status, headers, body = request(app, "GET", "/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert "Zhejiang University School of Medicine" in page
    # one script tag embeds the widget; the socket URL is filled in and allowed by the CSP
    assert page.count("<script") == 1
    assert '<script src="/static/widget.js" defer data-socket-url="http://127.0.0.1:' in page
    assert "{{" not in page
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "ws://127.0.0.1:" in csp and "connect-src 'self' http://127.0.0.1:" in csp

    status, headers, js = request(app, "GET", "/static/widget.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    js = js.decode()
    assert "session_request" in js and "user_uttered" in js and "bot_uttered" in js
    assert "localStorage" in js and "textContent" in js and "/feedback" in js
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js
    status, headers, css = request(app, "GET", "/static/widget.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert b"max-width: 480px" in css and b"focus-visible" in css


def test_demo_page_escapes_socket_url(tmp_path):
    httpd = web.make_server("127.0.0.1", 0, rasa_url="http://127.0.0.1:9",
                            socket_url='http://x"><script>alert(1)</script>', feedback_db=tmp_path / "f.db")
    _serve(httpd)
    try:
        status, headers, body = request(httpd.server_address[1], "GET", "/")
        assert status == 200
        assert "<script>alert" not in body.decode() and "&lt;script&gt;" in body.decode()
        assert "ws://" not in headers["Content-Security-Policy"]  # not a usable origin: nothing added
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_full_page_chat_still_served(app):
    status, headers, body = request(app, "GET", "/chat")
    assert status == 200
    page = body.decode()
    assert "ZUSM hospital assistant" in page
    assert '<script src="/static/chat.js"' in page
    assert 'href="/static/chat.css"' in page

    status, headers, js = request(app, "GET", "/static/chat.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    js = js.decode()
    assert WEBHOOK in js and "localStorage" in js and "textContent" in js
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js

    status, headers, css = request(app, "GET", "/static/chat.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert b"pre-line" in css


def test_vendor_serves_socketio_client_only(app):
    status, headers, body = request(app, "GET", "/vendor/socket.io.min.js")
    if not web.VENDOR_FILES["socket.io.min.js"].is_file():
        assert status == 404  # `make widget-deps` not run
    else:
        assert status == 200 and "javascript" in headers["Content-Type"] and b"Socket.IO v4" in body[:200]
    for path in ("/vendor/", "/vendor/../server.py", "/vendor/socket.io.js", "/vendor/package.json"):
        assert request(app, "GET", path)[0] == 404, path


def _feedback(port, obj, headers=None):
    raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return request(port, "POST", "/feedback", raw, {"Content-Type": "application/json", **(headers or {})})


def test_feedback_is_stored_and_summarised(app, feedback_db):
    from bot.web.feedback import FeedbackStore, report

    ans = "Second Affiliated Hospital: 4 campuses (~3200 beds).\nSource: ZUSM Medical Network"
    assert _feedback(app, {"id": "a" * 16, "vote": "down", "question": "beds at sahzu?", "answer": ans,
                           "source": "Source: ZUSM Medical Network", "sender": "someone"})[0] == 204
    assert _feedback(app, {"id": "b" * 16, "vote": "down", "question": "how many beds 2nd hospital",
                           "answer": ans, "source": "Source: ZUSM Medical Network"})[0] == 204
    assert _feedback(app, {"id": "c" * 16, "vote": "up", "question": "founded?", "answer": "In 1912.",
                           "source": ""})[0] == 204
    # a changed vote replaces the earlier one
    assert _feedback(app, {"id": "c" * 16, "vote": "down", "question": "founded?", "answer": "In 1912."})[0] == 204
    assert _feedback(app, {"id": "c" * 16, "vote": "up", "question": "founded?", "answer": "In 1912."})[0] == 204

    store = FeedbackStore(feedback_db)
    rows = store.rows()
    assert len(rows) == 3
    assert set(rows[0]) == {"id", "question", "answer", "source", "vote", "time"}  # nothing about the visitor
    assert "someone" not in json.dumps(rows)
    worst = store.summary()[0]
    assert (worst["down"], worst["up"]) == (2, 0) and worst["source"] == "Source: ZUSM Medical Network"
    assert worst["questions"] == ["beds at sahzu?", "how many beds 2nd hospital"]
    text = report(store)
    assert "3 votes (1 up, 2 down)" in text and "down 2 / up 0" in text and "asked as: beds at sahzu?" in text
    assert "In 1912." not in text  # only answers with a thumbs-down are listed


@pytest.mark.parametrize("body", [
    b"not json", b"[1, 2]", b"\xff\xfe", b"[" * 5000,
    json.dumps({"id": "a" * 16, "vote": "meh", "answer": "x"}).encode(),
    json.dumps({"id": "short", "vote": "up", "answer": "x"}).encode(),
    json.dumps({"id": "a" * 16, "vote": "up", "answer": ""}).encode(),
    json.dumps({"id": "a" * 16, "vote": "up", "answer": 5}).encode(),
])
def test_feedback_rejects_bad_bodies(app, body):
    status, _, resp = _feedback(app, body)
    assert status == 400 and "error" in json.loads(resp)


def test_feedback_limits_and_cors(app):
    status, _, _ = _feedback(app, b"{" + b" " * (web.MAX_FEEDBACK_BYTES + 10) + b"}")
    assert status == 413
    # preflight: only configured origins get CORS headers
    status, headers, _ = request(app, "OPTIONS", "/feedback", None, {"Origin": "https://hospital.example"})
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "https://hospital.example"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    status, headers, _ = request(app, "OPTIONS", "/feedback", None, {"Origin": "https://evil.example"})
    assert status == 204 and "Access-Control-Allow-Origin" not in headers
    status, headers, _ = _feedback(app, {"id": "d" * 16, "vote": "up", "answer": "ok"},
                                   {"Origin": "https://hospital.example"})
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "https://hospital.example"
    assert request(app, "GET", "/feedback")[0] == 405


def test_static_rejects_traversal_and_unknown(app):
    for path in ("/static/../server.py", "/static/..%2Fserver.py", "/static/server.py",
                 "/static/nope.js", "/nope"):
        status, _, _ = request(app, "GET", path)
        assert status == 404, path


def test_healthz(app):
    status, _, body = request(app, "GET", "/healthz")
    assert status == 200 and body == b"ok"


def test_faq_page_lists_every_question(app):
    status, headers, body = request(app, "GET", "/faq")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    data = load_faq_yaml()
    for entry in data["entries"]:
        for q in entry["questions"]:
            assert html.escape(q) in page, q
        assert html.escape(entry["answer"].strip()) in page, entry["id"]
        assert entry["page"] in page


def test_faq_page_escapes_html(tmp_path, fake_rasa):
    faq = tmp_path / "faq.yml"
    faq.write_text(yaml.safe_dump({"version": 1, "entries": [{
        "id": "x<y>",
        "questions": ["<script>alert(1)</script> & more?", "second"],
        "answer": 'A "quoted" <b>bold</b> answer.',
        "page": "<img src=x onerror=alert(1)>",
        "section": "<i>s</i>",
    }]}), encoding="utf-8")
    httpd = web.make_server("127.0.0.1", 0, rasa_url="http://127.0.0.1:9", faq_path=faq,
                            feedback_db=tmp_path / "f.db")
    _serve(httpd)
    try:
        port = httpd.server_address[1]
        status, _, body = request(port, "GET", "/faq")
        page = body.decode()
        assert status == 200
        assert "<script>alert" not in page and "<b>bold" not in page and "<img src=x" not in page
        assert "<i>s</i>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more?" in page
        assert "&lt;b&gt;bold&lt;/b&gt;" in page
        status, _, body = request(port, "GET", "/faq.json")
        assert status == 200
        assert json.loads(body)["entries"][0]["questions"][0].startswith("<script>")
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_faq_json_matches_yaml(app):
    status, headers, body = request(app, "GET", "/faq.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    data = json.loads(body)
    yml = load_faq_yaml()
    assert len(data["entries"]) == len(yml["entries"])
    assert [e["id"] for e in data["entries"]] == [e["id"] for e in yml["entries"]]
    first = data["entries"][0]
    assert {"id", "questions", "answer", "page"} <= set(first)


def test_proxy_forwards_body_and_returns_reply(app, fake_rasa):
    payload = {"sender": "test-sender-1", "message": "When was SAHZU founded? <script>x</script>"}
    raw = json.dumps(payload).encode()
    before = len(fake_rasa.received)
    status, headers, body = request(app, "POST", WEBHOOK, raw, {"Content-Type": "application/json"})
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert fake_rasa.received[before:] == [(WEBHOOK, raw)]  # forwarded byte for byte
    reply = json.loads(body)
    assert reply[0]["recipient_id"] == "test-sender-1"
    assert reply[0]["text"].endswith("Source: Second Affiliated Hospital")
    assert reply[1]["buttons"] == [{"title": "Beds", "payload": "/ask_beds"}]


def test_proxy_returns_502_when_rasa_down(app_rasa_down):
    raw = json.dumps({"sender": "s", "message": "hi"}).encode()
    status, headers, body = request(app_rasa_down, "POST", WEBHOOK, raw, {"Content-Type": "application/json"})
    assert status == 502
    assert "error" in json.loads(body)


def test_proxy_rejects_large_body(app, fake_rasa):
    before = len(fake_rasa.received)
    raw = b'{"sender": "s", "message": "' + b"a" * (100 * 1024) + b'"}'
    status, _, body = request(app, "POST", WEBHOOK, raw, {"Content-Type": "application/json"})
    assert status == 413
    assert "error" in json.loads(body)
    assert len(fake_rasa.received) == before  # never reached Rasa
    # The server keeps working afterwards.
    assert request(app, "GET", "/healthz")[0] == 200


def test_proxy_accepts_body_at_limit(app, fake_rasa):
    head, tail = b'{"sender": "s", "message": "', b'"}'
    raw = head + b"a" * (web.MAX_BODY_BYTES - len(head) - len(tail)) + tail
    assert len(raw) == web.MAX_BODY_BYTES
    status, _, _ = request(app, "POST", WEBHOOK, raw, {"Content-Type": "application/json"})
    assert status == 200


def test_request_log_has_no_message_contents(app, caplog):
    secret = "my-private-symptom-text"
    raw = json.dumps({"sender": "s", "message": secret}).encode()
    with caplog.at_level("INFO", logger="bot.web"):
        request(app, "POST", WEBHOOK, raw, {"Content-Type": "application/json"})
        request(app, "GET", "/healthz?q=" + secret)
        time.sleep(0.1)
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.web"]
    assert any(WEBHOOK in line and " 200 " in line for line in lines)
    assert not any(secret in line for line in lines)


def test_paths_are_relative_to_repo():
    assert web.REPO_ROOT == REPO_ROOT
    assert web.DEFAULT_FAQ_PATH == FAQ_PATH
    assert (web.STATIC_DIR / "index.html").is_file()
    assert (web.STATIC_DIR / "widget.js").is_file() and (web.STATIC_DIR / "chat.html").is_file()
    assert "/work/shared" not in (REPO_ROOT / "bot" / "web" / "server.py").read_text()


def test_module_entry_point_runs():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.web.server", "--port", str(port), "--rasa-url", "http://127.0.0.1:9"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 15
        while True:
            try:
                status, _, body = request(port, "GET", "/healthz")
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        assert (status, body) == (200, b"ok")
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


# --------------------------------------------------------------- FAQ file

NUM_RE = re.compile(r"\d+(?:[.,]\d+)*")


def numbers(text: str) -> set[str]:
    """Numbers in text, with thousands separators dropped and leading zeros stripped."""
    out = set()
    for m in NUM_RE.findall(text):
        n = m.replace(",", "")
        if "." in n:
            whole, frac = n.split(".", 1)
            n = (whole.lstrip("0") or "0") + "." + frac
        else:
            n = n.lstrip("0") or "0"
        out.add(n)
    return out


def page_text(stem: str) -> str:
    """The page body, without the front matter (its seed ids would add stray numbers)."""
    text = (KNOWLEDGE / f"{stem}.md").read_text(encoding="utf-8")
    m = re.match(r"---\n.*?\n---\n", text, re.S)
    return text[m.end():] if m else text


def headings(stem: str) -> set[str]:
    return {m.strip() for m in re.findall(r"^##\s+(.+)$", page_text(stem), re.M)}


def test_numbers_helper():
    assert numbers("3,200 beds, ~3200, 1.0T, 2020/9/9, #14, 2020-09-09") == {"3200", "1.0", "2020", "9", "14"}
    assert "seed" not in page_text("zusm_medical_network")
    # An invented figure would be caught: 6,000 beds is not on the network page.
    assert "6000" not in numbers(page_text("zusm_medical_network"))


FAQ_ENTRIES = load_faq_yaml()["entries"]


def test_faq_file_shape():
    data = load_faq_yaml()
    assert data["version"] == 1
    entries = data["entries"]
    assert 20 <= len(entries) <= 40  # curated, not a copy of the pages
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)), "duplicate ids"
    pages_used = {e["page"] for e in entries}
    all_pages = {p.stem for p in KNOWLEDGE.glob("*.md")}
    assert pages_used == all_pages, f"pages without an entry: {all_pages - pages_used}"
    questions = [q.strip().lower() for e in entries for q in e["questions"]]
    assert len(questions) == len(set(questions)), "the same question is used twice"


@pytest.mark.parametrize("entry", FAQ_ENTRIES, ids=[e["id"] for e in FAQ_ENTRIES])
def test_faq_entry_is_grounded(entry):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry["id"])
    qs = entry["questions"]
    assert isinstance(qs, list) and 2 <= len(qs) <= 4
    assert all(isinstance(q, str) and q.strip() for q in qs)
    answer = entry["answer"]
    assert isinstance(answer, str) and answer.strip()
    assert len(answer) <= 450, "answers should be short (2-3 sentences)"
    assert "\n" not in answer.strip()

    page = entry["page"]
    assert (KNOWLEDGE / f"{page}.md").is_file(), f"unknown page {page}"
    if "section" in entry:
        assert entry["section"] in headings(page), f"no '## {entry['section']}' in {page}.md"
    also = entry.get("also_pages", [])
    for p in also:
        assert (KNOWLEDGE / f"{p}.md").is_file(), f"unknown page {p}"

    allowed = set()
    for p in [page, *also]:
        allowed |= numbers(page_text(p))
    invented = numbers(answer) - allowed
    assert not invented, f"numbers not found in {page}.md {also or ''}: {sorted(invented)}"


def test_faq_conflicts_report_both_pages():
    by_id = {e["id"]: e for e in FAQ_ENTRIES}
    # Number of affiliated hospitals: network page vs At A Glance (April 2022).
    comp = [e for e in FAQ_ENTRIES if {e["page"], *e.get("also_pages", [])}
            >= {"zusm_medical_network", "zusm_at_a_glance"}]
    assert comp, "no entry reports the network-size disagreement"
    text = " ".join(e["answer"] for e in comp)
    for n in ("4 comprehensive", "3 specialist", "10 non-direct", "7 affiliated", "9 non-direct", "April 2022"):
        assert n in text, n
    # Campuses of the Second Affiliated Hospital: its own page (2020/9/9) vs the network page.
    camp = by_id["sahzu-campuses"]["answer"]
    for n in ("two campuses", "Jiefang Road", "Binjiang", "2020/9/9", "4 campuses", "Hospital of Zhejiang University"):
        assert n in camp, n
