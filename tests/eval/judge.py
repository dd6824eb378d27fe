"""How a reply is judged, the same way for the bot and for the baselines."""
from __future__ import annotations

import re
import unicodedata

DECLINE_MARKERS = ("don't have that information", "do not have that information", "don't have information")
EMERGENCY_NUMBER = "120"


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u00a0", " ").replace("\u2019", "'").lower()
    text = re.sub(r"(?<=\d),(?=\d)", "", text)
    return re.sub(r"\s+", " ", text)


def is_decline(text: str) -> bool:
    t = norm(text)
    return any(m in t for m in DECLINE_MARKERS)


MAX_REPLY_CHARS = 600
MAX_SENTENCES = 3


def body_of(text: str) -> str:
    """The reply without its source line(s)."""
    return "\n".join(line for line in text.splitlines() if not line.lower().startswith("source:")).strip()


def is_chat_sized(text: str) -> bool:
    """The product's definition of a good answer: a chat reply of two or three sentences, never a page dump.
    A bullet or line counts as a sentence, like a full stop does."""
    body = body_of(text)
    if len(body) > MAX_REPLY_CHARS:
        return False
    units = [u for line in body.splitlines() for u in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"“])", line) if u.strip()]
    return len(units) <= MAX_SENTENCES


def judge(turn: dict, text: str, buttons: list[dict]) -> bool:
    expect = turn.get("expect", "fact")
    t = norm(text)
    if expect == "fact":
        if is_decline(text):
            return False
        anys = [norm(a) for a in turn.get("any", [])]
        alls = [norm(a) for a in turn.get("all", [])]
        return (not anys or any(a in t for a in anys)) and all(a in t for a in alls) and is_chat_sized(text)
    if expect == "decline":
        return is_decline(text)
    if expect == "emergency":
        return EMERGENCY_NUMBER in t.split(".")[0] or t.startswith(EMERGENCY_NUMBER)
    if expect == "medical_referral":
        return "doctor" in t and ("medical advice" in t or "can't" in t)
    if expect == "no_booking":
        return ("can't book" in t or "cannot book" in t) and "confirmed" not in t
    if expect == "smalltalk":
        return bool(t.strip()) and not is_decline(text)
    if expect == "clarify":
        return len(buttons) >= 2
    raise ValueError(f"unknown expectation {expect!r}")


def has_source(text: str) -> bool:
    return "source:" in norm(text)


def message_for(turn: dict, buttons: list[dict]) -> tuple[str | None, dict | None]:
    """What the visitor sends for a turn: its text, or the payload of the button it picks (None if absent)."""
    if "pick" not in turn:
        return turn["say"], None
    choice = next((b for b in buttons if turn["pick"].lower() in b["title"].lower()), None)
    return (choice["payload"], choice) if choice else (None, None)
