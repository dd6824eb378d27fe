"""Comparisons and superlatives: "which has more beds?", "is SAHZU older than the school?", "which of those
two ranks higher?", "which hospital does the most operations?".

A mixin of AnswerComposer: it uses the composer's knowledge base (``self.kb``), retrieval depth (``self.k``),
sentence candidates (``self._candidates``), sources and trimming. Every figure is quoted as its page states it,
and a verdict is given only when the pages' figures support one.
"""
from __future__ import annotations

import re
from dataclasses import replace

from bot.kb.ingest import Passage
from bot.kb.question import AGE_WORDS, SMALLEST, YEAR, count_nouns_of, numbers_near
from bot.kb.replies import (
    STATED_NUMBER,
    Answer,
    Candidate,
    Source,
    clause_window,
    clause_with,
    date_phrase,
    joined,
    plural,
    stated_value,
)
from bot.kb.text import normalize, spelled_out

# A hospital called the oldest of the network ("The longest history in ZUSM"), not of the country.
_OLDEST_IN_NETWORK = re.compile(r"\b(longest history|oldest)\b.{0,20}\b(in|of|among) (ZUSM|ZJU|the (network|hospitals|affiliated))",
                                re.IGNORECASE)
_RANKED_HIGHER = re.compile(r"\b(rank\w*|rated|placed|position|listed)\b.{0,20}\b(higher|lower|better|worse)\b"
                            r"|\b(higher|lower|better|worse)[- ](rank\w*|rated|placed)\b")
# A judgement between two places, not a measure the pages give (beds, rank, age): "better for heart surgery".
_JUDGED_BETTER = re.compile(r"\b(better|worse|superior|inferior|safer|preferable|more (reputable|experienced|skilled|advanced))\b"
                            r"(?!.{0,20}\b(rank\w*|rated|placed)\b)")
_RANK_ON_LIST = re.compile(r"#\s?(\d+) (?:of|in|on) the ([A-Z][\w ]+)")


class Comparisons:
    def _compare(self, question: str, named: set[str], terms: list[str]) -> Answer | None:
        """"Which has more beds, the women's or the children's hospital?": each one's number, then the answer."""
        q = normalize(question)
        # "Which has the longer history?" asks which is older.
        longer = re.search(r"\b(longer|shorter) (history|past|tradition)\b|\bbeen around (longer|the longest)\b", q)
        if len(named) == 2 and (longer or re.search(r"\b(older|newer|younger|earlier|later|first)\b", q)):
            aged = self._compare_age(sorted(named), bool(re.search(r"\b(newer|younger|later|shorter)\b", q)),
                                     explicit=bool(longer or re.search(r"\b(older|newer|younger)\b", q)))
            if aged:
                return aged
        places = [n for n in named if self.kb.catalog.by_name(n).type in ("hospital", "department")]
        if len(places) == 2 and _RANKED_HIGHER.search(q):
            return self._compare_rank(sorted(places), bool(re.search(r"\b(lower|worse)\b", q)))
        if len(places) == 2 and _JUDGED_BETTER.search(q):
            # "Is Run Run Shaw better than the First Affiliated for heart surgery?": the pages list what each
            # is known for; none of them judges one above the other for a treatment.
            a, b = [m.name for m in self.kb.catalog.find(question) if m.name in places][:2] or sorted(places)
            return self.decline(f"which is better, the {a} or the {b}", focus=a)
        nouns = count_nouns_of(question, terms)
        if nouns <= {"hospital"} and re.search(r"\b(bigger|larger|smaller)\b", q):
            nouns = {"bed"}  # "which is bigger?": a hospital's size, on these pages, is its number of beds
        if len(places) != 2 or not nouns or not re.search(r"\b(more|fewer|less|bigger|larger|smaller|most|compare|compared|"
                                                          r"comparison|vs|versus)\b", q):
            return None
        qvec = self.kb.encode_query(spelled_out(question))
        stated, per_page = [], {}
        for place in sorted(places):
            hits = self.kb.retrieve(qvec, terms, self.k, place)
            for c in self._candidates(question, qvec, terms, hits, place):
                numbers = {int(n) for noun in nouns for n in numbers_near(c.text, noun)}
                page = self.kb.passages[c.passage].page
                if numbers and (place, page) not in per_page:
                    per_page[(place, page)] = (max(numbers), c)
                    if len([k for k in per_page if k[0] == place]) == 1:
                        stated.append((place, max(numbers), c))
        if len(stated) != 2:
            return None  # one of them states no number: the usual answer path says what is known
        fewer = bool(re.search(r"\b(fewer|less|smaller)\b", q))
        disputed = {place: [v for k, v in per_page.items() if k[0] == place] for place in places}
        disputed = {p: v for p, v in disputed.items() if len({n for n, _ in v}) > 1}
        if disputed:
            return self._compare_disputed(sorted(places), stated, disputed, min(nouns), fewer)
        (a, na, ca), (b, nb, cb) = stated
        if na == nb:
            verdict = "The pages give the same number for both."
        else:
            winner = a if (na > nb) != fewer else b
            verdict = f"So the {winner} has {'fewer' if fewer else 'more'} {plural(min(nouns))}."
        noun = min(nouns)
        text = f"{a}: {clause_window(ca.text, noun).rstrip('.')}. {b}: {clause_window(cb.text, noun).rstrip('.')}. {verdict}"
        sources = [self._source(self.kb.passages[ca.passage]), self._source(self.kb.passages[cb.passage])]
        # The first place named stays the subject, the other one is "the other one" next.
        ordered = [m.name for m in self.kb.catalog.find(question) if m.name in places] or sorted(places)
        return Answer("answer", self._trim(text), min(ca.confidence, cb.confidence), sources, focus=ordered[0],
                      other=next((n for n in sorted(places) if n != ordered[0]), None))


    def _compare_disputed(self, places: list[str], stated, disputed: dict, noun: str, fewer: bool) -> Answer:
        """"More campuses than SRRSH?" where the pages disagree about one of them: each page's number, and a
        verdict only if every page's number gives the same one."""
        parts, sources, values = [], [], {}
        for place in places:
            rows = disputed.get(place) or [(n, c) for p, n, c in stated if p == place]
            values[place] = [n for n, _ in rows]
            said = "; ".join(f"{self._page_label(self.kb.passages[c.passage], place)} says "
                             f"\u201c{clause_window(c.text, noun).rstrip('.')}\u201d" for _, c in rows)
            parts.append(f"{place}: {said}")
            sources += [self._source(self.kb.passages[c.passage]) for _, c in rows]
        a, b = places
        outcomes = {(va > vb) != fewer if va != vb else None for va in values[a] for vb in values[b]}
        if len(outcomes) == 1 and None not in outcomes:
            winner = a if outcomes.pop() else b
            verdict = f"Either way, the {winner} has {'fewer' if fewer else 'more'} {plural(noun)}."
        else:
            verdict = "The pages disagree, so which has more depends on the page."
        return Answer("answer", self._trim(". ".join(parts) + ". " + verdict), min(c.confidence for _, _, c in stated),
                      sources, focus=places[0])


    def _page_label(self, p: Passage, place: str) -> str:
        """"its own page (dated 2020-09-09)", "the ZUSM Medical Network page (undated)": short, with the date."""
        when = f" ({date_phrase(p.date)})" if p.date else " (undated)"
        return f"its own page{when}" if p.title.lower().startswith(place.lower()) else f"the {p.title} page{when}"


    def _compare_rank(self, places: list[str], lower: bool) -> Answer | None:
        """"Which of those two ranks higher?": each place's "#N of the <list>", compared only on the same list."""
        ranked = []
        for place in places:
            found = next(((s, m) for s in self.kb.stored.sentences if place in self.kb.passages[s["passage"]].entities
                          and s["passage"] not in self.department_passages
                          for m in [_RANK_ON_LIST.search(s["text"])] if m), None)
            if found is None:
                return None  # the usual path says what is known
            ranked.append((place, *found))
        (a, sa, ma), (b, sb, mb) = ranked
        text = f"{a}: {sa['text'].strip().rstrip('.')}. {b}: {sb['text'].strip().rstrip('.')}."
        if ma.group(2).strip().lower() != mb.group(2).strip().lower():
            text += " The pages rank them on different lists, so they don't say which is higher."
        elif int(ma.group(1)) != int(mb.group(1)):
            higher = a if int(ma.group(1)) < int(mb.group(1)) else b
            winner = next(n for n in places if n != higher) if lower else higher
            text += f" So the {winner} ranks {'lower' if lower else 'higher'} on that list."
        sources = [self._source(self.kb.passages[s["passage"]]) for s in (sa, sb)]
        return Answer("answer", self._trim(text), 1.0, sources, focus=places[0])


    def _compare_age(self, places: list[str], newer: bool, explicit: bool = True) -> Answer | None:
        """"Is SAHZU older than the medical school?": each place's founding year as its pages state it. When only
        one has a year, what the pages say of it, and a verdict only if a page calls it the oldest."""
        founded, undated = [], []
        for place in places:
            question = f"when was the {place} founded"
            qvec = self.kb.encode_query(question)
            terms = self.terms_of(question)
            hits = self.kb.retrieve(qvec, terms, self.k, place)
            found = next(((place, int(YEAR.search(c.text).group(0)), c)
                          for c in self._candidates(question, qvec, terms, hits, place)[:3]
                          if YEAR.search(c.text) and AGE_WORDS & self.kb.sentence_terms[c.sentence]
                          and place in self.kb.passages[c.passage].entities), None)
            if found is None:
                undated.append(place)
            else:
                founded.append(found)
        if len(founded) == 1 and len(undated) == 1 and explicit and \
                {self.kb.catalog.by_name(n).type for n in places} <= {"hospital", "school"}:
            # Only "is it older than...?" between places: "first" alone may be "the first to get an MRI".
            return self._one_dated(founded[0], undated[0], newer)
        if len(founded) != 2:
            return None  # neither has a founding year on the pages: the usual path says what is known
        (a, ya, ca), (b, yb, cb) = founded
        if ya == yb:
            verdict = "The pages give the same year for both."
        else:
            first = a if (ya < yb) != newer else b
            the = "" if self.kb.catalog.by_name(first).type == "school" else "the "
            verdict = f"So {the}{first} is {'newer' if newer else 'older'}."
        text = f"{a}: \u201c{clause_with(ca.text, str(ya))}\u201d. {b}: \u201c{clause_with(cb.text, str(yb))}\u201d. {verdict}"
        sources = [self._source(self.kb.passages[ca.passage]), self._source(self.kb.passages[cb.passage])]
        return Answer("answer", self._trim(text), min(ca.confidence, cb.confidence), sources)


    def _one_dated(self, dated: tuple[str, int, Candidate], undated: str, newer: bool) -> Answer:
        place, year, c = dated
        the = lambda name: "" if self.kb.catalog.by_name(name).type == "school" else "the "
        quote = clause_with(c.text, str(year))
        stated = f"\u201c{quote}\u201d" if len(quote) <= 120 else f"founded in {year}"
        text = f"{place}: {stated}. The pages give no founding year for {the(undated)}{undated}."
        sources = [self._source(self.kb.passages[c.passage])]
        both_hospitals = {self.kb.catalog.by_name(n).type for n in (place, undated)} == {"hospital"}
        oldest = next((s for s in self.kb.stored.sentences if place in self.kb.passages[s["passage"]].entities
                       and _OLDEST_IN_NETWORK.search(s["text"])), None) if both_hospitals else None
        if oldest:
            # "The longest history in ZUSM" on the network page answers it without the other's year.
            winner = undated if newer else place
            text += (f" The {self.kb.passages[oldest['passage']].title} page says the {place} has "
                     f"\u201c{oldest['text'].strip().rstrip('.')}\u201d, so the {winner} is {'newer' if newer else 'older'}.")
            source = self._source(self.kb.passages[oldest["passage"]])
            if source not in sources:
                sources.append(source)
        return Answer("answer", self._trim(text), c.confidence, sources, focus=place)


    def _count_table(self, nouns: set[str], among: tuple[str, ...], departments: bool) -> list[tuple[str, str, int, str]]:
        """Each place's number of beds (campuses, staff...) as its own sections state it: (name, number as
        written, passage, sentence), largest first. Places that state none are left out."""
        rows = []
        for entity in self.kb.catalog.entities:
            if entity.type != ("department" if departments else "hospital") or not entity.sections:
                continue
            if among and entity.name not in among:
                continue
            own = [s for s in self.kb.stored.sentences if entity.name in self.kb.passages[s["passage"]].entities
                   and (departments or s["passage"] not in self.department_passages)]
            for sentence in own:
                values = {v for noun in nouns for v in numbers_near(sentence["text"], noun)}
                raw = next(((m.group(1) or "").lower() + m.group(2) for m in STATED_NUMBER.finditer(sentence["text"])
                            if re.sub(r"\D", "", m.group(2)) in values), None)
                if raw:
                    label = f"{entity.name} department" if entity.type == "department" else entity.name
                    rows.append((label, raw, sentence["passage"], sentence["text"]))
                    break
        return sorted(rows, key=lambda r: -stated_value(r[1]))


    def _ranked_counts(self, question: str, nouns: set[str], table: list[tuple[str, str, int, str]]) -> Answer:
        """"Which has the most beds?" in two sentences: the first place with its number as the page writes
        it ("~5000"), then the others' numbers."""
        noun = min(nouns)
        noun_plural = plural(noun)
        fewest = bool(SMALLEST.search(normalize(question)))
        ranked = table[::-1] if fewest else table
        tied = [r for r in ranked if stated_value(r[1]) == stated_value(ranked[0][1])]
        rest = ranked[len(tied):]
        first, value = joined([f"the {r[0]}" for r in tied]), tied[0][1]
        # The winner's own words, so its number reads exactly as its page states it.
        quoted = f" (\u201c{clause_window(tied[0][3], noun).rstrip('.')}\u201d)" if len(tied) == 1 else f" ({value} each)"
        if len(tied) == len(ranked) == 1:
            text = f"Only one place has a number of {noun_plural} on these pages: the {tied[0][0]}{quoted}."
        else:
            has = "have" if len(tied) > 1 else "has"
            text = (f"Of the places the pages give a number for, {first} {has} the {'fewest' if fewest else 'most'} "
                    f"{noun_plural}{quoted}.")
            if rest:
                text += " The others: " + "; ".join(f"{r[0]} {r[1]}" for r in rest) + "."
        sources: dict[str, Source] = {}
        for _, _, p, _ in ranked:  # one line per page: the places' sections of one page are that page
            src = self._source(self.kb.passages[p])
            sources[src.page] = replace(src, section=None) if src.page in sources else src
        # "Which has the most beds?" names one place first: "how many campuses does it have?" means that one.
        return Answer("list", self._trim(text), 1.0, list(sources.values()),
                      focus=tied[0][0].removesuffix(" department") if len(tied) == 1 else None)

