"""Rasa custom actions: thin adapters between the tracker and the knowledge service."""
from __future__ import annotations

import logging
import os
import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import compat
from bot.kb.service import UNAVAILABLE_REPLY, shared_service

log = logging.getLogger(__name__)
compat.install()


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        started = time.perf_counter()
        service = shared_service()  # loaded once per worker process, on first use
        if service is None:
            dispatcher.utter_message(text=UNAVAILABLE_REPLY)
            return []
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        entities = [str(e.get("value")) for e in message.get("entities", []) if e.get("entity") in ("hospital", "department")]
        context = tracker.get_slot("kb_context") or None
        try:
            reply = service.ask(text, context if isinstance(context, dict) else None, entities)
        except Exception:  # a bug must cost one answer, not the conversation
            log.exception("knowledge service failed")
            dispatcher.utter_message(text=UNAVAILABLE_REPLY)
            return []
        # Logged without the message text: visitors' messages may contain health information.
        log.info("answered kind=%s confidence=%.3f sources=%s in %.1f ms", reply.kind, reply.confidence,
                 [s["page"] for s in reply.sources], (time.perf_counter() - started) * 1000)
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)
        return [SlotSet("kb_context", reply.context)]


class ActionOutOfScope(Action):
    """DIET's "out of scope" declines, unless the message is an emergency or asks for advice in words no
    pattern lists ("there's a man lying in the street not moving"): the service's meaning-based check
    decides before the decline."""

    def name(self) -> str:
        return "action_out_of_scope"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        service = shared_service()
        text = (tracker.latest_message or {}).get("text") or ""
        try:
            reply = service.screen(text) if service is not None else None
        except Exception:  # the decline needs no knowledge service
            log.exception("safety screen failed")
            reply = None
        if reply is None:
            dispatcher.utter_message(response="utter_out_of_scope")
        else:
            log.info("out of scope screened as kind=%s", reply.kind)
            dispatcher.utter_message(text=reply.text)
        return []


# Sanic serves the actions from worker processes (they inherit SANIC_WORKER_NAME). Loading the index
# and the encoder there, before the worker accepts connections, keeps the first visitor's question
# from paying several seconds of loading, which could exceed Rasa's action timeout
# (ACTION_TIMEOUT_SECONDS) and cost that visitor an answer. The supervising primary process never loads.
if os.environ.get("SANIC_WORKER_NAME", "").startswith("Sanic-Server"):
    shared_service()
