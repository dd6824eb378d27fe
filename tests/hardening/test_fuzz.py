"""Issue 7: a bounded, reproducible property-based fuzz run of the real REST channel (Hypothesis).

Whatever arrives - random bytes, random JSON of any shape, objects with sender/message of random
types, arbitrary unicode text - the answer is 200 with a list of replies or a 4xx with a JSON
error, never a 5xx or a dropped connection; and the bot still answers normally afterwards."""
from __future__ import annotations

import json

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening.conftest import assert_still_answers

EXAMPLES = 200

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=200)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=5)
                           | st.dictionaries(st.text(max_size=20), inner, max_size=5), max_leaves=20)
senders = st.text(min_size=0, max_size=300) | json_values
messages = st.text(max_size=3000) | json_values

bodies = st.one_of(
    st.binary(max_size=4096),  # not JSON at all, or invalid UTF-8
    json_values.map(lambda v: json.dumps(v).encode()),  # any JSON document
    st.fixed_dictionaries({"sender": senders, "message": messages},
                          optional={"metadata": json_values}).map(lambda d: json.dumps(d).encode()),
    # well-formed requests with arbitrary unicode text (surrogates excluded: not encodable)
    st.fixed_dictionaries({"sender": st.text(min_size=1, max_size=40).filter(str.strip),
                           "message": st.text(max_size=600)})
    .map(lambda d: json.dumps(d, ensure_ascii=False).encode("utf-8", "surrogatepass")),
)


def test_rest_channel_fuzz(stack):
    seen = {"2xx": 0, "4xx": 0}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(body=bodies)
    def one(body: bytes) -> None:
        r = requests.post(stack.url, data=body, headers={"Content-Type": "application/json"}, timeout=60)
        assert r.status_code < 500, (r.status_code, body[:200], r.text[:200])
        payload = r.json()  # every answer, success or refusal, is JSON
        if r.status_code == 200:
            assert isinstance(payload, list) and payload and all(isinstance(m, dict) for m in payload), payload
            seen["2xx"] += 1
        else:
            assert 400 <= r.status_code < 500 and isinstance(payload.get("error"), str), (r.status_code, payload)
            seen["4xx"] += 1

    one()
    print(f"fuzz: {seen['2xx']} answered, {seen['4xx']} refused with 4xx")
    # both kinds were exercised (else the strategies above are broken)
    assert seen["2xx"] > 20 and seen["4xx"] > 20, seen
    assert_still_answers(stack)
