"""Visitors' wording the pages don't use: medical abbreviations, British spelling, lay words,
short-word typos, possessive names, questions about a person."""
from bot.kb.entities import _correct_token
from bot.kb.text import content_terms, normalize, spelled_out, words


def test_medical_abbreviations_are_spelled_out_on_both_sides():
    # A page that writes "CEUS" and a visitor who writes the words meet in the same terms, and back.
    assert {"contrast", "enhanced", "ultrasound"} <= set(content_terms("3500 cases of CEUS"))
    assert set(content_terms("HIPEC")) == {"hyperthermic", "intraperitoneal", "chemotherapy"}
    assert spelled_out("what is HIPEC used for") == "what is HIPEC used for (hyperthermic intraperitoneal chemotherapy)"
    assert spelled_out("how many beds") == "how many beds"


def test_british_spelling_meets_the_pages_american_spelling():
    assert words("liver tumours at the centre") == words("liver tumors at the center")


def test_four_letter_words_are_left_as_written():
    vocabulary = frozenset({"moyo", "clinic", "peak", "most", "part", "road"})
    for word in ("park", "cost", "read"):
        assert _correct_token(word, vocabulary) == word
    # The page's own misspelling of the Mayo Clinic is a spelling variant, not a typo fix.
    assert words("mayo clinic") == words("moyo clinic")


def test_a_page_word_that_extends_the_visitors_word_is_not_a_fix():
    vocabulary = frozenset({"sparking", "hospital"})
    assert _correct_token("parking", vocabulary) == "parking"
    assert _correct_token("hosptial", vocabulary) == "hospital"



def test_possessive_names_the_place(kb):
    assert [m.name for m in kb.catalog.find("what does sahzu's ultrasound team do")][:1] == ["Second Affiliated Hospital"]


def test_british_and_lay_wording_finds_the_page_sentence(composer):
    a = composer.answer("does the ultrasound team at the second affiliated hospital do microwave ablation for liver tumours")
    assert a.kind == "answer" and "microwave treatment of liver cancer" in a.text


def test_abbreviation_question_is_answered_from_the_spelled_out_sentence(composer):
    a = composer.answer("what does the GI surgery department use HIPEC for")
    assert a.kind == "answer" and "peritoneal cancer" in a.text


def test_question_about_a_person_prefers_a_sentence_that_names_one(composer):
    a = composer.answer("which professor leads the ultrasound branch of the chinese medical doctor association")
    assert "Prof. Huang Pintong" in a.text


def test_incidental_aspect_word_does_not_sink_a_matching_sentence(composer):
    # "doctors" is a staff word, but the sentence about guiding primary hospitals matches everything else.
    a = composer.answer("does the GI and anal surgery department mentor doctors at smaller local hospitals")
    assert a.kind == "answer" and "primary hospitals" in a.text


def test_unrelated_facts_still_declined_with_lay_words(composer):
    for q in ("does the second affiliated hospital have a cafeteria for visitors",
              "what salary do nurses earn at the first affiliated hospital"):
        assert composer.answer(q).kind == "decline", q


def test_irregular_verbs_and_shorthand_meet_the_pages_words():
    from bot.kb.text import stem
    assert stem("sent") == "send" and stem("bought") == "buy"
    assert words("a 3d scanner in the lab") == ["a", "three", "dimensional", "scanner", "in", "the", "laboratory"]


def test_words_of_one_root_match_across_endings():
    from bot.kb.question import prefix_match as _prefix_match
    assert _prefix_match("infectiou", {"infection"})      # "infectious" (stemmed) ~ "infection"
    assert _prefix_match("send", {"sending"})
    assert not _prefix_match("national", {"nature"})


def test_surgery_volume_is_a_count_question():
    from bot.kb.question import COUNT_QUESTION as _COUNT_QUESTION
    assert _COUNT_QUESTION.search("what surgery volume does sir run run shaw do in a year")
    assert not _COUNT_QUESTION.search("what surgery is sir run run shaw known for")


def test_words_ending_in_us_or_is_are_not_plurals():
    from bot.kb.text import stem
    assert stem("campus") == stem("campuses") == "campus"
    assert stem("famous") == "famous" and stem("diagnosis") == "diagnosis" and stem("beds") == "bed"


def test_texting_shorthand_is_spelled_out_before_the_question_is_read():
    assert normalize("hw mny studnts r at zju med skool").startswith("how many studnts")
    assert normalize("wen did sahzu strt") == "when did sahzu start"
    assert normalize("which hosp has the most beds").startswith("which hospital")


def test_being_treated_is_not_a_typo_for_created(composer):
    # "created" is an age word: the typo fix turned "my mum is being treated at..." into a founding question.
    terms = composer.terms_of("my mum is being treated at the women's hospital")
    assert "created" not in terms and "treated" in terms


def test_texting_plurals_and_affil_are_read():
    assert _correct_token("bedz", frozenset({"beds", "bed"})) == "beds"
    assert _correct_token("jazz", frozenset({"beds"})) == "jazz"  # no page word behind it: left alone
    assert "affiliated" in normalize("the 2nd affil hosp")


def test_reputation_and_location_wording(composer):
    assert "Top 3" in composer.answer("is zju's women's hospital well regarded?").text
    located = composer.answer("which zusm hospital was the first one built outside hangzhou")
    assert located.kind != "decline" and "Yiwu" in located.text


def test_a_hospital_with_its_own_section_is_a_member(composer):
    for question, name in (("is the women's hospital affiliated with zusm", "Women's Hospital"),
                           ("is there a dental hospital in the zju network?", "Stomatology Hospital")):
        answer = composer.answer(question)
        assert answer.text.startswith("Yes") and name in answer.text and answer.focus == name
        assert answer.sources and answer.sources[0].page == "zusm_medical_network"
    # A question about the place, not its membership, is answered as usual.
    assert not composer.answer("how many beds does the women's hospital have").text.startswith("Yes")


def test_texting_for_and_and():
    # ("best known for" asks what it is known for, not for a ranking)
    assert normalize("n whats it best known 4") == "and whats it known for"
    assert normalize("n the 2nd?").startswith("and the 2nd")
    assert normalize("4 campuses") == "4 campuses"  # a number stays a number
    assert normalize("how many ppl work in the dept").startswith("how many staff in the department")
    assert "older than" in normalize("is it older then the 2nd")


def test_visitors_names_for_non_direct_affiliates():
    assert "non-direct affiliated" in normalize("how many loosely affiliated hospitals")
    assert "non-direct" in normalize("how many hosp (not the main ones)")
    assert normalize("how many other affiliated ones").endswith("affiliated hospitals")
