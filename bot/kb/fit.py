"""Near misses: whether the sentence that matches a question best actually answers it.

A mixin of AnswerComposer: it reads the composer's knowledge base (``self.kb``), the decision features of the
last question (``self.last_features``) and its helpers (``self._known_word``, ``self._section_list``). Each
check names the kind of question it guards and the wrong answer it prevents.
"""
from __future__ import annotations

import re

from bot.kb.entities import Entity
from bot.kb.ingest import Passage
from bot.kb.question import (
    AGE_WORDS,
    ASKS_FOR_NAMES,
    ASPECTS,
    COUNT_NOUNS,
    ENTITY_ASPECTS,
    MUST_MATCH_ASPECTS,
    PERSON_NAMED,
    PERSON_ROLE,
    YEAR,
    YEAR_QUESTION,
    aspect_group,
    aspects_of,
    coverage,
    in_aspect,
    names_something,
    numbers_near,
    prefix_match,
)
from bot.kb.replies import Candidate
from bot.kb.text import GENERIC_WORDS, STOPWORDS, is_enumeration, normalize, stem, words

_THINGS_COUNTED = re.compile(r"\bhow many ((?:[\w'-]+ ){0,5}?)(surgeons|doctors|nurses|dentists|physicians|specialists|"
                             r"professors|patients|teachers|researchers|residents|midwives|pharmacists|students|awards|"
                             r"prizes|papers|publications|patents|specialties|disciplines|staff|employees|personnel|workers|"
                             r"\w+ologists|\w+icians|\w+iatrists)\b")
_SUB_COUNT = re.compile(r"\bhow many of (those|them|these|the \w+)( \w+)? (are|were|is|r) (doctors|nurses|surgeons|physicians|"
                        r"professors|specialists|dentists|midwives|researchers|teachers|women|men|children|kids|inpatients|outpatients)\b")
_EXACT_FIGURE = re.compile(r"\b(exact|precise|actual|specific)( \w+){0,4}? (number|figure|count|position|rank|ranking|place|value|amount)\b"
                           r"|\b(number|position|place|rank)\b.{0,40}\bexactly\b|\bexactly (what|which|how) (number|position|place|rank|many)\b"
                           r"|\bnot the (ranking|rank|position), the (number|value|figure)\b")
ASKS_WHERE = re.compile(r"^\W*(and |so |but |ok )?where (is|are|was|were|'s)\b(?![^?.]*\b(rank\w*|placed|listed|list|table|league)\b)"
                         r"|\bwhere\b.{0,40}\blocated\b|\b(location|whereabouts) of\b")
# ("Leading edge treatment in Gynecological Oncology" and "in China" locate nothing.)
NAMES_A_LOCATION = re.compile(r"\b([Ll]ocated|[Bb]ased|[Ss]ituated|[Ll]ies) (in|at|on|near)\b|\boutside of [A-Z]|"
                               r"\b[A-Z][a-z]+ (Road|Street|District|County|City|Province)\b|\bcampuses?, [A-Z][a-z]+")
# "How many <qualifiers> <thing> ...": the words up to the verb or preposition that ends the thing counted.
_HOW_MANY_WHAT = re.compile(r"\bhow many ((?:(?!(?:do|does|did|dose|are|is|were|was|have|has|had|work|works|in|at|on|there|per|a|each|"
                            r"every|for|of|they|it|you|we|can|could|would|will|and|or|n)\b)[a-z][\w'-]* ?){1,4})")
_FIELD_WORD = re.compile(r"^([a-z]{3,}(ology|ologic|ological|ics|ic)|nursing"
                         r"|phd|doctoral|master|masters|undergraduate|postgraduate|graduate)$")
_GRADE_ASKED = re.compile(r"\b(grade|grades|graded|grading|score|scored|rating|rated)\b")
# "How long do the exchanges last?", "how long is the programme?": a duration, which the sentence must state.
_DURATION_ASKED = re.compile(r"\bhow long (do|does|did|will|would|is|are|was|were) (\w+ ){0,6}?(last|take|stay|run|go on)\b"
                             r"|\bhow long is (the|a|an|their|its) (\w+ ){0,3}(program|programme|course|degree|exchange|stay|"
                             r"training|residency|wait|placement|internship)\b")
_DURATION = re.compile(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten)[- ](year|month|week|day|hour)s?\b|\b\d\+\d\b",
                       re.IGNORECASE)
_HAS_UNIT = re.compile(r"\b(have|has|got|run|runs|is there|are there|offer|offers) (an? |any |their own |its own )?"
                       r"(?P<what>[a-z]{4,}( [a-z]{4,})?) (department|dept|unit|clinic|ward|centre|center|service|team|"
                       r"specialty|speciality|division)s?\b")
# "How much funding did it get?": an amount of money, which these pages never state.
_MONEY_ASKED = re.compile(r"\bhow much (money|funding|funds?|grant|investment|did (\w+ ){1,3}(cost|get|receive|raise|spend|invest)|"
                          r"(does|do|did|would|will) (\w+ ){1,3}cost)\b|\b(amount|size|value) of (the |their |its )?(funding|grant|budget|money|investment)\b")
_MONEY = re.compile(r"(\byuan\b|\brmb\b|¥|\$|\bdollars?\b|\bmillion\b|\bbillion\b|\beuros?\b)", re.IGNORECASE)
# Rankings visitors name. A rank on one list is no answer for another: SRRSH's "#67 of the Best Hospitals" says
# nothing of its place in the Performance Evaluation, and the pages know no Fudan or QS ranking at all.
_NAMED_RANKING = re.compile(r"\b(performance evaluation|nature index|best hospitals?( in china)? (list|ranking)|fudan|"
                            r"double first[- ]class|us news|qs|times higher|arwu|shanghai ranking|newsweek)\b")
# "Is it true SAHZU did China's first heart transplant?": the visitor states a claim for the pages to confirm.
_CLAIM = re.compile(r"\b(is|was) (it|that|this) (true|right|correct)\b|\b(right|true|correct)\s*\?*\s*$")
# (Beyond STORY_WORDS, which terms_of already drops: "is that true", "my uncle heard".)
_CLAIM_WORDS = {stem(w) for w in "read saw somewhere someone new they're thats well also journalist reporter writer "
                 "article blog".split()}
# "Do they do pediatric heart surgery?", "do they offer IVF?": whether a place offers something.
_OFFERS = re.compile(r"^\W*(and |so |but )?(do|does|can|could) (they|it|you|i|we|he|she|my \w+|the [\w' ]{2,40}?|\w+) "
                     r"(do|offer|have|perform|provide|get|treat|run|give)s? (?P<what>.+)$")
_OUTSIDE_BODY = re.compile(r"\b(association|society|committee|federation|council|academy|union)\b", re.IGNORECASE)
_OUTSIDE_ROLE = re.compile(r"\b(leader|chair\w*|president|head|member|director|secretary)( \w+)? of (the )?"
                           r"([\w-]+ ){0,6}"
                           + _OUTSIDE_BODY.pattern, re.IGNORECASE)
_TELLING_IDF = 3.0  # in at most about five of the pages' ~120 sentences
_PERIODS = {stem(w) for w in ("year", "years", "yearly", "annual", "annually", "month", "monthly", "week", "day", "daily")}
_PEOPLE = re.compile(r"\b(supervisors?|professors?|doctors?|experts?|surgeons?|staff|members?|heads?|leaders?|directors?|"
                     r"deans?|teachers?|nurses?|physicians?|specialists?|people|founders?)\b")
_PLANS = re.compile(r"\b(any |are there |is there |what are the |their |its )(plans?|planning)\b|\bplan(s|ning)? to (open|build|add|expand)\b"
                    r"|\bin the (next|coming) (few )?(years?|months?|decade)\b")
# Why something was done (set up, partnered...): a reason the pages must state. "Why is it special?" asks for facts.
_WHY = re.compile(r"^\W*(and |so |but )?(why|how come) (was|were|did|does|do|is|are|has|have) .{0,60}\b(set up|founded|established|"
                  r"start|started|open|opened|built|created|choose|chose|chosen|decide|decided|partner|partnered|cooperate|"
                  r"join|joined|move|moved|named|called|located|based)\b|\bwhat (was|is|were|are) the (reason|reasons|motivation)\b"
                  r"|\b(the )?reasons? (for|behind|why)\b")
_PURPOSE = re.compile(r"\b(because|in order to|so that|aim(s|ing|ed)? (at|to)|to (work|help|provide|serve|build|promote|solve|"
                      r"support|improve|bring|meet|strengthen|offer|share))\b", re.IGNORECASE)
_FUTURE = re.compile(r"\b(due to|will|going to|expected to|planned to|scheduled to|set to|supposed to)\b")
# "Who are they?" asks for people by name ("who do they partner with?" asks for institutions).
WHO_ARE = re.compile(r"^\W*(and |so )?who (is|are|was|were)\b(?!.*\b(partner|partners|collaborat\w*|work|works|accredit\w*)\b)")
_WHO_DID = re.compile(r"^\W*(and |so |but |then )?who (\w+ )?(founded|established|started|set up|built|created|publishes|"
                      r"published|runs|owns|funds|funded|compiles|compiled|decides|awards|awarded|designed|opened)\b")


def _ranking_key(named: str) -> str:
    """The words a sentence must contain to rank on the list the visitor named."""
    named = re.sub(r"\s+(in china|list|ranking)\b", "", named)
    return "best hospital" if named.startswith("best hospital") else named.replace("-", " ").split(" first")[0]


class AnswerFit:
    def _misses(self, q: str, terms: list[str], mentioned_only: list[str], best: Candidate, best_passage: Passage,
                focus_entity: Entity | None, aspects: set[str]) -> bool:
        """The best sentence, close as it is, does not answer what was asked: a count of another thing, a year
        for a question about the future, a list that lacks what the visitor asked for... (Then the composer declines.)"""
        features = self.last_features
        if ASKS_WHERE.search(q) and not NAMES_A_LOCATION.search(f"{best.text} {best_passage.section}"):
            # "Where are the dental hospital's two campuses?" answered "2 campuses": a count is no location.
            return True
        unit = _HAS_UNIT.search(q)
        if unit and not all(self._known_word(w) for w in unit.group("what").split() if w not in STOPWORDS):
            # "Does FAHZU have a dermatology department?", "a pediatric nephrology clinic?": a field the pages
            # never mention; listing what the hospital is known for would read as an answer.
            return True
        if _DURATION_ASKED.search(q) and not _DURATION.search(best.text):
            return True
        if _MONEY_ASKED.search(q) and not _MONEY.search(best.text):
            return True
        ranking = _NAMED_RANKING.search(q)
        if ranking and _ranking_key(ranking.group(1)) not in normalize(best.text):
            # "Where does SRRSH rank in the Performance Evaluation?" answered with its operations ranking.
            return True
        if _PLANS.search(q) and not re.search(r"\b(construction|plan|planned|planning)\b", best.text, re.IGNORECASE):
            # "Are there plans to open more hospitals?": the pages state no plans.
            return True
        if _WHY.search(q) and not _PURPOSE.search(best.text):
            # "Why was it set up in 1912?": a sentence that only states the year gives no reason.
            return True
        if (re.search(r"\b(where|when|how|what|which|who)\b[^?,.]*\b(going to be|will be|will it|will they|expected to|due to)\b", q)
                and not re.search(r"\b(will|plan\w*|construction|future)\b", best.text, re.IGNORECASE)):
            # "Where is it going to be located?": the pages describe what is, not what will be.
            return True
        if YEAR_QUESTION.search(q) and _FUTURE.search(q):
            # "When is it due to open?": the pages state no schedules; a past founding date would mislead.
            return True
        if YEAR_QUESTION.search(q) and not YEAR.search(best.text):
            # "When did it open?" with no year on the page: any sentence found is about something else.
            return True
        specifics = self._specifics(terms, mentioned_only)
        if not features["aspect_match"] and (
                not features["type_match"] or not specifics
                or not coverage(specifics, self.kb.sentence_terms[best.sentence], self.kb.idf, self.kb.unseen_idf)):
            # The thing asked (beds, scanners...) is not in the sentence, and neither is the kind of answer
            # (a number, a year, a name) nor anything else the visitor said: "Zhoushan Hospital beds",
            # "how many MRI scanners does SRRSH have" answered with its campuses.
            return True
        age_terms = [t for t in terms if t in AGE_WORDS]
        if age_terms and not YEAR.search(f"{best.text} {best_passage.section}") and not any(
                aspect_group(t) & AGE_WORDS & self.kb.sentence_terms[best.sentence] for t in age_terms):
            return True
        if any(not ASPECTS[a] & self.kb.sentence_terms[best.sentence] for a, also in MUST_MATCH_ASPECTS.items()
               if a in aspects and (also is None or also in aspects)):
            return True
        if ASKS_FOR_NAMES.search(q) and _PEOPLE.search(q) and not PERSON_NAMED.search(best.text):
            # "The names of the four master supervisors": only a sentence naming people answers it.
            return True
        if ASKS_FOR_NAMES.search(q) and not names_something(best.text) and not self._section_list(terms, best):
            return True
        if _WHO_DID.search(q) and not (PERSON_NAMED.search(best.text) or re.search(r"\bby (the )?[A-Z]", best.text)):
            # "Who founded it?", "who publishes that ranking?": a sentence that names no one who did it.
            return True
        if PERSON_ROLE.search(q) and _OUTSIDE_ROLE.search(best.text) and not _OUTSIDE_BODY.search(q):
            # "Who is the director of the ultrasound department?" answered "Prof. Huang is the leader of the
            # ultrasound branch of the Chinese Medical Doctor Association": a post in another body.
            return True
        if (PERSON_ROLE.search(q) or WHO_ARE.search(q)) and not PERSON_NAMED.search(best.text):
            # "Who is the dean?": a sentence about the place that names nobody does not answer it.
            return True
        if (PERSON_ROLE.search(q) and focus_entity and focus_entity.type != "department"
                and best.passage in self.department_passages):
            # "Who is the director there?" about a hospital: a department's professor doesn't run the hospital.
            return True
        if _EXACT_FIGURE.search(q):
            # "What's the exact number / which position exactly?": a figure must stand by a word of the question
            # itself, and not be the visitor's own ("top 100" is the list, not the place in it).
            own = set(re.findall(r"\d+", q))
            # "Surgeries per year": the year is the period, not the thing counted ("9 consecutive years").
            counted_terms = [t for t in specifics if t not in _PERIODS] or specifics
            near = {n for t in counted_terms for n in numbers_near(best.text, t)} - own
            if not near:
                return True
        if _CLAIM.search(q) and self._lacks_telling_words(q, terms, mentioned_only, best):
            return True
        offered = _OFFERS.search(q)
        # ("... (the story)" that the service appended is not what is offered.)
        offered_terms = self.terms_of(offered.group("what").split("(")[0]) if offered else []
        if (offered and (best_passage.is_list or is_enumeration(best.text))
                and self._lacks_telling_words(q, [t for t in terms if t in offered_terms], mentioned_only, best,
                                              unseen_count=False)):
            # "Do they offer IVF?" answered with SRRSH's list of fields, "do they do pediatric heart surgery?"
            # with the Children's Hospital's bullets: a list that doesn't have it doesn't say they do.
            return True
        if self._said_of_another(q, terms, best):
            return True
        if self._count_misses(q, terms, best):
            return True
        sub_count = _SUB_COUNT.search(q)
        if sub_count and not numbers_near(best.text, stem(sub_count.group(4)), reach=6):
            # "How many of those are doctors?" after the employees: the pages would have to count doctors.
            return True
        counted = _THINGS_COUNTED.search(q)
        if counted and re.search(r"\bhow many of\b", q) and "%" in best.text:
            counted = None  # "How many of the staff are senior?": a share ("accounted for 30%") answers it
        # "37,757 people" examined are patients, not staff: "people" counts staff only when "people" was asked.
        counted_words = (aspect_group(stem(counted.group(2))) | {stem(counted.group(2))}) - {stem("people")} if counted else set()
        vague = counted and re.search(rf"\b(dozens|hundreds|thousands) of ((?:[\w/-]+ ){{0,3}}){re.escape(counted.group(2))}",
                                      normalize(best.text))
        if vague and _EXACT_FIGURE.search(q):
            return True  # "exactly how many?": "dozens" is not exact
        # "How many surgeons / awards?" answered by a sentence that counts beds or counts nothing: a number
        # of another thing, or no number. ("Dozens of national key clinical specialties" is the page's answer.)
        return bool(counted and not vague and not any(not YEAR.fullmatch(n) for w in counted_words
                                                      for n in numbers_near(best.text, w, reach=6)))

    def _said_of_another(self, q: str, terms: list[str], best: Candidate) -> bool:
        """"What grade did basic medical sciences get?" and the sentence grades clinical medicine: the clause
        that gives the grade names something else, while the thing asked only appears elsewhere."""
        if not _GRADE_ASKED.search(q):
            return False
        clause = next((c for c in re.split(r"(?<=[,;])\s+|\s+and\s+(?=the\b)", best.text) if _GRADE_ASKED.search(normalize(c))), None)
        if clause is None:
            return False
        own = {stem(w) for w in words(clause)}
        # What the clause grades: its words before the grading verb ("the clinical medicine discipline").
        graded = {stem(w) for w in words(_GRADE_ASKED.split(normalize(clause))[0])} - {stem(w) for w in GENERIC_WORDS}
        subject = [t for t in terms if t not in GENERIC_WORDS and not _GRADE_ASKED.search(t) and t not in _PERIODS
                   and t in self.kb.sentence_own_terms[best.sentence]]
        if any(t in graded for t in subject):
            return False
        # A word of the question found in the sentence but outside the graded clause names what was asked.
        return any(t not in own and not prefix_match(t, own) for t in subject)

    def _lacks_telling_words(self, q: str, terms: list[str], mentioned_only: list[str], best: Candidate,
                           unseen_count: bool = True) -> bool:
        """A claim is confirmed (or an offer shown) only by a sentence with its telling words: "China's first
        liver transplant" is not "Organ Transplantation", nor "the first batch of ... cardiovascular" a first
        heart transplant.
        Common page words ("province" for "Zhejiang's") and who said it ("my professor said") don't count.
        Without unseen_count, only words the pages use (or know a lay word for) are telling: "tummy" may
        still mean a page word."""
        said = self.kb.sentence_terms[best.sentence] | {stem(w) for w in words(self.kb.passages[best.passage].section)}
        teller = {stem(m.group(1)) for m in re.finditer(r"\bmy (\w+) (said|says|told|reckons|mentioned|thinks)\b", q)}
        # A department the pages only list ("Nephrology") is what is claimed or offered, not a place around it.
        places = [n for n in mentioned_only if self.kb.catalog.by_name(n).type != "department"]
        claim = [t for t in self._specifics(terms, places) if t not in _CLAIM_WORDS and t not in teller
                 and self.kb.idf.get(t, 9.0) >= _TELLING_IDF
                 and (unseen_count or t in self.kb.idf or len(aspect_group(t)) > 1)]
        return any(t not in said and not prefix_match(t, said) and not (aspect_group(t) - {t}) & said for t in claim)

    def _count_misses(self, q: str, terms: list[str], best: Candidate) -> bool:
        """"How many dental chairs / knee replacements?" counts a thing the pages never name; "how many
        hematology beds / nursing students?" narrows the count by a word the sentence doesn't have."""
        asked = _HOW_MANY_WHAT.search(q)
        if not asked:
            return False
        said = [w for w in asked.group(1).split() if w not in STOPWORDS]
        if not said:
            return False
        *qualifiers, noun = [stem(w) for w in self.kb.catalog.correct(said)]
        plural = said[-1].endswith("s") and said[-1] not in ("times", "years", "days")  # "how many times": how often
        # "chair" is not "chairperson": only an inflection away from a page word counts as known.
        known = lambda t: (t in self.kb.idf or any(in_aspect(t, g) for g in ASPECTS.values())
                           or any(v.startswith(t) and len(v) - len(t) <= 3 for v in self.kb.vocabulary_terms))
        if plural and noun in terms and not known(noun):
            return True
        sentence = self.kb.sentence_terms[best.sentence]
        # Only a field ("hematology", "nursing", "orthopedic") narrows the count: other words are often the
        # visitor's shorthand for the page's own ("gi tumour ops"). The field may follow the noun too:
        # "how many beds does the cardiology dept at SRRSH have?" is not the hospital's bed count.
        fields = set(qualifiers) | {t for t in terms if t != noun
                                    and re.search(rf"\b{re.escape(t)}\w* (dept|department|unit|ward|team)\b", q)}
        if noun in COUNT_NOUNS:
            fields |= {t for t in terms if t != noun}
        return any(t in terms and _FIELD_WORD.search(t) and t not in sentence
                   and not prefix_match(t, sentence) and not any(in_aspect(t, ASPECTS[a]) and ASPECTS[a] & sentence
                                                                  for a in ASPECTS)
                   for t in fields)

    def _specifics(self, terms: list[str], mentioned_only: list[str]) -> list[str]:
        """The question's words beyond the asked aspect, generic words and the names of places."""
        asked_words = set().union(*(ASPECTS[a] for a in aspects_of(terms) & ENTITY_ASPECTS))
        place_words = {stem(w) for n in mentioned_only for w in words(n)}
        return [t for t in terms if t not in asked_words and t not in GENERIC_WORDS and t not in place_words]
