"""What a composed reply is made of: the answer, its sources, the sentences it was chosen from, and the
small wording helpers that quote the pages exactly (a clause, a number as written, a date phrase)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.kb.text import stem, words

# Where a visitor can ask instead, after every decline.
WAY_ON = "Please check the official website of Zhejiang University School of Medicine or contact the hospital directly."
DECLINE_TEMPLATE = "Sorry, I don't have that information{about}: the ZUSM pages I answer from don't cover it. " + WAY_ON


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
        return f"{where} ({date_phrase(self.date)})" if self.date else f"{where} (undated page)"


@dataclass
class Answer:
    kind: str            # answer | list | conflict | faq | overview | clarify | decline
    text: str
    confidence: float
    sources: list[Source] = field(default_factory=list)
    buttons: list[dict] = field(default_factory=list)
    focus: str | None = None
    passage: int | None = None  # the passage an answer quotes: what "it" may mean in the next turn
    other: str | None = None    # a comparison's second place: "the other one" in the next turn

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


def date_phrase(date: str) -> str:
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    parts = date.split("-")
    if len(parts) == 2:
        return f"updated {months[int(parts[1]) - 1]} {parts[0]}"
    return f"dated {date}"


def clause_window(sentence: str, noun: str) -> str:
    """The clauses that state a count: from the first to the last one naming the noun, plus the next
    clause when the count is followed by the items it counts ("two campuses, Jiefang Road and Binjiang")."""
    clauses = [c.strip() for c in re.split(r"(?<=,)\s+", sentence) if c.strip()]  # "3,200" is one number
    hits = [i for i, c in enumerate(clauses) if noun in {stem(w) for w in words(c)}]
    if not hits:
        return sentence
    end = hits[-1] + 1
    if end < len(clauses) and len(hits) == 1:
        end += 1
    window = " ".join(clauses[hits[0]:end]).strip(" ,;")
    return window[0].upper() + window[1:]


STATED_NUMBER = re.compile(r"((?:over|more than|nearly|about|around|approximately|almost)\s+)?(~?\d[\d,]*\+?)", re.IGNORECASE)


def clause_with(sentence: str, needle: str) -> str:
    """The comma-separated clause of a sentence that holds a year or number, in the page's words."""
    clauses = [c.strip() for c in re.split(r"(?<=,)\s+|\s+\u2013\s+|\s+-\s+", sentence)]
    return next((c.rstrip(",. ") for c in clauses if needle in c), sentence.rstrip(". "))


def plural(noun: str) -> str:
    return {"campus": "campuses", "staff": "staff", "faculty": "faculty"}.get(noun, noun + "s")


def stated_value(stated: str) -> int:
    return int(re.sub(r"\D", "", STATED_NUMBER.search(stated).group(2)))


def joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def as_sentence(text: str) -> str:
    text = text.strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "\u2026")) else text.rstrip(",;") + "."
