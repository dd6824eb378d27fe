"""What a visitor's question asks, and how its words meet a sentence's.

Aspect synonym groups (visitors say "how big", pages say "beds"), the kind of answer wanted (a count, a
year, a person), the countable thing named, and word matching that forgives endings and light typos.
Pure functions over words: no index, no model.
"""
from __future__ import annotations

import re
from functools import lru_cache

from bot.kb.text import STOPWORDS, normalize, stem, words

# Visitors and pages name the same thing differently ("founded" vs "began in 1984").
_ASPECT_WORDS = {
    "founded": "found founded founding establish established establishment est began begin start started history since old oldest built open opened create created birthplace longest set newest newer latest exist exists existed existence",
    "yearly": "year years annually annual yearly every each often frequency frequently biennial weekly once",
    "size": "big bigger biggest large larger largest size",
    "bed": "bed beds capacity big size",
    "campus": "campus campuses location locations site sites branch branches located where city cities town",
    "staff": "staff staffs employee employees faculty doctor doctors personnel worker workers workforce employ employs employed member members people team teacher teachers lecturer lecturers",
    "student": "student students enrol enrollment",
    "rank": "rank ranked ranking rankings rated rating ratings best top position leading league compare compared comparison nationally nationwide stand standing",
    "jci": "jci accredit accredited accreditation certified certification approval approved",
    "jci_is_international": "jci international",  # Joint Commission International: "international accreditation?"
    "treat": "treat treats treated treating treatment treatments specialty specialties speciality specialize specialise specialised specialized known famous focus focusing characteristic characterized good strength strengths strong expertise offer service services cancer cancers tumor tumors disease diseases surgery surgeries care therapy therapies",
    "equipment": "equipment equipments equip equipped device devices machine machines scanner instrument instruments apparatus kit gear",
    "lead": "lead leader leads head chief director charge",
    "member": "belong belongs join joined member members part",
    "acquire": "buy bought purchase purchased introduce introduced acquire acquired first",
    "research": "research project projects foundation grant science scientific fund funds funded funding sponsor sponsored",
    "surgery": "surgery surgeries operation operations operate operates operated case cases experience experienced",
    "exam": "scan scans inspection inspections examination examinations exam exams check checks checkup imaging diagnostic",
    "teach": "teach teaches teaching train trains training educate education mentor mentors mentoring guidance guide tutor course courses class classes",
    "event": "conference conferences forum forums workshop workshops symposium symposia congress meeting meetings host hosts hosted held hold",
    "partner": "partner partners partnership partnerships collaborate collaborates collaboration cooperate cooperation cooperated exchange exchanges",
    "abroad": "foreign international overseas abroad global worldwide world",
    "national": "china chinese national nationally nationwide country countrywide domestic domestically state",
    "admission": "admit admits admitted admission admissions accept accepts accepted acceptance intake applicant applicants apply application applications ielts toefl gaokao hsk requirement requirements prerequisite prerequisites",
    "notable": "famous renowned notable eminent prestigious distinguished leader leading",
    "award": "award awards awarded honor honors honored honorary title titles prize prizes medal recognition",
    "name": "name names called call referred refer nickname abbreviation abbreviated short aka",
    "construction": "construction constructed construct building finish finished complete completed ready yet",
    "history": "history historic historical historically heritage birthplace legacy",
    "online": "online internet cloud digital telemedicine remote virtual data",
    # Lay words for what the pages name in medical terms.
    "digestive": "gastrointestinal gastroenterology bowel bowels intestine intestines intestinal gut stomach colon colorectal digestive",
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
    "icu": "icu nicu picu intensive critical",
    "catheter": "catheter catheters transcatheter tube tubes",
    "aid": "aid support supporting assistance mission missions volunteer volunteers humanitarian sending expert experts",
}
ASPECTS: dict[str, set[str]] = {name: {stem(w) for w in ws.split()} for name, ws in _ASPECT_WORDS.items()}
# Asked about (with the second aspect, when one is given), the first must be in the answer itself: no other
# fact about students answers "how many get in?", and a national rank does not answer "world ranking?".
MUST_MATCH_ASPECTS = {"admission": None, "abroad": "rank", "icu": None}
# "Name them": a sentence that only counts them names nothing.
ASKS_FOR_NAMES = re.compile(r"\b(name|list) (them|those|these|some|a few|all|the \w+)\b|\bwhat are (they|their names) called\b"
                            r"|\b(what are|tell me|give me) the names of\b"
                            r"|\bwhich (ones )?(are|r) (they|those)\b|\bwhat are their names\b"
                            r"|\bwhat are ([\w']+ ){0,6}called\b|\bnames of (the|its|their|all|those|these|\d+)\b"
                            r"|\b(list|give|tell|send) (me )?(their|its|the|all the) names\b|\bwho (are|were) (they|those|these)\b")
# Real words whose meaning is known here: a typo fix must not turn them into a page word ("funded" -> "founded").
KNOWN_WORDS = " ".join(_ASPECT_WORDS.values())
# Words that ask when something began or which is newest: a sentence without a year or a word of its
# beginning cannot answer them, however well it matches the rest ("which campus is the newest?").
AGE_WORDS = {stem(w) for w in "newest newer latest oldest old found founded founding establish established est began begin "
             "since create created history longest exist exists existed".split()}
# Facts that differ from one hospital to the next: asked without naming one, the visitor must pick.
ENTITY_ASPECTS = {"founded", "bed", "campus", "staff", "rank", "jci", "treat", "equipment", "lead"}

# Visit logistics a hospital's information pages often leave out (checked against the pages' own words
# before use, so a page that does state a price or a phone number still answers).
LOGISTICS = {stem(w) for w in """hour hours schedule timetable price prices
    cost costs fee fees charge charges pay payment insurance insured phone telephone email fax address parking park
    wifi cafeteria canteen restaurant food menu waiting wait queue visa salary salaries wage tuition scholarship
    bus metro subway taxi directions map shop pharmacy atm visit visits visitor visitors transport
    distance flight flights km kilometres kilometers miles hotel hotels hostel hostels accommodation lodging
    eat eating lunch dinner breakfast snack snacks cheap cheaper cheapest
    day days weekday weekdays weekend weekends monday tuesday
    wednesday thursday friday saturday sunday""".split()}

COUNT_NOUNS = {"campus", "bed", "hospital", "employee", "staff", "student", "faculty"}
# Each count noun's aspect group ("staff" -> employees, doctors, people...): "10 doctors" counts staff.
_COUNT_NOUN_SYNONYMS = {n: next((g for g in ASPECTS.values() if n in g), set()) for n in COUNT_NOUNS}
NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                 "eight": "8", "nine": "9", "ten": "10"}

@lru_cache(maxsize=4096)
def aspect_group(term: str) -> frozenset[str]:
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
        if term in sentence_terms or aspect_group(term) & sentence_terms or prefix_match(term, sentence_terms):
            matched += weight
    return matched / total


def literal_share(terms: list[str], sentence_terms: set[str]) -> float:
    """Share of the question's words that the sentence uses literally (no synonyms): a tie-breaker."""
    return sum(1 for t in terms if t in sentence_terms or prefix_match(t, sentence_terms)) / len(terms) if terms else 0.0


WHICH_PLACE = re.compile(
    r"\bwhich (of the |of zusm'?s? )?(zusm |affiliated |zju )?(hospital|hospitals|one|ones|department|departments|affiliated)\b"
    r"|\bwhich is\b|\bwhat (hospital|hospitals)\b|\bany hospitals?\b|\bany of (the |its |zusm'?s? |zju'?s? )+(\w+ )?hospitals\b"
    r"|\bwh(at|ich)('s|s| is| was| are)? the (\w+est|most \w+|first|1st) ([\w()]+ ){0,3}(hospital|hospitals|one|department)\b"
    r"|\bwhich (one )?of (them|those|these)\b"
    r"|^\s*(and |what about |how about )?the (\w+est|most \w+) (hospital|one|department)\b"
    r"|\b(in|at|of) the (biggest|largest|oldest|smallest|newest)( one)?\s*\??$")


def school_is_the_scope(question: str, kinds: list[str]) -> bool:
    """"Which hospital of ZJU has the most beds?": the school names where to look, not what is asked about."""
    q = normalize(question)
    if bool(kinds) and all(k == "school" for k in kinds) and _AMONG_SCHOOL_HOSPITALS.search(q):
        return True  # "is it really the oldest of ZJU's hospitals?"
    if bool(kinds) and all(k == "school" for k in kinds) and _SCHOOLS_HOSPITAL.search(q):
        return True  # "is the zju affiliated hospital jci accredited?": one of its hospitals, unnamed
    return (bool(kinds) and all(k == "school" for k in kinds) and WHICH_PLACE.search(q) is not None
            and re.search(r"\bhospitals?\b", q) is not None)


_SCHOOLS_HOSPITAL = re.compile(r"\b(the|your) (zju|zusm|zhejiang university|zhejiang uni|zju med)('s|s)? (affiliated |main |university |"
                               r"teaching |specialist )?hospital\b(?!s| network| system| group)")
_AMONG_SCHOOL_HOSPITALS = re.compile(r"\b(of|in|among|across) (all )?(the )?(zju|zusm|zhejiang university)('s|s)? "
                                     r"(\w+ )?(hospitals|affiliated hospitals|network)\b")
GENERIC_REFERENCE = re.compile(r"\b(the|this|that|your|a) (affiliated |main |zusm |zju |medical |specialist |zju affiliated )?(hospital|hospital's|department|department's|dept)\b(?! network| system| group)|^\s*(how many|when|what)\b[^?]*\b(it|its|there)\b")
# "How recent is this information?": answered from the pages' own dates, not from their text.
ABOUT_FRESHNESS = re.compile(
    r"\b(last|latest) updated?\b|\bup[- ]to[- ]date\b|\bhow (recent|current|new|old) (is|are) (the|this|that|your|these) "
    r"(\w+ )?(info|information|data|page|pages|facts)\b|\bhow recent\b|\bwhen (was|were) (the|this|these) (\w+ ){0,3}"
    r"(info|information|page|pages) (\w+ )?(updated|written|published)\b")
ASKS_FOR_LIST = re.compile(r"\blist\b|\bnames?\b|\bname them\b|\b(which|what) are\b|\benumerate\b")
SUPERLATIVE = re.compile(r"\b(most|largest|biggest|highest|fewest|least|smallest|lowest|more|less)\b")
MOST = re.compile(r"\b(most|largest|biggest|highest|fewest|least|smallest|lowest)\b")
SMALLEST = re.compile(r"\b(fewest|least|smallest|lowest|less)\b")
PROCEDURAL = re.compile(r"\bhow (do|can|could|should|would) (i|we|my|our)\b|\bhow to\b|\bwhere (do|can|should) (i|we)\b")
YEAR_QUESTION = re.compile(r"^\s*when\b|\b(what|which) (year|yr)\b|\bwhen (was|did|were|will|is|does|do)\b|\bsince when\b|\bhow old\b"
                            r"|\byear (was|did|were)\b|\b(founded|established|opened|built) (in )?what year\b"
                            r"|\b(founding|foundation|establishment) (year|date)\b|\byear (of )?(founding|foundation|establishment)\b")
YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
NOTABLE_PERSON = re.compile(r"\b(any|a|well[- ]known|famous|notable|leading|top|renowned) (\w+ )?(professor|expert|surgeon|specialist)s?\b")
PERSON_QUESTION = re.compile(r"\bwho\b|" + NOTABLE_PERSON.pattern + r"|\bwhich (\w+ )?(professor|doctor|expert|surgeon|specialist|person|leader)s?\b"
                              r"|\bname of (the|a|any) (\w+ )?(professor|doctor|expert|head|director|leader)\b")
# Asking for the person in a role: only a sentence that names someone can answer it.
PERSON_ROLE = re.compile(
    r"\bwho('?s| is| was| are)? (the )?(current |present |new )?(dean|president|director|head|chief|leader|chair|chairman|"
    r"chairperson|principal|ceo|boss|manager|founder)\b|\bwho (leads|heads|runs|founded|directs|manages|is in charge)\b"
    r"|\bwho (is|are|was|were) (the )?(\w+ ){0,3}(professors?|doctors?|experts?|surgeons?|specialists?)\b"
    r"|\bname of the (dean|president|director|head|chief)\b")
PERSON_NAMED = re.compile(r"\b(Prof\.?|Professor|Dr\.?|Academician)\s+[A-Z][a-z]+")
# "Which universities...?" asks for names: a sentence that names several answers it better than one that counts them.
WHICH_NAMES = re.compile(r"\b(which|what) (\w+ ){0,2}(universities|institutions|countries|cities|partners|schools|"
                         r"hospitals|departments|specialties|specialities|programs|programmes|centers|centres|institutes)\b"
                         r"|\bwho (do|does|did) (\w+ ){1,4}partner\b")
_PROPER_NAME = re.compile(r"\b[A-Z][a-z]+(?: (?:of |& |and )?[A-Z][a-z]+)+")


def names_several(text: str) -> bool:
    return len(_PROPER_NAME.findall(text)) >= 2


_CAPITALISED = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-zA-Z]+")


def names_something(text: str) -> bool:
    """A capitalised word past the sentence's start ("Jiefang Road and Binjiang"): the sentence names, not just counts."""
    return bool(_CAPITALISED.search(text.strip()))


# Outcome statistics: answered only by a figure.
RATE_QUESTION = re.compile(r"\b(success|survival|mortality|death|cure|complication|infection|pass|acceptance|admission|"
                           r"recovery|readmission|waiting) (rates?|ratio|percentage)\b|\bwhat percentage\b|\bhow likely\b")
# "Last year", "this year": a figure the page dates to another year does not answer it.
RELATIVE_YEAR = re.compile(r"\b(last|this|past|previous) year\b|\b(year|yr) (before|after)\b|\b(a|the) (year|yr) (earlier|later)\b")
# A part of a place ("the neonatal unit", "the cardiology ward") asked about by its own name.
SUB_UNIT = re.compile(r"\b([a-z]{4,}) (unit|ward|wing|clinic|division|icu)\b|\b(?:school|institute|college) of ([a-z]{4,})\b"
                      r"|\b(nursing|dental|dentistry|pharmacy|stomatology) (school|college)\b(?! of)")
# "Apart from CT and MRI, what else...?": the named things are what the answer must NOT be about.
_EXCLUDING = re.compile(r"\b(apart from|besides|other than|except( for)?|aside from|beyond)\s+(.+?)(?=,|\?|$|\s(what|which|who|does|did|was|were|is|are|has|have)\b)")


def excluded_terms(question: str) -> set[str]:
    text = normalize(question)
    match = _EXCLUDING.search(text)
    if not match:
        return set()
    rest = {stem(w) for w in words(text[:match.start()] + " " + text[match.end():])}
    # "Apart from CT and MRI, which imaging machines": "imaging" is asked about, though MRI spells it out.
    return {stem(w) for w in words(match.group(3))} - STOPWORDS - rest


COUNTED = re.compile(r"\b(how many|number of|count of|total of|how much)\s+((?:[\w'-]+\s*){1,4})")
COUNT_QUESTION = re.compile(r"\bhow (many|much|big|large)\b|\bnumber of\b|\bcount\b|\btotal\b|\bvolume\b|\bamount\b")


def count_nouns_of(question: str, terms: list[str] | None = None) -> set[str]:
    """The countable things a question names, by their page word: "how many sites" counts campuses.
    With `terms` (the question's words without place names), "the 2nd hospital" is not a count of hospitals."""
    stems = set(terms) if terms is not None else {stem(w) for w in words(question)}
    nouns = COUNT_NOUNS & stems
    counted = COUNTED.search(normalize(question))
    if not counted and stems & {stem(w) for w in ("site", "sites", "location", "locations", "campus", "campuses")}:
        nouns.add("campus")  # "Where are its sites?" is about campuses too (and the pages' disagreement on them)
    if counted:
        # The thing counted is named right after "how many" ("how many sites", "how many interventional
        # doctors"), not elsewhere in the question ("workshops for doctors, how many").
        first = next((stem(w) for w in counted.group(2).split() if w not in STOPWORDS), None)
        if first and first not in {"big", "size", "where", "located"}:
            nouns.update(n for n in COUNT_NOUNS
                         if first == n or in_aspect(first, _COUNT_NOUN_SYNONYMS[n]))
    return nouns


def states_count(text: str, nouns: set[str]) -> bool:
    if nouns:
        # "10 professional doctors" states a count of staff.
        return any(numbers_near(text, w) for n in nouns for w in {n} | _COUNT_NOUN_SYNONYMS[n])
    # A year ("won a prize in 2014") dates a fact; it counts nothing.
    return any((w.isdigit() and not YEAR.fullmatch(w)) or w in NUMBER_WORDS for w in words(text))


def aspect_depth(terms: list[str], sentence_terms: set[str]) -> int:
    """How many words of the asked aspect a sentence uses: breaks ties between sentences that both match."""
    depth = 0
    for group in ASPECTS.values():
        if group & set(terms):
            depth += min(3, len(group & sentence_terms))
    return depth


def prefix_match(term: str, sentence_terms: set[str]) -> bool:
    """"exam" ~ "examinations", "laparoscop" ~ "laparoscopic": a light stemmer's missing half."""
    return len(term) >= 4 and any(t.startswith(term) or (len(t) >= 4 and term.startswith(t)) or _same_root(term, t)
                                  for t in sentence_terms)


def _same_root(a: str, b: str) -> bool:
    """"infectious" ~ "infection", "operative" ~ "operation": a long shared beginning, different endings."""
    if len(a) < 7 or len(b) < 7 or a[:7] != b[:7]:
        return False
    n = 6
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= min(len(a), len(b)) - 3


@lru_cache(maxsize=8192)
def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(text))  # page sentences are looked at for many nouns per question


def numbers_near(text: str, noun: str, reach: int = 4) -> set[str]:
    tokens = _stems(text)
    found = set()
    for i, token in enumerate(tokens):
        if token == noun:
            # The nearest number before the noun, across at most three words ("9 non-direct affiliated hospitals").
            window = tokens[max(0, i - reach):i]
            for j in range(len(window) - 1, -1, -1):
                if window[j] in COUNT_NOUNS:
                    break  # "3200 beds including the Hospital": that number counts beds
                t = NUMBER_WORDS.get(window[j], window[j])
                if j + 1 < len(window) and window[j + 1] in ("st", "nd", "rd", "th", "of"):
                    continue  # "1 st Peoples Hospital" is a name and "#14 of the Best Hospitals" a rank, not counts
                if j > 0 and window[j - 1] in ("top", "rank", "no", "number"):
                    continue  # "Top 3 womens hospital" is a rank too
                if t.isdigit():
                    found.add(t)
                    break
    return found

def count_is_qualified(text: str, nouns: set[str], asked: list[str]) -> bool:
    """Every count of the noun in the text is narrowed by a word the visitor didn't use
    ("500 international students" for "how many students?")."""
    tokens = _stems(text)
    counts = []
    for i, t in enumerate(tokens):
        if t in nouns:
            j = next((j for j in range(i - 1, max(-1, i - 4), -1) if tokens[j].isdigit()), None)
            if j is not None:
                counts.append([w for w in tokens[j + 1:i] if w not in STOPWORDS and w not in asked])
    return bool(counts) and all(counts)


def asked_aspect_groups(terms: list[str], asked: set[str] | None = None) -> list[frozenset[str]]:
    """Each asked word of a place-specific aspect (beds, campuses, founding...) with all its synonyms."""
    asked = aspects_of(terms) & ENTITY_ASPECTS if asked is None else asked
    return [aspect_group(t) for t in terms if any(in_aspect(t, ASPECTS[a]) for a in asked)]


def answer_type_match(question: str, text: str, terms: list[str] | None = None) -> float:
    """1 when the sentence has the kind of thing asked for (a number, a year, a person), else 0."""
    q = normalize(question)
    if YEAR_QUESTION.search(q):
        return float(bool(YEAR.search(text)))
    if PERSON_QUESTION.search(q) and PERSON_ROLE.search(q):
        return float(bool(PERSON_NAMED.search(text)))
    if RATE_QUESTION.search(q):
        return float(bool(re.search(r"\d", text)))  # "the IVF success rate" is a figure, not a list of fields
    if COUNT_QUESTION.search(q):
        # "How many of the staff are senior?" is answered by a share ("30%") as well as by a count.
        share = re.search(r"\bhow many of\b", q) is not None and "%" in text
        return float(share or states_count(text, count_nouns_of(question, terms)))
    return 1.0
