"""A bounded wait for the action server, installed when the channel modules are loaded.

Rasa 3.6 waits up to ``DEFAULT_REQUEST_TIMEOUT`` (300 s) for a custom action. A hung action server
then holds the visitor's turn (and the conversation's lock) for five minutes, and the widget shows
nothing. With ``ACTION_TIMEOUT_SECONDS`` (default 5) the call fails after that long; Rasa's
processor logs it and goes on, and the channels answer with ``utter_action_unavailable``.
The knowledge action answers in tens of milliseconds once loaded, so 5 s is generous.
"""
from __future__ import annotations

import logging
import os

from rasa.core.actions import action as rasa_action

logger = logging.getLogger(__name__)

DEFAULT_SECONDS = 5.0


def configured_seconds() -> float:
    raw = os.environ.get("ACTION_TIMEOUT_SECONDS", "").strip()
    if not raw:
        return DEFAULT_SECONDS
    value = float(raw)
    if value <= 0:
        raise ValueError(f"ACTION_TIMEOUT_SECONDS must be > 0, got {raw!r}")
    return value


def install() -> None:
    # RemoteAction.run reads this module global at call time and passes it to aiohttp as the
    # request's total timeout; the session-level 300 s default is overridden by it.
    seconds = configured_seconds()
    if rasa_action.DEFAULT_REQUEST_TIMEOUT != seconds:
        rasa_action.DEFAULT_REQUEST_TIMEOUT = seconds
        logger.info("custom action calls time out after %.1f s (ACTION_TIMEOUT_SECONDS)", seconds)
