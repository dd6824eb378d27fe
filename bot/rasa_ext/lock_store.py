"""Redis lock store that does not hang a conversation after a replica dies holding its lock (scaled profile).

Rasa 3.6's ticket lock: every message of a conversation takes a numbered ticket that expires after
TICKET_LOCK_LIFETIME seconds, and waits (polling every second) until its ticket is the lowest live one. A
replica killed while handling a message leaves its ticket behind; the next message for that conversation
(e.g. the load balancer's retry on another replica) waits for it to expire. But the waiting ticket has the
same lifetime and was issued a moment later, so both usually expire within one poll: the queue is then
empty, `now_serving` is 0, never the waiter's number, and the stock `_acquire_lock` waits forever (measured:
a message after a SIGKILLed replica hung until the load balancer gave up).

Here a waiter whose own ticket expired puts it back, with a fresh expiry, in its place in the queue (ticket
numbers keep the order), so it is served as soon as nobody before it is alive. Everything else (storage
format, key prefix, the lock's non-atomic read-modify-write) is Rasa's own.

endpoints: `lock_store: {type: bot.rasa_ext.lock_store.ResilientRedisLockStore, url: ..., port: ..., ...}`
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Optional, Text

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext.tickets import revive_ticket

logger = logging.getLogger(__name__)


class ResilientRedisLockStore(RedisLockStore):
    """RedisLockStore with the expired-waiter fix above; configured like `type: redis`."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # Rasa builds custom lock stores from the endpoint config
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        deadline = time.monotonic() + 10 * LOCK_LIFETIME  # never wait forever, whatever happens in Redis
        while time.monotonic() < deadline:
            # The lock disappears when someone's cleanup saw an empty queue (our ticket had expired): recreate it.
            lock = self.get_lock(conversation_id) or TicketLock(conversation_id)
            revived = revive_ticket(lock.tickets, ticket, lambda n: Ticket(n, time.time() + LOCK_LIFETIME))
            if revived is not None:
                lock.tickets = revived
                logger.debug(f"Ticket {ticket} of conversation '{conversation_id}' expired while waiting; renewed.")
                self.save_lock(lock)
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
