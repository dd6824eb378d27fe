"""Ticket-queue arithmetic for bot/rasa_ext/lock_store.py, without importing Rasa (so the kb venv's unit tests
can check it). Works on anything shaped like rasa.core.lock.Ticket: `.number`, `.expires`, `.has_expired()`."""
from __future__ import annotations

from collections import deque
from typing import Callable, Deque, Protocol, TypeVar


class TicketLike(Protocol):
    number: int
    expires: float

    def has_expired(self) -> bool: ...


T = TypeVar("T", bound=TicketLike)


def revive_ticket(tickets: Deque[T], ticket: int, make_ticket: Callable[[int], T]) -> Deque[T] | None:
    """The live queue with `ticket` back in its place (ordered by number) if it had expired, else None.

    A waiter whose ticket expired while it waited for a dead holder's ticket to expire would otherwise never
    be served: the queue empties and `now_serving` (the lowest live number, 0 when none) is never its number.
    Putting it back in number order keeps the conversation's messages in the order they arrived."""
    live = [t for t in tickets if not t.has_expired()]
    if any(t.number == ticket for t in live):
        return None
    return deque(sorted([*live, make_ticket(ticket)], key=lambda t: t.number))
