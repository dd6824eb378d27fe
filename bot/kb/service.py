"""The knowledge service facade used by the Rasa action: load once, then ask."""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field

from bot.kb import calibrate, dialogue, safety, safety_neighbours, store
from bot.kb.answer import Answer, AnswerComposer
from bot.kb.encoder import Encoder, make_encoder
from bot.kb.index import load_catalog
from bot.kb.ingest import fingerprint
from bot.kb.question import prefix_match
from bot.kb.retrieve import KnowledgeBase
from bot.kb.text import GENERIC_WORDS, normalize, spelled_out, stem, words
from bot.settings import Settings, get_settings

log = logging.getLogger(__name__)

UNAVAILABLE_REPLY = "Sorry, I can't look that up right now. Please try again in a moment."
MAX_QUESTION_CHARS = 500


# A question that points back ("when was it founded?") is about the place discussed, whatever it finds elsewhere.
# ("Are there", "is there" ask whether something exists: that "there" points nowhere.)
_DEFINITE_NOUN = re.compile(r"\b(the|that|this|its|their) ([a-z]{3,})\b")
_POINTS_BACK = re.compile(r"\b(it|its|it's|they|them|their|(?<!is )(?<!are )(?<!were )(?<!was )there|that|this|those|these|he|"
                          r"she|same)\b", re.IGNORECASE)


@dataclass
class Reply:
    text: str
    kind: str
    confidence: float = 0.0
    buttons: list[dict] = field(default_factory=list)
    context: dict = field(default_factory=dialogue.empty_context)
    sources: list[dict] = field(default_factory=list)


class KnowledgeService:
    def __init__(self, composer: AnswerComposer, settings: Settings,
                 neighbours: safety_neighbours.SafetyNeighbours | None = None) -> None:
        self.composer = composer
        self.settings = settings
        self.neighbours = neighbours

    @classmethod
    def load(cls, settings: Settings | None = None, encoder: Encoder | None = None) -> "KnowledgeService":
        settings = settings or get_settings()
        # One request is one short query: a single thread per process measured 62 % more answers/s at
        # 4 concurrent visitors on 2 cores (`make bench`, profiles single vs single-1thread).
        _single_thread()
        encoder = encoder or make_encoder(settings.model_name)
        stored = store.load(settings.index_dir, expect_model=encoder.name,
                            expect_fingerprint=fingerprint(settings.knowledge_dir))
        kb = KnowledgeBase(stored, encoder, load_catalog(settings.knowledge_dir), settings.rrf_k)
        composer = AnswerComposer(kb, threshold=settings.answer_threshold, faq_threshold=settings.faq_threshold,
                                  k=settings.retrieve_k, reply_max_chars=settings.reply_max_chars,
                                  second_ratio=settings.second_sentence_ratio, clarify_margin=settings.clarify_margin,
                                  calibrator=calibrate.load(settings.calibration_path))
        kb.encode_query("warm up")  # first encode pays for lazy init; do it before the first visitor
        neighbours = safety_neighbours.load_or_index(settings.index_dir, settings.nlu_dir, encoder)
        return cls(composer, settings, neighbours)

    def screen(self, text: str, context: dict | None = None) -> Reply | None:
        """The reply a message gets before any retrieval: an emergency, a request for medical advice or a
        booking (by pattern, then by meaning), or another language; None for everything else."""
        text = (text or "").strip()[:MAX_QUESTION_CHARS]
        context = context or dialogue.empty_context()
        kind = safety.category(text)
        if kind is None and safety.is_foreign_script(text):
            return Reply(safety.ENGLISH_ONLY_REPLY, "other_language", 1.0, context=context)
        if kind is None and self.neighbours is not None and text and not text.startswith("/"):
            # Button payloads ("/ask_knowledge{...}") are ours, not the visitor's words.
            kind = self.neighbours.category(self.composer.kb.encode_query(spelled_out(text)))
        if kind is not None:
            return Reply(safety.SAFETY_REPLIES[kind], kind, 1.0, context=context)
        return None

    def _names_what_was_quoted(self, question: str, passage: int | None) -> bool:
        """"How many people work in the lab?" after "State Key Laboratory for Infection Diseases": "the lab"
        is the one just quoted, so no other place's sentence may answer it."""
        if passage is None:
            return False
        # (The whole section: "the lab" may be a bullet or two above the one just quoted.)
        section = self.composer.section_sentences(self.composer.kb.passages[passage])
        quoted = {stem(w) for s in section for w in words(s)}
        nouns = {stem(m.group(2)) for m in _DEFINITE_NOUN.finditer(normalize(question))} - GENERIC_WORDS
        # ("lab" is short for "laboratory": three letters are enough for a word's start.)
        return any(n in quoted or prefix_match(n, quoted) or any(q.startswith(n) for q in quoted) for n in nouns)

    def ask(self, text: str, context: dict | None = None, rasa_entities: list[str] | None = None) -> Reply:
        text = (text or "").strip()[:MAX_QUESTION_CHARS]
        context = context or dialogue.empty_context()
        screened = self.screen(text, context)
        if screened is not None:
            return screened
        # "Is that a lot?", "as of when?": about the answer just given, which its question asked again brings back.
        for asks, about_last in ((dialogue.asks_judgement_of_last_answer, self.composer.judgement_of),
                                 (dialogue.asks_date_of_last_answer, self.composer.date_of)):
            if asks(text, context):
                answer = about_last(context["last_question"], context.get("focus"))
                if answer is not None:
                    return Reply(answer.reply(), answer.kind, answer.confidence, [],
                                 {**context, "passage": answer.passage}, [vars(s) for s in answer.sources])
        answer = self.composer.names_listed(context["listed"]) if dialogue.asks_which_were_listed(text, context) else None
        if answer is not None:
            return Reply(answer.reply(), answer.kind, answer.confidence, [], {**context, "last_question": text},
                         [vars(s) for s in answer.sources])
        catalog = self.composer.kb.catalog
        question, story = dialogue.question_part(text)
        if not story:
            question, story = dialogue.premise_part(text)
        # A place named only in the story ("my dad is at SAHZU. how many beds?") is still what is asked about.
        # ("I live in Yiwu. Is there a ZJU hospital here?": the story's city names the hospital asked for.)
        story_places = [m.name for m in catalog.find(f"{story} {question}") if catalog.has_home(m.name)
                        and m.start < len(words(story))] if story else []
        only_named = [m.name for m in catalog.find(story) if not catalog.has_home(m.name) and m.type == "hospital"] \
            if story and not story_places else []
        if only_named and not catalog.find(question):
            # "The ENT one, is it open?": a hospital the pages only name is what "it" means.
            question = f"{question.rstrip(' ?.!')} ({only_named[0]})?"
        resolved = dialogue.resolve(question, context, catalog, list(rasa_entities or []) + story_places)
        previous = context.get("passage") if resolved.from_context else None
        if not (isinstance(previous, int) and 0 <= previous < len(self.composer.kb.passages)):
            previous = None  # a context from before an index rebuild, or from a client
        answer: Answer = self.composer.answer(resolved.question, resolved.focus, previous, resolved.among)
        if (resolved.from_context and resolved.focus and resolved.question == question and answer.kind in ("answer", "decline")
                and len(question.split()) >= 5 and not _POINTS_BACK.search(question)
                and not self._names_what_was_quoted(question, previous)):
            # "What grade did clinical medicine get?" after talking about SRRSH: the remembered place doesn't
            # hold the topic; the question, asked of no place, answers it outright with every word matched.
            self.composer.last_features = None  # so that a reply composed without a sentence decision can't pass
            unscoped = self.composer.answer(question, None)
            features = self.composer.last_features or {}
            if (unscoped.kind == "answer" and unscoped.focus != resolved.focus and features.get("coverage", 0) >= 1.0
                    and (answer.kind == "decline" or unscoped.confidence > answer.confidence + 0.2)):
                answer = unscoped
            elif unscoped.kind == "faq" and answer.kind == "decline":
                # "How many cooperated hospitals are there?" after SRRSH: a curated entry about the network.
                answer = unscoped
        focus = answer.focus
        mentioned = catalog.find(resolved.question)
        remembered = catalog.by_name(resolved.focus) if resolved.focus else None
        if (mentioned and (remembered is None or remembered.type == "school")
                and not any(catalog.has_home(m.name) and m.type != "school" for m in mentioned)):
            # Only a hospital the pages merely name (Xixi Hospital) was asked about: "it" next means that one.
            unnamed = [m.name for m in mentioned if not catalog.has_home(m.name) and m.type == "hospital"]
            focus = unnamed[0] if unnamed else focus
        if answer.kind == "answer" and (focus is None or catalog.by_name(focus).type == "school"):
            # "Is there one in Zhoushan?" answered "Zhoushan Hospital.": "that one" next means it.
            # Only a hospital the pages merely name: "School of Stomatology" in a school sentence is no subject.
            answered = {m.name for m in catalog.find(answer.text) if m.type == "hospital"}
            if len(answered) == 1 and not catalog.has_home(next(iter(answered))):
                focus = answered.pop()
        places: list[str] = []
        if answer.kind in ("list", "faq"):  # the replies that name several places for "the second one" to pick from
            places = list(dict.fromkeys(m.name for m in self.composer.kb.catalog.find(answer.text)
                                        if m.type in ("hospital", "department")))
        return Reply(
            answer.reply(), answer.kind, answer.confidence, answer.buttons,
            dialogue.next_context(resolved, answer.kind, focus, answer.passage, places, context, answer.other),
            [vars(s) for s in answer.sources],
        )


def _single_thread() -> None:
    import faiss
    import torch

    torch.set_num_threads(1)
    faiss.omp_set_num_threads(1)


_shared: KnowledgeService | None = None
_shared_error: str | None = None
_shared_lock = threading.Lock()


def shared_service() -> KnowledgeService | None:
    """One service per process, loaded on first use; None (with the reason logged) if the index is unusable."""
    global _shared, _shared_error
    with _shared_lock:
        if _shared is None and _shared_error is None:
            try:
                _shared = KnowledgeService.load()
            except store.IndexUnavailable as exc:
                _shared_error = str(exc)
                log.error("knowledge service unavailable: %s", exc)
        return _shared


def reset_shared_service() -> None:
    global _shared, _shared_error
    with _shared_lock:
        _shared, _shared_error = None, None
