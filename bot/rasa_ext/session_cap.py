"""A new conversation session every ``MAX_SESSION_TURNS`` visitor messages, context carried over.

Rasa loads a conversation's current session from the tracker store and replays it on every
message, so a turn costs time linear in the session's length: measured over REST, one visitor
sending 1,001 messages in one session took 544 s in all, the last ones about a second each (the
first ones ~40 ms). Anyone can make a conversation that long. Starting a new session after
``MAX_SESSION_TURNS`` (default 50) user messages keeps every turn's cost bounded; the domain's
``carry_over_slots_to_new_session: true`` keeps the follow-up context (slot ``kb_context``), and the
SQL tracker store keeps every earlier session's events (``retrieve_full_tracker``, the
retention purge).
"""
from __future__ import annotations

import logging
import os

from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import SessionStarted, UserUttered

logger = logging.getLogger(__name__)

DEFAULT_MAX_TURNS = 50


def max_turns() -> int:
    raw = os.environ.get("MAX_SESSION_TURNS", "").strip()
    value = int(raw) if raw else DEFAULT_MAX_TURNS
    if value < 0:
        raise ValueError(f"MAX_SESSION_TURNS must be >= 0 (0 = no cap), got {raw!r}")
    return value


def turns_in_current_session(tracker) -> int:
    turns = 0
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        if isinstance(event, UserUttered):
            turns += 1
    return turns


_original = MessageProcessor._has_session_expired


def install() -> None:
    cap = max_turns()
    if cap == 0 or getattr(MessageProcessor._has_session_expired, "_capped", False):
        return

    def _has_session_expired(self, tracker) -> bool:
        if _original(self, tracker):
            return True
        if self.domain.session_config.are_sessions_enabled() and turns_in_current_session(tracker) >= cap:
            logger.info("starting a new session after %d turns (MAX_SESSION_TURNS)", cap)
            return True
        return False

    _has_session_expired._capped = True
    MessageProcessor._has_session_expired = _has_session_expired
