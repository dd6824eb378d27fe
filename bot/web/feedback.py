"""Answer feedback from the chat widget (thumbs up / down), kept in a local SQLite file.

Stored per rated answer: the question, the answer, its source line, the vote and the time
(UTC, to the second), plus a random id the widget gives each answer so that a changed vote
replaces the earlier one. Nothing about the visitor (no sender/session id, IP, user agent).

    python -m bot.web.feedback [--db models/feedback.db] [--limit 10]

prints the worst-rated answers, for the people who curate knowledge/ (`make feedback`).
"""
from __future__ import annotations

import argparse
import os
import re
import sqlite3
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = Path(os.environ.get("FEEDBACK_DB", REPO_ROOT / "models" / "feedback.db"))

MAX_QUESTION = 1000
MAX_ANSWER = 4000
MAX_SOURCE = 1000
ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
VOTES = {"up": 1, "down": -1}

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id       TEXT PRIMARY KEY,   -- random per answer, set by the widget; not linked to a visitor
    question TEXT NOT NULL,
    answer   TEXT NOT NULL,
    source   TEXT NOT NULL DEFAULT '',
    vote     INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    time     TEXT NOT NULL       -- UTC, ISO 8601, seconds
);
"""


class FeedbackError(ValueError):
    """The submitted feedback is malformed (HTTP 400)."""


def _text(payload: dict[str, Any], key: str, limit: int, required: bool = True) -> str:
    value = payload.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FeedbackError(f"'{key}' must be a string")
    value = value.replace("\x00", "").strip()
    if required and not value:
        raise FeedbackError(f"'{key}' is required")
    return value[:limit]


def validate(payload: Any) -> dict[str, Any]:
    """Checked, trimmed record from a widget's JSON body (unknown keys are dropped)."""
    if not isinstance(payload, dict):
        raise FeedbackError("body must be a JSON object")
    vote = payload.get("vote")
    if vote not in VOTES:
        raise FeedbackError("'vote' must be 'up' or 'down'")
    fid = payload.get("id")
    if not isinstance(fid, str) or not ID_RE.match(fid):
        raise FeedbackError("'id' must be 8-64 letters, digits, '-' or '_'")
    return {
        "id": fid,
        "question": _text(payload, "question", MAX_QUESTION, required=False),
        "answer": _text(payload, "answer", MAX_ANSWER),
        "source": _text(payload, "source", MAX_SOURCE, required=False),
        "vote": VOTES[vote],
        "time": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    }


class FeedbackStore:
    def __init__(self, path: Path | str = DEFAULT_DB) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(SCHEMA)
        return conn

    def add(self, payload: Any) -> dict[str, Any]:
        record = validate(payload)
        conn = self._connect()
        try:
            with conn:
                conn.execute(
                    "INSERT INTO feedback (id, question, answer, source, vote, time) "
                    "VALUES (:id, :question, :answer, :source, :vote, :time) "
                    "ON CONFLICT(id) DO UPDATE SET vote = excluded.vote, time = excluded.time",
                    record,
                )
        finally:
            conn.close()
        return record

    def rows(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        conn = self._connect()
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute("SELECT * FROM feedback ORDER BY time")]
        finally:
            conn.close()

    def summary(self) -> list[dict[str, Any]]:
        """One entry per distinct answer (whitespace-normalised), worst first."""
        groups: dict[str, dict[str, Any]] = {}
        for r in self.rows():
            key = " ".join(r["answer"].split())
            g = groups.setdefault(key, {"answer": r["answer"], "source": r["source"], "up": 0, "down": 0,
                                        "questions": [], "last": r["time"]})
            g["up" if r["vote"] > 0 else "down"] += 1
            q = r["question"]
            if q and q not in g["questions"]:
                g["questions"].append(q)
            g["last"] = max(g["last"], r["time"])
            if r["source"] and not g["source"]:
                g["source"] = r["source"]
        out = list(groups.values())
        out.sort(key=lambda g: g["last"], reverse=True)  # ties: most recent first
        out.sort(key=lambda g: (g["up"] - g["down"], -g["down"]))
        return out


def report(store: FeedbackStore, limit: int = 10) -> str:
    groups = store.summary()
    if not groups:
        return f"No feedback yet ({store.path})."
    up = sum(g["up"] for g in groups)
    down = sum(g["down"] for g in groups)
    bad = [g for g in groups if g["down"] > 0][:limit]
    lines = [f"Feedback in {store.path}: {up + down} votes ({up} up, {down} down) on {len(groups)} distinct answers.",
             ""]
    if not bad:
        lines.append("No answer has a thumbs-down.")
        return "\n".join(lines)
    lines.append(f"Worst-rated answers ({len(bad)}), most thumbs-down (net) first:")
    for i, g in enumerate(bad, 1):
        lines.append("")
        lines.append(f"{i}. down {g['down']} / up {g['up']}   last vote {g['last']}")
        lines.append(textwrap.indent(textwrap.shorten(g["answer"], 300, placeholder=" ..."), "   answer:   ")
                     .replace("\n", " "))
        lines.append(f"   source:   {g['source'] or '(none: no source line)'}")
        for q in g["questions"][:3]:
            lines.append(f"   asked as: {textwrap.shorten(q, 160, placeholder=' ...')}")
        if len(g["questions"]) > 3:
            lines.append(f"   ... and {len(g['questions']) - 3} more phrasings")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Summary of the worst-rated answers")
    ap.add_argument("--db", default=str(DEFAULT_DB))
    ap.add_argument("--limit", type=int, default=10)
    args = ap.parse_args(argv)
    print(report(FeedbackStore(args.db), args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
