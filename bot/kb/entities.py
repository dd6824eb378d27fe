"""The catalogue of hospitals, departments and the school: names, aliases and typo-tolerant matching."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from bot.kb.text import STOPWORDS, normalize, words

# When a question names several places, the most specific one is its subject.
_SPECIFICITY = {"department": 0, "hospital": 1, "school": 2}


@dataclass(frozen=True)
class Entity:
    name: str
    type: str  # hospital | department | school
    aliases: tuple[str, ...]
    sections: tuple[str, ...]
    belongs_to: str | None = None   # a department's hospital, when its page names it
    note: str | None = None         # what the pages leave open about it


@dataclass(frozen=True)
class Mention:
    name: str
    type: str
    start: int  # token offsets in the corrected token list
    end: int


_UNKNOWN_ORDINAL = re.compile(
    r"\b(3rd|third|5th|fifth|6th|sixth|7th|seventh|8th|eighth|9th|ninth|10th|tenth)\s+(affiliated|hospital|hosp)\b"
)


# Words between a city and "hospital" that only say what kind of hospital it is: "the Ningbo cooperated hospital".
# ("The first ZUSM affiliated hospital outside Hangzhou" is a question, not a name: "affiliated" stays out.)
_KIND_WORDS = {"cooperated", "cooperating", "cooperation", "partner", "regional", "local", "non", "direct", "city"}
# "A hospital in Yiwu": the city names the place only after one of these.
_LOCATIVE = {"in", "at", "near", "around", "from"}


@dataclass
class Catalog:
    entities: list[Entity]
    vocabulary: frozenset[str] = frozenset()
    _aliases: list | None = field(default=None, repr=False)
    _firsts: dict | None = field(default=None, repr=False)
    _found: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path) -> "Catalog":
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entities = [
            Entity(e["name"], e["type"], tuple(e.get("aliases", [])) + (e["name"],), tuple(e.get("sections", [])),
                   e.get("belongs_to"), e.get("note"))
            for e in data.get("entities", [])
        ]
        return cls(entities)

    def by_name(self, name: str) -> Entity | None:
        wanted = name.lower()
        for entity in self.entities:
            if entity.name.lower() == wanted or any(a.lower() == wanted for a in entity.aliases):
                return entity
        return None

    def has_home(self, name: str) -> bool:
        """True for places whose own facts the pages hold (not merely mention)."""
        entity = self.by_name(name)
        return bool(entity and entity.sections)

    def most_specific(self, names) -> str:
        return min(names, key=lambda n: _SPECIFICITY.get(self.by_name(n).type, len(_SPECIFICITY)))

    def extend_vocabulary(self, texts: list[str]) -> None:
        added = {w for text in texts for w in words(text) if len(w) >= 3}
        added |= {w for entity in self.entities for alias in entity.aliases for w in words(alias)}
        # Frozen: it is the lru_cache key of _correct_token, hashed once.
        self.vocabulary = self.vocabulary | added
        self._found.clear()

    def correct(self, tokens: list[str]) -> list[str]:
        """Fix typos ("secnd", "hosptial") against the words of the pages and the aliases."""
        return [_correct_token(t, self.vocabulary) for t in tokens]

    def _alias_table(self) -> list[tuple[tuple[str, ...], Entity]]:
        if self._aliases is None:
            table = [(tuple(words(a)), e) for e in self.entities for a in e.aliases]
            self._aliases = sorted((t for t in table if t[0]), key=lambda t: -len(t[0]))
        return self._aliases

    def find(self, text: str) -> list[Mention]:
        if text not in self._found:
            if len(self._found) > 2048:
                self._found.clear()
            self._found[text] = self._find(text)
        return list(self._found[text])

    def _find(self, text: str) -> list[Mention]:
        tokens = self.correct(words(text))
        # "SAHZU's radiology": a possessive names the place too.
        bare = [t[:-2] if t.endswith("'s") else t for t in tokens]
        matches = []
        for alias, entity in self._alias_table():
            n = len(alias)
            for i in range(len(tokens) - n + 1):
                if alias in (tuple(tokens[i:i + n]), tuple(bare[i:i + n])):
                    matches.append(Mention(entity.name, entity.type, i, i + n))
        matches += self._loose_mentions(tokens, matches)
        # Leftmost, then longest: in "the children's hospital of zhejiang university" the visitor names the
        # Children's Hospital and the university, not the "hospital of zhejiang university" (an alias of SAHZU).
        matches.sort(key=lambda m: (m.start, -(m.end - m.start)))
        owner: list[int | None] = [None] * len(tokens)
        found: list[Mention] = []
        for m in matches:
            overlapped = {owner[i] for i in range(m.start, m.end) if owner[i] is not None}
            if not overlapped:
                owner[m.start:m.end] = [len(found)] * (m.end - m.start)
                found.append(m)
            elif len(overlapped) == 1 and found[(k := overlapped.pop())].name == m.name:
                # "zju medical school": two aliases of one place, overlapping, name it once over both.
                merged = Mention(m.name, m.type, min(found[k].start, m.start), max(found[k].end, m.end))
                owner[merged.start:merged.end] = [k] * (merged.end - merged.start)
                found[k] = merged
        return found

    def _city_hospitals(self) -> dict[str, set[Entity]]:
        """The first word of every two-word "<city> hospital" alias, and the places it may name."""
        if self._firsts is None:
            self._firsts = {}
            for alias, entity in self._alias_table():
                if len(alias) == 2 and alias[1] == "hospital":
                    self._firsts.setdefault(alias[0], set()).add(entity)
        return self._firsts

    def _loose_mentions(self, tokens: list[str], exact: list[Mention]) -> list[Mention]:
        """"The Ningbo cooperated hospital", "a ZJU hospital out in Yiwu": a "<city> hospital" named with words
        between, or by its city alone where the visitor asks about a hospital."""
        firsts = self._city_hospitals()
        covered = {i for m in exact for i in range(m.start, m.end)}
        found = []
        for i, token in enumerate(tokens):
            entities = firsts.get(token)
            if not entities or len(entities) != 1 or i in covered:
                continue
            (entity,) = entities
            gap = next((k for k in (1, 2) if i + k + 1 < len(tokens) and tokens[i + k + 1] in ("hospital", "hosp")
                        and all(t in _KIND_WORDS for t in tokens[i + 1:i + k + 1])), None)
            if gap:
                found.append(Mention(entity.name, entity.type, i, i + gap + 2))
            elif (i > 0 and tokens[i - 1] in _LOCATIVE
                  and any(t in ("hospital", "hospitals") and j not in covered for j, t in enumerate(tokens))):
                found.append(Mention(entity.name, entity.type, i, i + 1))
        return found

    def entities_for_section(self, page: str, section: str) -> list[str]:
        names = []
        for entity in self.entities:
            for spec in entity.sections:
                spec_page, _, heading = spec.partition("#")
                if spec_page == page and (not heading or section.startswith(heading)):
                    names.append(entity.name)
                    break
        return names




@lru_cache(maxsize=4096)
def _correct_token(token: str, vocabulary: frozenset[str]) -> str:
    if token in vocabulary or token in STOPWORDS or token.isdigit() or len(token) < 4:
        return token
    if token.endswith("z") and token[:-1] + "s" in vocabulary:
        return token[:-1] + "s"  # a texting plural: "bedz"
    if len(token) == 4:
        # In a four-letter word any fix is as likely to make another English word ("read" -> "road",
        # "park" -> "peak"): short words are left as the visitor wrote them.
        return token
    match = difflib.get_close_matches(token, vocabulary, n=1, cutoff=0.84)
    if not match or match[0].endswith(token) or match[0].startswith(token) or token.startswith(match[0]):
        # A page word that merely extends the visitor's ("parking" / "sparking") is another word, not a fix.
        return token
    if abs(len(match[0]) - len(token)) > 1 or match[0][0] != token[0]:
        # ...and rarely the first letter: "dermatology" is not "hematology".
        # A typo drops, adds or swaps a letter; two letters apart is another word ("braces" / "branches").
        return token
    return match[0]


def mentions_unknown_hospital(text: str) -> str | None:
    """A hospital the pages never describe ("the Third Affiliated Hospital"): never answer for it with another's facts."""
    match = _UNKNOWN_ORDINAL.search(normalize(text))
    return match.group(0) if match else None
