from bot.kb.retrieve import rrf
from bot.kb.text import content_terms


def test_rrf_rewards_items_both_rankers_like():
    fused = rrf([[1, 2, 3], [3, 1, 4]], k=60)
    assert max(fused, key=fused.get) == 1
    assert fused[3] > fused[2] and fused[3] > fused[4]
    assert abs(fused[1] - (1 / 61 + 1 / 62)) < 1e-12


def test_hybrid_finds_lexical_and_dense_matches(kb):
    q = "huang pintong ultrasound leader"
    hits = kb.retrieve(kb.encode_query(q), content_terms(q), k=5)
    assert kb.passages[hits[0].passage].page == "sahzu_ultrasound_department"
    assert hits[0].lexical_rank is not None and hits[0].dense_rank is not None


def test_entity_boost_puts_the_named_hospital_first(kb):
    q = "how many beds"
    without = kb.retrieve(kb.encode_query(q), content_terms(q), k=5)
    with_focus = kb.retrieve(kb.encode_query(q), content_terms(q), k=5, focus="Children's Hospital")
    assert "Children's Hospital" in kb.passages[with_focus[0].passage].entities
    assert [h.passage for h in without] != [h.passage for h in with_focus]


def test_the_schools_own_passages_are_lifted_less_than_a_hospitals(kb, encoder):
    from bot.kb.text import content_terms
    question = "roughly how many people teach or work for the medical school altogether"
    qvec = encoder.encode([question])[0]
    terms = sorted(content_terms(question))
    plain = [h.passage for h in kb.retrieve(qvec, terms, 8)]
    school = [h.passage for h in kb.retrieve(qvec, terms, 8, "ZUSM")]
    own = {i for i, p in enumerate(kb.passages) if "ZUSM" in p.entities}
    assert sum(p in own for p in school) >= sum(p in own for p in plain)
    assert any(p in own for p in school[:3])
