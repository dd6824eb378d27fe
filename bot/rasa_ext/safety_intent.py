"""An emergency, a request for medical advice or a booking is never left to the intent classifier alone.

Referenced in config.yml after DIET and the FallbackClassifier. When the knowledge service's emergency
check (bot/kb/safety.py, plain regular expressions, no model) matches a message, its intent becomes
``emergency`` whatever DIET predicted, so the reply starts with the emergency number. DIET misreading
"my husband collapsed and isn't breathing" as small talk or a question about a department would cost more
than any other mistake the assistant can make. Requests for medical advice and bookings get the same
treatment (after an emergency that DIET found itself), so small talk or "out of scope" never hides them.

The same component sends a question DIET took for small talk ("so how many are there?" as a greeting), or
called out of scope while naming one of the hospitals, to the knowledge action, which declines by itself
when the pages don't say.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.kb import safety
from bot.kb.entities import Catalog
from bot.settings import get_settings

logger = logging.getLogger(__name__)
INTENT_RANKING = "intent_ranking"
EMERGENCY_INTENT = "emergency"
# Small-talk intents DIET sometimes gives a short follow-up ("so how many are there?" as a greeting).
SMALL_TALK_INTENTS = {"greet", "goodbye", "thank", "help", "affirm", "deny", "bot_challenge"}
KNOWLEDGE_INTENT = "ask_knowledge"
INTENT_FOR_CATEGORY = {"emergency": EMERGENCY_INTENT, "medical_advice": "medical_advice", "appointment": "book_appointment"}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentOverride(GraphComponent):
    def __init__(self, catalog: Optional[Catalog] = None) -> None:
        self.catalog = catalog

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "IntentOverride":
        try:
            catalog = Catalog.load(get_settings().knowledge_dir / "catalog.yml")
        except (OSError, ValueError) as exc:  # names are a help, not a requirement
            logger.warning("catalog not loaded (%s): place names will not override small talk", exc)
            catalog = None
        return cls(catalog)

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            override(message, self.catalog)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data


_SIGN_OFF = re.compile(r"^\W*(thanks|thank|thx|ty|bye|goodbye|cheers|ok|okay|great|cool)\b", re.IGNORECASE)


# "How many people work there these days?", "over what time frame is that?": a question about what the
# conversation is on, which only the knowledge action (it keeps the conversation's subject) can judge.
_POINTS_BACK = re.compile(r"\b(there|they|them|their|it|its|that|those|these|he|she|his|her)\b", re.IGNORECASE)
_ASKS = re.compile(r"\?\s*$|^\W*(how|what|when|which|who|where|is|are|was|were|does|do|did|has|have|can)\b", re.IGNORECASE)


# "How many people work there these days?", "since when has SAHZU done ultrasound diagnosis?": questions of fact
# that DIET sometimes takes for advice because of their medical words. The patterns found no request for advice,
# and the knowledge action checks again (by pattern and by meaning) before it answers.
_FACT_QUESTION = re.compile(r"^\W*(and |so |ok )?(how many|since when|when (was|were|did|is|does)|what year|in what year|"
                            r"which (hospital|department|dept|one|campus|university|school)|who (is|was|are|were) the|"
                            r"where (is|are|was))\b", re.IGNORECASE)


def _follow_up_question(text: str) -> bool:
    return len(text.split()) <= 12 and bool(_POINTS_BACK.search(text)) and bool(_ASKS.search(text))


def names_a_place(message: Message, text: str, catalog: Optional[Catalog]) -> bool:
    """DIET found a hospital or department, or the catalogue knows a name in the text ("women's?")."""
    if any(e.get("entity") in ("hospital", "department") for e in message.get(ENTITIES) or []):
        return True
    return bool(catalog and any(catalog.has_home(m.name) for m in catalog.find(text)))


def override(message: Message, catalog: Optional[Catalog] = None) -> Optional[Text]:
    """Set the safety intent the message's words call for; the previous intent, if changed."""
    text = message.get(TEXT)
    if not isinstance(text, str):
        return None
    category = safety.category(text)
    before = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    if category is None:
        place = names_a_place(message, text, catalog)
        # A question DIET calls small talk ("so how many are there?"), a bare place name ("women's?"), or
        # "out of scope" though it names one of the hospitals: the knowledge service decides (and declines
        # by itself when the pages don't say).
        if not ((before in SMALL_TALK_INTENTS and (safety.is_knowledge_question(text)
                                                   or (place and not _SIGN_OFF.search(text))))
                or (before == "out_of_scope" and (place or _follow_up_question(text)))
                or (before == "medical_advice" and _FACT_QUESTION.search(text))):
            return None
        category, wanted = "question", KNOWLEDGE_INTENT
    else:
        wanted = INTENT_FOR_CATEGORY[category]
    if before == wanted or (before == EMERGENCY_INTENT and category != "emergency"):
        return None
    intent = {INTENT_NAME_KEY: wanted, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [intent] + [r for r in message.get(INTENT_RANKING) or [] if r.get(INTENT_NAME_KEY) != wanted]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING, ranking, add_to_output=True)
    logger.info("%s words: intent %s overridden", category, before)  # no message text at INFO
    return before
