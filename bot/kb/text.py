"""Text normalisation shared by ingestion, lexical retrieval and the question parser."""
from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

STOPWORDS = frozenset(
    """a an the and or of in on at to for from by with about into over under is are was were be been being
    do does did have has had having can could would should will shall may might must i me my we our you your
    it its it's they them their there here this that these those what which who whom whose when where why how
    what's who's where's when's how's that's there's
    totally altogether roughly approximately overall separate separately different exactly really actually
    please tell know want like get give let some any all as if than then so such not no yes also just very
    much many number count total volume amount quantity does doe hi hello thanks thank ok okay one ones s re ve ll d m
    explain describe show list name give need find looking look say says kind sort type u ur r abt wat pls plz per whats done doing up help helps use used uses using work works working go goes going take make made got happen happened happens mean means called named exist exists
    roughly approximately around nearly about exactly really actually currently presently still ever most least now nowadays
    apart besides except excluding
    heard hear somehow something someone somewhere anyway guess wonder wondering curious maybe perhaps reckon
    apparently supposedly saw seen""".split()
)

# Words that name the kind of place rather than a fact about it; a question made only of
# these has nothing left for the pages to answer, so they do not count towards coverage.
GENERIC_WORDS = frozenset(
    """hospital hospitals hosp affiliated zhejiang university school medicine medical zusm zju department dept
    departments info information details about detail anything something thing things""".split()
)

# Who the visitor is asking for and where they heard it ("my uncle says...", "my mum is being transferred..."),
# and the words that ask us to confirm it ("is that true / right?"):
# never the thing asked, and words the pages never use, so they would read as a question the pages can't answer.
STORY_WORDS = frozenset(
    """mum mom mother dad father uncle aunt auntie nephew niece son daughter wife husband sister grandma grandmother
    grandpa grandfather granny friend cousin colleague boss neighbour neighbor heard hear said told reckons reckon
    mentioned transferred true correct right""".split()
)
# The visitor's judgement, not a word the answer shares: "the historical significance" is what the history was,
# not a sentence that says "significant".
JUDGEMENT_WORDS = frozenset("significance significant important importance".split())

ORDINALS = {"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
            "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th"}


# Texting shorthand, spelled out before the question's shape is read ("hw mny" asks for a count).
TEXTING = {"hw": "how", "hww": "how", "ppl": "people", "tel": "telephone", "unis": "universities", "uni's": "universities", "mny": "many", "mnay": "many", "wen": "when", "whn": "when", "wht": "what",
           "wat": "what", "whr": "where", "wher": "where", "hav": "have", "hv": "have", "haz": "has", "abt": "about",
           "frm": "from", "wrk": "work", "wrks": "works", "strt": "start", "doin": "doing", "skool": "school",
           "hosp": "hospital", "hosps": "hospitals", "dept": "department", "depts": "departments", "ur": "your",
           "affil": "affiliated", "affl": "affiliated", "afil": "affiliated",
           "wanna": "want to", "gonna": "going to", "rn": "now", "plz": "please", "pls": "please",
           "tho": "though", "bc": "because", "cuz": "because", "coz": "because", "thx": "thanks", "ty": "thanks"}
_TEXTING = re.compile(r"\b(" + "|".join(sorted(TEXTING, key=len, reverse=True)) + r")\b")


def normalize(text: str) -> str:
    """Lower-case ASCII-ish form: unify quotes and spaces, drop accents, keep digits and letters."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    text = text.lower().replace("&", " and ")
    text = _TEXTING.sub(lambda m: TEXTING[m.group(1)], text)
    # "3,200" and "3200" must match; "~1200" is a number too.
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    # "#9 of the Best Hospitals" states a rank without the word.
    text = re.sub(r"#\s?(\d+)", r"rank \1", text)
    # "Your site says both": the website, not a campus (the pages' "site" is a hospital campus).
    text = re.sub(r"\b(your|ur|this|the|ur web|your web|the web)\s?site\b(?! of)", "your website", text)
    # "Is it open yet?" asks whether a place is running (the pages say "under construction"), not when it opened.
    text = re.sub(r"\b(is|are) (it|they|that|this|the [\w&' ]{2,30}?) (open|opened)( yet| already| now)?\b",
                  r"\1 \2 up and running", text)
    # Phrasal verbs visitors use for what the pages call a partnership.
    text = re.sub(r"\b(team|teams|teamed|teaming|partner|partners|partnered|join|joins|joined) up with\b", "partner with", text)
    text = re.sub(r"\b(work|works|worked|working) (together )?with\b", "partner with", text)
    # Idioms for a founding date and for what a place does best.
    text = re.sub(r"\b(first )?open(ed|s)? (its|their|the) doors\b", "opened", text)
    text = re.sub(r"\b(best|good|strong|great|excellent) at\b", "specialty", text)
    text = re.sub(r"\b(best|top|strongest|leading|main|key) (departments?|specialties|fields?|areas?|disciplines?)\b",
                  "specialty departments", text)
    # Lay names for what the pages call by medical names.
    text = re.sub(r"\b(food ?pipe|gullet)\b", "esophagus", text)
    text = re.sub(r"\bheart (echo|ultrasound|scan)s?\b", "echocardiography", text)
    text = re.sub(r"\b(breast (x-?rays?|scans?|screening)|mammograms?)\b", "mammography", text)
    text = re.sub(r"\blining of the (belly|abdomen|tummy|stomach)\b", "peritoneum", text)
    text = re.sub(r"\bpeople (with|who have|suffering from)\b", r"patients \1", text)
    # "Since when does it exist?", "how long has it been around?": the founding date.
    text = re.sub(r"\bsince when (does|did|do|has|have) (it|they|\w+) (exist|existed|been around|been there)\b",
                  r"when was \2 founded", text)
    text = re.sub(r"\bhow long (has|have) (it|they|\w+) (existed|been around|been there)\b", r"when was \2 founded", text)
    text = re.sub(r"\bhow long (has|have) (it|they|the \w+( \w+)?) been (doing|offering|performing|using|running)\b",
                  r"since when has \2 been \4", text)
    # "Is it any good?", "a good one?": how it is rated, not what it is good at.
    text = re.sub(r"\b(any good|a good (one|hospital|place|choice|school))\b", "well ranked", text)
    text = re.sub(r"\b(well|highly) (regarded|respected|rated|thought of|reputed)\b|\b(good|great|strong) reputation\b",
                  "well ranked", text)
    # "The first one built outside Hangzhou": the first located there, not a founding date.
    text = re.sub(r"\b(first|1st)( one| hospital| affiliate| affiliated hospital)? (built|set up|opened|established) "
                  r"(?=outside|beyond|away from)", r"\1\2 ", text)
    # "How much students?": a count, as in the visitor's own language.
    text = re.sub(r"\bhow much (?=(\w+ )?(students|people|beds|staff|doctors|nurses|employees|campuses|hospitals|"
                  r"patients|operations|surgeries|departments|teachers|faculty|scans|machines)\b)", "how many ", text)
    # "How many students study there?": studying is what students do, not a second thing asked.
    text = re.sub(r"\b(people|persons) (work|working|works|employed)\b", "staff", text)
    text = re.sub(r"\b(students|people|doctors|staff) (study|studying|studies|work|working|works)\b", r"\1", text)
    # Texting: "what's it best known 4", "n the 2nd?".
    text = re.sub(r"\b(known|famous|good|best|great|popular|noted|renowned) 4\b", r"\1 for", text)
    text = re.sub(r"^\s*n (?=(the|what|whats|what's|how|when|which|wat|wht|where|its|it's|their|is|are|does|do)\b)", "and ", text)
    # Non-native superlatives: "the most old one".
    text = re.sub(r"\bmost (old|big|large|new|small)\b",
                  lambda m: {"old": "oldest", "big": "biggest", "large": "largest", "new": "newest", "small": "smallest"}[m.group(1)], text)
    # The network page says "the longest history" where visitors ask for the oldest.
    text = re.sub(r"\boldest\b", "oldest (longest history)", text)
    # "How many get into the MD each year?" asks about admissions.
    text = re.sub(r"\b(students?|people|applicants|many|i|you|we) (get|gets|getting|got) (into|in to|accepted)\b", r"\1 admitted to", text)
    # "The quickest train to Yiwu", "by bus": getting there, not training.
    text = re.sub(r"\b(by|quickest|fastest|next|high[- ]speed|direct) (train|rail|bus|coach|flight)s?\b"
                  r"|\b(train|bus|railway|metro) (station|ticket|tickets|times?|timetable|route)\b", "transport", text)
    # "A ZJU hospital near me?": where the visitor is, which the story or the question names ("I live in Yiwu").
    text = re.sub(r"\b(near|close to|around|next to) (me|us|here|where i live|where we live"
                  r"|my (home|house|place|area))\b"
                  r"|\b(nearby|close by|in my area|in the area|in this area)\b", "here", text)
    # "These days", "at the moment": now, not a day of the week.
    text = re.sub(r"\b(these days|nowadays|at the moment|at present|right now|currently)\b", "now", text)
    # "When did it get going?": when it started.
    text = re.sub(r"\b(get|got|gets|getting) (going|started|off the ground|up and running)\b", "start", text)
    # "Is it open yet?", "up and running?": whether its construction is finished.
    text = re.sub(r"\b(open|opened|running|operational|functioning|in use)( yet| now| already)\b|\bup and running\b"
                  r"|\b(already|yet) (open|opened|running|operational)\b",
                  "finished yet", text)
    # "What is it best known for?" asks what it is known for, not for a ranking.
    text = re.sub(r"\b(best|most|mainly|mostly|chiefly) (known|famous|renowned) for\b", r"\2 for", text)
    # "What grade of hospital is it?", "hospital level?": in China a hospital's grade is its tier ("tertiary A").
    text = re.sub(r"\b(what|which) (grade|level|class|tier) (of )?(hospital|is it|is the hospital)\b"
                  r"|\bhospital (grade|level|class|tier)\b", "tertiary hospital grade", text)
    # "Which of those is still being built / isn't finished yet?": what the pages call under construction.
    text = re.sub(r"\b(still )?(being|getting) (built|constructed)\b|\bstill under construction\b"
                  r"|\b(isn't|isnt|is not|aren't|arent|are not|not) (yet )?(finished|completed?|built|ready)( yet)?\b",
                  "under construction", text)
    # "The one not in Hangzhou", "are they all in Hangzhou?": the pages say "outside of Hangzhou".
    text = re.sub(r"\b(not|isn't|aren't|isnt|arent) (located |based )?in (?=[a-z])", "outside of ", text)
    text = re.sub(r"\b(are|is) (all|every one of) (the )?((\w+ ){0,3})(hospitals|ones) (located |based )?in (?=[a-z])",
                  r"\1 any \4\6 outside of ", text)
    # "First vs second affiliated": each ordinal names an affiliated hospital.
    text = re.sub(r"\b(first|1st|second|2nd|fourth|4th) (vs|versus|or|and|&|v) (the )?(first|1st|second|2nd|fourth|4th) affiliated\b",
                  r"\1 affiliated \2 \4 affiliated", text)
    # "Older then the 2nd": a comparison, whatever the spelling.
    text = re.sub(r"\b(older|newer|younger|bigger|larger|smaller|more|fewer|less|higher|lower|better|worse) then\b", r"\1 than", text)
    # "What time does it open?", "how much is a scan?": opening hours and prices, in the words the checks know.
    text = re.sub(r"\bwhat time (does|do|is|are|will) (\w+ ){0,4}(open|opens|close|closes|start|shut)\b", "opening hours", text)
    # ("Instead of opening the chest" is no opening time: only "opening times / hours" are.)
    text = re.sub(r"\b(opening|closing|visiting) (times?|schedule|days?)\b", r"\1 hours", text)
    text = re.sub(r"\bhow much (is|are|does|do|will|would|for|to)\b(?! (of|many)\b)", "what price", text)
    # "Loosely affiliated", "not the main ones": what the pages call non-direct affiliated hospitals.
    text = re.sub(r"\b(loosely|indirectly|not directly|non directly|nondirectly|partly|partially|less directly) affiliated\b",
                  "non-direct affiliated", text)
    text = re.sub(r"\(?\bnot the main (ones|hospitals|affiliates)\)?", "non-direct", text)
    text = re.sub(r"\b(affiliated|cooperated|cooperating|partner|direct|non-direct) ones\b", r"\1 hospitals", text)
    # "Outside the affiliated ones": besides them, not outside a city.
    text = re.sub(r"\boutside (of )?the (affiliated|direct|directly affiliated|main)( ones| hospitals)?\b", r"apart from the \2\3", text)
    # "Where did that put them nationally?": a rank, in the pages' words.
    text = re.sub(r"\bwhere (did|does|do|would) (that|this|it) (put|place|leave|rank) (them|it|him|her|the \w+)\b",
                  r"what rank did \4 get", text)
    text = re.sub(r"\bnationally\b", "in the country", text)
    # "The biggest hospital": the pages say "the largest".
    text = re.sub(r"\bbiggest\b", "largest", text)
    # A team's size is its staff; a hospital's size, on these pages, is its number of beds.
    text = re.sub(r"\bhow (big|large) (is|are) (the|their|its|this|that) (team|staff|department|dept|faculty|workforce)\b",
                  r"how many staff \2 \3 \4", text)
    text = re.sub(r"\bhow (big|large)\b", "how many beds", text)
    return text


# Visitors' shorthand, expanded before anything else looks at the words.
ABBREVIATIONS = {"hosp": "hospital", "hosps": "hospitals", "hospt": "hospital", "dept": "department",
                 "depts": "departments", "uni": "university", "univ": "university", "yr": "year", "yrs": "years",
                 "num": "number", "info": "information", "docs": "doctors", "doc": "doctor",
                 "approx": "approximately", "intl": "international", "med": "medical", "est": "established",
                 "prof": "professor", "profs": "professors", "lab": "laboratory", "labs": "laboratories",
                 "3d": "three dimensional", "ops": "operations", "op": "operation", "chemo": "chemotherapy",
                 "ppl": "people", "pts": "patients", "pt": "patient", "staf": "staff", "hist": "history", "yrs.": "years", "hosp.": "hospital", "dr": "doctor", "drs": "doctors", "rd": "road"}

# Medical abbreviations, spelled out on both sides (pages and questions): a page that writes "CEUS"
# answers "contrast-enhanced ultrasound", and "HIPEC" finds the page that spells it out.
MEDICAL_TERMS = {
    "ceus": "contrast enhanced ultrasound", "fna": "fine needle aspiration", "mdt": "multidisciplinary team",
    "hipec": "hyperthermic intraperitoneal chemotherapy", "ct": "computed tomography",
    "mri": "magnetic resonance imaging", "ptcd": "percutaneous transhepatic cholangial drainage",
    "icu": "intensive care unit", "ent": "ear nose throat", "nsfc": "national natural science foundation china",
}
# The pages use American spelling; many visitors write British.
SPELLING_VARIANTS = {
    "tumour": "tumor", "tumours": "tumors", "centre": "center", "centres": "centers", "paediatric": "pediatric",
    "paediatrics": "pediatrics", "haematology": "hematology", "orthopaedic": "orthopedic",
    "orthopaedics": "orthopedics", "gynaecology": "gynecology", "anaesthesia": "anesthesia",
    "oesophagus": "esophagus", "oesophageal": "esophageal", "programme": "program", "programmes": "programs",
    "organise": "organize", "organises": "organizes", "organised": "organized", "colour": "color", "labour": "labor",
    # "What do they specialise in?" asks for what the pages call a specialty.
    "specialise": "specialty", "specialises": "specialty", "specialised": "specialty", "specialize": "specialty",
    "specializes": "specialty", "specialized": "specialty", "speciality": "specialty", "specialities": "specialties",
    "specializing": "specialty", "specialising": "specialty",
    # The network page writes "Moyo Clinic" for the Mayo Clinic; visitors write it correctly.
    "mayo": "moyo", "directly": "direct", "ophtalmology": "ophthalmology", "underconstruction": "under construction",
    # The ultrasound page writes "ultrsound" once; visitors make the same slip.
    "ultrsound": "ultrasound", "ultrasond": "ultrasound", "ultasound": "ultrasound",
    # The network page misspells "comprehensive"; visitors also say "general hospital" for it.
    "comprehesive": "comprehensive", "general": "comprehensive",
    "haemorrhage": "hemorrhage", "honour": "honor", "honours": "honors", "honoured": "honored", "enrolment": "enrollment", "ultrasonography": "ultrasound",
}
_EXPANSIONS = {**ABBREVIATIONS, **MEDICAL_TERMS, **SPELLING_VARIANTS}


def words(text: str) -> list[str]:
    out: list[str] = []
    for w in _WORD.findall(normalize(text)):
        out.extend(_EXPANSIONS.get(w, w).split())
    return out


def spelled_out(text: str) -> str:
    """The text with its medical abbreviations spelled out in brackets, for the sentence encoder."""
    found = [MEDICAL_TERMS[w] for w in dict.fromkeys(_WORD.findall(normalize(text))) if w in MEDICAL_TERMS]
    return f"{text} ({'; '.join(found)})" if found else text


# Irregular past forms, so that "sent" meets "sending" and "won" meets "win" (the suffix rules can't).
IRREGULAR = {"sent": "send", "bought": "buy", "built": "build", "began": "begin", "begun": "begin", "led": "lead",
             "held": "hold", "won": "win", "taught": "teach", "brought": "bring", "grew": "grow", "grown": "grow",
             "gave": "give", "given": "give", "ran": "run", "chose": "choose", "chosen": "choose", "paid": "pay",
             "spent": "spend", "met": "meet", "kept": "keep", "known": "know", "knew": "know", "undertook": "undertake",
             "undertaken": "undertake", "became": "become", "hired": "hire", "sought": "seek", "thought": "think"}


_SPELLED_ORDINAL = {digits: spelled for spelled, digits in ORDINALS.items()}


def stem(word: str) -> str:
    """A deliberately light stemmer: plural and a few suffixes, enough for beds/bed, campuses/campus."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word in _SPELLED_ORDINAL:  # "the 1st public hospital" answers "the first public hospital"
        return _SPELLED_ORDINAL[word]
    for suffix, repl in (("ies", "y"), ("uses", "us"), ("'s", ""), ("s", "")):
        # "campus", "famous", "analysis" end in s without being plurals.
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith(("ss", "us", "is")):
            return word[: -len(suffix)] + repl
    return word


def content_terms(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


# A bullet that only names fields ("Organ Transplantation, Pancreatic Disease, Hematology etc.") answers
# "what are they strong in?" without any of those words: it is indexed with the words for what it lists.
ENUMERATION_TERMS = frozenset({"specialty", "speciality", "specialized", "specialised", "department", "field",
                               "area", "discipline"})


def is_enumeration(text: str) -> bool:
    """Three or more short items separated by commas and no number: a list of fields, not a statement."""
    body = re.sub(r"\s*\betc\b\.?\s*$", "", text.strip().rstrip("."))
    items = [i.strip() for i in body.split(",") if i.strip()]
    return len(items) >= 3 and all(len(i.split()) <= 7 for i in items) and not re.search(r"\d", body)
