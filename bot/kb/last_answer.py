"""Questions about the answer just given: "as of when?", "over what time frame?", "is that a lot?".

A mixin of AnswerComposer: it asks the composer the conversation's last question again (the same sentence comes
back; nothing is remembered but the question) and says what that sentence, or its page, states about the
figure's date or standing. Nothing is compared that the pages don't compare: without the page's own ranking
words the reply is a decline.
"""
from __future__ import annotations

import re

from bot.kb.question import YEAR, YEAR_QUESTION
from bot.kb.replies import WAY_ON, Answer, date_phrase
from bot.kb.text import normalize

# "As of June 2007, our department has 3 ... CT devices": the figure's own date.
AS_OF = re.compile(r"\b[Aa]s of ((?:[A-Z][a-z]+ )?(?:1[6-9]\d\d|20\d\d))\b")
_PERIOD_STATED = re.compile(r"\b(in|over|during|for|within) (the )?(recent|past|last|previous) (\d+|\w+) (years?|months?)\b"
                            r"|\b(annually|every year|each year|a year|per year|yearly|biennial(ly)?|every (two|2|three|3) years|"
                            r"once a (week|month|year)|weekly|monthly|every (week|month))\b", re.IGNORECASE)
_RANKS_IT = re.compile(r"\b(rank\w*|top \d+|top|first in|largest|biggest|leading|far ahead|#\d+|\d+(st|nd|rd|th) in)\b",
                       re.IGNORECASE)


class LastAnswer:
    def date_of(self, last_question: str, focus: str | None) -> Answer | None:
        """When the fact just given holds: the date its sentence states, else its page's date, else that
        neither says. None when the last question has no quoted answer to date."""
        last = self.answer(last_question, focus)
        if last.kind not in ("answer", "faq") or not last.sources:
            return None
        source = last.sources[0]
        body = last.text.split(": ", 1)[-1] if last.kind == "answer" else last.text
        if source.date:  # an FAQ answer names its page's date; that is the page's, not the fact's
            body = body.replace(date_phrase(source.date), "").replace(source.date, "")
        as_of = AS_OF.search(body)
        # "When was it founded?" + "how old is that info?": the year is the fact, the page's date dates it.
        years = [] if YEAR_QUESTION.search(normalize(last_question)) else sorted(set(YEAR.findall(body)))
        page = f"the {source.title} page is {date_phrase(source.date)}" if source.date else f"the {source.title} page carries no date"
        period = _PERIOD_STATED.search(body)
        if as_of:
            text = f"The page states that figure as of {as_of.group(1)}; {page}."
        elif period and not period.group(1):
            # "How often?": "Biennial", "once a week" is the whole answer; the page's date adds nothing to it.
            return Answer("answer", f"The page says \u201c{period.group(0)}\u201d.", last.confidence, last.sources,
                          focus=last.focus or focus, passage=last.passage)
        elif period:
            text = f"The page says \u201c{period.group(0)}\u201d; {page}."
        elif years:
            text = f"The sentence dates it to {' and '.join(years)}; {page}."
        else:
            # "What year was that?" about an award: the page's date is when it was written, not the event's year.
            written = " (when it was written, not when this happened)" if source.date else ""
            text = f"Sorry, I don't have that information: the answer gives no date of its own, and {page}{written}. {WAY_ON}"
            return Answer("decline", text, 0.0, focus=last.focus or focus, passage=last.passage)
        if not source.date or as_of or years or period:
            text += " For current figures, please check the official website."
        return Answer("answer", self._trim(text), last.confidence, last.sources, focus=last.focus or focus,
                      passage=last.passage)

    def names_listed(self, listed: list[str]) -> Answer | None:
        """"Which ones are those?": the places the previous reply named, when one passage names them all (its
        source); None when they came from several (the question is then asked afresh)."""
        def names_all(p) -> bool:
            return set(listed) <= {m.name for m in self.kb.catalog.find(p.text)}
        passage = next((i for i, p in enumerate(self.kb.passages) if names_all(p)), None)
        if passage is None:
            return None
        text = "Those are " + ", ".join(listed[:-1]) + f" and {listed[-1]}."
        return Answer("list", text, 1.0, [self._source(self.kb.passages[passage])], passage=passage)

    def judgement_of(self, last_question: str, focus: str | None) -> Answer | None:
        """How the figure just given compares: the page's own ranking words in its sentence, quoted; a
        decline when the page ranks it nowhere. None when the last question has no quoted answer."""
        last = self.answer(last_question, focus)
        if last.kind != "answer" or not last.sources:
            return None
        body = last.text.split(": ", 1)[-1]
        clauses = [c for c in re.split(r"(?<=[,;])\s+", body) if _RANKS_IT.search(c)]
        # A clause that ranks ("ranking 7th in the country") before one that only praises ("the top hospital").
        clause = next((c for c in clauses if re.search(r"\brank|#\d", c, re.IGNORECASE)), clauses[0] if clauses else None)
        if clause is None:
            declined = self.decline("how that compares (the page gives the figure without a comparison)",
                                    focus=last.focus or focus)
            declined.passage = last.passage
            return declined
        text = f"The page puts it this way: \u201c{clause.strip().rstrip(',;.')}\u201d."
        return Answer("answer", self._trim(text), last.confidence, last.sources, focus=last.focus or focus,
                      passage=last.passage)
