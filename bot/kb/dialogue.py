"""Follow-up resolution: rewrite a visitor's turn with what the conversation already established.

The context is a small JSON-able dict kept in the Rasa slot ``kb_context``:
``{"focus": name | None, "last_question": str | None, "pending": str | None, "passage": int | None,
"listed": [names], "earlier": name | None}``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kb.entities import Catalog
from bot.kb.question import COUNT_NOUNS, LOGISTICS, WHICH_PLACE, school_is_the_scope
from bot.kb.text import GENERIC_WORDS, content_terms, normalize, stem, words

_WHICH_HOSPITAL = re.compile(r"\b(which|what) (hospital|hosp|department|dept)\b")
# "Which city is it in?" asks about the place discussed; "which are accredited?" asks for places.
_ASKS_FOR_PLACE = re.compile(r"\bwhich (are|were|of (them|those|these|the))\b|\bwhat (hospital|hospitals)\b"
                             r"|^\W*(and |so |pls |please |can you |could you )?list\b|\blist (the|all|of|them|those|every)\b"
                             r"|\ball (the )?hospitals\b")

# Filler that carries no question of its own: "and the children's hospital?", "what about the women's one".
# "Tell me about X" is a new question, so only these words may surround the new name.
_ELLIPSIS_WORDS = GENERIC_WORDS | {"and", "about", "what", "how", "same", "too", "also", "then", "one", "ones", "for",
                                   "one's", "the", "a", "of", "at", "in", "there", "there's", "or", "please", "so",
                                   "q", "question", "pls", "plz", "again", "itself", "themselves"}


@dataclass(frozen=True)
class Resolved:
    question: str            # the question to answer, rewritten when the turn was elliptical
    focus: str | None        # the hospital / department / school the answer must be about
    from_context: bool       # True when the focus or the question came from earlier turns
    among: tuple[str, ...] = ()  # "which of those...?": the places of the previous list to choose from
    used_list: bool = False      # the turn picked from the previous list: keep it for the next pick


_QUESTION_CLAUSE = re.compile(
    r"^\W*(how|hw|what|whats|what's|wat|when|wen|where|which|who|whose|why|is|are|was|were|does|do|did|can|could|"
    r"will|would|has|have|any|tell me|i want to know|i'd like to know|i wonder|please tell|name|list)\b", re.IGNORECASE)
_CLAUSES = re.compile(r"(?<=[.!?])\s+|(?:[,;:]|\s[-\u2013\u2014])\s+"
                      r"(?=(?:how|hw|what|whats|what's|when|wen|where|which|who|does|do|did|is|"
                      r"are|can|could|will|would|has|have)\b)", re.IGNORECASE)
_POINTS_BACK = re.compile(r"\b(that|this|those|these|such|they|them|there)\s*\??\s*$|\bfor (that|this|it)\b"
                          r"|\b(that|this) one\b", re.IGNORECASE)
# "What year did it arrive?", "is it a 6 year course?": "it" is often the story's thing (a place in the story
# is passed on as well, so "it" may still be the place).
_IT = re.compile(r"\b(did|does|do|was|is|were|are) (it|they|that|this)\b", re.IGNORECASE)
# "I read SAHZU treated the bus fire's burn victims, what was the outcome?": the outcome of the story's event.
_ASKS_OUTCOME = re.compile(r"\b(outcome|outcomes|result|results|happened|happen|turn(ed)? out|end(ed)? up)\s*\??\s*$",
                           re.IGNORECASE)
# Story words that would steer the answer to something else: when and how the visitor comes, not what they ask.
_STORY_NOISE = re.compile(r"\b(admit|admitted|admitting|admission|apply|applying|check[- ]?ups?|appointments?|monday|tuesday|wednesday|thursday|friday|"
                          r"saturday|sunday|tomorrow|today|tonight|next (week|month|year)|last (week|month))\b", re.IGNORECASE)
# "My professor said X, is that true?": the claim in the story is the question.
_CLAIM_CHECK = re.compile(r"\b(is|isn't|was) (that|this|it) (true|right|correct|so|accurate)\b|^\W*(true|right|really|correct)\W*$",
                          re.IGNORECASE)
# "I need a visa" in the story is what is asked about; "admitted on Monday" is only when.
_VISIT_WORDS = LOGISTICS - {stem(w) for w in "day days weekday weekdays weekend weekends monday tuesday wednesday "
                            "thursday friday saturday sunday".split()}
# "American visitor here, ...", "recruiter question: ...": who asks, before what they ask.
_SELF_INTRO = re.compile(r"^\W*((hi|hello|hey)\W+)?((i'?m|i am) )?(an? )?([a-z]+ ){0,2}"
                         r"(visitor|tourist|student|journalist|reporter|researcher|parent|patient|doctor|nurse|expat|"
                         r"foreigner|recruiter)s? "
                         r"(here|question|query)\b[\s,.;:!-]*", re.IGNORECASE)
# The visitor telling about themselves: "my dad is being admitted on Monday", "I'm a lecturer at Edinburgh".
_FIRST_PERSON = re.compile(r"\b(i|i'm|im|i've|ive|i'd|my|me|we|we're|our|us)\b", re.IGNORECASE)


# A clause that states something ("SAHZU has 3,200 beds", "I read it was founded in 1869"): it has a verb of its own.
_STATEMENT = re.compile(r"\b(is|are|was|were|has|have|had|got|gets|did|does|says|said|say|read|heard|know|knew|started|"
                        r"began|begun|founded|opened|ranked|ranks|won|lists|listed|counts|claims|reckons|seems|looks)\b",
                        re.IGNORECASE)
# Where a premise ends and the question begins: a sentence end, a dash, "but", or a comma before a question word.
_PREMISE_END = re.compile(r"(?<=[.!?])\s+|\s+[-\u2013\u2014]+\s+|,?\s+but\s+(?=(so )?(how|hw|what|whats|what's|when|wen|where|"
                          r"which|who|why|is|are|does|do|did|can|could|has|have)\b)|[,;:]\s+(?=(so |then )?(how|hw|what|"
                          r"whats|what's|when|wen|where|which|who|why|does|do|did|can|could|is|are|has|have)\b)", re.IGNORECASE)


_COMPARED_PRONOUN = re.compile(r"\b(it|they|this one|that one|this place|that place|the hospital|this hospital|that hospital)\b"
                               r"(?=.*\bthan\b)")
_HOW_MANY_OF_THEM = re.compile(r"^\W*(and |so |ok )?how many of (them|those|these)\b"
                               r"(?! (are|is|were|r) (?!in |at |based |working |employed ))(?P<rest>.*)$")
_ON_THE_LIST = re.compile(r"\s*\b(on|in|from|of) (your|the|that|this) list\b|\s*\b(you|u) (just )?(listed|mentioned|named|gave)\b")


# "As of when?", "what year is that from?", "is that still current?": the date of the fact just given.
_DATE_OF_LAST = re.compile(
    r"^\W*(and |so |but |ok |okay )?(as of when( is| was)?( that| this| it)?( figure| number)?|since when is (that|this)|"
    r"(from )?when('s| is| was) (that|this)( figure| number| data| info\w*)?( from| dated| stated)?|what (year|date) (is|was) (that|this)( figure| number| data| info\w*)?( from)?|"
    r"how (old|recent|current) is (that|this)( figure| number| data| info\w*)?|is (that|this)( figure| number| data| info\w*)? "
    r"(still )?(current|up to date|up-to-date|recent|true now|accurate now)|which year is (that|this)( figure| number)?( from)?|"
    r"(over|for|in|during) (what|which) (time ?frame|period|years?|time span)( is| was)?( that| this| it)?( for| over)?|"
    r"over how (many years|long)( is| was)?( that| this)?|how often( is| was| are| were)?( that| this| it| they)?( held| run| on)?)"
    r"\W*$", re.IGNORECASE)


# "Is that a lot?", "how good is that?": how the figure just given compares, which only the pages' own
# rankings can say.
_JUDGE_LAST = re.compile(
    r"^\W*(and |so |but |ok |okay |wow,? |hmm,? )?(is (that|this|it) (a lot|a lot of \w+|many|much|big|large|high|good|"
    r"impressive|a big number|significant|a high number|the most( in (china|the country|zhejiang))?|a record)|"
    r"how (good|big|high|impressive) is (that|this)|what( national)? (rank|ranking|position) is (that|this)( in the country| nationally)?|"
    r"where does (that|this) (rank|put them|put it|place them|place it)( nationally| in the country| in china)?|"
    r"how does (that|this|it) compare( to others| with others| nationally)?|is (that|this) (above|below) average)\W*$",
    re.IGNORECASE)


def asks_judgement_of_last_answer(text: str, context: dict | None) -> bool:
    """A question about how the previous answer's figure compares, with an answer to ask it of."""
    return bool(context and isinstance(context.get("last_question"), str) and _JUDGE_LAST.search(normalize(text)))


def asks_date_of_last_answer(text: str, context: dict | None) -> bool:
    """A question about when the previous answer's fact holds, with an answer to ask it of."""
    return bool(context and isinstance(context.get("last_question"), str) and _DATE_OF_LAST.search(normalize(text)))


# "Which ones are those?" right after a reply that named several places: those places.
_WHICH_WERE_LISTED = re.compile(r"^\W*(and |so |ok |okay )?(which|what) (ones|hospitals|places|are they|r they)"
                                r"( are| r| were)?( those| they| these| them)?( again)?\W*$|^\W*(name|list) them( again)?\W*$")


def asks_which_were_listed(text: str, context: dict | None) -> bool:
    """"Which ones are those?" with the places the previous reply named remembered."""
    listed = context.get("listed") if context else None
    return bool(isinstance(listed, list) and len(listed) >= 2 and all(isinstance(n, str) for n in listed)
                and _WHICH_WERE_LISTED.search(normalize(text)))


def premise_part(text: str) -> tuple[str, str]:
    """"SAHZU has 3,200 beds - how many are at Binjiang?" -> the question, and the premise the visitor states
    first. The premise's places still count, but its facts are the visitor's, not what is asked: answering
    with the sentence that states them would only repeat the visitor."""
    parts = [p.strip() for p in _PREMISE_END.split(text.strip()) if p and p.strip()]
    parts = [p for p in parts if not re.fullmatch(r"(so |then )?(how|hw|what|whats|what's|when|wen|where|which|who|why|"
                                                  r"is|are|does|do|did|can|could|has|have)", p, re.IGNORECASE)]
    if len(parts) < 2:
        return text, ""
    premise: list[str] = []
    for part in parts[:-1]:
        # "SAHZU was founded in 1869, right? When was the First Affiliated founded then?": a statement the
        # visitor only asks us to nod to is a premise too.
        # Unless the question then points back into it ("... 5 cooperated hospitals right? which cities are they in").
        checked = re.search(r"\b(right|correct|yeah|yes|no|innit|true)\s*\?+$", part, re.IGNORECASE) and not re.search(
            r"\b(they|them|their|those|these|it|its)\b", text[text.index(part) + len(part):], re.IGNORECASE)
        is_question = (part.endswith("?") and not checked) or bool(_QUESTION_CLAUSE.match(part))
        if is_question or not _STATEMENT.search(part) or len(part.split()) < 3 \
                or re.search(r"\b(you|u|your)\b", part, re.IGNORECASE) or _ORDINAL_ONE.search(normalize(part)):
            break  # "The second one you listed, when was it founded?" points into the conversation: no premise
        premise.append(part)
    if not premise:
        return text, ""
    question = text.strip()
    for part in premise:
        question = question[question.index(part) + len(part):]
    question = re.sub(r"^[\s.,;:!\u2013\u2014-]*(but\s+)?", "", question).strip()
    if (not question or _CLAIM_CHECK.search(question) or _ASKS_OUTCOME.search(question)
            or not (question.endswith("?") or _QUESTION_CLAUSE.match(question))):
        return text, ""  # "... is that true?", "... what was the outcome?": the premise is what is asked
    things = re.search(r"\b(campuses|sites|hospitals|departments|schools|institutes|centers|centres)\b", " ".join(premise), re.IGNORECASE)
    if things:
        # "The kids hospital has 2 campuses, which one is bigger?": "one" is one of the premise's campuses.
        question = re.sub(r"\bwhich (one|of (them|those|these))\b", f"which of the {things.group(1).lower()}", question,
                          count=1, flags=re.IGNORECASE)
    return question, " ".join(premise)


def question_part(text: str) -> tuple[str, str]:
    """"My dad is being admitted on Monday. How many beds does the department have?" -> the question, and
    the visitor's story around it (its place names still count; its words must not steer the answer).
    A clause that only names the topic ("first MRI scanner in Zhejiang, which year?") stays with the question."""
    intro = _SELF_INTRO.match(text)
    if intro and text[intro.end():].strip():
        # "American visitor here, is SRRSH connected with the Mayo Clinic?": who asks, not what.
        question, story = question_part(text[intro.end():])
        return question, f"{intro.group(0).strip(' ,.;:!-')} {story}".strip()
    clauses = [c.strip() for c in _CLAUSES.split(text.strip()) if c and c.strip()]
    story = [c for c in clauses if not (c.endswith("?") or _QUESTION_CLAUSE.match(c)) and _FIRST_PERSON.search(c)]
    if not story or len(story) == len(clauses) or any(t in _VISIT_WORDS for c in story for t in content_terms(c)):
        # A story about a visit ("I need a visa, can the hospital send a letter?") is part of what is asked.
        return text, ""
    question = " ".join(c for c in clauses if c not in story)
    if _CLAIM_CHECK.search(question):
        return text, ""
    story = " ".join(story)
    if _POINTS_BACK.search(question) or _IT.search(question) or _ASKS_OUTCOME.search(question):
        # "My mother has peritoneal cancer. What do they offer for that?": "that" is in the story.
        kept = re.sub(r"\s+(on|at|in|for|to|from)\s*$", "", " ".join(_STORY_NOISE.sub(" ", story).split()).rstrip(".!"))
        question = f"{question} ({kept})"
    return question, story


def empty_context() -> dict:
    return {"focus": None, "last_question": None, "pending": None, "passage": None, "listed": [], "earlier": None}


def resolve(text: str, context: dict | None, catalog: Catalog, rasa_entities: list[str] | None = None) -> Resolved:
    context = {**empty_context(), **(context or {})}
    for key in ("focus", "last_question", "pending", "earlier"):
        if not isinstance(context[key], str):  # the context comes back from a client: text or nothing
            context[key] = None
    mentions = [m for m in catalog.find(text) if catalog.has_home(m.name)]
    named = [m.name for m in mentions]
    for value in rasa_entities or []:
        entity = catalog.by_name(value)
        if entity and entity.sections and entity.name not in named:
            named.append(entity.name)
    # A button click on "which one do you mean?" carries only the choice: answer the pending question.
    if text.startswith("/") and context["pending"] and named:
        return Resolved(context["pending"], catalog.most_specific(named), True)
    # The context may come back from a client: keep only names the catalogue knows.
    listed = [n for n in context["listed"] if isinstance(n, str) and catalog.by_name(n)] \
        if isinstance(context["listed"], list) else []
    focus_entity = catalog.by_name(context["focus"]) if isinstance(context["focus"], str) else None
    pronoun = _COMPARED_PRONOUN.search(normalize(text))
    if (len(named) == 1 and focus_entity and focus_entity.name != named[0] and catalog.has_home(focus_entity.name)
            and pronoun):  # the pattern only matches a pronoun before "than"
        # "Is it older than the Second Affiliated?": "it" is the place discussed, compared with the one named.
        text = normalize(text)[:pronoun.start()] + f"the {focus_entity.name}" + normalize(text)[pronoun.end():]
        return resolve(text, context, catalog, rasa_entities)
    ordinal = _ORDINAL_ONE.search(normalize(text))
    if ordinal and listed and len(words(text)) <= 14 and not WHICH_PLACE.search(normalize(text)):
        # "Tell me about the second one" after a list: the list's second place, not "the 2nd hospital".
        index = -1 if ordinal.group(2) == "last" else _ORDINALS[ordinal.group(2)]
        if index < len(listed):
            place = listed[index]
            rewritten = normalize(text)[:ordinal.start()] + place + normalize(text)[ordinal.end():]
            # "The last one on your list": the list only points at the place, it is not what is asked about.
            rewritten = _ON_THE_LIST.sub("", rewritten)
            return Resolved(rewritten, place, True, used_list=True)
    # (After "how many campuses does SRRSH have?", "and the other one?" is the other hospital.)
    one_before = re.search(r"\bthe \w+ campus\b", normalize(context["last_question"] or ""))
    one = ordinal or (_THE_OTHER.search(normalize(text)) if one_before else None)
    if (one and not listed and not named and context["last_question"]
            and re.search(r"\bcampus(es)?\b", normalize(context["last_question"]))
            and not re.search(r"\bhow many campus", normalize(context["last_question"]))):
        # "What are SAHZU's campuses called?" + "how many beds at the first one you mentioned?" / "and the
        # other one?": one of its campuses.
        which = ordinal.group(2) if ordinal else "other"
        bare = not [w for w in words(_ON_THE_LIST.sub("", normalize(text))) if w not in _ELLIPSIS_WORDS
                    and w not in _ORDINALS and w not in ("other", "last")]
        if bare and one_before:
            # ("... at the first campus?" + "and the other one?": the same question of the other campus.)
            text = normalize(context["last_question"]).replace(one_before.group(0), f"the {which} campus")
        else:
            said = normalize(text)
            text = _ON_THE_LIST.sub("", said[:one.start()] + f"the {which} campus" + said[one.end():])
    if not named and (context["last_question"] or context["pending"]):
        city = _hospital_by_city(text, catalog)
        asked_before = context["last_question"] or ""
        named_before = [m for m in catalog.find(asked_before) if not catalog.has_home(m.name) and m.type == "hospital"]
        if city and named_before:
            # "Is Ningbo Hospital part of the network?" + "and zhoushan?": the same question about the city's
            # hospital the pages name.
            tokens, m = words(asked_before), named_before[0]
            return Resolved(" ".join(tokens[:m.start] + words(city) + tokens[m.end:]), None, True)
        place = _affiliated_by_ordinal(text, catalog)
        if place:
            # "How many beds at the first affiliated?" + "and the secnd?": no list to pick from, so the
            # ordinal names the next affiliated hospital.
            return resolve(f"and the {place}?", context, catalog, rasa_entities)
    only_named = [m.name for m in catalog.find(text) if not catalog.has_home(m.name) and m.type == "hospital"]
    earlier = context.get("earlier")
    other = _THE_OTHER.search(normalize(text))
    if other and not named and isinstance(earlier, str) and catalog.by_name(earlier) and catalog.has_home(earlier):
        # "How many campuses does SRRSH have?" + "and the other one?": the place discussed before it.
        text = normalize(text)[:other.start()] + catalog.by_name(earlier).name + normalize(text)[other.end():]
        return resolve(text, {**context, "earlier": context["focus"]}, catalog, rasa_entities)
    if (not named and not only_named and _WHICH_OF_TWO.search(normalize(text)) and context["focus"]
            and isinstance(earlier, str) and catalog.by_name(earlier) and earlier != context["focus"]):
        # "Which one is bigger?" after the Women's and then the Children's Hospital: those two.
        return Resolved(f"{text.rstrip(' ?.!')} ({context['focus']} or {catalog.by_name(earlier).name})?", None, True)
    if only_named and not named and only_named[0] != context["focus"]:
        # "What about Xixi Hospital's ranking?": a hospital the pages only name is the new subject; the
        # one discussed before must not answer for it.
        return Resolved(text, None, False)
    if named:
        focus = catalog.most_specific(named)
        tokens = catalog.correct(words(text))
        covered = set()
        for m in mentions:
            covered.update(range(m.start, m.end))
        rest = [t for i, t in enumerate(tokens) if i not in covered and t not in _ELLIPSIS_WORDS]
        previous = context["pending"] or context["last_question"]
        if not rest and previous and len(tokens) <= 8:
            # ("When was SAHZU founded?" + "and the medical school itself?": the same question of the school.)
            return Resolved(_with_place(previous, focus, catalog), focus, True)
        if school_is_the_scope(text, [catalog.by_name(n).type for n in named]):
            return Resolved(text, None, False)
        swapped = _with_new_object(text, context["last_question"])
        if swapped:
            # "How many CEUS a year?" + "and ultrasound-guided treatments?": the new thing names a
            # department, but the question is still the earlier one.
            return Resolved(swapped, focus, True)
        return Resolved(text, focus, False)
    previous = context["last_question"]
    other_extreme = _AND_THE_EXTREME.match(normalize(text))
    other_extreme = other_extreme if other_extreme and not other_extreme.group("which") else None
    if other_extreme and previous and WHICH_PLACE.search(normalize(previous)) and _EXTREME.search(normalize(previous)):
        # "Which one is the biggest?" + "and the oldest?": the same ranking by another measure, of every place,
        # not of the one the last answer named.
        extreme = other_extreme.group("extreme")
        asked = _EXTREME_WITH_NOUN.sub(extreme, previous, count=1) if _EXTREME_WITH_NOUN.search(previous) \
            else _EXTREME.sub(extreme, previous, count=1)
        return Resolved(asked, None, True)
    if other_extreme and re.search(r"\bhospital\W*$", normalize(text)):
        # "How old is ZUSM?" + "and the oldest hospital?": which hospital that is.
        return Resolved(f"which hospital is the {other_extreme.group('extreme')}", None, True)
    swapped = _with_new_object(text, previous)
    of_them = _HOW_MANY_OF_THEM.match(normalize(text))
    counted_before = re.search(r"\bhow many ((?:[\w'-]+ ){0,2}?)(staff|faculty|employees|students|people|beds|"
                               r"doctors|nurses|hospitals|campuses|patients)\b", normalize(previous or ""))
    if swapped:
        text = swapped
    elif of_them and counted_before:
        # "How many staff does ZUSM have?" + "how many of them in the hospitals?": the staff in the hospitals.
        text = f"how many of the {counted_before.group(1)}{counted_before.group(2)}{of_them.group('rest')}"
    elif previous and _refers_back(text):
        # "how many of them?" / "what kinds?" after "list the cooperated hospitals" / "how many machines":
        # the earlier question's topic words complete this one.
        topic = _topic_words(previous, catalog)
        if topic and not _PLACE_NOUNS & set(topic) and _WHICH_ONES.search(normalize(text)):
            # "How many universities does ZUSM partner with?" + "which ones?": which universities, of ZUSM's.
            text = _WHICH_ONES.sub("which", normalize(text))
        text = f"{text.rstrip(' ?.!')} {' '.join(topic)}".strip()
    # "Which hospitals are JCI accredited?" asks for the place, so the remembered one must not answer it...
    # unless the remembered one is a department and the question is which hospital it belongs to.
    remembered = catalog.by_name(context["focus"]) if context["focus"] else None
    # "And the biggest one?" ranks the places again, whichever was discussed.
    asks_for_place = _ASKS_FOR_PLACE.search(normalize(text)) or WHICH_PLACE.search(normalize(text))
    if (remembered and remembered.type == "hospital" and asks_for_place and _ITS_PARTS.search(normalize(text))
            and re.search(r"\b(it|its|they|their|there)\b", normalize(text))):
        asks_for_place = None  # "which departments is it strong in?": the parts of the place discussed
    if remembered and not remembered.sections and not asks_for_place and not re.search(r"\bhospitals\b", normalize(text)):
        # ("How many cooperated hospitals is that altogether?" counts a kind of hospital, not the one named.)
        # A place the pages only name ("is Xixi part of the network?" then "how many beds does it have?"):
        # name it in the question, so the answer must be about it or be a decline.
        return Resolved(f"{text.rstrip(' ?.!')} ({remembered.name})?", None, True)
    if (remembered and remembered.type == "department" and remembered.belongs_to
            and _THAT_HOSPITAL.search(normalize(text)) and catalog.by_name(remembered.belongs_to)):
        # "How many beds does that hospital have?" after a department's answer: the department's hospital.
        return Resolved(text, catalog.by_name(remembered.belongs_to).name, True)
    if remembered and (not asks_for_place
                       or (remembered.type == "department" and _WHICH_HOSPITAL.search(normalize(text)))):
        return Resolved(text, context["focus"], True)
    if listed and _OF_THOSE.search(normalize(text)):
        return Resolved(text, None, True, tuple(listed), used_list=True)
    return Resolved(text, None, False)


# Superlatives ("biggest", "best", "most"), not words that only end in -est ("interest", "chest", "west").
_EXTREME = re.compile(r"\b(?!(?:inter|re|con|har|hon|mod|for|sugg|w|t|prot|dig|inv|arr|ch|l|n|gu|cr|v|z|qu)est\b)"
                      r"(\w{2,}est|best|worst|most|least)\b")
# The measure an adjective names with its noun: "the longest history" (but "the most beds" counts beds).
_EXTREME_WITH_NOUN = re.compile(rf"(?!most\b|least\b|fewest\b){_EXTREME.pattern}"
                                r"( (?!hospital|one|department|of\b|in\b)[a-z]+)?")
_AND_THE_EXTREME = re.compile(r"^\W*(and|what about|how about|ok|so)? ?"
                              r"(the |(?P<which>which is the |which one is the |which one's the ))?"
                              rf"(?P<extreme>{_EXTREME.pattern})( \([\w ]+\))?( one| hospital)?\W*$")
_THE_OTHER = re.compile(r"\b(the )?other (one|hospital|place|department)\b")
_WHICH_OF_TWO = re.compile(r"\b(which|who)\b(?!.*\b(most|least|fewest|largest|biggest|oldest)\b).*"
                           r"\b(bigger|larger|smaller|older|newer|younger|more|fewer|less|higher|lower|longer|shorter)\b")
_THAT_HOSPITAL = re.compile(r"\b(that|the|this|its|their|same) (hospital|hosp)\b")
_AFFILIATED_ORDINALS = {"first": "1st", "1st": "1st", "second": "2nd", "2nd": "2nd", "fourth": "4th", "4th": "4th"}


def _hospital_by_city(text: str, catalog: Catalog) -> str | None:
    """"and zhoushan?": a bare city name, as a follow-up, names the hospital the pages list in that city."""
    rest = [t for t in catalog.correct(words(text)) if t not in _ELLIPSIS_WORDS]
    # "zhoushan?" alone is as much a follow-up as "and zhoushan?".
    if len(rest) != 1 or not (_AND_ALSO.match(normalize(text)) or len(words(text)) == 1):
        return None
    entity = catalog.by_name(f"{rest[0]} hospital")
    return entity.name if entity and entity.type == "hospital" else None


def _affiliated_by_ordinal(text: str, catalog: Catalog) -> str | None:
    """"and the 2nd?", "what about the secnd one": an affiliated hospital named by its ordinal alone."""
    rest = [t for t in catalog.correct(words(text)) if t not in _ELLIPSIS_WORDS]
    if len(rest) != 1 or rest[0] not in _AFFILIATED_ORDINALS:
        return None
    entity = catalog.by_name(f"{_AFFILIATED_ORDINALS[rest[0]]} affiliated hospital")
    return entity.name if entity else None


_OF_THOSE = re.compile(r"\b(which|what)( one)? of (those|them|these|the ones)\b")
_ITS_PARTS = re.compile(r"\bwhich (departments?|depts?|specialt\w+|specialit\w+|fields?|areas?|units?)\b")
_WHICH_ONES = re.compile(r"\b(which|what) ones\b")
_PLACE_NOUNS = {"hospital", "hospitals", "department", "departments", "dept", "depts", "campus", "campuses", "one", "ones"}
# Words that point back at what was just discussed rather than naming anything themselves.
_BACK_REFERENCES = {"them", "they", "those", "these", "ones", "kind", "kinds", "type", "types", "sort", "sorts",
                    "can", "could", "you", "tell", "give",
                    "year", "when", "date", "who",
                    "there", "which", "what", "how", "many", "much", "of", "are", "is", "so", "and", "the", "in",
                    "total", "all", "altogether", "exactly", "list", "name", "names", "their", "other", "else",
                    "far", "now", "yet", "overall", "roughly", "approximately", "about", "do", "does", "have", "has",
                    "called", "named", "was", "were", "first", "oldest", "biggest", "largest", "best", "some", "few",
                    "any", "more", "a", "me", "pls", "plz", "please", "r", "u", "that", "this"}
# Question words dropped when the earlier question's topic is carried over.
_QUESTION_WORDS = {"how", "many", "much", "what", "which", "who", "when", "where", "list", "name", "names", "does",
                   "do", "did", "is", "are", "was", "were", "has", "have", "can", "could", "tell", "me", "give", "show"}


_AND_ALSO = re.compile(r"^\s*(and|what about|how about|and what about)\s+(the\s+)?(?P<rest>.+?)\s*\??\s*$", re.IGNORECASE)
_QUESTION_START = re.compile(r"^(what|how|when|which|who|where|why|is|are|do|does|did|can|has|have)\b", re.IGNORECASE)
_QUESTION_LEAD = re.compile(r"^\s*(how many|how much|how often|when (was|did|were)|what (is|are|was)|which|who|where)\b", re.IGNORECASE)


_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4,
             "5th": 4}
_ORDINAL_ONE = re.compile(r"\b(the )?(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last) (one|of them|of those|on the list)"
                          r"( on (that|the|this) list)?\b")


_TIME_ONLY = re.compile(r"(in )?((last|this|past|previous|next) (year|yr)|(19|20)\d\d|now|today|nowadays|currently"
                        r"|(the )?(year|yr) (before|after)|(a|the) (year|yr) (earlier|later))")
_YEAR_PHRASE = re.compile(r"\b(in|during|for) (19|20)\d\d\b|\b(19|20)\d\d\b")


_FIELD = re.compile(r"[a-z]{2,}(ology|ologic|iatrics|ics)")
_SCOPE = re.compile(r"\b((in|within|across) (the )?(province|country|world|china|zhejiang|nation|region|east china)"
                    r"|nationally|nationwide|provincially|globally|worldwide|internationally)\b", re.IGNORECASE)


def _with_new_object(text: str, previous: str | None) -> str | None:
    """"how many CEUS a year?" + "and guided procedures?" -> "how many guided procedures a year?": the
    earlier question asked again about another thing (a place is swapped elsewhere)."""
    match = _AND_ALSO.match(text)
    fragment = words(text)
    counted_before = re.search(r"\bhow many ((?:[\w'-]+ ){0,3}?)([a-z]{3,}s)\b", previous or "", re.IGNORECASE)
    if (not match and counted_before and 1 <= len(fragment) <= 2 and len(content_terms(text)) == len(fragment)
            and stem(fragment[-1]) in COUNT_NOUNS):
        # "How many beds has it got?" + "staff?": the same count of another thing.
        return previous[:counted_before.start(1)] + " ".join(fragment) + previous[counted_before.end(2):]
    if match and previous and _TIME_ONLY.fullmatch(match.group("rest").strip(" ?.!").lower()):
        # "How many CT scans in 2006?" + "and last year?": the same question for another time.
        return f"{_YEAR_PHRASE.sub('', previous).rstrip(' ?.!')} {match.group('rest').strip(' ?.!')}"
    scope = match.group("rest").strip(" ?.!").lower() if match else ""
    if previous and _SCOPE.fullmatch(scope):
        # "Where does SAHZU rank nationally for operations?" + "and in the province?": the same rank, other scope.
        return _SCOPE.sub(scope, previous, count=1) if _SCOPE.search(previous) else f"{previous.rstrip(' ?.!')} {scope}"
    fields_before = [w for w in words(previous or "") if _FIELD.fullmatch(w)]
    field = (match.group("rest") if match else text).strip(" ?.!").lower()
    if len(fields_before) == 1 and _FIELD.fullmatch(field) and field != fields_before[0]:
        # "Which hospital lists nephrology?" + "and urology?" / "hematology?": the same question, other field.
        return re.sub(rf"\b{fields_before[0]}\b", field, normalize(previous))
    lead = _QUESTION_LEAD.match(previous or "")
    if not match or not lead or len(words(match.group("rest"))) > 4 or _QUESTION_START.match(match.group("rest")):
        return None  # "and what do they treat?" is a question of its own
    tail = re.search(r"\b(a|per|each|every) (year|yr|day|week|month)\b|\bannually\b|\bin \d{4}\b", previous, re.IGNORECASE)
    rest = match.group("rest")
    if re.match(r"(at|in|on) (the |its |their )?\w+ (campus|site|branch)\b", rest.strip().lower()):
        # "How many beds does SAHZU have?" + "and at the Binjiang campus?": the same question, at that campus.
        return f"{previous.rstrip(' ?.!')} {rest.strip(' ?.!')}"
    counted = re.search(r"\bhow many (?:[\w'-]+ ){0,3}?([a-z]+s)\b", previous, re.IGNORECASE)
    if counted and re.search(r"\bones?$", rest):
        # "How many affiliated hospitals?" + "and non-direct ones?": ones are hospitals.
        rest = re.sub(r"\bones?$", counted.group(1), rest)
    return f"{lead.group(0)} {rest}" + (f" {tail.group(0)}" if tail else "")


def _refers_back(text: str) -> bool:
    """A turn made only of question and pointing words: "how many so far?", "what kinds?", "name them"."""
    tokens = words(text)
    return 0 < len(tokens) <= 7 and all(t in _BACK_REFERENCES or t in GENERIC_WORDS for t in tokens)


def _topic_words(question: str, catalog: Catalog) -> list[str]:
    """The earlier question without its question words and place names: what it was about."""
    tokens = catalog.correct(words(question))
    covered = {i for m in catalog.find(question) if catalog.has_home(m.name) for i in range(m.start, m.end)}
    return [t for i, t in enumerate(tokens) if i not in covered and t not in _QUESTION_WORDS]


def _with_place(question: str, focus: str, catalog: Catalog) -> str:
    """The earlier question about another place, asked about this one: "how big is the women's hospital,
    beds wise" + "what about the kids hospital" -> "how big is the Children's Hospital beds wise"."""
    mentions = catalog.find(question)  # a place the pages only name is swapped too ("(Xixi Hospital)")
    if not mentions:
        return question
    tokens = catalog.correct(words(question))
    first = mentions[0]
    rest = {i for m in mentions[1:] for i in range(m.start, m.end)}
    out = [t for i, t in enumerate(tokens[:first.start]) if i not in rest] + [focus]
    out += [t for i, t in enumerate(tokens[first.end:], start=first.end) if i not in rest]
    return " ".join(out)


def next_context(resolved: Resolved, answer_kind: str, answer_focus: str | None,
                 answer_passage: int | None = None, answer_places: list[str] | None = None,
                 before: dict | None = None, answer_other: str | None = None) -> dict:
    pending = resolved.question if answer_kind == "clarify" else None
    focus = answer_focus or resolved.focus
    before = before or {}
    # The place discussed before this one: "which one is bigger?" compares the two.
    earlier = answer_other or (before.get("focus") if before.get("focus") not in (None, focus) else before.get("earlier"))
    return {
        "earlier": earlier if isinstance(earlier, str) else None,
        # The places a reply listed, in its order: "the second one" in the next turn means the second of them.
        "listed": answer_places if answer_places and len(answer_places) >= 2
        else (before.get("listed") or [] if resolved.used_list else []),
        # The answer's place when it has one: "which is the largest ZUSM hospital?" is answered about the
        # First Affiliated Hospital, and "how many campuses has it got?" means that one, not ZUSM.
        "focus": focus,
        "last_question": resolved.question,
        "pending": pending,
        "passage": answer_passage,
    }
