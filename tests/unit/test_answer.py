"""Answer composition on the real pages with the fake encoder: sentence picking, conflicts,
clarification, abstention, lists."""
import pytest

from bot.kb import dialogue
from bot.kb.answer import AnswerComposer
from bot.kb.question import coverage, numbers_near
from bot.kb.service import KnowledgeService
from bot.kb.text import normalize, stem
from bot.settings import Settings


def test_fact_is_quoted_exactly_with_its_source(composer):
    a = composer.answer("how many beds does the children's hospital have")
    assert a.kind == "answer" and "~1300 beds" in a.text
    assert "Source: ZUSM Medical Network" in a.reply() and "Children's Hospital" in a.reply()
    assert len(a.reply()) <= 600


def test_the_sentence_that_answers_is_picked_not_the_passage(composer):
    a = composer.answer("who is prof huang pintong")
    assert "Huang Pintong is the leader of ultrasound branch" in a.text
    assert "30 middle-level" not in a.text


def test_reply_is_short_for_long_page_sentences(composer):
    a = composer.answer("how many employees does the second affiliated hospital have")
    assert "5,500 employees" in a.text and len(a.reply()) <= 600


def test_unknown_topic_is_declined_without_unrelated_facts(composer):
    for q in ("what are the visiting hours", "how much does parking cost",
              "how many beds does the third affiliated hospital have"):
        a = composer.answer(q)
        assert a.kind == "decline", q
        assert "don't have that information" in a.text and "official website" in a.text
        assert not any(ch.isdigit() for ch in a.text), q


def test_threshold_decides_abstention(kb):
    strict = AnswerComposer(kb, threshold=0.99, faq_threshold=2.0)
    lenient = AnswerComposer(kb, threshold=0.0, faq_threshold=2.0)
    q = "ultrasound workshop classes"
    assert strict.answer(q).kind == "decline"
    assert lenient.answer(q).kind != "decline"


def test_conflicting_pages_are_both_reported_with_dates(composer):
    a = composer.answer("how many campuses does the second affiliated hospital have")
    assert a.kind == "conflict"
    assert "two campuses" in a.text and "4 campuses" in a.text
    assert "2020-09-09" in a.text and len(a.sources) == 2


def test_conflict_on_number_of_hospitals(composer):
    a = composer.answer("how many affiliated hospitals does zusm have")
    assert a.kind == "conflict", a.text
    assert "7 affiliated hospitals" in a.text and "4 comprehesive hospitals" in a.text
    assert "April 2022" in a.text


def test_ambiguous_question_gets_buttons(composer):
    a = composer.answer("how many beds does the hospital have")
    assert a.kind == "clarify"
    titles = [b["title"] for b in a.buttons]
    assert "Children's Hospital" in titles and len(titles) >= 2
    assert all(b["payload"].startswith("/ask_knowledge{") for b in a.buttons)


def test_which_question_lists_the_places(composer):
    a = composer.answer("which hospitals are jci accredited")
    assert a.kind == "list" and "First Affiliated Hospital" in a.text and "Second Affiliated Hospital" in a.text


def test_section_list(composer):
    a = composer.answer("what are the cooperated hospitals")
    assert all(name in a.text for name in ("Shaoxing", "Ningbo", "Lishui", "Zhoushan", "Taizhou"))


def test_overview_when_only_a_name_is_given(composer):
    a = composer.answer("tell me about the second affiliated hospital")
    assert a.kind == "overview" and "1869" in a.text


def test_typos_and_abbreviations(composer):
    assert "1869" in composer.answer("when was the secnd affiliated hosptial founded").text
    assert "~1300 beds" in composer.answer("beds childrens hospital").text


def test_coverage_weights_rare_words():
    idf = {"bed": 1.0, "ultrasound": 3.0}
    assert coverage(["bed", "ultrasound"], {"ultrasound"}, idf, 5.0) == pytest.approx(0.75)
    assert coverage(["parking"], {"bed"}, idf, 5.0) == 0.0
    assert coverage([stem("founded")], {stem("began")}, idf, 5.0) == 1.0  # same aspect, other word


def test_numbers_near_counts():
    assert numbers_near("The hospital currently has two campuses, Jiefang Road", "campus") == {"2"}
    assert numbers_near("4 campuses (~3200 beds)", "bed") == {"3200"}


def test_close_faq_question_gets_the_curated_answer(kb):
    composer = AnswerComposer(kb, threshold=0.4, faq_threshold=0.8)
    entry = kb.stored.faq[0]
    a = composer.answer(entry.questions[0])
    assert a.kind == "faq" and a.text == entry.answer and a.sources[0].page == entry.page


def test_faq_of_another_hospital_is_not_used(kb):
    composer = AnswerComposer(kb, threshold=0.4, faq_threshold=0.5)
    a = composer.answer("how many beds does the children's hospital have")
    assert "Children's Hospital" in a.reply() and "3,200" not in a.text


def test_judge_requires_chat_sized_answers():
    from tests.eval.judge import judge

    turn = {"expect": "fact", "any": ["1300"]}
    assert judge(turn, "Children's Hospital: 2 campuses (~1300 beds).\nSource: ZUSM Medical Network", [])
    dump = "\n".join(["• Top 5 childrens hospital in China", "• 2 campuses (~1300 beds)", "• Pediatric Critical Care",
                      "• State Clinical Research Center for pediatric"])
    assert not judge(turn, dump, [])
    assert not judge(turn, "Sorry, I don't have that information about 1300.", [])


def test_department_is_not_moved_to_another_hospital(composer):
    a = composer.answer("does the 4th affiliated hospital have an ultrasound department")
    assert a.kind == "decline" and "Second Affiliated Hospital" in a.text
    a = composer.answer("which hospital is the ultrasound department in")
    assert a.kind == "answer" and "Second Affiliated Hospital" in a.text and a.sources
    a = composer.answer("which hospital is the gastrointestinal and anal surgery department part of")
    assert a.kind == "decline" and "doesn't name its hospital" in a.text


def test_superlative_orders_by_the_stated_number(composer):
    a = composer.answer("which hospital has the most beds")
    assert a.kind == "list" and a.text.index("5000") < a.text.index("1300")


def test_procedural_questions_are_declined_not_answered_with_a_description(composer):
    a = composer.answer("how do I apply to zusm as an international student")
    assert a.kind == "decline", a.text


def test_visit_logistics_the_pages_never_state_are_declined(composer):
    # The named hospital and "visiting" are on the pages (visiting professors); opening hours are not.
    for q in ("what are the visiting hours at the 2nd hospital", "how much does an MRI scan cost at sahzu",
              "how long is the waiting list for laparoscopic surgery at the gi dept"):
        assert composer.answer(q).kind == "decline", q



def test_a_list_of_fields_answers_what_a_hospital_is_strong_in(composer, kb):
    from bot.kb.text import ENUMERATION_TERMS, is_enumeration
    assert is_enumeration("Pediatric Critical Care, Pediatric Gastroenterology, Pediatric Respiratory")
    assert not is_enumeration("The hospital currently has two campuses, Jiefang Road and Binjiang, with 3,200 beds")
    listed = next(i for i, s in enumerate(kb.stored.sentences) if s["text"].startswith("Organ Transplantation"))
    assert ENUMERATION_TERMS <= kb.sentence_terms[listed]
    a = composer.answer("what specialties is the first affiliated hospital strong in")
    assert "Organ Transplantation" in a.text, a.text


def test_count_nouns_are_found_through_synonyms():
    from bot.kb.question import count_nouns_of
    assert "campus" in count_nouns_of("how many sites does the 2nd hospital have")
    assert "campus" not in count_nouns_of("where is the 2nd hospital")
    assert count_nouns_of("how many beds") == {"bed"}


def test_campus_conflict_is_reported_when_asked_with_another_word(composer):
    a = composer.answer("2nd hosp how many sites in total")
    assert a.kind == "conflict", a.text
    assert "4 campuses" in a.text and "two campuses" in a.text


def test_a_role_question_needs_a_named_person(composer):
    a = composer.answer("who is the dean of the medical school")
    assert a.kind == "decline", a.text


def test_a_year_the_pages_do_not_cover_is_declined_with_the_years_they_do(kb):
    composer = AnswerComposer(kb, threshold=0.0, faq_threshold=2.0)  # only the year check may decline
    a = composer.answer("how many ct inspections did sahzu radiology do in 2023")
    assert a.kind == "decline" and "2006" in a.text, a.text
    a = composer.answer("how many ct inspections did sahzu radiology do in 2006")
    assert "57,402" in a.text, a.text


def test_how_recent_the_information_is_comes_from_the_page_dates(composer):
    a = composer.answer("how up to date is this information?")
    assert "updated April 2022" in a.text and "carry no date" in a.text, a.text
    assert "ZUSM At A Glance (updated April 2022)" in a.reply().split("Source:")[1]


def test_what_the_visitor_sets_aside_is_not_the_answer(kb):
    from bot.kb.question import excluded_terms
    assert excluded_terms("apart from CT and MRI, which imaging machines did radiology buy first?") == {
        "computed", "tomography", "magnetic", "resonance"}
    composer = AnswerComposer(kb, threshold=0.0, faq_threshold=2.0)
    a = composer.answer("besides ct and mri, what was sahzu radiology the first in zhejiang to purchase")
    assert "mammography" in a.text, a.text


def test_how_big_means_beds(composer):
    a = composer.answer("how big is the women's hospital")
    assert "1200 beds" in a.text, a.text


def test_counting_hospitals_is_a_question_about_the_network(composer):
    from bot.kb.question import numbers_near
    # A rank is not a count: "#14 of the Best Hospitals", "Top 3 womens hospital".
    assert numbers_near("rank 14 of the best hospitals in china", "hospital") == set()
    assert numbers_near("Top 3 womens hospital in China", "hospital") == set()
    assert numbers_near("3 campuses (~2500 beds) including the Hospital", "hospital") == set()
    a = composer.answer("how many affiliated hospitals are there")
    assert "7 affiliated hospitals" in a.text or "10 non-direct" in a.text, a.text


def test_two_places_compared_by_their_stated_numbers(composer):
    a = composer.answer("which has more beds, the women's or the children's hospital?")
    assert "~1300 beds" in a.text and "~1200 beds" in a.text and "So the Children's Hospital has more beds." in a.text, a.text
    assert len(a.sources) == 2


def test_listing_hospitals_with_no_place_named_means_the_schools_network(kb):
    # The curated entries are about the school; with nothing named, "which hospitals" still asks about it.
    composer = AnswerComposer(kb, threshold=0.4, faq_threshold=0.5)
    a = composer.answer("what are the names of the hospitals")
    assert a.kind == "faq" and a.focus == "ZUSM", a
    assert "Sir Run Run Shaw Hospital" in a.text and "Stomatology" in a.text, a.text
    a = composer.answer("what hospitals are there?")
    assert a.kind == "faq" and a.focus == "ZUSM" and a.sources[0].page == "zusm_medical_network", a
    # A place named keeps the question about that place.
    assert composer.answer("which hospitals does the children's hospital work with").focus == "Children's Hospital"


def test_a_question_about_the_newest_needs_a_year_or_a_beginning_in_the_answer(composer):
    a = composer.answer("which campus is the newest one", "Sir Run Run Shaw Hospital")
    assert a.kind == "decline", a.text
    a = composer.answer("when did the ultrasound department start")
    assert "1984" in a.text, a.text


def test_real_words_are_not_fixed_into_page_words(kb):
    composer = AnswerComposer(kb, threshold=0.4, faq_threshold=2.0)  # adds the FAQ's words to the vocabulary
    # "funded" is not a typo of "founded"; "specialise" is what the pages call a specialty.
    assert kb.catalog.correct(["funded", "hosptial"]) == ["funded", "hospital"]
    # Two letters apart is another word, not a typo: "do they do braces?" is not about branches.
    assert kb.catalog.correct(["braces", "affilated", "ultrsound"]) == ["braces", "affiliated", "ultrasound"]
    a = composer.answer("how many research projects did the ultrasound dept get funded in the last 5 yrs")
    assert "15" in a.text, a.text


def test_admissions_are_not_answered_with_other_student_numbers(composer):
    a = composer.answer("how many students get into the md program each year")
    assert a.kind == "decline", a.text


def test_name_them_needs_names_and_world_ranking_needs_the_world(composer):
    a = composer.answer("name them pls campus", "Sir Run Run Shaw Hospital")
    assert a.kind == "decline", a.text  # the page counts its campuses, it never names them
    a = composer.answer("what about the world ranking of zusm")
    assert a.kind == "decline", a.text
    a = composer.answer("how many comprehensive hospitals are in the network")
    assert "4 comprehensive" in normalize(a.text) or "4 comprehesive" in a.text, a.text
    assert "4 comprehesive" in composer.answer("how many general hospitals does zusm have").text  # as the page spells it


def test_name_the_campuses_is_answered_where_the_page_names_them(composer):
    a = composer.answer("name them pls campus", "Second Affiliated Hospital")
    assert a.kind != "decline" and ("Jiefang" in a.text or "Hospital of Zhejiang University" in a.text), a.text
    assert composer.answer("best departments at the kids hospital").text.count("Pediatric") >= 2


def test_how_many_of_them_is_answered_by_a_share(composer):
    a = composer.answer("how many of the staff are senior", "Ultrasound")
    assert "30%" in a.text, a.text
    assert [m.name for m in composer.kb.catalog.find("the ultrsound dept at 2nd hosp")] == ["Ultrasound", "Second Affiliated Hospital"]


def test_which_is_bigger_compares_beds_and_its_is_not_always_an_unnamed_hospital(composer):
    a = composer.answer("which is bigger, the childrens hospital or the womens hospital?")
    assert "1300" in a.text and "1200" in a.text and "So the Children's Hospital has more" in a.text, a.text
    a = composer.answer("when did zhejiang get its very first ct scanner")
    assert a.kind != "clarify" and "1983" in a.text, a.text
    assert "Top 3" in composer.answer("is the women's hospital in hangzhou a good one?").text
    assert "1984" in composer.answer("how long has the 2nd affiliated been doing ultrasonography").text
    a = composer.answer("what are the names of the two foreign visiting professors in the ultrasound department")
    assert a.kind == "decline", a.text


def test_non_native_counts_and_outcome_rates(composer):
    assert normalize("how much students study in zju medicine") == "how many students in zju medicine"
    a = composer.answer("what's the success rate of ivf at the women's hospital")
    assert a.kind == "decline", a.text  # the page lists fields, it states no rate


def test_a_school_within_the_school_counted_is_not_the_whole_schools_count(composer):
    a = composer.answer("how many students are in the school of nursing at zusm")
    assert "8,000" not in a.text, a.text  # the whole school's count is not the nursing school's


def test_which_hospitals_with_a_greeting_lists_the_networks_hospitals(kb):
    composer = AnswerComposer(kb, threshold=0.4, faq_threshold=2.0)  # no FAQ: the list comes from the catalogue
    a = composer.answer("hi there, which hospitals does zju medicine have?")
    assert a.kind == "list" and "Sir Run Run Shaw Hospital" in a.text and "Children's Hospital" in a.text, a.text
    assert a.sources[0].page == "zusm_medical_network"


def test_most_beds_names_the_winner_in_its_page_words_then_the_others(composer):
    a = composer.answer("which hospital has the most beds?")
    assert a.kind == "list" and a.text.index("First Affiliated") < a.text.index("Second Affiliated"), a.text
    assert "~5000 beds" in a.text and "3,200" in a.text and len(a.text) <= 480, a.text
    assert a.focus == "First Affiliated Hospital"  # "how many campuses does it have?" means that one


def test_fewest_campuses_reports_a_tie_as_a_tie(composer):
    a = composer.answer("which hospital has the fewest campuses")
    assert a.kind == "list" and "2 each" in a.text and a.focus is None, a.text


def test_a_count_only_one_place_states_is_said_to_be_the_only_one(composer):
    a = composer.answer("which hospital does the most surgeries a year?")
    assert "Sir Run Run Shaw" in a.text and "60,000" in a.text and "Only one place" in a.text, a.text


def test_a_conflict_worded_as_a_check_with_a_story_still_reports_both_pages(composer):
    a = composer.answer("my uncle reckons the 2nd affiliated only has the jiefang rd and binjiang sites, is that right?")
    assert a.kind == "conflict" and "two campuses" in a.text and "4 campuses" in a.text, a.text
    a = composer.answer("i saw somewhere zusm has 9 non direct affiliated hosps, is that right?")
    assert a.kind == "conflict" and "9 non-direct" in a.text and "10 non-direct" in a.text, a.text


def test_tell_me_a_bit_about_a_hospital_gives_its_profile(composer):
    a = composer.answer("what's notable about the 4th affiliated hospital?")
    assert a.kind == "overview" and "Yiwu" in a.text, a.text


def test_which_is_older_compares_founding_years_in_the_pages_words(composer):
    a = composer.answer("is the second hospital actually older than the medical school itself?")
    assert "1869" in a.text and "1912" in a.text and "So the Second Affiliated Hospital is older." in a.text, a.text


def test_who_is_the_director_of_a_hospital_is_not_a_departments_professor(composer):
    a = composer.answer("who is the director at sahzu")
    assert a.kind == "decline", a.text


def test_membership_of_a_hospital_the_pages_only_list_is_answered_from_the_list(composer):
    a = composer.answer("is ningbo hospital part of the zju medical network?")
    assert a.kind == "answer" and "Ningbo Hospital" in a.text and "Cooperated Hospital" in a.text, a.text
    # Its beds are still not on the pages.
    assert composer.answer("how many beds does ningbo hospital have").kind == "decline"


@pytest.mark.parametrize("question", [
    "how many beds are at the binjiang campus specifically",           # the pages count the whole hospital
    "how many surgeons work in the gastrointestinal and anal surgery department",  # it counts beds and patients
    "what are the childrens hospital's 2 campuses called",              # counted, never named
    "phone number for ningbo hospital pls (the zusm cooperated one)",   # listed, but no phone number
    "whats the quickest train from shanghai to yiwu? dad's going to the 4th affiliated",
])
def test_near_misses_about_described_places_are_declined(composer, question):
    assert composer.answer(question).kind == "decline", question


def test_a_count_needs_a_number_of_that_very_thing(composer):
    # SAHZU's page counts its awards; SRRSH's section doesn't, and "dozens of" is no number.
    assert "9 National Science" in composer.answer("how many national science and technology progress awards has sahzu won").text
    assert composer.answer("how many national science and technology progress awards has SRRSH won").kind == "decline"
    assert composer.answer("exactly how many national key clinical specialties does the 2nd affiliated have").kind == "decline"


def test_a_count_narrowed_by_a_word_the_visitor_did_not_use_is_marked():
    from bot.kb.question import count_is_qualified as _qualified_count
    sentence = "With more than 500 international students, and around 1,350 faculty and students participate."
    assert _qualified_count(sentence, {"student"}, ["student"])
    assert not _qualified_count(sentence, {"student"}, ["international", "student"])
    assert not _qualified_count("It is home to over 8,000 students.", {"student"}, ["student"])


def test_a_place_outside_the_pages_is_never_answered_for(composer):
    for question, other in (("is the second affiliated ranked higher than peking union medical college hospital?", "Peking Union"),
                            ("how does sir run run shaw compare to harvard's mass general for surgery?", "Harvard's Mass General"),
                            ("best hospital in shanghai for cardiac surgery?", "Shanghai")):
        answer = composer.answer(question)
        assert answer.kind == "decline" and other in answer.text, question
    # The pages' own places, and numbers after "more than", are compared as before.
    assert composer.answer("does the second affiliated hospital have more beds than the children's hospital").kind != "decline"
    assert composer._outside_place("does sahzu have more than 3000 beds") is None
    assert composer._outside_place("is sahzu older than the medical school") is None


def test_membership_of_a_listed_hospital_does_not_answer_when_it_joined(composer):
    assert composer.answer("is jinhua hospital part of zju").text.startswith("Yes")
    assert composer.answer("when did jinhua hospital become affiliated with zju").kind == "decline"


def test_rank_is_compared_only_on_the_same_list(composer):
    same = composer._compare_rank(["First Affiliated Hospital", "Sir Run Run Shaw Hospital"], lower=False)
    assert "#14" in same.text and "#67" in same.text and "So the First Affiliated Hospital ranks higher" in same.text
    different = composer._compare_rank(["Second Affiliated Hospital", "Sir Run Run Shaw Hospital"], lower=False)
    assert "different lists" in different.text and "So the" not in different.text


def test_which_one_is_the_biggest_is_the_bed_count(composer):
    answer = composer.answer("which one is the biggest")
    assert "First Affiliated Hospital" in answer.text.split(".")[0] and "5000" in answer.text


def test_a_comparison_where_the_pages_disagree_gives_each_pages_number(composer):
    answer = composer.answer("does the second affiliated hospital have more campuses than sir run run shaw hospital?")
    assert "two campuses" in answer.text and "4 campuses" in answer.text and "3 campuses" in answer.text
    assert "disagree" in answer.text and "So the" not in answer.text
    assert "dated 2020-09-09" in answer.text  # each page's number with its date


def test_questions_the_pages_cannot_answer_by_their_shape(composer):
    for question in ("which of the first affiliated hospital's 6 campuses is the biggest one?",   # one campus's size
                     "are there plans for zusm to open more hospitals in the next few years?",     # plans
                     "why was zusm set up in 1912, what was the reason behind it?",                # a reason not stated
                     "can you list the names of the four master supervisors in the gi surgery department"):  # people unnamed
        assert composer.answer(question).kind == "decline", question


def test_which_universities_looks_deeper_for_the_sentence_that_names_them(composer, monkeypatch):
    # The passages that count partners ("more than 40") can fill the usual depth and hide the one naming them.
    depths = []
    retrieve = composer.kb.retrieve
    monkeypatch.setattr(composer.kb, "retrieve", lambda qvec, terms, k, focus=None: depths.append(k) or retrieve(qvec, terms, k, focus))
    composer.answer("which foreign universities does zusm partner with")
    assert depths[0] == 2 * composer.k
    depths.clear()
    composer.answer("which hospitals are jci accredited")  # places: ranked per place, at the usual depth
    assert depths[0] == composer.k


def test_what_will_be_is_not_answered_with_what_is(composer):
    assert composer.answer("the eye and ent hospital is under construction. where is it going to be located?").kind == "decline"


def test_a_rank_on_one_list_is_no_answer_for_another(composer):
    # SRRSH's page ranks it on the Best Hospitals list and for operations, not in the Performance Evaluation.
    assert composer.answer("where does srrsh rank in the national tertiary hospital performance evaluation").kind == "decline"
    assert composer.answer("where does the children's hospital rank in the nature index").kind == "decline"
    answer = composer.answer("where does sahzu rank in the national tertiary hospital performance evaluation")
    assert answer.kind == "answer" and "#9" in answer.text


def test_a_count_or_a_rank_is_no_location(composer):
    assert composer.answer("where are the two campuses of the stomatology hospital located").kind == "decline"
    assert "Jiefang" in composer.answer("where are the second affiliated hospital's campuses").text
    assert composer.answer("where is the first affiliated in the best hospitals list?").kind != "decline"


def test_a_judgement_between_two_places_is_declined(composer):
    answer = composer.answer("is run run shaw better than the first affiliated for heart surgery")
    assert answer.kind == "decline" and "which is better" in answer.text


def test_the_schools_hospital_is_one_of_several(composer):
    assert composer.answer("is the zju affiliated hospital jci accredited").kind == "clarify"
    assert composer.answer("does the zju hospital network use big data").kind != "clarify"


def test_staff_are_not_the_people_a_department_examined(composer):
    # "2006 MRI examinations reached 37,757 people" counts patients.
    assert composer.answer("how many staff work in the sahzu radiology dept").kind == "decline"


def test_a_figure_stated_as_of_a_date_is_not_todays(composer):
    first = composer.answer("how many ct machines does the sahzu radiology department have")
    assert "June 2007" in first.text
    now = composer.answer("how many ct machines does the sahzu radiology department have now")
    assert now.kind == "decline" and "as of June 2007" in now.text


def test_as_of_when_dates_the_last_answer(composer):
    context = {"last_question": "how many ct machines does the sahzu radiology department have",
               "focus": "Second Affiliated Hospital"}
    service = KnowledgeService(composer, Settings())
    reply = service.ask("as of when?", context)
    assert "June 2007" in reply.text and "2020-09-09" in reply.text and "Source:" in reply.text
    founded = service.ask("how old is that info", {"last_question": "when was zusm founded", "focus": "ZUSM"})
    assert "April 2022" in founded.text and "1912" not in founded.text  # the founding year is the fact, not its date
    assert not dialogue.asks_date_of_last_answer("as of when?", None)  # nothing said yet to date
    # An award with no year: the page's date is when it was written, so the year is not known.
    undated = service.ask("what year was that", {"last_question": "what honorary title did sahzu get for the 7.5 bus incident",
                                                  "focus": "Second Affiliated Hospital"})
    assert undated.kind == "decline" and "no date of its own" in undated.text and "2020-09-09" in undated.text


def test_digits_and_words_for_ordinals_match():
    assert stem("1st") == "first" and stem("4th") == "fourth"


def test_the_bigger_hospital_of_two_is_the_one_with_more_beds(composer):
    answer = composer.answer("which of those two is the bigger hospital (Sir Run Run Shaw Hospital or First Affiliated Hospital)?")
    assert "5000" in answer.text and "2500" in answer.text and "So the First Affiliated Hospital has more beds" in answer.text


def test_amounts_of_money_and_ratios_the_pages_never_state_are_declined(composer):
    assert composer.answer("how much funding did the precision medicine project get").kind == "decline"
    assert composer.answer("whats the student to teacher ratio at zusm").kind == "decline"


def test_which_has_the_longer_history_compares_ages(composer):
    answer = composer.answer("which has the longer history, the first affiliated hospital or the second affiliated hospital")
    assert "1869" in answer.text and "is older" in answer.text


def test_over_what_time_frame_quotes_the_period_the_page_gives(composer):
    service = KnowledgeService(composer, Settings())
    context = {"last_question": "how many research projects has the ultrasound department had funded",
               "focus": "Second Affiliated Hospital"}
    reply = service.ask("over what time frame is that", context)
    assert "5 years" in reply.text and "Source:" in reply.text


def test_founding_is_a_year_question_not_funding(composer):
    assert "1912" in composer.answer("zju med school founding year pls").text


def test_a_site_is_a_campus_unless_it_is_the_website(composer):
    assert composer.answer("how many beds at the binjiang site").kind == "decline"  # one campus's beds
    assert "website" in normalize("your site seems to say both") and "site" not in composer.terms_of("your site says 9 or 10")


def test_a_count_of_something_the_pages_never_name_or_narrow_is_declined(composer):
    for question in ("how many dental chairs does the stomatology hospital have",        # never named
                     "how many gynecologists work at the women's hospital",               # people never counted
                     "how many hematology beds are there at the first affiliated hospital"):  # a field narrows it
        assert composer.answer(question).kind == "decline", question
    assert "500" in composer.answer("how many international students does zusm have").text


def test_a_grade_given_to_one_discipline_is_not_the_others(composer):
    assert composer.answer("what grade did basic medical sciences get in the national assessment").kind == "decline"
    assert "A+" in composer.answer("what grade did clinical medicine get in the national assessment").text


def test_a_duration_must_be_stated(composer):
    question = "how long do faculty and students stay abroad in the overseas mobility programs"
    assert composer.answer(question).kind == "decline"
    assert "8-year" in composer.answer("how long is the md program at zusm").text


def test_a_campus_named_alone_is_one_campus(composer):
    assert composer.answer("how many beds at binjiang").kind == "decline"
    assert composer.answer("how many beds does the second affiliated hospital have").kind != "decline"


def test_compare_two_places_by_a_count(composer):
    answer = composer.answer("compare beds at the women's vs the children's hospital")
    assert "1200" in answer.text and "1300" in answer.text


def test_so_far_and_train_are_not_travel(composer):
    # "How far is it?" asks a distance; "done so far" and "train students" do not.
    assert composer.answer("how far is zhoushan hospital from hangzhou").kind == "decline"
    assert "4,000" in composer.answer("how many laparoscopic surgeries has the gi surgery department done so far").text
    assert "Nanjing" in composer.answer("which universities train master students in the gastrointestinal and anal surgery department").text
    assert composer.answer("how long does it take to get to the second affiliated hospital from the airport").kind == "decline"
    # Not declined outright as travel (which carries no confidence): the question goes on to retrieval.
    assert composer.answer("how long does it take to become a doctor at zusm, how many years is the md program").confidence > 0


def test_a_count_of_the_thing_asked_beats_a_count_of_a_kind_of_it(composer):
    # "nearly 50 medical staffs" answers "how many staff", not "almost 10 professional doctors ... at present".
    answer = composer.answer("how many staff does the sahzu ultrasound department have now")
    assert "50" in answer.text, answer.text


def test_a_department_the_pages_never_mention_is_declined(composer):
    assert composer.answer("does the first affiliated hospital have a dermatology department").kind == "decline"
    assert "Nephrology" in composer.answer("does the first affiliated hospital have a nephrology department").text


def test_places_named_by_the_excluded_words_are_not_listed(composer):
    answer = composer.answer("which hospitals does zusm cooperate with outside the affiliated ones?")
    assert "First Affiliated" not in answer.text and "5 local hospitals" in answer.text


def test_dozens_of_is_the_pages_answer_but_not_an_exact_one(composer):
    answer = composer.answer("how many national key clinical specialties does the second affiliated hospital have")
    assert "dozens of national key clinical specialties" in answer.text, answer.text
    exact = composer.answer("exactly how many national key clinical specialties does the second affiliated hospital have")
    assert exact.kind == "decline"


def test_how_often_quotes_the_frequency_of_the_last_answer(composer):
    reply = KnowledgeService(composer, Settings()).ask(
        "how often", {"last_question": "what international forum does the sahzu ultrasound department hold",
                      "focus": "Second Affiliated Hospital"})
    assert "Biennial" in reply.text and "Source:" in reply.text


def test_when_a_part_of_a_place_was_set_up_is_not_the_places_founding(composer):
    assert composer.answer("when was the school of nursing at zusm set up").kind == "decline"


def test_which_hospital_is_the_one_place_whose_sentence_has_the_visitors_word(kb):
    # The school's overview of its network ranks first on "hospital ... network"; only the Women's Hospital's
    # list has neonatology, and no other place's sentence passes the threshold.
    composer = AnswerComposer(kb, threshold=0.45, faq_threshold=2.0)
    a = composer.answer("which hospital in the zusm network does neonatology")
    assert a.kind == "answer" and "Neonatology" in a.text
    assert a.focus == "Women's Hospital"


def test_the_visitors_story_is_not_part_of_the_question(composer):
    # "My mum ... next week" says who asks, not what: words the pages never use would read as a question
    # the pages can't answer.
    terms = composer.terms_of("my mum is being transferred there and my uncle heard it's old, how old is it?")
    assert "old" in terms and not {"mum", "uncle", "transferred", "heard"} & set(terms)
    # Asking us to confirm it is no part of what is asked either.
    assert composer.terms_of("heard zju is building a dental center, is that true") == ["building", "dental", "center"]


def test_campus_counts_of_one_place_on_two_pages_conflict_however_the_visitor_words_it(composer):
    a = composer.answer("does the 2nd affiliated only have the jiefang rd and binjiang sites?")
    assert a.kind == "conflict" and "two campuses" in a.text and "4 campuses" in a.text


def test_how_often_is_answered_by_a_frequency_or_declined(composer):
    # "10 years' experience" shares "year" with a question about frequency without saying how often.
    a = composer.answer("how often do they get 10 years experience in ultrasound")
    assert a.kind == "decline"
    a = composer.answer("i heard the ultrasound dept at the 2nd affiliated runs an english corner, how often")
    assert a.kind == "answer" and "once a week" in a.text


def test_a_field_after_the_counted_noun_narrows_the_count_too(composer):
    # The pages count the whole hospital's beds; a department's share is not stated.
    for q in ("how many beds does the cardiology dept at run run shaw have", "how many beds does hematology at fahzu have"):
        assert composer.answer(q).kind == "decline", q
    assert "1300" in composer.answer("how many beds does the children's hospital have").text


def test_a_hospital_the_pages_only_list_is_not_answered_from_another_hospitals_section(composer):
    a = composer.answer("does lishui hospital have a hematology department")
    assert a.kind == "decline" and "Lishui Hospital" in a.text


def test_exams_are_not_counted_by_a_sentence_that_counts_machines(composer):
    # "As of June 2007, ... 3 high-performance CT diagnostic devices" has the year, not the exams.
    assert composer.answer("how many ct scans did sahzu radiology do in 2007").kind == "decline"
    assert "57,402" in composer.answer("how many ct scans did sahzu radiology do in 2006").text


def test_a_claim_is_confirmed_only_by_a_sentence_with_its_telling_words(composer):
    # "Organ Transplantation" is no first liver transplant; "the first batch of ... cardiovascular" no heart one.
    for q in ("is it true sahzu did the first heart transplant in china", "is it true fahzu did china's first liver transplant",
              "is it true the first affiliated hospital did the first liver transplant"):
        assert composer.answer(q).kind == "decline", q
    # Who said it and common page words ("province" for "Zhejiang's") are not part of the claim.
    said = composer.answer("my professor said the first affiliated hospital has a state lab for infections, is that true?")
    assert "State Key Laboratory" in said.text
    assert "Nature Index" in composer.answer("is it true sahzu is zhejiang's only nature index top 100 hospital in the province").text


def test_a_hospitals_grade_is_its_tier():
    # The pages say "the first batch of tertiary A hospitals"; visitors ask for the grade or level.
    assert "tertiary" in normalize("what grade of hospital is it") and "tertiary" in normalize("hospital level?")
    assert "tertiary" not in normalize("what grade did clinical medicine get")


def test_a_list_of_fields_without_the_thing_asked_does_not_say_they_offer_it(composer):
    for q in ("does sir run run shaw offer ivf", "does the kids hospital have a pediatric cardiac surgery department"):
        assert composer.answer(q).kind == "decline", q
    assert "Respiratory" in composer.answer("does the children's hospital do pediatric respiratory").text
    # JCI is international accreditation.
    assert "JCI" in composer.answer("does the 4th affiliated have any international accreditation?").text


def test_a_sentence_of_the_kind_asked_for_goes_first_when_it_matches_nearly_as_well():
    from bot.kb.answer import _HONOUR_GIVEN, first_saying
    from bot.kb.replies import Candidate

    def cand(text, confidence):
        return Candidate(0, 0, text, 0.5, 0.5, confidence, confidence)
    founded = cand("It was founded in 1869 and is the birthplace of Western medicine in Zhejiang.", 0.50)
    award = cand("It was awarded the honorary title of Zhejiang Model Collective.", 0.44)
    far = cand("It won the second prize.", 0.20)
    assert first_saying(_HONOUR_GIVEN, [founded, award])[0] is award
    assert first_saying(_HONOUR_GIVEN, [founded, far])[0] is founded  # too far from the question to prefer


def test_best_known_for_asks_what_it_is_known_for_not_its_rank(composer):
    a = composer.answer("what is fahzu best known for")
    assert "Organ Transplantation" in a.text and "#14" not in a.text


def test_the_same_place_by_another_name_is_answered_by_the_sentence_giving_that_name(composer):
    a = composer.answer("is the second hospital of zhejiang university the same as sahzu")
    assert a.kind == "answer" and "referred to as" in a.text
    # Two hospitals are two places.
    assert "referred to as" not in composer.answer("is the first affiliated the same as the second affiliated").text


def test_a_list_named_by_its_heading_is_given_whole(composer):
    r = composer.answer("list the non direct affiliated hospitals of zusm pls")
    assert r.kind == "list" and all(n in r.text for n in ("Xixi", "Jinhua", "Huzhou"))
    r = composer.answer("which hospitals does zusm cooperate with around the province")
    assert all(n in r.text for n in ("Shaoxing", "Ningbo", "Lishui", "Zhoushan", "Taizhou"))
    # Foreign universities are no cooperated hospitals, and a ranking of the list's hospitals is no list.
    assert "Cooperated Hospital" not in composer.answer("which foreign universities does zusm work with").text
    assert not composer.answer("which of the cooperated hospitals is the biggest").text.startswith("Cooperated Hospital:")


def test_a_unit_with_a_field_the_pages_never_name_is_declined(composer):
    assert composer.answer("does the kids hospital have a pediatric nephrology clinic").kind == "decline"
    assert "Nephrology" in composer.answer("does the first affiliated hospital do nephrology").text


def test_hotels_and_food_are_visit_logistics_the_pages_never_give(composer):
    assert composer.answer("can you recommend a cheap hotel near the binjiang campus").kind == "decline"
    assert composer.answer("best place to eat xiaolongbao near zju campus?").kind == "decline"


def test_a_hospital_the_pages_only_list_is_in_the_network_and_nothing_more(composer):
    assert composer.answer("is lishui hospital a tertiary A hospital?").kind == "decline"
    assert composer.answer("what departments does the shaoxing hospital have").kind == "decline"
    assert "Ningbo" in composer.answer("is there a zju hospital in ningbo").text


def test_a_school_of_the_medical_school_has_no_founding_year_of_its_own(composer):
    assert composer.answer("when was the nursing school set up", "ZUSM").kind == "decline"


def test_opening_the_chest_is_no_opening_time_and_open_already_asks_about_construction():
    from bot.kb.question import LOGISTICS
    from bot.kb.text import normalize, stem
    assert stem("opening") not in LOGISTICS and "hours" in normalize("what are the opening times")
    assert "finished yet" in normalize("is the dental medical center already open?")


def test_the_visitors_judgement_is_no_word_the_answer_must_share(composer):
    assert composer.terms_of("what's the historical significance of SAHZU") == ["historical"]


def test_a_post_in_another_body_is_no_answer_to_who_runs_the_department(composer):
    r = composer.answer("who is the director of the ultrasound department at the 2nd affiliated")
    assert "Association" not in r.text
    assert "Huang" in composer.answer("who leads the ultrasound branch of the chinese medical doctor association").text


def test_a_degree_narrows_a_count_the_pages_give_only_for_all_students(composer):
    assert composer.answer("how many phd students are at zju school of medicine").kind == "decline"
