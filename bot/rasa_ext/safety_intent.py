"""An emergency is never left to the intent classifier alone.

Referenced in config.yml after DIET and the FallbackClassifier. When the knowledge service's emergency
check (bot/kb/safety.py, plain regular expressions, no model) matches a message, its intent becomes
``emergency`` whatever DIET predicted, so the reply starts with the emergency number. DIET misreading
"my husband collapsed and isn't breathing" as small talk or a question about a department would cost more
than any other mistake the assistant can make.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.kb import safety

logger = logging.getLogger(__name__)
INTENT_RANKING = "intent_ranking"
EMERGENCY_INTENT = "emergency"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class EmergencyOverride(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "EmergencyOverride":
        return cls()

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            override(message)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data


def override(message: Message) -> Optional[Text]:
    """Set the emergency intent on a message whose text is an emergency; the previous intent, if changed."""
    text = message.get(TEXT)
    if not isinstance(text, str) or not safety.is_emergency(text):
        return None
    before = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    if before == EMERGENCY_INTENT:
        return None
    intent = {INTENT_NAME_KEY: EMERGENCY_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [intent] + [r for r in message.get(INTENT_RANKING) or [] if r.get(INTENT_NAME_KEY) != EMERGENCY_INTENT]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING, ranking, add_to_output=True)
    logger.info("emergency words: intent %s overridden", before)  # no message text at INFO
    return before
