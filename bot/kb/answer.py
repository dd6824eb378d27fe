"""Compose a short, sourced reply from retrieved passages, or decline, or ask which place is meant.

Sentences are scored, not passages: a reply quotes the one or two sentences that answer,
in the page's own words, with the page (and its date) named underneath.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace

import numpy as np

from bot.kb.calibrate import Calibrator
from bot.kb.compare import Comparisons
from bot.kb.entities import mentions_unknown_hospital
from bot.kb.fit import ASKS_WHERE, NAMES_A_LOCATION, WHO_ARE, AnswerFit
from bot.kb.ingest import Passage
from bot.kb.last_answer import AS_OF, LastAnswer
from bot.kb.question import (
    ABOUT_FRESHNESS,
    ASKS_FOR_LIST,
    ASPECTS,
    COUNT_NOUNS,
    COUNT_QUESTION,
    COUNTED,
    ENTITY_ASPECTS,
    GENERIC_REFERENCE,
    KNOWN_WORDS,
    LOGISTICS,
    MOST,
    NOTABLE_PERSON,
    PERSON_NAMED,
    PERSON_QUESTION,
    PERSON_ROLE,
    PROCEDURAL,
    RELATIVE_YEAR,
    SMALLEST,
    SUB_UNIT,
    SUPERLATIVE,
    WHICH_NAMES,
    WHICH_PLACE,
    YEAR,
    YEAR_QUESTION,
    answer_type_match,
    asked_aspect_groups,
    aspect_depth,
    aspect_group,
    aspects_of,
    count_is_qualified,
    count_nouns_of,
    coverage,
    excluded_terms,
    in_aspect,
    literal_share,
    names_several,
    numbers_near,
    prefix_match,
    school_is_the_scope,
    states_count,
)
from bot.kb.replies import (
    DECLINE_TEMPLATE,
    Answer,
    Candidate,
    Source,
    as_sentence,
    clause_window,
    date_phrase,
)
from bot.kb.retrieve import KnowledgeBase
from bot.kb.text import GENERIC_WORDS, JUDGEMENT_WORDS, STOPWORDS, STORY_WORDS, normalize, spelled_out, stem, words

# "Tell me about X", "info on X please": no particular fact asked, so give X's profile.
_REFERS_TO_LAST_ANSWER = re.compile(r"\b(it|that|this|those|these|them|some|ones)\b")
_OVERVIEW_WORDS = {"info", "information", "detail", "details", "anything", "something", "overview", "more", "hospital",
                   "department", "dept", "tell", "about", "introduce", "introduction", "summary", "bit", "little",
                   "special", "notable", "noteworthy", "interesting", "highlight", "background", "profile", "brief",
                   "briefly", "quick", "fact", "key", "stand", "out", "unique"}
MIN_SENTENCE_SCORE = 0.1
# "Is Ningbo Hospital part of the network / connected to ZJU?": a question of membership.
_MEMBERSHIP = re.compile(r"\b(part of|belong\w*|member\w*|in the (\w+ )?(network|group|system|list)|connected|affiliated (with|to)|"
                         r"linked|associated|partner\w*|cooperat\w*|collaborat\w*|related|one of (the|its|zju'?s|zusm'?s))\b"
                         r"|\bis (it|\w+ hospital) (a|an) (zju|zusm|affiliated)\b")
# "Ranked higher than Peking Union?", "compared to Harvard's Mass General": what the other side is.
_COMPARED_WITH = re.compile(r"\b(than|compared? (to|with)|comparison (to|with)|versus|vs\.?)\s+(?P<other>[a-z][a-z' ]{2,40})")
# "Best hospital in Shanghai for cardiac surgery?": a best-of question about another city.
_BEST_IN = re.compile(r"\b(best|top|leading|good|great)\b.{0,40}?\b(in|near|around) (?P<other>[a-z]{4,20})\b")
_BEST_IN_REVERSED = re.compile(r"\b(hospital|hospitals|one|place|clinic|surgeon|doctor)s? in (?P<other>[a-z]{4,20}) (is|are|has|have|does|do) "
                               r"the (best|top|leading|biggest|largest)\b")
# "Is Harvard one of their partner universities?": the place asked about is the subject.
_MEMBER_OF = re.compile(r"^\W*(is|are|was|were) (?P<other>[a-z][a-z']{3,20}( [a-z']{3,20})?) (one of|part of|a partner|partners?|"
                        r"partnered|a member|members?|among|in (the|their|its|zju'?s|zusm'?s) (list|network|partners))\b")
# "Siemens or GE?": a choice between two things the pages never mention.
_EITHER_OR = re.compile(r"\b(?P<a>[a-z][a-z'-]{1,20}) or (?P<b>[a-z][a-z'-]{1,20})\s*\??\s*$")
# What is measured: "their 5 year survival rate", "what brand are the scanners".
# ("percentage" and "score" are left out: the pages write "30%" and visitors "how did it score".)
_MEASURE = re.compile(r"\b(ratio|ratios|rate|rates|brand|brands|manufacturer|salary|salaries|budget|budgets|revenue|income|endowment)\b")
# "Is there a dental hospital?", "does ZJU have a kids hospital?": whether the network has one.
_EXISTS = re.compile(r"^\W*(and |so )?(is there|are there|do(es)? (zju|zusm|zhejiang university|the (medical )?school|they|you|"
                     r"it) (have|run|own)) (a|an|any|its own)\b")
_ONE_CAMPUS = re.compile(r"\b(that|this|each|per|one|the|a) (campus|site)\b|\b(?!how\b|many\b|your\b|web\b)[a-z]+ (campus|site)\b(?! (count|number))"
                         r"|\b(campus|site) (specifically|alone|on its own|by itself)\b")
# "How many CT exams in 2007?" answered "As of June 2007, ... 3 CT diagnostic devices": exams are counted as
# exams, inspections or cases, never by a sentence that counts machines.
_EXAMS_COUNTED = re.compile(r"\bhow many ((\w+ ){0,3})(exams|examinations|scans|inspections|checks|tests|procedures)\b")
_COUNTS_EXAMS = re.compile(r"\b(exam\w*|scans?|inspections?|checks|tests|cases|procedures|people|patients)\b", re.IGNORECASE)
_WHICH_HOSPITAL = re.compile(r"\bwhich (of (the |its |their )?(zusm'?s? |zju'?s? )?)?((zusm|zju|affiliated) )?hospitals?\b"
                             r"|\bwhat hospitals?\b")
_CAMPUS_NAMES = re.compile(r"\bcampuses,? ([A-Z][a-z]+(?: Road)?) and ([A-Z][a-z]+(?: Road)?)")
_HOW_FAR = re.compile(r"\bhow far (is|are|away)\b|\bhow (long|many hours) (does it take to (get|drive|travel|go|fly)|to get)\b"
                      r"|\bby (train|car|bus|taxi|metro|subway)\b")
_HOW_OFTEN = re.compile(r"\bhow (often|frequently)\b|\bhow many times (a|per|every) (year|month|week|day)\b")
_FREQUENCY = re.compile(r"\b(once|twice|\d+ times|three times) (a|per|every)\b|\b(every|each) (\d+ )?(year|week|month|day)s?\b"
                        r"|\b(annual|annually|biennial|biennially|weekly|daily|monthly|yearly)\b"
                        r"|\bper (year|week|month|day)\b", re.IGNORECASE)
# "Which other hospitals are in that group?" after "X is listed under Non-direct Affiliated Hospital".
_OTHERS_IN_GROUP = re.compile(r"\b(other|others|else)\b.{0,40}\b(that|this|the same|same|its|their)\s+(group|category|list|"
                              r"section|kind|type|tier|class|bracket)\b|^\W*(and |so )?(which|any|what|who) (others|else)\b")
_HONOUR_ASKED = re.compile(r"\b(honou?r\w*|titles?|awards?|awarded|prizes?|medals?)\b")
_HONOUR_GIVEN = re.compile(r"\b(honou?r\w*|title|award\w*|prizes?|medal)\b", re.IGNORECASE)
# "Is X the same as Y?", "what do locals call it?": the place's other name.
_NAME_ASKED = re.compile(r"\b(the same (thing |place |hospital |one )?as|(is|are) (it|that|this|they|\w+) the same"
                         r"|also (called|known as)|(another|other|short|shorter|"
                         r"official|full) names?|nickname|abbreviat\w*|what (do|does) (people|they|locals|everyone) call)\b")
_NAME_GIVEN = re.compile(r"\b(referred to as|known as|also called|short for|abbreviated)\b", re.IGNORECASE)
_NOW = re.compile(r"\b(now|currently|today|these days|nowadays|at present|at the moment|presently|still)\b")
_CAMPUS_SUPERLATIVE = re.compile(r"\bwhich (one )?(of .{0,40})?campus(es)?\b.{0,30}\b"
                                 r"(biggest|largest|smallest|main|oldest|newest|best|most|bigger|larger|smaller|older|newer)\b"
                                 r"|\b(main|biggest|largest|oldest|newest|smallest|principal|central) campus\b"
                                 r"|\bwhich of (them|those|these) is the (main|biggest|largest|oldest|newest) (one|campus)\b")
_FOR_THE_LAST_ANSWER = re.compile(r"\b(for|in|of|about) (that|this|it|those|these)\b(?! (hospital|department|one|school))")
UNSEEN_SHARE_FULL = 0.25
UNSEEN_WEIGHT = 0.5
# "Which hospitals are affiliated?", "list the hospitals": with no place named, the hospitals asked for are the
# school's network, which the school's pages list.
_NETWORK_LIST_WORDS = {"hospital", "affiliated", "affiliate", "name", "list", "belong", "part", "network", "all",
                       "main", "big", "major"}
_REFERENCE_WORDS = {"department": {"department", "dept", "unit", "division"}, "hospital": {"hospital"}}
# Enough for every hospital with pages of its own: the visitor's choice must be among them.
MAX_BUTTONS = 7



def decision_features(best: Candidate, candidates: list[Candidate], terms: list[str], focus: str | None,
                      question: str = "", sentence_terms: set[str] | None = None) -> dict[str, float]:
    """What the answer-or-decline decision looks at, beyond the best sentence's own score."""
    others = [c.confidence for c in candidates[1:] if c.sentence != best.sentence]
    groups = asked_aspect_groups(terms)
    aspect_match = not groups or any(g & (sentence_terms or set()) for g in groups)
    return {
        "type_match": answer_type_match(question, best.text, terms),
        "aspect_match": float(aspect_match),
        "confidence": best.confidence,
        "cosine": best.cosine,
        "coverage": best.coverage,
        "literal": best.literal,
        "unseen_share": best.unseen_share,
        "margin": best.confidence - (max(others) if others else 0.0),
        "named": 1.0 if focus else 0.0,
        "max_cosine": max(c.cosine for c in candidates),
        "terms": min(len(terms), 6) / 6,
    }


def first_saying(kind: re.Pattern, candidates: list[Candidate], within: float = 0.75) -> list[Candidate]:
    """The candidates with a sentence of the kind asked for (a frequency, an award) first, when the best one
    isn't of that kind and theirs match nearly as well (within that share of its confidence)."""
    if not candidates or kind.search(candidates[0].text):
        return candidates
    floor = within * candidates[0].confidence
    return sorted(candidates, key=lambda c: not (kind.search(c.text) and c.confidence >= floor))




class AnswerComposer(Comparisons, LastAnswer, AnswerFit):
    def __init__(self, kb: KnowledgeBase, *, threshold: float, faq_threshold: float, k: int = 8,
                 reply_max_chars: int = 600, second_ratio: float = 0.9, clarify_margin: float = 0.06,
                 unseen_penalty: float = 0.5, own_words_weight: float = 0.08,
                 calibrator: Calibrator | None = None) -> None:
        self.kb = kb
        kb.catalog.extend_vocabulary([KNOWN_WORDS])
        # "Two campuses, Jiefang Road and Binjiang": names of single campuses, which the pages never size.
        self.campus_names = {normalize(n) for p in kb.passages for m in _CAMPUS_NAMES.finditer(p.text)
                             for n in m.groups() if n}
        self.threshold = threshold
        self.faq_threshold = faq_threshold
        self.k = k
        self.reply_max_chars = reply_max_chars
        self.second_ratio = second_ratio
        self.clarify_margin = clarify_margin
        self.unseen_penalty = unseen_penalty
        self.own_words_weight = own_words_weight
        # With a calibrator, answer-or-decline is its probability against its own threshold; without one,
        # the best sentence's score against `threshold` (which also gates list and clarification entries).
        self.calibrator = calibrator
        self.last_features: dict[str, float] | None = None
        # The school whose network "how many hospitals?" / "which hospitals?" asks about, and that network's list.
        self.school = next((e.name for e in kb.catalog.entities if e.type == "school"), None)
        self.network_hospitals = self._network_hospitals()
        self.department_passages = {i for i, p in enumerate(kb.passages)
                                    if any((e := kb.catalog.by_name(n)) and e.type == "department" for n in p.entities)}
        self.faq_entities = [self._entities_in(" ".join(e.questions)) for e in kb.stored.faq]
        self.faq_terms = [{stem(w) for w in words(" ".join(e.questions) + " " + e.answer)} for e in kb.stored.faq]
        self.faq_answer_words = [" ".join(words(e.answer)) for e in kb.stored.faq]

    # ---- question analysis -------------------------------------------------------------------
    def _entities_in(self, text: str) -> set[str]:
        return {m.name for m in self.kb.catalog.find(text) if self.kb.catalog.has_home(m.name)}

    def terms_of(self, text: str) -> list[str]:
        """Content words of the question, typos fixed, with the names of known places removed."""
        tokens = self.kb.catalog.correct(words(text))
        covered = [False] * len(tokens)
        for m in self.kb.catalog.find(text):
            if self.kb.catalog.has_home(m.name):
                covered[m.start:m.end] = [True] * (m.end - m.start)
        # Generic words ("hospitals" in "how many affiliated hospitals") stay: they can be the thing asked.
        return [stem(t) for t, c in zip(tokens, covered)
                if not c and t not in STOPWORDS and t not in STORY_WORDS and t not in JUDGEMENT_WORDS]

    def _label(self, p: Passage) -> str:
        for name in p.entities:
            entity = self.kb.catalog.by_name(name)
            if entity and entity.type in ("hospital", "department"):
                return name
        return p.entities[0] if p.entities else p.section

    def _source(self, p: Passage) -> Source:
        return Source(p.page, p.title, p.section, p.date)

    def decline(self, about: str | None = None, focus: str | None = None, confidence: float = 0.0) -> Answer:
        return Answer("decline", DECLINE_TEMPLATE.format(about=f" about {about}" if about else ""), confidence, focus=focus)

    # ---- main entry --------------------------------------------------------------------------
    def answer(self, question: str, focus: str | None = None, previous_passage: int | None = None,
               among: tuple[str, ...] = ()) -> Answer:
        q = normalize(question)
        if previous_passage is not None and _OTHERS_IN_GROUP.search(q) and self.kb.passages[previous_passage].is_list:
            return self._whole_list(self.kb.passages[previous_passage], 1.0)
        unknown = mentions_unknown_hospital(question)
        if unknown:
            return self.decline(f"the {unknown.title()}", focus=None)
        if ABOUT_FRESHNESS.search(q):
            return self.freshness()
        if _HOW_FAR.search(q):
            return self.decline(focus, focus=focus)  # "how far is Zhoushan from Hangzhou?": the pages give no distances
        if _CAMPUS_SUPERLATIVE.search(q):
            # "Which of its 6 campuses is the biggest / the main one?": the pages size no single campus.
            return self.decline(focus, focus=focus)
        unknown_ask = self._unknown_ask(q)
        if unknown_ask:
            return self.decline(focus, focus=focus)
        outsider = self._outside_place(q)
        if outsider:
            # "Is SAHZU ranked higher than Peking Union?", "best hospital in Shanghai for heart surgery?": the
            # pages describe ZUSM's places only, so no sentence of theirs answers for the other one.
            return self.decline(f"{outsider} (the pages describe only ZUSM and its hospitals)", focus=focus)
        excluded = excluded_terms(question)
        all_terms = self.terms_of(question)
        terms = [t for t in all_terms if t not in excluded] or all_terms
        named = self._entities_in(question)
        mentioned_only = [m.name for m in self.kb.catalog.find(question) if not self.kb.catalog.has_home(m.name)]
        # A place the pages only name in a list ("the eye one") is found by its own name on the page.
        terms += [stem(w) for n in mentioned_only for w in words(n)
                  if w not in GENERIC_WORDS and w not in STOPWORDS and stem(w) not in terms]
        if (len(mentioned_only) == 1 and _MEMBERSHIP.search(q) and not COUNT_QUESTION.search(q)
                and not YEAR_QUESTION.search(q) and not any(t in LOGISTICS for t in all_terms)):  # "phone number for Ningbo Hospital (the cooperated one)"
            member = self._membership(mentioned_only[0])
            if member:
                return member
        hospitals = [n for n in named if self.kb.catalog.by_name(n).type == "hospital"]
        if (len(hospitals) == 1 and not mentioned_only and (_MEMBERSHIP.search(q) or _EXISTS.search(q))
                and not COUNT_QUESTION.search(q) and not YEAR_QUESTION.search(q)
                and set(terms) <= _NETWORK_LIST_WORDS | {"member", "partner"}):
            # "Is the Women's Hospital affiliated with ZUSM?", "is there a dental hospital in the network?"
            return self._network_member(hospitals[0])
        if focus is None and named and not school_is_the_scope(question, [self.kb.catalog.by_name(n).type for n in named]):
            focus = self.kb.catalog.most_specific(named)
        if focus is None and not mentioned_only and COUNT_QUESTION.search(q) \
                and count_nouns_of(question, terms) == {"hospital"}:
            # "How many hospitals are there?" counts the school's network: its pages answer it.
            focus = self.school
        network_list = (not mentioned_only and not hospitals and "hospitals" in words(question)
                        and set(terms) <= _NETWORK_LIST_WORDS
                        and bool(ASKS_FOR_LIST.search(q) or re.search(r"\b(which|what)\b", q)))
        if focus is None and network_list:
            focus = self.school
        placed = self._department_placement(question, named, focus)
        if placed:
            return placed
        compared = self._compare(question, named, terms)
        if compared:
            return compared
        if set(terms) <= _OVERVIEW_WORDS and not ASKS_FOR_LIST.search(q) and not network_list \
                and not COUNT_QUESTION.search(q) and "departments" not in words(question):
            if YEAR_QUESTION.search(q):
                return self.decline(focus, focus=focus)  # "when did it get it?": nothing says what to date
            if focus and ASKS_WHERE.search(q) and not NAMES_A_LOCATION.search(self.overview(focus).text):
                return self.decline(focus, focus=focus)  # "where is the Women's Hospital?": its section gives no place
            return self.overview(focus) if focus else self.decline(focus=focus)
        focus_entity = self.kb.catalog.by_name(focus) if focus else None
        if focus_entity and focus_entity.type in _REFERENCE_WORDS:
            # "When did the department start?" with the department known: "department" is the reference,
            # not a word the answer must contain.
            terms = [t for t in terms if t not in _REFERENCE_WORDS[focus_entity.type]] or terms

        if COUNT_QUESTION.search(q) and count_nouns_of(question, terms) & {"bed", "staff", "employee"} \
                and (_ONE_CAMPUS.search(q) or any(re.search(rf"\b{name}\b", q) for name in self.campus_names)):
            # "How many beds at the Binjiang campus specifically?": the pages count the whole hospital.
            return self.decline(focus, focus=focus, confidence=0.0)
        query_text = spelled_out(question) if (not focus or focus in named) else f"{spelled_out(question)} ({focus})"
        qvec = self.kb.encode_query(query_text)
        faq = self._faq(question, qvec, focus, terms, mentioned_only)
        if faq and (PERSON_ROLE.search(q) or WHO_ARE.search(q)) and not PERSON_NAMED.search(faq.text):
            faq = None  # "Who are they?": an entry that names nobody doesn't answer it
        if faq and YEAR_QUESTION.search(q) and not YEAR.search(faq.text):
            faq = None  # "In what year did it get that ranking?": an entry that gives no year doesn't answer it
        if faq and previous_passage is not None and _FOR_THE_LAST_ANSWER.search(q):
            faq = None  # "What's their national rank for that?": about the sentence just quoted, not a general entry
        named_list = self._named_list(terms, q) if not COUNT_QUESTION.search(q) else None
        if named_list and not (faq and self._names_most_of(faq.text, named_list)):
            # "List the non-direct affiliated hospitals": an entry about the whole network doesn't name the
            # hospitals of one kind; the bullet list under the kind the visitor named does.
            return self._whole_list(named_list, 1.0)
        if faq:
            return faq
        if network_list and self.network_hospitals:
            return replace(self.network_hospitals)  # a copy: callers may adjust their answer
        # "Which universities...?": the passage that names them may rank below ones that only count them.
        names_asked = WHICH_NAMES.search(q) and not re.search(r"\b(hospitals|departments|hospital|department)\b", q)
        hits = self.kb.retrieve(qvec, terms, 2 * self.k if names_asked else self.k, focus)
        previous = previous_passage if _REFERS_TO_LAST_ANSWER.search(q) else None
        candidates = self._candidates(question, qvec, terms, hits, focus, mentioned_only, previous=previous)
        if not candidates:
            return self.decline(focus, focus=focus)
        if focus is None and _WHICH_HOSPITAL.search(q) and re.search(r"\b(\w{2,}est|most|least)\b", q):
            # "Which of the ZUSM hospitals is the oldest?" is answered by a hospital, not by the school's own
            # "one of China's oldest".
            of_places = [c for c in candidates if self._about_a_place(c.passage)]
            candidates = of_places or candidates
        if _HOW_OFTEN.search(q):
            # "English corner, how often?": "10 years' experience" shares "year" with the question, not a frequency.
            candidates = first_saying(_FREQUENCY, candidates)
            if not _FREQUENCY.search(candidates[0].text):
                return self.decline(focus, focus=focus)  # no sentence near the question says how often
        # (Two hospitals named, "is the first affiliated the same as the second?", are two places.)
        named_as = next((c for c in candidates if _NAME_GIVEN.search(c.text)
                         and focus in self.kb.passages[c.passage].entities), None) \
            if focus and len(hospitals) <= 1 and _NAME_ASKED.search(q) else None
        if named_as:
            # "Is the 'Second Hospital of Zhejiang University' the same as SAHZU?": the sentence that gives the
            # place's other name answers it, however little else of the question it shares.
            return self._compose(named_as, [named_as], focus)
        if _HONOUR_ASKED.search(q):
            # "What honorary title did the provincial government give SAHZU?": its founding sentence is closer in
            # meaning to "Zhejiang ... Second Affiliated Hospital", the award sentence is the answer.
            candidates = first_saying(_HONOUR_GIVEN, candidates)
        best = candidates[0]
        aspects = aspects_of(terms)
        if any(t in LOGISTICS and (t not in self.kb.idf or t not in self.kb.sentence_own_terms[best.sentence]) for t in terms):
            # Opening hours, prices, parking, phone numbers...: what visitors need for a visit, which these
            # pages never state; a sentence that shares the other words would be an unrelated fact.
            return self.decline(focus, focus=focus, confidence=0.0)
        if focus is None:
            which = self._which(question, candidates, among)
            if which:
                return which
            clarify = self._clarify(question, terms, candidates, aspects) if not mentioned_only else None
            if clarify:
                return clarify
        best_passage = self.kb.passages[best.passage]
        listed_hospitals = [n for n in mentioned_only if self.kb.catalog.by_name(n).type == "hospital"]
        if (listed_hospitals and not hospitals and not set(listed_hospitals) & set(best_passage.entities)
                and not set(listed_hospitals) & {m.name for m in self.kb.catalog.find(best.text)}):
            # "Does Lishui Hospital have a hematology department?" answered from the First Affiliated's list:
            # a sentence that doesn't name the hospital the visitor asked about is about another place.
            return self.decline(listed_hospitals[0], focus=focus)
        if listed_hospitals and not hospitals and self._asks_more_than_the_name(best, terms, listed_hospitals):
            # "Is Lishui Hospital a tertiary A hospital?", "what departments does Shaoxing Hospital have?": the pages
            # only list its name, which says it is in the network and nothing else about it.
            return self.decline(listed_hospitals[0], focus=focus)
        self.last_features = decision_features(best, candidates, terms, focus, question,
                                               self.kb.sentence_terms[best.sentence])
        confidence, threshold = best.confidence, self.threshold
        if self.calibrator:
            confidence, threshold = self.calibrator.probability(self.last_features), self.calibrator.threshold
        # "My uncle reckons it only has two sites, is that right?": the words the pages never use are the
        # visitor's story, not part of what the pages disagree on.
        known = [t for t in terms if (t in self.kb.idf or any(in_aspect(t, g) for g in ASPECTS.values()))
                 and t not in ASPECTS["name"]] or terms  # "what are the names of its campuses?" asks for the campuses
        conflict = self._wide_conflict(question, qvec, known, hits, best, focus, mentioned_only, previous)
        if conflict and coverage(known, self.kb.sentence_terms[best.sentence], self.kb.idf, self.kb.unseen_idf) >= 0.6:
            # Two pages stating different counts for the same thing is no reason to doubt either: the
            # runner-up's closeness (a low margin) is the disagreement itself.
            return conflict
        if confidence < threshold or best.confidence < MIN_SENTENCE_SCORE:
            # The learned decision weighs signals against each other; a sentence that barely matches at all
            # ("who won the premier league?" -> "... has won the second prize") is never an answer.
            return self.decline(focus, focus=focus, confidence=confidence)
        if self._misses(q, terms, mentioned_only, best, best_passage, focus_entity, aspects):
            return self.decline(focus, focus=focus, confidence=confidence)
        asked_years = set(YEAR.findall(question))
        # The page's own date counts only for a sentence that states no year of its own.
        page_years = set(YEAR.findall(f"{best.text} {best_passage.section}")) or set(YEAR.findall(best_passage.date or ""))
        relative = RELATIVE_YEAR.search(q) and YEAR.search(best.text)
        dated_elsewhere = [c for c in candidates[1:4] if asked_years and not YEAR.search(best.text)
                           and YEAR.search(c.text) and not asked_years & set(YEAR.findall(c.text))
                           and c.score >= 0.9 * best.score]
        if dated_elsewhere:
            # "How many fund projects in 2019?" + "and in 2020?": a sentence as close gives the figure for 2019,
            # so a sentence dated only by its page (2020) is about something else.
            best = dated_elsewhere[0]
            page_years = set(YEAR.findall(best.text))
        if (asked_years and not asked_years & page_years) or relative:
            # "How many scans in 2023?" answered with 2006's figures would be a wrong number.
            declined = self.decline(focus, focus=focus, confidence=confidence)
            stated = sorted(set(YEAR.findall(best.text)))
            if stated:
                declined.text += f" (The page gives figures for {', '.join(stated)}.)"
            return declined
        as_of = AS_OF.search(best.text)
        if as_of and _NOW.search(q):
            # "How many do they have now?" after "As of June 2007, ... 3 CT devices": that was then.
            declined = self.decline(focus, focus=focus, confidence=confidence)
            declined.text += f" (The page gives that figure as of {as_of.group(1)}.)"
            return declined
        if _EXAMS_COUNTED.search(q) and not _COUNTS_EXAMS.search(best.text):
            return self.decline(focus, focus=focus, confidence=confidence)
        unit = SUB_UNIT.search(q)
        unit_word = stem(unit.group(1) or unit.group(3) or unit.group(4)) if unit else None
        if (unit_word and (COUNT_QUESTION.search(q) or YEAR_QUESTION.search(q)) and unit_word in terms
                and not prefix_match(unit_word, self.kb.sentence_own_terms[best.sentence])):
            # "Beds in the Women's Hospital's neonatal unit": the hospital's own count is not the unit's, and
            # "when was the School of Nursing set up?" is not answered by the school's founding year.
            return self.decline(focus, focus=focus, confidence=confidence)
        if PROCEDURAL.search(q) and not (best.coverage >= 1.0 and best.cosine >= 0.75):
            # "How do I apply / register / get there?": the pages describe the places, not procedures;
            # a description that merely shares words with the question is not an answer to it.
            return self.decline(focus, focus=focus, confidence=best.confidence)
        listed = self._section_list(terms, best)
        counted = COUNTED.search(q)
        counted_word = next((stem(w) for w in words(counted.group(2)) if w not in STOPWORDS), None) if counted else None
        if listed and counted_word and counted_word not in COUNT_NOUNS and not numbers_near(listed.text, counted_word):
            # "How many dentists work there?": the dental hospital's list names no dentists.
            listed = None
        if not listed and ASKS_FOR_LIST.search(q):
            # "Give me the names": a bullet list whose heading the visitor named answers it, even when a
            # sentence that mentions the same heading words ranks first.
            listed = next(filter(None, (self._section_list(terms, c) for c in candidates[1:6])), None)
        if listed:
            return listed
        return self._compose(best, candidates, focus)

    # ---- pieces ------------------------------------------------------------------------------
    def _membership(self, name: str) -> Answer | None:
        """"Is Ningbo Hospital part of the ZJU network?": where the pages list it, in their words."""
        entity = self.kb.catalog.by_name(name)
        aliases = [" ".join(words(a)) for a in entity.aliases]
        for i, passage in enumerate(self.kb.passages):
            for sentence in passage.sentences:
                said = " ".join(words(sentence))
                if any(f" {a} " in f" {said} " for a in aliases):
                    text = f"Yes: the {passage.title} page lists \u201c{sentence.strip().rstrip('.')}\u201d under \u201c{passage.section}\u201d."
                    return Answer("answer", self._trim(text), 1.0, [self._source(passage)], focus=name, passage=i)
        return None

    def _outside_place(self, q: str) -> str | None:
        """The words after "than" / "compared to" / "in" (a best-of question) when they name something the pages
        never mention: a place or institution outside ZUSM."""
        match = _COMPARED_WITH.search(q) or _BEST_IN.search(q) or _BEST_IN_REVERSED.search(q) or _MEMBER_OF.search(q)
        if not match:
            return None
        phrase = [w for w in match.group("other").split() if w not in STOPWORDS and w not in GENERIC_WORDS]
        if not phrase or phrase[0][0].isdigit() or self.kb.catalog.find(match.group("other")):
            return None
        if len(phrase[0]) < 4 or phrase[0].isdigit() or self._known_word(phrase[0]):
            return None
        # The name as far as the words run that the pages never use: "Peking Union", not "... Medical College".
        raw = match.group("other").split()
        while raw and raw[0] in STOPWORDS:
            raw.pop(0)
        name = []
        for w in raw[:4]:
            if w in STOPWORDS or w in GENERIC_WORDS or self._known_word(w):
                break
            name.append(w[:1].upper() + w[1:])
        return " ".join(name) or " ".join(phrase[:1])

    def _unknown_ask(self, q: str) -> str | None:
        """What is asked is a word the pages never use: "siemens or GE?", "their 5 year survival rate"."""
        either = _EITHER_OR.search(q)
        if either and not any(self._known_word(w) or w in STOPWORDS or w in GENERIC_WORDS or len(w) < 2
                              for w in (either.group("a"), either.group("b"))) and not self.kb.catalog.find(either.group(0)):
            return f"{either.group('a')} or {either.group('b')}"
        measure = _MEASURE.search(q)
        if measure and not self._known_word(measure.group(1)):
            return None if not re.search(r"\b(what|whats|what's|which|how)\b", q) else "that"
        return None

    def _known_word(self, word: str) -> bool:
        fixed = self.kb.catalog.correct([word])[0]
        return fixed in self.kb.catalog.vocabulary or stem(fixed) in self.kb.vocabulary_terms

    def _network_member(self, name: str) -> Answer:
        """A hospital with its own section on a network page (the page listing the hospitals): yes, and what
        that section says first."""
        entity = self.kb.catalog.by_name(name)
        for spec in entity.sections:
            page, _, section = spec.partition("#")
            listed = [(i, p) for i, p in enumerate(self.kb.passages)
                      if section and p.page == page and p.is_list and p.section.startswith(section)]
            if listed:
                i, p = listed[0]
                facts = "; ".join(s.rstrip(". ") for s in p.sentences[:3])
                text = f"Yes: the {p.title} page lists the {name} in its own section. {name}: {facts}."
                return Answer("answer", self._trim(text), 1.0, [self._source(p)], focus=name, passage=i)
        return self.overview(name)

    def _department_placement(self, question: str, named: set[str], focus: str | None) -> Answer | None:
        """Which hospital a department belongs to, as far as the pages say; never another hospital's department."""
        entity = self.kb.catalog.by_name(focus) if focus else None
        if not entity or entity.type != "department":
            return None
        hospitals = [n for n in named if self.kb.catalog.by_name(n).type == "hospital"]
        if entity.belongs_to and hospitals and entity.belongs_to not in hospitals:
            # "Does the 4th hospital have an ultrasound department?": the pages only describe SAHZU's.
            return self.decline(f"the {entity.name} department of the {hospitals[0]} (the pages describe the "
                                f"{entity.belongs_to}'s)", focus=focus)
        if not hospitals and re.search(r"\b(which|what) (department|dept)\b", normalize(question)):
            # "Who is Prof. Huang?" + "which department is he with?": the department whose page this is.
            own = [p for p in self.kb.passages if focus in p.entities]
            if own:
                where = f" of the {entity.belongs_to}" if entity.belongs_to else ""
                text = f"That is on the page of the {entity.name} department{where}."
                return Answer("answer", text, 1.0, [self._source(own[0])], focus=focus)
        asks_placement = re.search(r"\b(which|what) (hospital|hospitals|hosp)\b|\bwhere is\b|\bbelong|\bpart of\b", normalize(question))
        if hospitals and asks_placement and entity.note and not entity.belongs_to:
            # "Does GI surgery belong to SAHZU or SRRSH?": its page doesn't say, whichever is named.
            hospitals = []
        if not hospitals and asks_placement:
            own = [p for p in self.kb.passages if focus in p.entities]
            if entity.belongs_to and own:
                text = f"The {entity.name} department described on these pages is part of the {entity.belongs_to}."
                # The visitor asked for the hospital: "how many beds there?" next means the hospital's.
                return Answer("answer", text, 1.0, [self._source(own[0])], focus=entity.belongs_to)
            if entity.note:
                return Answer("decline", f"Sorry, I don't have that information: the {entity.name} department's page "
                              f"doesn't name its hospital. Please check the official website of Zhejiang University "
                              f"School of Medicine or contact the hospital directly.", 0.0, focus=focus)
        return None

    def _faq(self, question: str, qvec: np.ndarray, focus: str | None, terms: list[str],
             mentioned_only: list[str] | None = None) -> Answer | None:
        found = self.kb.faq_best(qvec)
        if not found:
            return None
        entry_id, similarity = found
        # "Any hospital in Ningbo?": an entry that never names the place asked about does not answer it.
        for name in mentioned_only or []:
            if not any(" ".join(words(a)) in self.faq_answer_words[entry_id] for a in self.kb.catalog.by_name(name).aliases):
                return None
        if similarity < self.faq_threshold:
            return None
        nouns = count_nouns_of(question, terms)
        if (nouns and COUNT_QUESTION.search(normalize(question))
                and not any(numbers_near(self.kb.stored.faq[entry_id].answer, n) for n in nouns)):
            return None  # "how many non-direct hospitals?" is not answered by an entry that names them
        # A question about the Children's Hospital must not get the Second Hospital's FAQ answer.
        if self.faq_entities[entry_id] != ({focus} if focus else set()):
            return None
        # Embeddings of short questions are dominated by the names in them ("where is ZUSM located?" ~
        # "which schools make up ZUSM?"): the entry must also use the words the visitor asked about.
        if coverage(terms, self.faq_terms[entry_id], self.kb.idf, self.kb.unseen_idf) < 0.6:
            return None
        e = self.kb.stored.faq[entry_id]
        return Answer("faq", e.answer, similarity, [Source(e.page, e.title, e.section, e.date)], focus=focus)

    def _candidates(self, question: str, qvec: np.ndarray, terms: list[str], hits, focus: str | None,
                    mentioned_only: list[str] | None = None, extra: list[int] | None = None,
                    previous: int | None = None) -> list[Candidate]:
        passages = [h.passage for h in hits] + [i for i in extra or [] if i not in {h.passage for h in hits}]
        entity = self.kb.catalog.by_name(focus) if focus else None
        # A named hospital or department restricts answers to its own passages; the school is the
        # umbrella ("biggest hospital in ZUSM" is answered by a hospital's section), so it only boosts.
        if entity and entity.sections and entity.type != "school":
            own = [i for i, p in enumerate(self.kb.passages) if focus in p.entities]
            passages = [i for i in passages if i in own] + [i for i in own if i not in passages]
        elif mentioned_only:
            # "Zhoushan Hospital beds": only passages that name Zhoushan Hospital can answer it.
            names = [a for n in mentioned_only for a in self.kb.catalog.by_name(n).aliases]
            passages = [i for i, p in enumerate(self.kb.passages)
                        if any(a in " ".join(words(p.text)) for a in (" ".join(words(x)) for x in names))]
        rank_bonus = {p: 0.05 / (1 + r) for r, p in enumerate(passages)}
        # "How old is the medical school?": the school's own sentences first; a hospital's page that merely
        # names the school in its own name ("... Hospital of Zhejiang University School of Medicine") is about
        # the hospital. Questions that ask for a place ("which is the largest?") are left alone.
        school_only = bool(entity and entity.type == "school" and not WHICH_PLACE.search(normalize(question))
                           and not SUPERLATIVE.search(normalize(question)))
        # Asked about a hospital with no department in view: its own pages before its departments' pages.
        hospital_level = bool(entity and entity.type == "hospital"
                              and not {"department", "dept", "unit", "team"} & set(words(question)))
        unseen = [t for t in terms if t not in self.kb.idf and t not in GENERIC_WORDS
                  and not any(in_aspect(t, g) for g in ASPECTS.values()) and not prefix_match(t, self.kb.vocabulary_terms)]
        # How much of the question the unseen words are: one odd word among several the pages use
        # ("someone told me ... true?") is wording; a question made of them ("parking fees") is off the pages.
        mass = sum(self.kb.idf.get(t, self.kb.unseen_idf) for t in terms) or 1.0
        share = sum(self.kb.unseen_idf for t in unseen) / mass
        unseen_factor = 1.0 - (1.0 - self.unseen_penalty) * min(1.0, share / UNSEEN_SHARE_FULL)
        sims = self.kb.sentence_similarities(qvec)
        wants_count = bool(COUNT_QUESTION.search(normalize(question)))
        wants_year = bool(YEAR_QUESTION.search(normalize(question)))
        wants_person = bool(PERSON_QUESTION.search(normalize(question)))
        wants_names = bool(WHICH_NAMES.search(normalize(question)))
        excluded = excluded_terms(question)
        wants_named_person = bool(PERSON_ROLE.search(normalize(question)) or NOTABLE_PERSON.search(normalize(question)))
        if wants_year:
            terms = [t for t in terms if t != "year"]  # "what year" is the question, not its topic
        asked_years = set(YEAR.findall(question))
        count_nouns = count_nouns_of(question, terms)
        asked = aspects_of(terms) & ENTITY_ASPECTS
        if wants_person:
            asked -= {"treat"}  # "a famous professor" asks for a person, not for what the place is famous for
        asked_words = set().union(*(ASPECTS[a] for a in asked))
        # Each asked word with all its synonyms: "surgeries" is answered by "operations", though both
        # words also belong to the "what it treats" group.
        asked_groups = asked_aspect_groups(terms, asked)
        place_words = {stem(w) for n in mentioned_only or [] for w in words(n)}
        specifics = [t for t in terms if t not in asked_words and t not in GENERIC_WORDS and t not in place_words]
        own_weight = self.own_words_weight
        out = []
        for s_id, sentence in enumerate(self.kb.stored.sentences):
            p = sentence["passage"]
            if p not in rank_bonus:
                continue
            cos = float(sims[s_id])
            cov = coverage(terms, self.kb.sentence_terms[s_id], self.kb.idf, self.kb.unseen_idf * UNSEEN_WEIGHT)
            conf = 0.5 * max(cos, 0.0) + 0.5 * cov + 0.02 * aspect_depth(terms, self.kb.sentence_terms[s_id])
            # Words found in the sentence itself are better evidence than words found only in its heading.
            literal = literal_share(terms, self.kb.sentence_own_terms[s_id])
            conf += own_weight * literal
            if wants_year and not YEAR.search(sentence["text"]):
                conf *= 0.75  # "when was it founded?" is answered by a sentence that states a year
            if asked_years and not asked_years & set(YEAR.findall(sentence["text"])):
                conf *= 0.85  # "how many CT scans in 2006?" is answered by the sentence about 2006
            if wants_count and not states_count(sentence["text"], count_nouns):
                conf *= 0.75  # "how many ...?" is answered by a sentence that states a number
            elif wants_count and count_nouns and count_is_qualified(sentence["text"], count_nouns, terms):
                conf *= 0.97  # "how many students?": "8,000 students" before "500 international students"
            elif wants_count and count_nouns and not any(numbers_near(sentence["text"], n) for n in count_nouns):
                conf *= 0.9  # "how many staff?": "nearly 50 medical staffs" before "almost 10 professional doctors"
            if wants_names and not names_several(sentence["text"]):
                # "Which universities?" is answered by the sentence that names them; one that only counts them
                # ("more than 40 universities") is the usual wrong answer.
                conf *= 0.65 if re.search(r"\d", sentence["text"]) else 0.75
            if wants_person and not PERSON_NAMED.search(sentence["text"]):
                # "Which professor...?", "any famous professor?" is answered by a sentence that names one.
                conf *= 0.55 if wants_named_person else 0.7
            if (asked and not any(g & self.kb.sentence_terms[s_id] for g in asked_groups)
                    and (len(specifics) < 2 or coverage(specifics, self.kb.sentence_terms[s_id], self.kb.idf,
                                                   self.kb.unseen_idf) < 1.0)):
                # Asked for beds, the sentence says nothing about beds. But when it matches everything else
                # the visitor said ("does the ultrasound team do microwave ablation?"), the aspect word
                # ("team") was incidental.
                conf *= 0.6
            if unseen:
                # The question asks about something no page ever mentions (hours, prices, parking):
                # whatever matched is about something else.
                # ...unless the whole question is semantically close to the sentence (a paraphrase).
                conf *= unseen_factor if cos < 0.7 else max(unseen_factor, 0.85)
            if excluded and excluded & self.kb.sentence_own_terms[s_id]:
                conf *= 0.6  # "apart from CT and MRI": a sentence about CT or MRI is what was set aside
            if p == previous:
                conf *= 1.08  # "did they get an award for it?": "it" is most likely what was just said
            if school_only and focus not in self.kb.passages[p].entities:
                conf *= 0.9
            if hospital_level and p in self.department_passages:
                # "How many staff does SAHZU have?" is the hospital's count, not its ultrasound team's: a
                # department's number would be a wrong answer, not just a less fitting one.
                conf *= 0.75 if wants_count else 0.9
            out.append(Candidate(s_id, p, sentence["text"], cos, cov, conf, conf + rank_bonus[p], literal, share))
        out.sort(key=lambda c: (-round(c.score, 3), -c.confidence))  # a tie goes to the better-matching sentence
        return out




    def _about_a_place(self, passage: int) -> bool:
        """The passage is about a hospital or a department, not only about the school."""
        entities = [self.kb.catalog.by_name(e) for e in self.kb.passages[passage].entities]
        return any(e is not None and e.type != "school" for e in entities)


    def _best_per_entity(self, candidates: list[Candidate]) -> list[tuple[str, Candidate]]:
        best: dict[str, Candidate] = {}
        for c in candidates:
            for name in self.kb.passages[c.passage].entities:
                entity = self.kb.catalog.by_name(name)
                if entity and entity.type in ("hospital", "department") and name not in best:
                    best[name] = c
        return sorted(best.items(), key=lambda kv: -kv[1].score)

    def _which(self, question: str, candidates: list[Candidate], among: tuple[str, ...] = ()) -> Answer | None:
        q = normalize(question)
        if not WHICH_PLACE.search(q) and not among:
            return None
        # "Which of those has the most beds?": only the places just listed compete, and being listed already
        # says they are relevant, so a weaker sentence match will do.
        floor = 0.7 * self.threshold if among else self.threshold
        # "Which hospitals ... apart from the affiliated ones?": places named by the excluded words are not answers.
        excluded = excluded_terms(question)
        good = [(n, c) for n, c in self._best_per_entity(candidates)
                if c.confidence >= floor and (not among or n in among) and not excluded & {stem(w) for w in words(n)}]
        nouns = count_nouns_of(question)
        if not (nouns and SUPERLATIVE.search(q)) and good:
            # "Which was the first outside Hangzhou?": places whose sentence lacks what the best one says
            # are not answers, only places with a sentence near the words.
            best_coverage = max(c.coverage for _, c in good)
            good = [(n, c) for n, c in good if c.coverage >= best_coverage - 0.2]
        counted = (nouns - {"hospital"}) | ({"operation"} if {"surgeries", "operations"} & set(words(question)) else set())
        if not counted and re.search(r"\b(largest|smallest)\b", q) and (among or re.fullmatch(
                r"\W*(and |so )?(which|what) (one|hospital|of them|of those)( is| s|'s)? (the )?(largest|smallest)( one| hospital)?\W*", q)):
            counted = {"bed"}  # "which of those is the biggest?": a hospital's size, on these pages, is its beds
        if counted and MOST.search(q):
            # "Which does the most surgeries?": the pages count operations, a noun no conflict is about.
            table = self._count_table(counted, among, "department" in words(question))
            if table:
                return self._ranked_counts(question, counted, table)
            if among:
                # "Which of those (cooperated hospitals) is the biggest?": none of them has a number here.
                return self.decline()
        if among and not good:
            # "Which of those is still being built?" about places the pages only name in a list: the
            # sentence that names one of them is about it.
            named_in = [(m.name, c) for c in candidates if c.confidence >= floor
                        for m in self.kb.catalog.find(c.text) if m.name in among]
            if named_in:
                name, c = named_in[0]
                p = self.kb.passages[c.passage]
                return Answer("answer", self._trim(as_sentence(c.text)), c.confidence, [self._source(p)], focus=name,
                              passage=c.passage)
        if len(good) == 1 and not among and not self._about_a_place(candidates[0].passage) \
                and good[0][1].coverage > candidates[0].coverage:
            # "Which hospital in the network does neonatology?": one place's sentence has the visitor's word,
            # the school's overview that ranks first only has "hospital" and "network".
            name, c = good[0]
            return self._compose(c, [c], name)
        if len(good) < 2:
            return None
        top = good[0][1].confidence
        if nouns and SUPERLATIVE.search(q):
            # "Which hospital has the most beds?": order by the number each page states.
            def stated(item):
                return max((int(n) for noun in nouns for n in numbers_near(item[1].text, noun)), default=-1)
            good = sorted(good, key=stated, reverse=not SMALLEST.search(q))
        good = good[:5]
        parts = [f"{name}: {c.text.rstrip('.')}" for name, c in good]
        text = "According to the pages: " + "; ".join(parts) + "."
        # "Which has the most beds?" names one place first: "how many campuses does it have?" means that one.
        ranked_first = good[0][0] if nouns and SUPERLATIVE.search(q) else None
        return Answer("list", self._trim(text), top, [self._source(self.kb.passages[c.passage]) for _, c in good],
                      focus=ranked_first)

    def _clarify(self, question: str, terms: list[str], candidates: list[Candidate], aspects: set[str]) -> Answer | None:
        if not aspects & ENTITY_ASPECTS:
            return None
        aspect_words = set().union(*(ASPECTS[a] for a in aspects & ENTITY_ASPECTS))
        # "the hospital", "it", or a bare "hospital ranking?" with no hospital named or remembered.
        reference = GENERIC_REFERENCE.search(normalize(question))
        if reference and reference.group(0).strip().startswith(("how many", "when", "what")) and \
                [t for t in terms if t not in aspect_words and t not in GENERIC_WORDS]:
            reference = None  # "when did zhejiang get its first CT?": "its" is not a hospital left unnamed
        generic = bool(reference) or (
            "hospital" in self.kb.catalog.correct(words(question)) and not re.search(r"\b(which|whats?)\b", normalize(question)))
        if not generic and [t for t in terms if t not in aspect_words and t not in GENERIC_WORDS]:
            return None  # "thyroid FNA award year" is specific enough to answer
        per_entity = [(n, c) for n, c in self._best_per_entity(candidates) if c.confidence >= 0.8 * self.threshold]
        if "hospital" in {stem(w) for w in words(question)}:
            per_entity = [(n, c) for n, c in per_entity if self.kb.catalog.by_name(n).type == "hospital"]
        if generic and len(per_entity) < MAX_BUTTONS:
            named = {n for n, _ in per_entity}
            per_entity += [(e.name, None) for e in self.kb.catalog.entities
                           if e.type == "hospital" and e.sections and e.name not in named]
        if len(per_entity) < 2:
            return None
        top = per_entity[0][1].confidence if per_entity[0][1] else 0.0
        close = [n for n, c in per_entity if c and c.confidence >= top - self.clarify_margin]
        # "the hospital" / "it" with nothing remembered: the visitor means one place, so ask which.
        if len(close) < 2 and not generic:
            return None
        options = [n for n, _ in per_entity][:MAX_BUTTONS]
        buttons = []
        for name in options:
            entity = self.kb.catalog.by_name(name)
            slot = "department" if entity.type == "department" else "hospital"
            buttons.append({"title": name, "payload": "/ask_knowledge" + json.dumps({slot: name})})
        return Answer("clarify", "Which one do you mean? The pages describe several.", top, buttons=buttons)

    def _wide_conflict(self, question: str, qvec: np.ndarray, terms: list[str], hits, best: Candidate,
                       focus: str | None, mentioned_only: list[str], previous: int | None = None) -> Answer | None:
        nouns = count_nouns_of(question, terms)
        # "Which regional hospitals...?" names hospitals without asking how many; "it has 9 affiliated
        # hospitals, right?" states a count to check.
        if not nouns or (nouns <= {"hospital"} and not COUNT_QUESTION.search(normalize(question))
                         and not numbers_near(question, "hospital")):
            return None
        # Pages that disagree may not both be in the top hits: widen to every passage about the same place.
        best_entities = set(self.kb.passages[best.passage].entities)
        related = [i for i, p in enumerate(self.kb.passages) if best_entities & set(p.entities)]
        wide = self._candidates(question, qvec, terms, hits, focus, mentioned_only, extra=related, previous=previous)
        return self._conflict(nouns, [best] + [c for c in wide if c.sentence != best.sentence], focus)

    def _conflict(self, nouns: set[str], candidates: list[Candidate], focus: str | None) -> Answer | None:
        best = candidates[0]
        bp = self.kb.passages[best.passage]
        for other in candidates[1:]:
            op = self.kb.passages[other.passage]
            if op.page == bp.page or not set(bp.entities) & set(op.entities):
                continue
            # Another page's section about the very same place, counting the same thing, is the disagreement
            # however far its wording is from the visitor's ("4 campuses (~3200 beds)" vs "is that all of them?").
            # Hospitals come in kinds (affiliated, specialist, non-direct), so counts of them need the closer match.
            same_place = set(bp.entities) == set(op.entities) and "hospital" not in nouns
            if other.confidence < (0.25 if same_place else 0.5) * best.confidence:
                continue
            for noun in nouns:
                a, b = numbers_near(best.text, noun), numbers_near(other.text, noun)
                if a and b and a != b:
                    first, second = sorted([(bp, best), (op, other)], key=lambda x: x[0].date or "", reverse=True)
                    parts = []
                    for p, c in (first, second):
                        when = f" ({date_phrase(p.date)})" if p.date else " (undated)"
                        parts.append(f"the {p.title} page{when} says: \u201c{clause_window(c.text, noun)}\u201d")
                    text = "The pages differ here: " + "; ".join(parts) + "."
                    return Answer("conflict", self._trim(text), best.confidence,
                                  [self._source(first[0]), self._source(second[0])], focus=focus)
        return None

    def _asks_more_than_the_name(self, best: Candidate, terms: list[str], names: list[str]) -> bool:
        """The best sentence is only a listed hospital's name, and the question asks about more than that
        hospital being in the network."""
        name_words = {stem(w) for n in names for a in self.kb.catalog.by_name(n).aliases for w in words(a)}
        filler = {stem(w) for w in GENERIC_WORDS | STOPWORDS} | {"affiliat"}
        if {stem(w) for w in words(best.text)} - name_words - filler:
            return False
        # What its list says of it: that it is in the network, under the list's heading ("Cooperated Hospital").
        heading = {stem(w) for w in words(self.kb.passages[best.passage].section)}
        membership = name_words | _NETWORK_LIST_WORDS | heading | {
            "member", "partner", "cooperat", "collaborate", "link", "connect", "associat", "relat", "one", "them",
            "direct", "non", "affiliat"}
        # Only the pages' own words ask for more: "tertiary", "departments" (not "my family lives in Taizhou").
        return any(t in self.kb.idf and t not in membership and not prefix_match(t, membership) for t in terms)

    def _named_list(self, terms: list[str], q: str) -> Passage | None:
        """"Which hospitals does ZUSM cooperate with?": the one bullet list of the school's whose heading
        ("Cooperated Hospital") the question names, whole."""
        if (not (ASKS_FOR_LIST.search(q) or re.search(r"\b(which|what) (\w+ )?(hospitals|ones)\b", q))
                or not re.search(r"\b(hospitals?|ones)\b", q) or SUPERLATIVE.search(q)):
            return None  # ("Which of those is the biggest?" ranks the list's hospitals.)
        asked = set(terms)  # (not their aspect groups: "work with" foreign universities is no cooperated hospital)
        found: dict[tuple[str, str], int] = {}
        for i, p in enumerate(self.kb.passages):
            if not p.is_list or self._about_a_place(i):
                continue
            heading = self._heading_terms(p)
            if heading and all(t in asked or prefix_match(t, asked) for t in heading):
                found.setdefault((p.page, p.section), i)
        return self.kb.passages[next(iter(found.values()))] if len(found) == 1 else None

    def _names_most_of(self, text: str, p: Passage) -> bool:
        """The text names at least half the items of the passage's list (by each item's rarest word)."""
        items = self.section_sentences(p)
        said = {stem(w) for w in words(text)}
        keys = [max((stem(w) for w in words(s)), key=lambda t: self.kb.idf.get(t, 0.0), default="") for s in items]
        return sum(k in said for k in keys) * 2 >= len(keys)

    def _section_list(self, terms: list[str], best: Candidate) -> Answer | None:
        """"Which are the cooperated hospitals?": the answer is the whole bullet list of that section."""
        p = self.kb.passages[best.passage]
        if not p.is_list:
            return None
        heading_terms = self._heading_terms(p)
        asked = set(terms).union(*(aspect_group(t) for t in terms))  # "partner hospitals" names "Cooperated Hospital"
        if not heading_terms or not heading_terms <= asked | GENERIC_WORDS:
            return None
        return self._whole_list(p, best.confidence)

    def _heading_terms(self, p: Passage) -> set[str]:
        """What a section's heading names beyond generic words: "Cooperated Hospital" -> {"cooperated"}."""
        return {stem(w) for w in words(p.section)} - GENERIC_WORDS - STOPWORDS

    def section_sentences(self, p: Passage) -> list[str]:
        """Every sentence of the passage's section, in order: a bullet list may span several passages."""
        return [s for q in self.kb.passages if q.page == p.page and q.section == p.section for s in q.sentences]

    def _whole_list(self, p: Passage, confidence: float) -> Answer:
        items = self.section_sentences(p)
        text = f"{p.section}: " + "; ".join(i.rstrip(". ") for i in items) + "."
        # A hospital's own bullet list ("does ZJU have a hospital for kids?") makes it the subject of the next turn.
        own = self.kb.catalog.most_specific(p.entities) if p.entities else None
        focus = own if own and self.kb.catalog.by_name(own).type != "school" else None
        return Answer("list", self._trim(text), confidence, [self._source(p)], focus=focus)

    def _compose(self, best: Candidate, candidates: list[Candidate], focus: str | None) -> Answer:
        p = self.kb.passages[best.passage]
        chosen = [best]
        for c in candidates[1:4]:
            if (c.passage == best.passage and c.confidence >= self.second_ratio * best.confidence
                    and len(best.text) + len(c.text) < self.reply_max_chars - 160):
                chosen.append(c)
                break
        chosen.sort(key=lambda c: c.sentence)  # keep the page's order
        texts = [c.text for c in chosen]
        # A long page sentence was cut into fragments; a fragment that stops mid-clause continues in the next.
        nxt = chosen[-1].sentence + 1
        if (not texts[-1].rstrip().endswith((".", "!", "?")) and nxt < len(self.kb.stored.sentences)
                and self.kb.stored.sentences[nxt]["passage"] == best.passage
                and self.kb.stored.sentences[nxt]["text"][:1].islower()
                and sum(map(len, texts)) + len(self.kb.stored.sentences[nxt]["text"]) < self.reply_max_chars - 120):
            texts[-1] = texts[-1].rstrip() + " " + self.kb.stored.sentences[nxt]["text"]
        body = " ".join(as_sentence(t) for t in texts)
        label = self._label(p)
        label_words = set(words(label)) - GENERIC_WORDS - STOPWORDS
        if label and not label_words & set(words(body)):
            body = f"{label}: {body}"
        # Asked about the school, answered from one hospital's section: the conversation is now about that hospital.
        school = focus and self.kb.catalog.by_name(focus) and self.kb.catalog.by_name(focus).type == "school"
        own = [n for n in p.entities if n != focus]
        # A department's page names its hospital too: "Prof. Huang ... " is about the Ultrasound department,
        # so "which hospital does he work at?" can be answered next.
        answered_about = own[0] if school and len(own) == 1 else focus or (
            self.kb.catalog.most_specific(p.entities) if p.entities else None)
        return Answer("answer", self._trim(body), best.confidence, [self._source(p)], focus=answered_about,
                      passage=best.passage)

    def freshness(self) -> Answer:
        """Which pages carry a date and which don't: the visitor can judge how current an answer is."""
        pages: dict[str, Passage] = {}
        for p in self.kb.passages:
            pages.setdefault(p.page, p)
        dated = [p for p in pages.values() if p.date]
        undated = [p for p in pages.values() if not p.date]
        parts = [f"the {p.title} page is {date_phrase(p.date)}" for p in dated]
        text = "I answer from the ZUSM website pages: " + ("; ".join(parts) if parts else "none of them carries a date")
        if dated and undated:
            text += f"; the other {len(undated)} pages carry no date"
        text += ". For the latest figures, please check the official website."
        return Answer("answer", self._trim(text), 1.0, [Source(p.page, p.title, None, p.date) for p in dated])

    def _network_hospitals(self) -> Answer | None:
        """"Which hospitals does ZUSM have?": the hospitals the network page gives a section of their own
        (built once, at load)."""
        pages = {}
        for e in self.kb.catalog.entities:
            if e.type != "hospital":
                continue
            for spec in e.sections:
                page, _, heading = spec.partition("#")
                if heading:
                    pages.setdefault(page, []).append((e.name, heading))
                    break
        if not pages:
            return None
        page, places = max(pages.items(), key=lambda kv: len(kv[1]))
        passage = next((p for p in self.kb.passages if p.page == page), None)
        if passage is None or len(places) < 2:
            return None
        text = f"The {passage.title} page has a section on each of these hospitals: {', '.join(n for n, _ in places)}."
        return Answer("list", self._trim(text), 1.0, [Source(page, passage.title, None, passage.date)])

    def overview(self, focus: str) -> Answer:
        own = [p for p in self.kb.passages if focus in p.entities]
        if not own:
            return self.decline(focus, focus=focus)
        entity = self.kb.catalog.by_name(focus)
        # The entity's first listed section is its own profile; prefer it over pages that mention it.
        first_spec = entity.sections[0].partition("#") if entity else ("", "", "")
        own.sort(key=lambda p: (p.page != first_spec[0] or not p.section.startswith(first_spec[2]), self.kb.passages.index(p)))
        p = own[0]
        if p.is_list:
            body = f"{self._label(p)}: " + "; ".join(s.rstrip(". ") for s in p.sentences[:4]) + "."
        else:
            body = " ".join(as_sentence(s) for s in p.sentences[:2])
        return Answer("overview", self._trim(body), 1.0, [self._source(p)], focus=focus)

    def _trim(self, text: str) -> str:
        limit = self.reply_max_chars - 120  # leave room for the source line
        if len(text) <= limit:
            return text
        cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
        return cut + " \u2026"
