"""The intent override Rasa runs after DIET (bot/rasa_ext/safety_intent.py), run in the Rasa venv.

Messages carry the intent DIET might have predicted; the override's answer is checked, not DIET's.
"""
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.kb.entities import Catalog
from bot.rasa_ext.safety_intent import override

CATALOG = Catalog.load(Path(__file__).resolve().parents[2] / "knowledge" / "catalog.yml")


def _after(text: str, predicted: str, entities: list | None = None) -> str:
    message = Message(data={"text": text, "intent": {"name": predicted, "confidence": 0.9},
                            "entities": entities or []})
    override(message, CATALOG)
    return message.get("intent")["name"]


@pytest.mark.parametrize("text, predicted, wanted", [
    ("my dad collapsed and isn't breathing", "greet", "emergency"),
    ("thanks, but my son swallowed a battery", "thank", "emergency"),
    ("hello, should i take ibuprofen for my headache", "greet", "medical_advice"),
    ("ok cancel my appointment on friday", "affirm", "book_appointment"),
    ("so how many are there", "greet", "ask_knowledge"),
    ("women's?", "greet", "ask_knowledge"),
    ("how up to date is this info", "help", "ask_knowledge"),
    ("srrsh parking", "out_of_scope", "ask_knowledge"),
    ("how many ppl work there these days", "out_of_scope", "ask_knowledge"),
    # The knowledge action keeps the conversation's subject and declines what its pages don't say.
    ("what's the weather like there", "out_of_scope", "ask_knowledge"),
    # Questions of fact DIET took for advice: no advice words, so the knowledge action decides.
    ("how many ppl work there these days", "medical_advice", "ask_knowledge"),
    ("since when has the second affiliated been doing ultrasound diagnosis?", "medical_advice", "ask_knowledge"),
])
def test_safety_words_questions_and_places_override_the_classifier(text, predicted, wanted):
    assert _after(text, predicted) == wanted


@pytest.mark.parametrize("text, predicted", [
    ("hello", "greet"), ("thanks, sahzu was helpful", "thank"), ("what can you do", "help"),
    ("what's the weather tomorrow", "out_of_scope"), ("are you a robot", "bot_challenge"),
])
def test_small_talk_and_unrelated_messages_keep_their_intent(text, predicted):
    assert _after(text, predicted) == predicted


def test_advice_diet_found_stays_unless_it_is_a_question_of_fact():
    assert _after("what should my dad eat after his bowel operation", "medical_advice") == "medical_advice"
    assert _after("how many tablets should i take", "medical_advice") == "medical_advice"  # the patterns say advice


def test_an_emergency_diet_found_is_never_downgraded():
    assert _after("should I take aspirin, my chest hurts badly", "emergency") == "emergency"


def test_a_place_diet_found_counts_too():
    entities = [{"entity": "hospital", "value": "Second Affiliated Hospital", "start": 0, "end": 5}]
    assert _after("what about that one", "out_of_scope", entities) == "ask_knowledge"
