"""Rasa 3.6 hot-path fix, installed when the REST channel module is loaded.

Rasa validates every custom action's response with ``jsonschema.validate``, which first
re-checks the (constant) response schema itself: profiling (py-spy) showed that as the largest
share of Rasa's CPU time per answered question. A validator compiled once does the same check.
"""
from __future__ import annotations

from functools import lru_cache

import jsonschema
from rasa.core.actions.action import RemoteAction

DOCS_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the "
    "Action endpoint is valid."
)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self, result) -> bool:
    try:
        _validator().validate(result)
        return True
    except jsonschema.ValidationError as e:
        e.message += DOCS_HINT
        raise e


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
