"""make scale-test's judges: answered with the right place's fact, every turn stored, LB log counters."""
from __future__ import annotations

import json

from tests.scale.checks import (StoredEvent, TurnResult, lb_retries, load_scripts, missing_turns,
                                parse_event_row, reply_has_fact, stored_turn_count)


def test_reply_has_fact_normalises_numbers_and_rejects_declines_and_clarifications():
    assert reply_has_fact(["Children's Hospital: 2 campuses (~1,300 beds).\nSource: ..."], "1300 beds")
    assert not reply_has_fact(["Women's Hospital: 2 campuses (~1200 beds)."], "1300 beds")
    assert not reply_has_fact(["Which one do you mean? The pages describe several."], "1300 beds")
    assert not reply_has_fact(["Sorry, I don't have that information about 1300 beds"], "1300 beds")
    assert not reply_has_fact([], "1300")


def test_scripts_have_three_turns_and_distinct_places():
    scripts = load_scripts()
    assert len(scripts) >= 5
    assert all(len(s.turns) == 3 for s in scripts)
    assert len({s.place for s in scripts}) == len(scripts)


def _ev(sender, kind, text):
    return StoredEvent(sender, kind, text)


def _turns():
    return {"s1": [TurnResult("q1", "f", ["a1"]), TurnResult("q2", "f", ["a2", "a2b"])]}


def test_all_stored_in_order_even_with_a_retried_duplicate_and_other_events():
    events = [_ev("s1", "user", "q1"), _ev("s1", "bot", "a1"), _ev("s1", "user", "q2"),  # first replica died here
              _ev("s1", "user", "q2"), _ev("s1", "action", None), _ev("s1", "bot", "a2"), _ev("s1", "bot", "a2b"),
              _ev("s2", "user", "q1")]
    turns = _turns()
    missing = missing_turns(turns, events)
    assert missing == []
    assert stored_turn_count(turns, missing) == 2


def test_a_lost_reply_is_reported_and_later_turns_still_matched():
    events = [_ev("s1", "user", "q1"), _ev("s1", "user", "q2"), _ev("s1", "bot", "a2"), _ev("s1", "bot", "a2b")]
    turns = _turns()
    missing = missing_turns(turns, events)
    assert missing == ["s1 turn 1: bot message 'a1' not stored"]
    assert stored_turn_count(turns, missing) == 1


def test_order_matters_and_unknown_sender_loses_everything():
    events = [_ev("s1", "bot", "a1"), _ev("s1", "user", "q1")]
    assert "s1 turn 1: bot message 'a1' not stored" in missing_turns({"s1": [TurnResult("q1", "f", ["a1"])]}, events)
    assert len(missing_turns(_turns(), [])) == 5


def test_parse_event_row_reads_rasa_event_json():
    data = json.dumps({"event": "user", "text": "how many beds?", "parse_data": {}})
    assert parse_event_row("s", "user", data) == StoredEvent("s", "user", "how many beds?")
    assert parse_event_row("s", "slot", json.dumps({"event": "slot", "name": "x"})).text is None


def test_lb_retries_counts_redispatches_per_frontend():
    lines = [
        '127.0.0.1:1 [23/Nov/2026:16:09:04.525] rasa_in rasa_rest/rasa2 0/0/0/89/89 200 470 - - ---- 22/20/3/3/+1 0/0 '
        '"POST /webhooks/rest/webhook HTTP/1.1"',
        '127.0.0.1:2 [23/Nov/2026:16:09:04.600] rasa_in rasa_rest/rasa1 0/0/0/50/50 200 470 - - ---- 22/20/3/3/0 0/0 '
        '"POST /webhooks/rest/webhook HTTP/1.1"',
        '127.0.0.1:3 [23/Nov/2026:16:09:05.000] actions_in actions/actions2 0/0/-1/-1/30000 503 200 - - SC-- 1/1/0/0/3 0/0 '
        '"POST /webhook HTTP/1.1"',
        "Server actions/actions1 is DOWN, reason: Layer4 connection problem",
    ]
    assert lb_retries(lines) == {"rasa_in": {"requests": 2, "retried": 1, "redispatched": 1, "errors": 0},
                                 "actions_in": {"requests": 1, "retried": 1, "redispatched": 0, "errors": 1}}
