"""What `make scale-test` judges, as pure functions (unit-tested in tests/unit/test_scale_checks.py):
whether a reply answers a turn, and whether every turn of every conversation is in the tracker store."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.eval.judge import is_decline, norm

CONVERSATIONS = Path(__file__).with_name("conversations.yml")


@dataclass(frozen=True)
class Turn:
    say: str
    fact: str


@dataclass(frozen=True)
class Script:
    place: str
    turns: tuple[Turn, ...]


@dataclass
class TurnResult:
    say: str
    fact: str
    replies: list[str] = field(default_factory=list)  # bot texts as the REST channel returned them
    error: str | None = None
    seconds: float = 0.0

    @property
    def correct(self) -> bool:
        return self.error is None and reply_has_fact(self.replies, self.fact)


def load_scripts(path: Path = CONVERSATIONS) -> list[Script]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Script(c["place"], tuple(Turn(t["say"], str(t["fact"])) for t in c["turns"]))
            for c in data["conversations"]]


def reply_has_fact(replies: list[str], fact: str) -> bool:
    """Answered, not declined, and the place's own fact is in the reply (so a reply about another place, or a
    "Which one do you mean?" because the context was lost, fails)."""
    text = "\n".join(replies)
    return bool(text.strip()) and not is_decline(text) and norm(fact) in norm(text)


@dataclass(frozen=True)
class StoredEvent:
    sender_id: str
    type_name: str  # "user", "bot", "action", "slot", ...
    text: str | None


def parse_event_row(sender_id: str, type_name: str, data: str) -> StoredEvent:
    """One row of Rasa's SQL tracker store `events` table (data: the event as JSON)."""
    text = json.loads(data).get("text") if data else None
    return StoredEvent(sender_id, type_name, text)


def missing_turns(conversations: dict[str, list[TurnResult]], events: list[StoredEvent]) -> list[str]:
    """Every user message and every bot reply the client saw must be stored for its sender, in order.
    A message a load balancer retried may be stored twice (the first replica died after saving); that is no
    loss, so stored events only have to contain the expected ones as an ordered subsequence.
    Returns one line per thing missing (empty: nothing lost)."""
    by_sender: dict[str, list[StoredEvent]] = {}
    for e in events:
        if e.type_name in ("user", "bot"):
            by_sender.setdefault(e.sender_id, []).append(e)
    missing: list[str] = []
    for sender, turns in conversations.items():
        stored = by_sender.get(sender, [])
        pos = 0
        for n, turn in enumerate(turns, 1):
            expected = [("user", turn.say)] + [("bot", r) for r in turn.replies]
            for kind, text in expected:
                found = next((i for i in range(pos, len(stored))
                              if stored[i].type_name == kind and stored[i].text == text), None)
                if found is None:  # report it, and go on matching the rest after the same position
                    missing.append(f"{sender} turn {n}: {kind} message {text[:60]!r} not stored")
                else:
                    pos = found + 1
    return missing


def stored_turn_count(conversations: dict[str, list[TurnResult]], missing: list[str]) -> int:
    """Turns (user message + its replies) fully stored, given missing_turns' result."""
    lost = {line.split(":", 1)[0] for line in missing}
    return sum(1 for sender, turns in conversations.items() for n in range(1, len(turns) + 1)
               if f"{sender} turn {n}" not in lost)


# HAProxy's httplog line: `... <frontend> <backend>/<server> Tq/Tw/Tc/Tr/Ta <status> ... a/f/b/s/[+]retries ...`;
# a "+" before the retry count means the request was redispatched to another server.
_HTTPLOG = re.compile(r"\] (?P<frontend>\S+) (?P<backend>[^/\s]+)/(?P<server>\S+) [-\d]+/[-\d]+/[-\d]+/[-\d]+/(?P<ta>\d+) "
                      r"(?P<status>\d{3}) .*? \d+/\d+/\d+/\d+/(?P<redispatched>\+?)(?P<retries>\d+) ")


def lb_retries(log_lines: list[str]) -> dict[str, dict[str, int]]:
    """Per frontend: requests, retried ones (same or other server), redispatched ones, non-2xx answers."""
    out: dict[str, dict[str, int]] = {}
    for line in log_lines:
        m = _HTTPLOG.search(line)
        if not m:
            continue
        c = out.setdefault(m["frontend"], {"requests": 0, "retried": 0, "redispatched": 0, "errors": 0})
        c["requests"] += 1
        c["retried"] += int(m["retries"]) > 0
        c["redispatched"] += bool(m["redispatched"])
        c["errors"] += not m["status"].startswith("2")
    return out
