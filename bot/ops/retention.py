"""Delete stored conversations older than the retention period (visitors' messages may hold health data).

`python -m bot.ops.retention [--days 30] [--db models/tracker.db] [--dry-run]` works on the SQLite tracker
store Rasa writes (table `events`, one row per event with a UNIX `timestamp`). A conversation is deleted
whole once its newest event is older than the cut-off, so no conversation is left half-kept.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

from bot.settings import REPO_ROOT

DEFAULT_DAYS = int(os.environ.get("CONVERSATION_RETENTION_DAYS", "30"))
DEFAULT_DB = Path(os.environ.get("TRACKER_DB", REPO_ROOT / "models" / "tracker.db"))


def purge(db: Path, days: int, *, now: float | None = None, dry_run: bool = False) -> tuple[int, int]:
    """Return (conversations, events) deleted (or that would be, with dry_run)."""
    if days < 1:
        raise ValueError("retention must be at least one day")
    cutoff = (now if now is not None else time.time()) - days * 86400
    with sqlite3.connect(db) as conn:
        stale = [row[0] for row in conn.execute(
            "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?", (cutoff,))]
        events = 0
        for sender in stale:
            events += conn.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]
            if not dry_run:
                conn.execute("DELETE FROM events WHERE sender_id = ?", (sender,))
    if not dry_run and stale:
        with sqlite3.connect(db) as conn:
            conn.execute("VACUUM")  # deleted text must not linger in free pages
    return len(stale), events


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.ops.retention")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"no tracker store at {args.db}: nothing to delete")
        return 0
    conversations, events = purge(args.db, args.days, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{verb} {conversations} conversations ({events} events) older than {args.days} days from {args.db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
