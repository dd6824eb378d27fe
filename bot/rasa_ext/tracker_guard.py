"""Conversation store outages fail the turn loudly instead of forgetting the conversation.

Rasa 3.6 wraps the tracker store in ``FailSafeTrackerStore``: when the store (PostgreSQL, SQLite)
cannot be read, ``retrieve`` returns None and Rasa starts a brand-new conversation for that
visitor, answers without context ("how many beds does *it* have?" is lost), and saves the turn to
an in-memory store that nothing ever reads back. Once the database is back those turns are gone.

Installed when the channel modules load (before the agent creates its tracker store), this makes
a store error raise instead. The channels turn that into ``utter_action_unavailable`` ("Sorry, I
can't look that up right now. Please try again in a moment."): the visitor's message was not
processed and says so, and when the store is back the retried message is answered with the whole
stored conversation as context.
"""
from __future__ import annotations

import logging

from rasa.core import tracker_store

logger = logging.getLogger(__name__)


class ConversationStoreUnavailable(RuntimeError):
    pass


def _raise(error: Exception) -> None:
    logger.error("conversation store unreachable (%s: %s); the message is not processed and the "
                 "visitor is asked to try again", type(error).__name__, str(error).splitlines()[0] if str(error) else "")
    raise ConversationStoreUnavailable(f"conversation store unreachable: {type(error).__name__}") from error


def _create_missing_tables(store: tracker_store.TrackerStore) -> bool:
    """True if the SQL store's tables could be (re)created. Rasa creates them only at start; if the
    database was down then, Rasa still starts, and without this every later turn would fail with
    "relation events does not exist" even after the database is back."""
    if not isinstance(store, tracker_store.SQLTrackerStore):
        return False
    try:
        store.Base.metadata.create_all(store.engine)  # checkfirst: a no-op for existing tables
        return True
    except Exception:  # still unreachable
        return False


async def _retrieve(self, sender_id):
    try:
        return await self._tracker_store.retrieve(sender_id)
    except Exception as first:
        import sqlalchemy.exc

        if isinstance(first, sqlalchemy.exc.ProgrammingError) and _create_missing_tables(self._tracker_store):
            logger.warning("conversation store: created the missing tables")
            try:
                return await self._tracker_store.retrieve(sender_id)
            except Exception as again:
                self.on_tracker_store_retrieve_error(again)
        self.on_tracker_store_retrieve_error(first)
    return None  # not reached while _raise is the error callback


_original_init = tracker_store.FailSafeTrackerStore.__init__
_original_engine_kwargs = tracker_store.create_engine_kwargs


def _engine_kwargs(url):
    # After a database restart the pooled connections are dead; without a ping on checkout the
    # first turn after the outage would fail once more ("server closed the connection").
    return {**_original_engine_kwargs(url), "pool_pre_ping": True}


def _init(self, tracker_store_, on_tracker_store_error=None, fallback_tracker_store=None):
    _original_init(self, tracker_store_, on_tracker_store_error or _raise, fallback_tracker_store)


def install() -> None:
    if tracker_store.FailSafeTrackerStore.__init__ is not _init:
        tracker_store.FailSafeTrackerStore.__init__ = _init
        tracker_store.FailSafeTrackerStore.retrieve = _retrieve
        tracker_store.create_engine_kwargs = _engine_kwargs
