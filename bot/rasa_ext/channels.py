"""REST input channel with request validation and a "never silent" reply.

Referenced in bot/credentials.yml as ``bot.rasa_ext.channels.GuardedRestInput``.
Because ``name()`` is still ``"rest"``, the URL stays
``POST /webhooks/rest/webhook`` and clients of the stock channel keep working.

Why not the stock ``rest`` channel:
* it calls ``request.json.get(...)`` - a JSON array or number gives a 500 and a
  stack trace, malformed JSON gives Sanic's HTML-ish error;
* it passes any message length straight to the NLU pipeline;
* when the action server is down Rasa logs the exception and the client gets
  ``[]``, which a chat widget shows as "nothing happened";
* it has no rate limit (see bot/rasa_ext/ratelimit.py: 429 with Retry-After).
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput

from bot.rasa_ext import action_timeout, ratelimit, session_cap, speedups, tracker_guard

speedups.install()
action_timeout.install()
tracker_guard.install()
session_cap.install()

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000  # larger bodies are refused outright (413)
MAX_MESSAGE_CHARS = 2_000  # longer messages are truncated, not refused
MAX_SENDER_CHARS = 256  # sender ids become tracker keys in the SQL store

# Fallback texts, used only if the domain cannot be read (keep in sync with
# bot/domain.yml: utter_action_unavailable / utter_default).
UNAVAILABLE_TEXT = (
    "Sorry, I can't look that up right now. Please try again in a moment."
)
EMPTY_MESSAGE_TEXT = (
    "Sorry, I didn't quite understand that. Could you rephrase? For example: "
    "\"How many beds does the Second Affiliated Hospital have?\""
)


def _error(status: int, message: Text) -> HTTPResponse:
    return response.json({"error": message}, status=status)


async def _read_body(request: Request) -> "bytes | None":
    """The request body, or None as soon as it is known to exceed MAX_BODY_BYTES.

    The route streams, so a 10 MB (or 100 MB, Sanic's own cap) body is refused from its
    Content-Length header or after the first megabyte, instead of being buffered whole first.
    """
    length = request.headers.get("content-length")
    if length is not None and length.strip().isdigit() and int(length) > MAX_BODY_BYTES:
        return None
    body = bytearray()
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            return bytes(body)
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None


def client_address(request: Request, trusted: list) -> "str | None":
    forwarded = ",".join(request.headers.getall("x-forwarded-for", []))
    return ratelimit.client_address(request.ip, forwarded, trusted)


def _domain_text(request: Request, utter_name: Text, default: Text) -> Text:
    """First text variation of a domain response, or ``default``.

    The running agent is on ``app.ctx.agent`` (set by rasa.core.run), so the
    wording lives in one place: the domain.
    """
    try:
        domain = request.app.ctx.agent.domain
        for variation in domain.responses.get(utter_name) or []:
            if variation.get("text"):
                return variation["text"]
    except Exception:  # agent not loaded yet, no domain, ...
        pass
    return default


class GuardedRestInput(RestInput):
    """``rest`` channel that validates input and always answers."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        # Blueprint names must be unique per Sanic app; the class name keeps
        # it distinct from the stock channel's "custom_webhook_RestInput".
        bp = Blueprint(f"custom_webhook_{type(self).__name__}")
        limiter = ratelimit.shared_limiter()
        trusted = ratelimit.trusted_proxies_from_env()

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            body = await _read_body(request)
            if body is None:
                return _error(413, f"Request body over {MAX_BODY_BYTES} bytes.")
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                return _error(400, "Body is not valid JSON.")
            if not isinstance(payload, dict):
                return _error(400, "Body must be a JSON object.")

            text = payload.get("message")
            if not isinstance(text, str):
                return _error(400, "'message' must be a string.")
            sender = payload.get("sender")
            # A missing sender would put every anonymous caller into Rasa's one shared
            # "default" conversation (and its follow-up context), so it is refused.
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
                return _error(
                    400, f"'sender' must be a non-empty string of at most {MAX_SENDER_CHARS} chars."
                )
            metadata = payload.get("metadata")
            if metadata is not None and not isinstance(metadata, dict):
                return _error(400, "'metadata' must be a JSON object.")

            recipient = sender

            denied = limiter.check(sender, client_address(request, trusted))
            if denied is not None:
                # Logged without the sender id or text: both are the visitor's.
                logger.warning("rest: rate limit (%s) reached; retry after %d s", denied.scope, denied.retry_after)
                return response.json({"error": denied.message, "retry_after": denied.retry_after},
                                     status=429, headers={"Retry-After": str(denied.retry_after)})

            if not text.strip():
                # An empty message would otherwise go through NLU and (at
                # best) produce a fallback; answer it directly and cheaply.
                return response.json(
                    [{"recipient_id": recipient,
                      "text": _domain_text(request, "utter_default", EMPTY_MESSAGE_TEXT)}]
                )

            # Truncate rather than refuse: a visitor who pastes a long text
            # still gets a normal answer. The NLU tokenizer cuts further (500).
            text = text[:MAX_MESSAGE_CHARS]

            if request.args.get("stream", "").lower() == "true":
                # keep the stock streaming mode available (no fallback there)
                return response.stream(
                    self.stream_response(
                        on_new_message, text, sender, self.name(), metadata
                    ),
                    content_type="text/event-stream",
                )

            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        collector,
                        sender,
                        input_channel=self.name(),  # not client-controlled
                        metadata=metadata,
                    )
                )
            except asyncio.CancelledError:
                logger.error("rest: handling the message timed out")
            except Exception:
                logger.exception("rest: handling the message failed")

            messages: List[Dict[Text, Any]] = collector.messages
            if not messages:
                # Typically the action server is down or timed out: Rasa logs
                # the exception and sends nothing. Tell the visitor instead.
                messages = [
                    {"recipient_id": recipient,
                     "text": _domain_text(request, "utter_action_unavailable", UNAVAILABLE_TEXT)}
                ]
            return response.json(messages)

        return bp
