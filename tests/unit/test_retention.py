import sqlite3

import pytest

from bot.ops.retention import purge

DAY = 86400.0


def make_store(path, rows):
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255)"
                  " NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)")
        c.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')", rows)


def test_only_conversations_idle_past_retention_are_deleted(tmp_path):
    db = tmp_path / "tracker.db"
    now = 100 * DAY
    make_store(db, [("old", now - 40 * DAY), ("old", now - 35 * DAY),
                    ("mixed", now - 90 * DAY), ("mixed", now - 1 * DAY),  # still active: kept whole
                    ("new", now - 2 * DAY)])
    assert purge(db, 30, now=now, dry_run=True) == (1, 2)
    assert purge(db, 30, now=now) == (1, 2)
    with sqlite3.connect(db) as c:
        assert sorted(r[0] for r in c.execute("SELECT DISTINCT sender_id FROM events")) == ["mixed", "new"]
        assert c.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3


def test_retention_must_be_positive(tmp_path):
    db = tmp_path / "tracker.db"
    make_store(db, [])
    with pytest.raises(ValueError):
        purge(db, 0)
