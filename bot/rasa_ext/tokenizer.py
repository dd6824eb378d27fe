"""A WhitespaceTokenizer that cleans and bounds the message text first.

Referenced in config.yml as ``bot.rasa_ext.tokenizer.GuardedWhitespaceTokenizer``
(the repository root must be on PYTHONPATH when Rasa runs).
"""
from __future__ import annotations

import logging
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_ext.text_guard import clean_text

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class GuardedWhitespaceTokenizer(WhitespaceTokenizer):
    """Whitespace tokenizer with a bounded, cleaned input text.

    Why: every later component (featurizers, DIET) works on the tokens, and a
    huge or garbage-filled message is the cheapest way to make the server slow
    or run out of memory. The text is rewritten on the message itself (not
    only for tokenizing) so that token offsets, the RegexFeaturizer and the
    entity extractor all see the same string.
    """

    def _guard(self, message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str):
            return
        cleaned = clean_text(text)
        if cleaned == text:
            return
        if message.get(ENTITIES):
            # Annotated training examples carry character offsets into the
            # original text; rewriting it would silently corrupt them.
            logger.warning(
                "Not cleaning annotated example %r (entity offsets)", text[:60]
            )
            return
        message.set(TEXT, cleaned)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Cleans (normally a no-op on curated data), then tokenizes."""
        for example in training_data.training_examples:
            self._guard(example)
        return super().process_training_data(training_data)

    def process(self, messages: List[Message]) -> List[Message]:
        """Cleans each incoming message, then tokenizes it."""
        for message in messages:
            self._guard(message)
        return super().process(messages)
