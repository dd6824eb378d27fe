"""Compose a short, sourced reply from retrieved passages, or decline, or ask which place is meant.

Sentences are scored, not passages: a reply quotes the one or two sentences that answer,
in the page's own words, with the page (and its date) named underneath.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from bot.kb.calibrate import Calibrator
from bot.kb.entities import mentions_unknown_hospital
from bot.kb.ingest import Passage
from bot.kb.retrieve import KnowledgeBase
from bot.kb.text import GENERIC_WORDS, STOPWORDS, normalize, spelled_out, stem, words

# Visitors and pages name the same thing differently ("founded" vs "began in 1984").
_ASPECT_WORDS = {
    "founded": "found founded establish established est began begin start started history since old oldest built open opened create created birthplace longest set",
    "yearly": "year years annually annual yearly every each often frequency frequently biennial weekly once",
    "size": "big bigger biggest large larger largest size",
    "bed": "bed beds capacity big size",
    "campus": "campus campuses location locations site sites branch branches located where city cities town",
    "staff": "staff staffs employee employees faculty doctor doctors personnel worker workers member members people team",
    "student": "student students enrol enrollment",
    "rank": "rank ranked ranking rankings rated rating ratings best top position leading league compare compared comparison nationally nationwide",
    "jci": "jci accredit accredited accreditation certified certification",
    "treat": "treat treats treatment treatments specialty specialties speciality specialize specialise specialised specialized known famous focus focusing characteristic characterized good strength strengths strong expertise offer service services cancer cancers tumor tumors disease diseases surgery surgeries care",
    "equipment": "equipment equipments device devices machine machines scanner instrument instruments apparatus",
    "lead": "lead leader leads head chief director charge",
    "member": "belong belongs join joined member members part",
    "acquire": "buy bought purchase purchased introduce introduced acquire acquired first",
    "research": "research project projects foundation grant science scientific",
    "surgery": "surgery surgeries operation operations case cases",
    "exam": "scan scans inspection inspections examination examinations exam exams check checks checkup imaging diagnostic",
    "teach": "teach teaches teaching train trains training educate education mentor mentors mentoring guidance guide tutor course courses class classes",
    "event": "conference conferences forum forums workshop workshops symposium symposia congress meeting meetings host hosts hosted held hold",
    "partner": "partner partners partnership partnerships collaborate collaborates collaboration cooperate cooperation cooperated exchange exchanges",
    "abroad": "foreign international overseas abroad global worldwide",
    "notable": "famous renowned notable eminent prestigious distinguished leader leading",
    "award": "award awards awarded honor honors honored honorary title titles prize prizes medal recognition",
    "name": "name names called call referred refer nickname abbreviation abbreviated short aka",
    "construction": "construction constructed construct building finish finished complete completed ready",
    "online": "online internet cloud digital telemedicine remote virtual data",
    # Lay words for what the pages name in medical terms.
    "digestive": "gastrointestinal bowel bowels intestine intestines intestinal gut stomach colon colorectal digestive",
    "keyhole": "laparoscopic laparoscopy keyhole minimally invasive",
    "ablation": "ablation microwave",
    "cancer": "cancer cancers tumor tumors oncology malignancy malignant",
    "heat": "hyperthermic heated heat hot warm warmed",
    "belly": "peritoneal intraperitoneal peritoneum abdomen abdominal belly",
    "small": "small smaller local primary grassroots",
    "hormone": "hormone hormones endocrine endocrinology",
    "fertility": "fertility infertility fertile reproductive reproduction ivf",
    "heart": "heart cardiac cardiology cardiovascular valve",
    "kidney": "kidney kidneys renal nephrology",
    "blood": "blood hematology haematology",
    "bone": "bone bones joint joints orthopedic orthopedics",
    "brain": "brain nerve nerves neurology neuroscience neurological",
    "teeth": "teeth tooth dental dentist denture dentures stomatology oral mouth jaw maxillofacial",
    "eye": "eye eyes ophthalmology ophtalmology cataract vision",
    "child": "child children kid kids baby babies infant pediatric newborn neonatology",
    "pregnancy": "pregnancy pregnant birth childbirth obstetrics maternity delivery",
    "transplant": "transplant transplants transplantation organ",
    "endoscopy": "endoscopy endoscopic scope camera",
}
ASPECTS: dict[str, set[str]] = {name: {stem(w) for w in ws.split()} for name, ws in _ASPECT_WORDS.items()}
# Facts that differ from one hospital to the next: asked without naming one, the visitor must pick.
ENTITY_ASPECTS = {"founded", "bed", "campus", "staff", "rank", "jci", "treat", "equipment", "lead"}
# "Tell me about X", "info on X please": no particular fact asked, so give X's profile.
_OVERVIEW_WORDS = {"info", "information", "detail", "details", "anything", "something", "overview", "more", "hospital",
                   "department", "dept", "tell", "about", "introduce", "introduction", "summary"}
UNSEEN_SHARE_FULL = 0.25
UNSEEN_WEIGHT = 0.5
# Visit logistics a hospital's information pages often leave out (checked against the pages' own words
# before use, so a page that does state a price or a phone number still answers).
LOGISTICS = {stem(w) for w in """hour hours opening closing schedule timetable price prices
    cost costs fee fees charge charges pay payment insurance insured phone telephone email fax address parking park
    wifi cafeteria canteen restaurant food menu waiting wait queue visa salary salaries wage tuition scholarship
    bus metro subway taxi directions map shop pharmacy atm""".split()}
_REFERENCE_WORDS = {"department": {"department", "dept"}, "hospital": {"hospital"}}
# Enough for every hospital with pages of its own: the visitor's choice must be among them.
MAX_BUTTONS = 7
COUNT_NOUNS = {"campus", "bed", "hospital", "employee", "staff", "student", "faculty"}
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                 "eight": "8", "nine": "9", "ten": "10"}

DECLINE_TEMPLATE = (
    "Sorry, I don't have that information{about}: the ZUSM pages I answer from don't cover it. "
    "Please check the official website of Zhejiang University School of Medicine or contact the hospital directly."
)


@dataclass
class Source:
    page: str
    title: str
    section: str | None
    date: str | None

    def line(self) -> str:
        where = self.title
        if self.section and self.section != self.title:
            where += f", section \u201c{self.section}\u201d"
        return f"{where} ({_date_phrase(self.date)})" if self.date else f"{where} (undated page)"


@dataclass
class Answer:
    kind: str            # answer | list | conflict | faq | overview | clarify | decline
    text: str
    confidence: float
    sources: list[Source] = field(default_factory=list)
    buttons: list[dict] = field(default_factory=list)
    focus: str | None = None

    def reply(self) -> str:
        if not self.sources:
            return self.text
        seen: list[str] = []
        for s in self.sources:
            if s.line() not in seen:
                seen.append(s.line())
        return f"{self.text}\nSource: {'; '.join(seen)}"


@dataclass
class Candidate:
    sentence: int
    passage: int
    text: str
    cosine: float
    coverage: float
    confidence: float
    score: float
    literal: float = 0.0
    unseen_share: float = 0.0


def _date_phrase(date: str) -> str:
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    parts = date.split("-")
    if len(parts) == 2:
        return f"updated {months[int(parts[1]) - 1]} {parts[0]}"
    return f"dated {date}"


@lru_cache(maxsize=4096)
def _aspect_group(term: str) -> frozenset[str]:
    """The term and every word of the aspects it belongs to ("enrolled" belongs where "enrol" does)."""
    return frozenset({term}.union(*(g for g in ASPECTS.values() if in_aspect(term, g))))


def in_aspect(term: str, group: set[str]) -> bool:
    return term in group or (len(term) >= 6 and any(len(w) >= 5 and term.startswith(w) for w in group))


def aspects_of(terms: list[str]) -> set[str]:
    return {name for name, group in ASPECTS.items() if any(in_aspect(t, group) for t in terms)}


def coverage(terms: list[str], sentence_terms: set[str], idf: dict[str, float], unseen: float) -> float:
    """IDF-weighted share of the question's content words that the sentence (or its context) contains."""
    if not terms:
        return 0.0
    total = matched = 0.0
    for term in terms:
        weight = idf.get(term, unseen)
        total += weight
        if term in sentence_terms or _aspect_group(term) & sentence_terms or _prefix_match(term, sentence_terms):
            matched += weight
    return matched / total


def literal_share(terms: list[str], sentence_terms: set[str]) -> float:
    """Share of the question's words that the sentence uses literally (no synonyms): a tie-breaker."""
    return sum(1 for t in terms if t in sentence_terms or _prefix_match(t, sentence_terms)) / len(terms) if terms else 0.0


_WHICH_PLACE = re.compile(
    r"\bwhich (of the |of zusm'?s? )?(zusm |affiliated |zju )?(hospital|hospitals|one|ones|department|departments|affiliated)\b"
    r"|\bwhich is\b|\bwhat (hospital|hospitals)\b|\bany hospitals?\b")
_GENERIC_REFERENCE = re.compile(r"\b(the|this|that|your|a) (affiliated |main |zusm |medical )?(hospital|hospital's|department|department's|dept)\b|^\s*(how many|when|what)\b[^?]*\b(it|its|there)\b")
# "How recent is this information?": answered from the pages' own dates, not from their text.
_ABOUT_FRESHNESS = re.compile(
    r"\b(last|latest) updated?\b|\bup[- ]to[- ]date\b|\bhow (recent|current|new|old) (is|are) (the|this|that|your|these) "
    r"(\w+ )?(info|information|data|page|pages|facts)\b|\bhow recent\b|\bwhen (was|were) (the|this|these) (\w+ ){0,3}"
    r"(info|information|page|pages) (\w+ )?(updated|written|published)\b")
_ASKS_FOR_LIST = re.compile(r"\blist\b|\bnames?\b|\bname them\b|\b(which|what) are\b|\benumerate\b")
_SUPERLATIVE = re.compile(r"\b(most|largest|biggest|highest|fewest|least|smallest|lowest|more|less)\b")
_SMALLEST = re.compile(r"\b(fewest|least|smallest|lowest|less)\b")
_PROCEDURAL = re.compile(r"\bhow (do|can|could|should|would) (i|we|my|our)\b|\bhow to\b|\bwhere (do|can|should) (i|we)\b")
_YEAR_QUESTION = re.compile(r"^\s*when\b|\b(what|which) year\b|\bwhen (was|did|were|will|is|does|do)\b|\bsince when\b|\bhow old\b"
                            r"|\byear (was|did|were)\b|\b(founded|established|opened|built) (in )?what year\b")
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
_NOTABLE_PERSON = re.compile(r"\b(any|a|well[- ]known|famous|notable|leading|top|renowned) (\w+ )?(professor|expert|surgeon|specialist)s?\b")
_PERSON_QUESTION = re.compile(r"\bwho\b|\b(any|a|well[- ]known|famous|notable|leading|top|renowned) (\w+ )?(professor|expert|surgeon|specialist)s?\b|\bwhich (\w+ )?(professor|doctor|expert|surgeon|specialist|person|leader)s?\b"
                              r"|\bname of (the|a|any) (\w+ )?(professor|doctor|expert|head|director|leader)\b")
# Asking for the person in a role: only a sentence that names someone can answer it.
_PERSON_ROLE = re.compile(
    r"\bwho('?s| is| was| are)? (the )?(current |present |new )?(dean|president|director|head|chief|leader|chair|chairman|"
    r"chairperson|principal|ceo|boss|manager|founder)\b|\bwho (leads|heads|runs|founded|directs|manages|is in charge)\b"
    r"|\bname of the (dean|president|director|head|chief)\b")
_PERSON_NAMED = re.compile(r"\b(Prof\.?|Professor|Dr\.?|Academician)\s+[A-Z][a-z]+")
_COUNTED = re.compile(r"\b(how many|number of|count of|total of|how much)\s+((?:[\w'-]+\s*){1,4})")
_COUNT_QUESTION = re.compile(r"\bhow (many|much|big|large)\b|\bnumber of\b|\bcount\b|\btotal\b|\bvolume\b|\bamount\b")


def count_nouns_of(question: str, terms: list[str] | None = None) -> set[str]:
    """The countable things a question names, by their page word: "how many sites" counts campuses.
    With `terms` (the question's words without place names), "the 2nd hospital" is not a count of hospitals."""
    stems = set(terms) if terms is not None else {stem(w) for w in words(question)}
    nouns = COUNT_NOUNS & stems
    counted = _COUNTED.search(normalize(question))
    if counted:
        # The thing counted is named right after "how many" ("how many sites", "how many interventional
        # doctors"), not elsewhere in the question ("workshops for doctors, how many").
        first = next((stem(w) for w in counted.group(2).split() if w not in STOPWORDS), None)
        if first and first not in {"big", "size", "where", "located"}:
            nouns.update(n for n in COUNT_NOUNS
                         if first == n or in_aspect(first, next((g for g in ASPECTS.values() if n in g), set())))
    return nouns


def _states_count(text: str, nouns: set[str]) -> bool:
    if nouns:
        # "10 professional doctors" states a count of staff.
        return any(numbers_near(text, w) for n in nouns for w in {n} | next((g for g in ASPECTS.values() if n in g), set()))
    return any(w.isdigit() or w in _NUMBER_WORDS for w in words(text))


def _aspect_depth(terms: list[str], sentence_terms: set[str]) -> int:
    """How many words of the asked aspect a sentence uses: breaks ties between sentences that both match."""
    depth = 0
    for group in ASPECTS.values():
        if group & set(terms):
            depth += min(3, len(group & sentence_terms))
    return depth


def _prefix_match(term: str, sentence_terms: set[str]) -> bool:
    """"exam" ~ "examinations", "laparoscop" ~ "laparoscopic": a light stemmer's missing half."""
    return len(term) >= 4 and any(t.startswith(term) or (len(t) >= 4 and term.startswith(t)) or _same_root(term, t)
                                  for t in sentence_terms)


def _same_root(a: str, b: str) -> bool:
    """"infectious" ~ "infection", "operative" ~ "operation": a long shared beginning, different endings."""
    if len(a) < 7 or len(b) < 7 or a[:6] != b[:6]:
        return False
    n = 6
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= min(len(a), len(b)) - 3


def numbers_near(text: str, noun: str) -> set[str]:
    tokens = [stem(w) for w in words(text)]
    found = set()
    for i, token in enumerate(tokens):
        if token == noun:
            # The nearest number before the noun, across at most three words ("9 non-direct affiliated hospitals").
            window = tokens[max(0, i - 4):i]
            for j in range(len(window) - 1, -1, -1):
                t = _NUMBER_WORDS.get(window[j], window[j])
                if j + 1 < len(window) and window[j + 1] in ("st", "nd", "rd", "th"):
                    continue  # "1 st Peoples Hospital" is a name, not a count
                if t.isdigit():
                    found.add(t)
                    break
    return found


def clause_window(sentence: str, noun: str) -> str:
    """The clauses that state a count: from the first to the last one naming the noun, plus the next
    clause when the count is followed by the items it counts ("two campuses, Jiefang Road and Binjiang")."""
    clauses = [c.strip() for c in re.split(r"(?<=,)\s*", sentence) if c.strip()]
    hits = [i for i, c in enumerate(clauses) if noun in {stem(w) for w in words(c)}]
    if not hits:
        return sentence
    end = hits[-1] + 1
    if end < len(clauses) and len(hits) == 1:
        end += 1
    window = " ".join(clauses[hits[0]:end]).strip(" ,;")
    return window[0].upper() + window[1:]


def asked_aspect_groups(terms: list[str], asked: set[str] | None = None) -> list[frozenset[str]]:
    """Each asked word of a place-specific aspect (beds, campuses, founding...) with all its synonyms."""
    asked = aspects_of(terms) & ENTITY_ASPECTS if asked is None else asked
    return [_aspect_group(t) for t in terms if any(in_aspect(t, ASPECTS[a]) for a in asked)]


def answer_type_match(question: str, text: str, terms: list[str] | None = None) -> float:
    """1 when the sentence has the kind of thing asked for (a number, a year, a person), else 0."""
    q = normalize(question)
    if _YEAR_QUESTION.search(q):
        return float(bool(_YEAR.search(text)))
    if _PERSON_QUESTION.search(q) and _PERSON_ROLE.search(q):
        return float(bool(_PERSON_NAMED.search(text)))
    if _COUNT_QUESTION.search(q):
        return float(_states_count(text, count_nouns_of(question, terms)))
    return 1.0


def decision_features(best: Candidate, candidates: list[Candidate], terms: list[str], focus: str | None,
                      question: str = "", context_text: str = "", sentence_terms: set[str] | None = None) -> dict[str, float]:
    """What the answer-or-decline decision looks at, beyond the best sentence's own score."""
    others = [c.confidence for c in candidates[1:] if c.sentence != best.sentence]
    groups = asked_aspect_groups(terms)
    aspect_match = not groups or any(g & (sentence_terms or set()) for g in groups)
    return {
        "type_match": answer_type_match(question, f"{best.text} {context_text}", terms),
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


class AnswerComposer:
    def __init__(self, kb: KnowledgeBase, *, threshold: float, faq_threshold: float, k: int = 8,
                 reply_max_chars: int = 600, second_ratio: float = 0.9, clarify_margin: float = 0.06,
                 unseen_penalty: float = 0.5, own_words_weight: float = 0.08,
                 calibrator: Calibrator | None = None) -> None:
        self.kb = kb
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
        return [stem(t) for t, c in zip(tokens, covered) if not c and t not in STOPWORDS]

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
    def answer(self, question: str, focus: str | None = None) -> Answer:
        unknown = mentions_unknown_hospital(question)
        if unknown:
            return self.decline(f"the {unknown.title()}", focus=None)
        if _ABOUT_FRESHNESS.search(normalize(question)):
            return self.freshness()
        terms = self.terms_of(question)
        named = self._entities_in(question)
        mentioned_only = [m.name for m in self.kb.catalog.find(question) if not self.kb.catalog.has_home(m.name)]
        if focus is None and named:
            focus = self.kb.catalog.most_specific(named)
        placed = self._department_placement(question, named, focus)
        if placed:
            return placed
        if set(terms) <= _OVERVIEW_WORDS and not _ASKS_FOR_LIST.search(normalize(question)) \
                and "departments" not in words(question):
            return self.overview(focus) if focus else self.decline(focus=focus)
        focus_entity = self.kb.catalog.by_name(focus) if focus else None
        if focus_entity and focus_entity.type in _REFERENCE_WORDS:
            # "When did the department start?" with the department known: "department" is the reference,
            # not a word the answer must contain.
            terms = [t for t in terms if t not in _REFERENCE_WORDS[focus_entity.type]] or terms

        query_text = spelled_out(question) if (not focus or focus in named) else f"{spelled_out(question)} ({focus})"
        qvec = self.kb.encode_query(query_text)
        faq = self._faq(question, qvec, focus, terms, mentioned_only)
        if faq:
            return faq
        hits = self.kb.retrieve(qvec, terms, self.k, focus)
        candidates = self._candidates(question, qvec, terms, hits, focus, mentioned_only)
        if not candidates:
            return self.decline(focus, focus=focus)
        best = candidates[0]
        aspects = aspects_of(terms)
        if any(t in LOGISTICS and (t not in self.kb.idf or t not in self.kb.sentence_own_terms[best.sentence]) for t in terms):
            # Opening hours, prices, parking, phone numbers...: what visitors need for a visit, which these
            # pages never state; a sentence that shares the other words would be an unrelated fact.
            return self.decline(focus, focus=focus, confidence=0.0)
        if focus is None:
            which = self._which(question, candidates)
            if which:
                return which
            clarify = self._clarify(question, terms, candidates, aspects) if not mentioned_only else None
            if clarify:
                return clarify
        best_passage = self.kb.passages[best.passage]
        self.last_features = decision_features(best, candidates, terms, focus, question, "",
                                               self.kb.sentence_terms[best.sentence])
        confidence, threshold = best.confidence, self.threshold
        if self.calibrator:
            confidence, threshold = self.calibrator.probability(self.last_features), self.calibrator.threshold
        conflict = self._wide_conflict(question, qvec, terms, hits, best, focus, mentioned_only)
        if conflict and best.coverage >= 0.6:
            # Two pages stating different counts for the same thing is no reason to doubt either: the
            # runner-up's closeness (a low margin) is the disagreement itself.
            return conflict
        if confidence < threshold:
            return self.decline(focus, focus=focus, confidence=confidence)
        features = self.last_features
        if _YEAR_QUESTION.search(normalize(question)) and not _YEAR.search(best.text):
            # "When did it open?" with no year on the page: any sentence found is about something else.
            return self.decline(focus, focus=focus, confidence=confidence)
        if not features["aspect_match"] and (not features["type_match"] or not self._specifics(terms, mentioned_only)):
            # The thing asked (beds, campuses...) is not in the sentence, and neither is the kind of answer
            # (a number, a year, a name) nor anything else the visitor said: "Zhoushan Hospital beds".
            return self.decline(focus, focus=focus, confidence=confidence)
        if _PERSON_ROLE.search(normalize(question)) and not _PERSON_NAMED.search(best.text):
            # "Who is the dean?": a sentence about the place that names nobody does not answer it.
            return self.decline(focus, focus=focus, confidence=confidence)
        asked_years = set(_YEAR.findall(question))
        page_years = set(_YEAR.findall(f"{best.text} {best_passage.section} {best_passage.date or ''}"))
        if asked_years and not asked_years & page_years:
            # "How many scans in 2023?" answered with 2006's figures would be a wrong number.
            declined = self.decline(focus, focus=focus, confidence=confidence)
            stated = sorted(set(_YEAR.findall(best.text)))
            if stated:
                declined.text += f" (The page gives figures for {', '.join(stated)}.)"
            return declined
        if _PROCEDURAL.search(normalize(question)) and not (best.coverage >= 1.0 and best.cosine >= 0.75):
            # "How do I apply / register / get there?": the pages describe the places, not procedures;
            # a description that merely shares words with the question is not an answer to it.
            return self.decline(focus, focus=focus, confidence=best.confidence)
        listed = self._section_list(terms, best)
        if not listed and _ASKS_FOR_LIST.search(normalize(question)):
            # "Give me the names": a bullet list whose heading the visitor named answers it, even when a
            # sentence that mentions the same heading words ranks first.
            listed = next(filter(None, (self._section_list(terms, c) for c in candidates[1:6])), None)
        if listed:
            return listed
        return self._compose(best, candidates, focus)

    # ---- pieces ------------------------------------------------------------------------------
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
        asks_placement = re.search(r"\b(which|what) (hospital|hospitals|hosp)\b|\bwhere is\b|\bbelong|\bpart of\b", normalize(question))
        if hospitals and asks_placement and entity.note and not entity.belongs_to:
            # "Does GI surgery belong to SAHZU or SRRSH?": its page doesn't say, whichever is named.
            hospitals = []
        if not hospitals and asks_placement:
            own = [p for p in self.kb.passages if focus in p.entities]
            if entity.belongs_to and own:
                text = f"The {entity.name} department described on these pages is part of the {entity.belongs_to}."
                return Answer("answer", text, 1.0, [self._source(own[0])], focus=focus)
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
        if (nouns and _COUNT_QUESTION.search(normalize(question))
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
                    mentioned_only: list[str] | None = None, extra: list[int] | None = None) -> list[Candidate]:
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
        unseen = [t for t in terms if t not in self.kb.idf and t not in GENERIC_WORDS
                  and not any(in_aspect(t, g) for g in ASPECTS.values()) and not _prefix_match(t, self.kb.vocabulary_terms)]
        # How much of the question the unseen words are: one odd word among several the pages use
        # ("someone told me ... true?") is wording; a question made of them ("parking fees") is off the pages.
        mass = sum(self.kb.idf.get(t, self.kb.unseen_idf) for t in terms) or 1.0
        share = sum(self.kb.unseen_idf for t in unseen) / mass
        unseen_factor = 1.0 - (1.0 - self.unseen_penalty) * min(1.0, share / UNSEEN_SHARE_FULL)
        sims = self.kb.sentence_similarities(qvec)
        wants_count = bool(_COUNT_QUESTION.search(normalize(question)))
        wants_year = bool(_YEAR_QUESTION.search(normalize(question)))
        wants_person = bool(_PERSON_QUESTION.search(normalize(question)))
        wants_named_person = bool(_PERSON_ROLE.search(normalize(question)) or _NOTABLE_PERSON.search(normalize(question)))
        if wants_year:
            terms = [t for t in terms if t != "year"]  # "what year" is the question, not its topic
        asked_years = set(_YEAR.findall(question))
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
            conf = 0.5 * max(cos, 0.0) + 0.5 * cov + 0.02 * _aspect_depth(terms, self.kb.sentence_terms[s_id])
            # Words found in the sentence itself are better evidence than words found only in its heading.
            literal = literal_share(terms, self.kb.sentence_own_terms[s_id])
            conf += own_weight * literal
            if wants_year and not _YEAR.search(sentence["text"]):
                conf *= 0.75  # "when was it founded?" is answered by a sentence that states a year
            if asked_years and not asked_years & set(_YEAR.findall(sentence["text"])):
                conf *= 0.85  # "how many CT scans in 2006?" is answered by the sentence about 2006
            if wants_count and not _states_count(sentence["text"], count_nouns):
                conf *= 0.75  # "how many ...?" is answered by a sentence that states a number
            if wants_person and not _PERSON_NAMED.search(sentence["text"]):
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
            out.append(Candidate(s_id, p, sentence["text"], cos, cov, conf, conf + rank_bonus[p], literal, share))
        out.sort(key=lambda c: -c.score)
        return out

    def _specifics(self, terms: list[str], mentioned_only: list[str]) -> list[str]:
        """The question's words beyond the asked aspect, generic words and the names of places."""
        asked_words = set().union(*(ASPECTS[a] for a in aspects_of(terms) & ENTITY_ASPECTS))
        place_words = {stem(w) for n in mentioned_only for w in words(n)}
        return [t for t in terms if t not in asked_words and t not in GENERIC_WORDS and t not in place_words]

    def _best_per_entity(self, candidates: list[Candidate]) -> list[tuple[str, Candidate]]:
        best: dict[str, Candidate] = {}
        for c in candidates:
            for name in self.kb.passages[c.passage].entities:
                entity = self.kb.catalog.by_name(name)
                if entity and entity.type in ("hospital", "department") and name not in best:
                    best[name] = c
        return sorted(best.items(), key=lambda kv: -kv[1].score)

    def _which(self, question: str, candidates: list[Candidate]) -> Answer | None:
        q = normalize(question)
        if not _WHICH_PLACE.search(q):
            return None
        good = [(n, c) for n, c in self._best_per_entity(candidates) if c.confidence >= self.threshold]
        if len(good) < 2:
            return None
        top = good[0][1].confidence
        nouns = count_nouns_of(question)
        if nouns and _SUPERLATIVE.search(q):
            # "Which hospital has the most beds?": order by the number each page states.
            def stated(item):
                return max((int(n) for noun in nouns for n in numbers_near(item[1].text, noun)), default=-1)
            good = sorted(good, key=stated, reverse=not _SMALLEST.search(q))
        good = good[:5]
        parts = [f"{name}: {c.text.rstrip('.')}" for name, c in good]
        text = "According to the pages: " + "; ".join(parts) + "."
        return Answer("list", self._trim(text), top, [self._source(self.kb.passages[c.passage]) for _, c in good])

    def _clarify(self, question: str, terms: list[str], candidates: list[Candidate], aspects: set[str]) -> Answer | None:
        if not aspects & ENTITY_ASPECTS:
            return None
        aspect_words = set().union(*(ASPECTS[a] for a in aspects & ENTITY_ASPECTS))
        # "the hospital", "it", or a bare "hospital ranking?" with no hospital named or remembered.
        generic = bool(_GENERIC_REFERENCE.search(normalize(question))) or (
            "hospital" in words(question) and not re.search(r"\b(which|what)\b", normalize(question)))
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
                       focus: str | None, mentioned_only: list[str]) -> Answer | None:
        nouns = count_nouns_of(question, terms)
        # "Which regional hospitals...?" names hospitals without asking how many there are.
        if not nouns or (nouns <= {"hospital"} and not _COUNT_QUESTION.search(normalize(question))):
            return None
        # Pages that disagree may not both be in the top hits: widen to every passage about the same place.
        best_entities = set(self.kb.passages[best.passage].entities)
        related = [i for i, p in enumerate(self.kb.passages) if best_entities & set(p.entities)]
        wide = self._candidates(question, qvec, terms, hits, focus, mentioned_only, extra=related)
        return self._conflict(nouns, [best] + [c for c in wide if c.sentence != best.sentence], focus)

    def _conflict(self, nouns: set[str], candidates: list[Candidate], focus: str | None) -> Answer | None:
        best = candidates[0]
        bp = self.kb.passages[best.passage]
        for other in candidates[1:]:
            op = self.kb.passages[other.passage]
            if op.page == bp.page or other.confidence < 0.6 * best.confidence:
                continue
            if not set(bp.entities) & set(op.entities):
                continue
            for noun in nouns:
                a, b = numbers_near(best.text, noun), numbers_near(other.text, noun)
                if a and b and a != b:
                    first, second = sorted([(bp, best), (op, other)], key=lambda x: x[0].date or "", reverse=True)
                    parts = []
                    for p, c in (first, second):
                        when = f" ({_date_phrase(p.date)})" if p.date else " (undated)"
                        parts.append(f"the {p.title} page{when} says: \u201c{clause_window(c.text, noun)}\u201d")
                    text = "The pages differ here: " + "; ".join(parts) + "."
                    return Answer("conflict", self._trim(text), best.confidence,
                                  [self._source(first[0]), self._source(second[0])], focus=focus)
        return None

    def _section_list(self, terms: list[str], best: Candidate) -> Answer | None:
        """"Which are the cooperated hospitals?": the answer is the whole bullet list of that section."""
        p = self.kb.passages[best.passage]
        if not p.is_list:
            return None
        heading_terms = {stem(w) for w in words(p.section)} - GENERIC_WORDS - STOPWORDS
        if not heading_terms or not heading_terms <= set(terms) | GENERIC_WORDS:
            return None
        items = [s for q in self.kb.passages if q.page == p.page and q.section == p.section for s in q.sentences]
        text = f"{p.section}: " + "; ".join(i.rstrip(". ") for i in items) + "."
        return Answer("list", self._trim(text), best.confidence, [self._source(p)])

    def _compose(self, best: Candidate, candidates: list[Candidate], focus: str | None) -> Answer:
        p = self.kb.passages[best.passage]
        chosen = [best]
        for c in candidates[1:4]:
            if (c.passage == best.passage and c.confidence >= self.second_ratio * best.confidence
                    and len(best.text) + len(c.text) < self.reply_max_chars - 80):
                chosen.append(c)
                break
        chosen.sort(key=lambda c: c.sentence)  # keep the page's order
        texts = [c.text for c in chosen]
        # A long page sentence was cut into fragments; a fragment that stops mid-clause continues in the next.
        nxt = chosen[-1].sentence + 1
        if (not texts[-1].rstrip().endswith((".", "!", "?")) and nxt < len(self.kb.stored.sentences)
                and self.kb.stored.sentences[nxt]["text"][:1].islower()
                and sum(map(len, texts)) + len(self.kb.stored.sentences[nxt]["text"]) < self.reply_max_chars - 120):
            texts[-1] = texts[-1].rstrip() + " " + self.kb.stored.sentences[nxt]["text"]
        body = " ".join(_sentence(t) for t in texts)
        label = self._label(p)
        label_words = set(words(label)) - GENERIC_WORDS - STOPWORDS
        if label and not label_words & set(words(body)):
            body = f"{label}: {body}"
        # Asked about the school, answered from one hospital's section: the conversation is now about that hospital.
        school = focus and self.kb.catalog.by_name(focus) and self.kb.catalog.by_name(focus).type == "school"
        own = [n for n in p.entities if n != focus]
        answered_about = own[0] if school and len(own) == 1 else focus or (p.entities[0] if len(p.entities) == 1 else None)
        return Answer("answer", self._trim(body), best.confidence, [self._source(p)], focus=answered_about)

    def freshness(self) -> Answer:
        """Which pages carry a date and which don't: the visitor can judge how current an answer is."""
        pages: dict[str, Passage] = {}
        for p in self.kb.passages:
            pages.setdefault(p.page, p)
        dated = [p for p in pages.values() if p.date]
        undated = [p for p in pages.values() if not p.date]
        parts = [f"the {p.title} page is {_date_phrase(p.date)}" for p in dated]
        text = "I answer from the ZUSM website pages: " + ("; ".join(parts) if parts else "none of them carries a date")
        if dated and undated:
            text += f"; the other {len(undated)} pages carry no date"
        text += ". For the latest figures, please check the official website."
        return Answer("answer", self._trim(text), 1.0, [Source(p.page, p.title, None, p.date) for p in dated])

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
            body = " ".join(_sentence(s) for s in p.sentences[:2])
        return Answer("overview", self._trim(body), 1.0, [self._source(p)], focus=focus)

    def _trim(self, text: str) -> str:
        limit = self.reply_max_chars - 120  # leave room for the source line
        if len(text) <= limit:
            return text
        cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
        return cut + " \u2026"


def _sentence(text: str) -> str:
    text = text.strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "\u2026")) else text.rstrip(",;") + "."
