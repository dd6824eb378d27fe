"""Rasa 3.6 server <-> rasa-sdk 3.21 action server compatibility.

With ``enable_selective_domain: true`` (bot/endpoints.yml) Rasa 3.6 stops serialising the whole
domain into every action call, which measured 68 ms -> ~25 ms per answered question. Rasa 3.6
then sends neither a domain nor the domain digest that newer rasa-sdk releases expect, and
rasa-sdk 3.21 answers such a call with HTTP 449 ("send the domain"), a retry Rasa 3.6 does not
know. Our actions never read the domain, so a call without one gets an empty domain.
"""
from __future__ import annotations

from rasa_sdk.executor import ActionExecutor

_original = ActionExecutor.update_and_return_domain


def _domain_or_empty(self, payload, action_name):
    if payload.get("domain") is None and payload.get("domain_digest") is None:
        return {}
    return _original(self, payload, action_name)


def install() -> None:
    if ActionExecutor.update_and_return_domain is not _domain_or_empty:
        ActionExecutor.update_and_return_domain = _domain_or_empty
