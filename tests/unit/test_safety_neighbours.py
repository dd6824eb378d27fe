"""The meaning-based safety check: nearest Rasa intent examples decide, every other intent outvotes."""
from __future__ import annotations

import json

from bot.kb import safety_neighbours
from bot.kb.safety_neighbours import SafetyNeighbours, fingerprint, load_examples, load_or_index
from bot.kb.service import KnowledgeService
from bot.settings import REPO_ROOT, get_settings

EXAMPLES = [
    ("my baby swallowed a battery and is coughing", "emergency"),
    ("grandad collapsed, pale and not moving", "emergency"),
    ("son pulled from the pool, sleepy and pale", "emergency"),
    ("what dose of paracetamol for my toddler", "medical_advice"),
    ("should my dad eat rice after his operation", "medical_advice"),
    ("how many beds does the children's hospital have", "ask_knowledge"),
    ("when was the second affiliated hospital founded", "ask_knowledge"),
    ("which campuses does the first affiliated hospital have", "ask_knowledge"),
    ("what's the weather in hangzhou", "out_of_scope"),
    ("hello there", "greet"),
]


def test_nearest_examples_decide(encoder):
    neighbours = SafetyNeighbours.index(EXAMPLES, encoder)
    vec = lambda text: encoder.encode([text])[0]
    assert neighbours.category(vec("my boy was pulled from the pool, now sleepy and pale")) == "emergency"
    assert neighbours.category(vec("paracetamol dose for a toddler?")) == "medical_advice"
    assert neighbours.category(vec("how many beds at the children's hospital")) is None
    assert neighbours.category(vec("zebra quantum violin")) is None  # near nothing: no neighbour is close enough


def test_a_split_vote_is_not_enough(encoder):
    # Two examples of each, equally near: no intent has the clear share the check needs.
    examples = [("pale sleepy boy", "emergency"), ("pale sleepy boy", "ask_knowledge"),
                ("pale boy", "emergency"), ("pale boy", "ask_knowledge")]
    neighbours = SafetyNeighbours.index(examples, encoder)
    assert neighbours.category(encoder.encode(["pale sleepy boy"])[0]) is None


def test_examples_come_from_the_rasa_nlu_files(tmp_path):
    (tmp_path / "a.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: emergency\n  examples: |\n    - my dad at [SAHZU](hospital) collapsed\n'
        '    - she is [not breathing]{"entity": "symptom"}\n- intent: other_language\n  examples: |\n    - 你好\n'
        '- synonym: sahzu\n  examples: |\n    - 2nd affiliated\n', encoding="utf-8")
    assert load_examples(tmp_path) == [("my dad at SAHZU collapsed", "emergency"), ("she is not breathing", "emergency")]
    real = load_examples(REPO_ROOT / "bot" / "data" / "nlu")
    intents = {i for _, i in real}
    assert {"emergency", "medical_advice", "ask_knowledge", "out_of_scope"} <= intents
    assert "other_language" not in intents


def test_stored_vectors_round_trip_and_stale_ones_are_rebuilt(tmp_path, encoder):
    key = fingerprint(EXAMPLES, encoder.name)
    SafetyNeighbours.index(EXAMPLES, encoder).save(tmp_path, key, encoder.name)
    loaded = SafetyNeighbours.load(tmp_path, key, encoder.name)
    assert loaded is not None and loaded.intents == [i for _, i in EXAMPLES]
    assert SafetyNeighbours.load(tmp_path, "other", encoder.name) is None      # examples changed
    assert SafetyNeighbours.load(tmp_path, key, "another/model") is None        # encoder changed
    (tmp_path / safety_neighbours.VECTORS_FILE).write_bytes(b"not numpy")
    assert SafetyNeighbours.load(tmp_path, key, encoder.name) is None          # corrupt: rebuilt, not fatal
    manifest = json.loads((tmp_path / safety_neighbours.MANIFEST_FILE).read_text())
    assert manifest["format_version"] == safety_neighbours.FORMAT_VERSION


def test_missing_store_is_encoded_at_load(tmp_path, encoder):
    nlu = tmp_path / "nlu"
    nlu.mkdir()
    (nlu / "s.yml").write_text('nlu:\n- intent: emergency\n  examples: |\n    - grandad collapsed\n', encoding="utf-8")
    neighbours = load_or_index(tmp_path / "no-index-here", nlu, encoder)
    assert neighbours.intents == ["emergency"]


def test_service_applies_it_after_the_patterns(composer, encoder):
    neighbours = SafetyNeighbours.index(EXAMPLES, encoder)
    service = KnowledgeService(composer, get_settings(), neighbours)
    reply = service.ask("my boy was pulled from the pool, now sleepy and pale")
    assert reply.kind == "emergency" and "120" in reply.text.split(".")[0]
    assert service.ask("how many beds does the children's hospital have").kind != "emergency"
    # A button payload is the bot's own text, never checked for meaning.
    assert service.ask('/ask_knowledge{"hospital": "Children\'s Hospital"}').kind not in ("emergency", "medical_advice")


def test_screen_is_the_check_before_retrieval(composer, encoder):
    # Used alone by the out-of-scope action: what DIET called out of scope still gets 120 when it means it.
    service = KnowledgeService(composer, get_settings(), SafetyNeighbours.index(EXAMPLES, encoder))
    assert service.screen("my boy was pulled from the pool, now sleepy and pale").kind == "emergency"
    assert service.screen("he collapsed and is not breathing").kind == "emergency"  # by pattern
    assert service.screen("zebra quantum violin") is None
    assert service.screen("你好，医院在哪里").kind == "other_language"
