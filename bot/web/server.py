"""Small web front end for the ZUSM hospital assistant.

Serves a demo page with the website chat widget (static/widget.js, which talks to
Rasa's socket.io channel), the full-page chat at /chat (proxies chat messages to Rasa's
REST channel, same origin, so the browser needs no CORS), the curated FAQ
(knowledge/faq.yml) and POST /feedback (thumbs up/down on answers, kept in SQLite).

    python -m bot.web.server --port 8080 --rasa-url http://localhost:5005

Standard library plus PyYAML only.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import socket
import sqlite3
import sys
import time
import urllib.error
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.web.feedback import DEFAULT_DB as DEFAULT_FEEDBACK_DB
from bot.web.feedback import FeedbackError, FeedbackStore

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
REPO_ROOT = PACKAGE_DIR.parents[1]  # bot/web -> bot -> repo root
KNOWLEDGE_DIR = REPO_ROOT / "knowledge"
DEFAULT_FAQ_PATH = KNOWLEDGE_DIR / "faq.yml"
# The socket.io browser client, installed by `make` (npm ci in bot/web); served as a plain file.
VENDOR_FILES = {
    "socket.io.min.js": PACKAGE_DIR / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js",
}
FEEDBACK_PATH = "/feedback"
MAX_FEEDBACK_BYTES = 16 * 1024

WEBHOOK_PATH = "/webhooks/rest/webhook"
MAX_BODY_BYTES = 64 * 1024
# Bodies above the limit are still read (and dropped) up to this size so the
# client gets a clean 413 instead of a connection reset; larger ones are not.
MAX_DRAIN_BYTES = 1024 * 1024
MAX_UPSTREAM_BYTES = 4 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0

STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
STATIC_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

CSP_TEMPLATE = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'{connect}; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CSP_TEMPLATE.format(connect=""),
}


ORIGIN_HOST_RE = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


def socket_csp_sources(socket_url: str) -> str:
    """connect-src entries for the widget's socket.io server (its http(s) and ws(s) origin)."""
    parts = urlsplit(socket_url)
    if parts.scheme not in ("http", "https") or not ORIGIN_HOST_RE.fullmatch(parts.netloc):
        return ""  # not a plain host[:port]: nothing goes into the header
    ws = "wss" if parts.scheme == "https" else "ws"
    return f" {parts.scheme}://{parts.netloc} {ws}://{parts.netloc}"

log = logging.getLogger("bot.web")


# --------------------------------------------------------------------------- FAQ


def load_faq(path: Path) -> dict[str, Any]:
    """Load and lightly normalise the FAQ file (re-read on every request)."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError("faq file must be a mapping with an 'entries' list")
    entries = data.get("entries") or []
    if not isinstance(entries, list):
        raise ValueError("'entries' must be a list")
    clean = []
    for raw in entries:
        if not isinstance(raw, dict):
            continue
        questions = raw.get("questions") or []
        if isinstance(questions, str):
            questions = [questions]
        also = raw.get("also_pages") or []
        if isinstance(also, str):
            also = [also]
        entry = {
            "id": str(raw.get("id", "")),
            "questions": [str(q) for q in questions],
            "answer": str(raw.get("answer", "")).strip(),
            "page": str(raw.get("page", "")),
        }
        if raw.get("section"):
            entry["section"] = str(raw["section"])
        if also:
            entry["also_pages"] = [str(p) for p in also]
        clean.append(entry)
    return {"version": data.get("version", 1), "entries": clean}


def page_title(stem: str, knowledge_dir: Path) -> str:
    """Title from the page's front matter (or first '# ' heading), else the stem."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", stem or ""):
        return stem
    path = knowledge_dir / f"{stem}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return stem
    m = re.search(r"^title:\s*(.+?)\s*$", text, re.M)
    if m:
        return m.group(1)
    m = re.search(r"^#\s+(.+?)\s*$", text, re.M)
    return m.group(1) if m else stem


def render_faq_html(faq: dict[str, Any], knowledge_dir: Path) -> str:
    esc = html.escape
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in faq["entries"]:
        groups.setdefault(entry["page"], []).append(entry)
    titles = {stem: page_title(stem, knowledge_dir) for stem in groups}

    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>FAQ · ZUSM hospital assistant</title>",
        '<link rel="stylesheet" href="/static/chat.css">',
        '</head><body class="faq-page">',
        '<header class="topbar"><h1>Frequently asked questions</h1>',
        '<nav><a href="/">Back to the assistant</a></nav></header>',
        '<main class="faq">',
        f'<p class="muted">{len(faq["entries"])} answers written from '
        f"{len(groups)} pages of the Zhejiang University School of Medicine website.</p>",
    ]
    if groups:
        out.append('<nav class="faq-toc"><ul>')
        for stem in groups:
            out.append(f'<li><a href="#page-{esc(stem)}">{esc(titles[stem])}</a></li>')
        out.append("</ul></nav>")
    for stem, entries in groups.items():
        out.append(f'<section id="page-{esc(stem)}" class="faq-group">')
        out.append(f"<h2>{esc(titles[stem])}</h2>")
        for entry in entries:
            out.append(f'<article class="faq-entry" id="{esc(entry["id"])}">')
            questions = entry["questions"]
            if questions:
                out.append(f"<h3>{esc(questions[0])}</h3>")
            if len(questions) > 1:
                out.append('<ul class="faq-alt">')
                out.extend(f"<li>{esc(q)}</li>" for q in questions[1:])
                out.append("</ul>")
            out.append(f'<p class="faq-answer">{esc(entry["answer"])}</p>')
            source = titles[stem]
            if entry.get("section"):
                source += f" › {entry['section']}"
            src = f"Source: {esc(source)} ({esc(stem)})"
            also = [f"{esc(page_title(p, knowledge_dir))} ({esc(p)})" for p in entry.get("also_pages", [])]
            if also:
                src += "; also " + ", ".join(also)
            out.append(f'<p class="source">{src}</p>')
            out.append("</article>")
        out.append("</section>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------ server


class ChatServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        rasa_url: str,
        faq_path: Path = DEFAULT_FAQ_PATH,
        timeout: float = DEFAULT_TIMEOUT,
        static_dir: Path = STATIC_DIR,
        knowledge_dir: Path | None = None,
        socket_url: str | None = None,
        feedback_db: Path | str = DEFAULT_FEEDBACK_DB,
        cors_origins: tuple[str, ...] = (),
    ) -> None:
        super().__init__(address, Handler)
        self.rasa_webhook = rasa_url.rstrip("/") + WEBHOOK_PATH
        # Where browsers reach Rasa's socket.io channel (may differ from the proxy's rasa_url).
        self.socket_url = (socket_url or rasa_url).rstrip("/")
        self.feedback = FeedbackStore(feedback_db)
        # Pages on these origins may embed the widget and send feedback (CORS on /feedback).
        self.cors_origins = tuple(o.rstrip("/") for o in cors_origins)
        self.faq_path = Path(faq_path)
        self.knowledge_dir = Path(knowledge_dir) if knowledge_dir else self.faq_path.parent
        self.upstream_timeout = timeout
        self.static_dir = Path(static_dir)
        # Never route the Rasa call through an environment HTTP proxy.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Handler(BaseHTTPRequestHandler):
    server: ChatServer
    server_version = "zusm-web/1"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return self.server_version

    # -- logging: one line per request, path only (no query, no bodies)

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        code_num = code.value if isinstance(code, HTTPStatus) else code
        started = getattr(self, "_started", None)
        ms = f"{(time.monotonic() - started) * 1000:.0f}ms" if started else "-"
        path = urlsplit(getattr(self, "path", "") or "").path
        log.info("%s %s %s %s %s", self.client_address[0], getattr(self, "command", "-"), path[:200], code_num, ms)

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        # send_error() logs through here before log_request; keep one line per request.
        pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug(format, *args)

    # -- helpers

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        extra = dict(extra or {})
        for k, v in SECURITY_HEADERS.items():
            self.send_header(k, extra.pop(k, v))
        for k, v in extra.items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, obj: Any) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    def _send_text(self, status: int, text: str) -> None:
        self._send(status, text.encode("utf-8"), "text/plain; charset=utf-8")

    # -- routing

    def do_GET(self) -> None:  # noqa: N802
        self._started = time.monotonic()
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            self._serve_demo()
        elif path in ("/chat", "/chat/"):
            self._serve_static("chat.html")
        elif path.startswith("/vendor/"):
            self._serve_vendor(path[len("/vendor/"):])
        elif path.startswith("/static/"):
            self._serve_static(path[len("/static/"):])
        elif path == "/healthz":
            self._send_text(200, "ok")
        elif path in ("/faq", "/faq/"):
            self._serve_faq(as_json=False)
        elif path == "/faq.json":
            self._serve_faq(as_json=True)
        elif path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
        elif path in (WEBHOOK_PATH, FEEDBACK_PATH):
            self._send_json(405, {"error": "use POST"})
        else:
            self._send_text(404, "not found")

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        self._started = time.monotonic()
        path = urlsplit(self.path).path
        if path == WEBHOOK_PATH:
            self._proxy()
        elif path == FEEDBACK_PATH:
            self._feedback()
        else:
            self._discard_body()
            self._send_text(404, "not found")

    def do_OPTIONS(self) -> None:  # noqa: N802 - CORS preflight for /feedback from embedding pages
        self._started = time.monotonic()
        self._discard_body()
        if urlsplit(self.path).path != FEEDBACK_PATH:
            self._send_text(404, "not found")
            return
        headers = self._cors_headers()
        if headers:
            headers.update({"Access-Control-Allow-Methods": "POST, OPTIONS",
                            "Access-Control-Allow-Headers": "Content-Type",
                            "Access-Control-Max-Age": "600"})
        self._send(204, b"", "text/plain; charset=utf-8", headers)

    # -- handlers

    def _serve_static(self, name: str) -> None:
        if not STATIC_NAME_RE.match(name):
            self._send_text(404, "not found")
            return
        path = self.server.static_dir / name
        ctype = STATIC_TYPES.get(path.suffix.lower())
        if ctype is None or not path.is_file():
            self._send_text(404, "not found")
            return
        self._send(200, path.read_bytes(), ctype)

    def _serve_demo(self) -> None:
        """The demo host page, with the widget's socket.io URL filled in (and allowed by the CSP)."""
        path = self.server.static_dir / "index.html"
        try:
            page = path.read_text(encoding="utf-8")
        except OSError:
            self._send_text(404, "not found")
            return
        page = page.replace("{{SOCKET_URL}}", html.escape(self.server.socket_url, quote=True))
        csp = CSP_TEMPLATE.format(connect=socket_csp_sources(self.server.socket_url))
        self._send(200, page.encode("utf-8"), STATIC_TYPES[".html"], {"Content-Security-Policy": csp})

    def _serve_vendor(self, name: str) -> None:
        path = VENDOR_FILES.get(name)
        if path is None or not path.is_file():
            if path is not None:
                log.error("%s is missing: run `make widget-deps` (npm ci in bot/web)", path)
            self._send_text(404, "not found")
            return
        self._send(200, path.read_bytes(), STATIC_TYPES[".js"])

    def _cors_headers(self) -> dict[str, str]:
        origin = self.headers.get("Origin", "")
        if origin and (origin in self.server.cors_origins or "*" in self.server.cors_origins):
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {}

    def _feedback(self) -> None:
        length = self._content_length()
        if length is None or length < 0 or self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._send_json(411, {"error": "Content-Length required"})
            return
        if length > MAX_FEEDBACK_BYTES:
            self._discard_body()
            self.close_connection = True
            self._send_json(413, {"error": f"request body too large (limit {MAX_FEEDBACK_BYTES} bytes)"})
            return
        cors = self._cors_headers()
        body = self.rfile.read(length) if length else b""
        try:
            payload = json.loads(body)
            self.server.feedback.add(payload)
        except (ValueError, RecursionError) as exc:  # FeedbackError, bad JSON and bad UTF-8 are ValueErrors
            msg = str(exc) if isinstance(exc, FeedbackError) else "body is not valid JSON"
            self._send(400, json.dumps({"error": msg}).encode(), "application/json; charset=utf-8", cors)
            return
        except sqlite3.Error as exc:
            log.error("cannot store feedback in %s: %s", self.server.feedback.path, exc)
            self._send(500, b'{"error": "feedback could not be stored"}', "application/json; charset=utf-8", cors)
            return
        self._send(204, b"", "application/json; charset=utf-8", cors)

    def _serve_faq(self, as_json: bool) -> None:
        try:
            faq = load_faq(self.server.faq_path)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            log.error("cannot load FAQ %s: %s", self.server.faq_path, exc)
            if as_json:
                self._send_json(500, {"error": "FAQ unavailable"})
            else:
                self._send_text(500, "FAQ unavailable")
            return
        if as_json:
            for entry in faq["entries"]:
                entry["page_title"] = page_title(entry["page"], self.server.knowledge_dir)
            self._send_json(200, faq)
        else:
            body = render_faq_html(faq, self.server.knowledge_dir).encode("utf-8")
            self._send(200, body, "text/html; charset=utf-8")

    def _content_length(self) -> int | None:
        raw = self.headers.get("Content-Length")
        if raw is None:
            return None
        try:
            n = int(raw)
        except ValueError:
            return -1
        return n if n >= 0 else -1

    def _discard_body(self) -> None:
        n = self._content_length()
        if n is None or n < 0 or n > MAX_DRAIN_BYTES:
            self.close_connection = True
            return
        while n > 0:
            chunk = self.rfile.read(min(n, 65536))
            if not chunk:
                break
            n -= len(chunk)

    def _proxy(self) -> None:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._send_json(411, {"error": "Content-Length required"})
            return
        length = self._content_length()
        if length is None:
            self.close_connection = True
            self._send_json(411, {"error": "Content-Length required"})
            return
        if length < 0:
            self.close_connection = True
            self._send_json(400, {"error": "bad Content-Length"})
            return
        if length > MAX_BODY_BYTES:
            self._discard_body()
            self.close_connection = True
            self._send_json(413, {"error": f"request body too large (limit {MAX_BODY_BYTES} bytes)"})
            return
        body = self.rfile.read(length) if length else b""

        req = urllib.request.Request(
            self.server.rasa_webhook,
            data=body,
            method="POST",
            # Rasa's per-address rate limit (bot/rasa_ext/ratelimit.py) sees this server as the peer;
            # it believes X-Forwarded-For from loopback (TRUSTED_PROXIES), so pass the visitor's
            # address on, after whatever proxies in front of us said.
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     "X-Forwarded-For": ", ".join(h for h in (self.headers.get("X-Forwarded-For", "").strip(),
                                                              self.client_address[0]) if h)},
        )
        try:
            with self.server.opener.open(req, timeout=self.server.upstream_timeout) as resp:
                status = resp.status
                ctype = resp.headers.get("Content-Type", "application/json")
                payload = resp.read(MAX_UPSTREAM_BYTES)
        except urllib.error.HTTPError as exc:  # Rasa answered with an error status
            status = exc.code
            ctype = exc.headers.get("Content-Type", "application/json") if exc.headers else "application/json"
            try:
                payload = exc.read(MAX_UPSTREAM_BYTES)
            except OSError:
                payload = b""
            finally:
                exc.close()
        except (TimeoutError, socket.timeout):
            log.warning("Rasa timed out after %.0fs", self.server.upstream_timeout)
            self._send_json(504, {"error": "the assistant took too long to answer"})
            return
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, (TimeoutError, socket.timeout)):
                log.warning("Rasa timed out after %.0fs", self.server.upstream_timeout)
                self._send_json(504, {"error": "the assistant took too long to answer"})
                return
            log.warning("cannot reach Rasa at %s: %s", self.server.rasa_webhook, type(reason).__name__)
            self._send_json(502, {"error": "the assistant is not reachable"})
            return
        self._send(status, payload, ctype)


# -------------------------------------------------------------------------- main


def make_server(
    host: str = "127.0.0.1",
    port: int = 8080,
    rasa_url: str = "http://localhost:5005",
    faq_path: Path | str = DEFAULT_FAQ_PATH,
    timeout: float = DEFAULT_TIMEOUT,
    socket_url: str | None = None,
    feedback_db: Path | str = DEFAULT_FEEDBACK_DB,
    cors_origins: tuple[str, ...] = (),
) -> ChatServer:
    return ChatServer((host, port), rasa_url=rasa_url, faq_path=Path(faq_path), timeout=timeout,
                      socket_url=socket_url, feedback_db=feedback_db, cors_origins=tuple(cors_origins))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="ZUSM hospital assistant web front end")
    ap.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--rasa-url", default="http://localhost:5005", help="base URL of the Rasa server")
    ap.add_argument("--faq", default=str(DEFAULT_FAQ_PATH), help="path to faq.yml")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait for Rasa")
    ap.add_argument("--socket-url", default=None,
                    help="Rasa's URL as browsers reach it, for the widget's socket.io connection (default: --rasa-url)")
    ap.add_argument("--feedback-db", default=str(DEFAULT_FEEDBACK_DB), help="SQLite file for answer feedback")
    ap.add_argument("--cors-origin", action="append", default=[],
                    help="origin of a page that embeds the widget (may send feedback); repeatable")
    args = ap.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    httpd = make_server(args.host, args.port, args.rasa_url, args.faq, args.timeout,
                        socket_url=args.socket_url, feedback_db=args.feedback_db, cors_origins=args.cors_origin)
    host, port = httpd.server_address[:2]
    log.info("serving on http://%s:%s (Rasa: %s)", host, port, httpd.rasa_webhook)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
