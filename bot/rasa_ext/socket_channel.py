"""socket.io input channel for the website widget, with the REST channel's guards.

Referenced in bot/credentials.yml as ``bot.rasa_ext.socket_channel.GuardedSocketIOInput``.
``name()`` is still ``"socketio"``: the URL (``/socket.io``), the events
(``session_request``/``session_confirm``, ``user_uttered``/``bot_uttered``) and the
settings are the stock channel's, so any socket.io Rasa client works with it.

What the stock channel does not do (Rasa 3.6):
* a ``user_uttered`` payload that is not an object, or a message that is not a
  string, raises inside the handler: the visitor gets nothing;
* no length limit on the message or on the session id (a tracker key);
* when the action server is down nothing is sent, so a widget waits forever.
Here, bad payloads are dropped with a log line, long messages are truncated as
in the REST channel, an empty message gets the default reply, and a turn that
produced no message gets ``utter_action_unavailable``. Messages over the per-session or
per-address rate limit (bot/rasa_ext/ratelimit.py) get a polite "please wait" bot message
instead of being processed.
"""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput

from bot.rasa_ext import ratelimit
from bot.rasa_ext.channels import (
    EMPTY_MESSAGE_TEXT,
    MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    UNAVAILABLE_TEXT,
)

logger = logging.getLogger(__name__)


class _CountingOutput(SocketIOOutput):
    """SocketIOOutput that remembers whether anything was sent this turn."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        self.sent += 1
        await super().send_custom_json(recipient_id, json_message, **kwargs)


def _domain_text(agent: Any, utter_name: Text, default: Text) -> Text:
    try:
        for variation in agent.domain.responses.get(utter_name) or []:
            if variation.get("text"):
                return variation["text"]
    except Exception:  # agent not loaded yet
        pass
    return default


class GuardedSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Same construction as SocketIOInput.blueprint (CORS is left to Rasa's --cors).
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        agent_holder: Dict[Text, Any] = {}
        limiter = ratelimit.shared_limiter()
        trusted = ratelimit.trusted_proxies_from_env()
        addresses: Dict[Text, Optional[Text]] = {}  # socket id -> client address, while connected

        @socketio_webhook.listener("after_server_start")
        async def _keep_app(app: Any, _loop: Any) -> None:
            agent_holder["app"] = app

        def agent() -> Any:
            app = agent_holder.get("app")
            return getattr(getattr(app, "ctx", None), "agent", None)

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict]) -> bool:
            if self.jwt_key:
                jwt_payload = None
                if auth and isinstance(auth, dict) and auth.get("token"):
                    jwt_payload = decode_bearer_token(auth.get("token"), self.jwt_key, self.jwt_algorithm)
                if not jwt_payload:
                    return False
            # engineio's Sanic driver puts a constant 127.0.0.1 into REMOTE_ADDR; the Sanic
            # request it also passes has the real peer.
            request = environ.get("sanic.request")
            peer = getattr(request, "ip", None) if request is not None else None
            addresses[sid] = ratelimit.client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), trusted)
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            addresses.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                data = {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not session_id.strip() or len(session_id) > MAX_SENDER_CHARS:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                sio.enter_room(sid, session_id)  # synchronous in python-socketio 5.9 (pinned)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                logger.warning("socketio: dropped a %s payload (expected an object)", type(data).__name__)
                return
            if self.session_persistence:
                sender_id = data.get("session_id")
                if not isinstance(sender_id, str) or not sender_id.strip() or len(sender_id) > MAX_SENDER_CHARS:
                    logger.warning("socketio: dropped a message without a valid session_id")
                    return
            else:
                sender_id = sid
            text = data.get("message", "")
            if not isinstance(text, str):
                logger.warning("socketio: dropped a message whose text is a %s", type(text).__name__)
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}

            output = _CountingOutput(sio, self.bot_message_evt)
            denied = limiter.check(sender_id, addresses.get(sid))
            if denied is not None:
                logger.warning("socketio: rate limit (%s) reached; retry after %d s", denied.scope, denied.retry_after)
                await output.send_text_message(sender_id, ratelimit.LIMITED_TEXT)
                return
            if not text.strip():
                await output.send_text_message(sender_id, _domain_text(agent(), "utter_default", EMPTY_MESSAGE_TEXT))
                return
            message = UserMessage(text[:MAX_MESSAGE_CHARS], output, sender_id,
                                  input_channel=self.name(), metadata=metadata)
            try:
                await on_new_message(message)
            except asyncio.CancelledError:
                logger.error("socketio: handling the message timed out")
            except Exception:
                logger.exception("socketio: handling the message failed")
            if not output.sent:
                await output.send_text_message(
                    sender_id, _domain_text(agent(), "utter_action_unavailable", UNAVAILABLE_TEXT))

        return socketio_webhook
