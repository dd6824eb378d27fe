"""Telegram input channel: Rasa's connector (aiogram 2.15) with a configurable API server.

Referenced as ``bot.rasa_ext.telegram_channel.TelegramInput`` in the credentials file that
``scripts/serve.sh`` writes to models/credentials.yml when TELEGRAM_TOKEN and
TELEGRAM_WEBHOOK_URL are set. ``name()`` is ``"telegram"``, so Telegram posts updates to
``/webhooks/telegram/webhook`` as with the stock connector.

Differences from ``rasa.core.channels.telegram.TelegramInput`` (Rasa 3.6):
* ``api_url`` (or the TELEGRAM_API_URL environment variable) points the Bot API calls
  (setWebhook at start-up, getMe, sendMessage, ...) at another server: a self-hosted
  Bot API server, or a local stand-in in tests. Default: https://api.telegram.org.
* ``verify`` (the bot's username) may be left out: it is then read once from getMe.
* ``secret_token`` (TELEGRAM_SECRET_TOKEN): registered with setWebhook; updates that do
  not carry it in the X-Telegram-Bot-Api-Secret-Token header are refused (403). The stock
  connector accepts any POST to its webhook.
* The start-up setWebhook call runs in its own event loop; its aiohttp session is closed
  there, so the first reply does not reuse a session bound to a closed loop.
* A failing turn is logged and answered 200 (debug_mode off): Telegram would otherwise
  re-deliver the same update again and again.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.utils.exceptions import TelegramAPIError
from sanic import Blueprint, response
from sanic.request import Request

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramOutput(RasaTelegramOutput):
    def __init__(self, access_token: Optional[Text], api_url: Optional[Text] = None) -> None:
        server = TelegramAPIServer.from_base(api_url) if api_url else TelegramAPIServer.from_base(
            "https://api.telegram.org")
        Bot.__init__(self, access_token, server=server)


class TelegramInput(RasaTelegramInput):
    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("access_token"),
            credentials.get("verify") or None,
            credentials.get("webhook_url"),
            api_url=credentials.get("api_url") or os.environ.get("TELEGRAM_API_URL") or None,
            secret_token=credentials.get("secret_token") or os.environ.get("TELEGRAM_SECRET_TOKEN") or None,
        )

    def __init__(
        self,
        access_token: Optional[Text],
        verify: Optional[Text],
        webhook_url: Optional[Text],
        debug_mode: bool = False,
        api_url: Optional[Text] = None,
        secret_token: Optional[Text] = None,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode=debug_mode)
        self.api_url = api_url
        self.secret_token = secret_token

    def get_output_channel(self) -> TelegramOutput:
        """The output channel; registers the webhook (and reads the bot's username) once."""
        channel = TelegramOutput(self.access_token, self.api_url)

        async def register() -> None:
            try:
                params: Dict[Text, Any] = {"url": self.webhook_url}
                if self.secret_token:
                    params["secret_token"] = self.secret_token
                await channel.request("setWebhook", params)
                if not self.verify:
                    me = await channel.get_me()
                    self.verify = me.username
            finally:
                await channel.close()  # the session belongs to this loop; a new one is made on use

        try:
            asyncio.run(register())
        except TelegramAPIError as error:
            raise RasaException("Failed to set channel webhook: " + str(error)) from error
        logger.info("telegram: webhook registered at %s", self.webhook_url)
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = super().blueprint(on_new_message)
        secret = self.secret_token

        if secret:
            @bp.middleware("request")
            async def check_secret(request: Request) -> Any:
                if request.method == "POST" and request.path.rstrip("/").endswith("/webhook"):
                    given = request.headers.get(SECRET_HEADER, "")
                    if not hmac.compare_digest(given.encode(), secret.encode()):
                        return response.text("forbidden", status=403)
                return None

        return bp
