"""Hybrid retrieval: dense (FAISS) and lexical (BM25) rankings fused by reciprocal rank, with entity boosting."""
from __future__ import annotations

import math
from collections import Counter, OrderedDict
from dataclasses import dataclass

import bm25s
import numpy as np

from bot.kb.encoder import Encoder
from bot.kb.entities import Catalog
from bot.kb.index import passage_context
from bot.kb.store import StoredIndex
from bot.kb.text import ENUMERATION_TERMS, content_terms, is_enumeration


@dataclass(frozen=True)
class Hit:
    passage: int
    score: float
    dense_rank: int | None
    lexical_rank: int | None


def rrf(rankings: list[list[int]], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion: robust to the two retrievers' scores living on different scales."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank + 1)
    return fused


RECENT_QUERIES = 64


class KnowledgeBase:
    """The loaded index plus what is derived from it cheaply at start-up (BM25, term statistics)."""

    def __init__(self, stored: StoredIndex, encoder: Encoder, catalog: Catalog, rrf_k: int = 60) -> None:
        self.stored = stored
        self.encoder = encoder
        self.catalog = catalog
        self.rrf_k = rrf_k
        self._recent_queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self.passages = stored.passages
        catalog.extend_vocabulary([p.text + " " + p.section + " " + p.title for p in self.passages])
        self.passage_terms = [self._document_terms(i) for i in range(len(self.passages))]
        self.bm25 = bm25s.BM25()
        self.bm25.index([terms or ["_"] for terms in self.passage_terms], show_progress=False)
        # A sentence's own words, and the same plus its page title and section heading (the context
        # that names what a bare bullet like "2 campuses" is about).
        self.sentence_own_terms = [set(content_terms(s["text"])) | (ENUMERATION_TERMS if is_enumeration(s["text"]) else set())
                                   for s in stored.sentences]
        self.sentence_terms = [
            own | set(content_terms(passage_context(self.passages[s["passage"]])))
            for own, s in zip(self.sentence_own_terms, stored.sentences)
        ]
        self.vocabulary_terms = set().union(*self.sentence_terms) if self.sentence_terms else set()
        df = Counter(t for terms in self.sentence_terms for t in terms)
        n = max(len(self.sentence_terms), 1)
        self.idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self.unseen_idf = math.log(1 + n)  # a word the pages never use weighs the most

    def _document_terms(self, i: int) -> list[str]:
        p = self.passages[i]
        aliases = []
        for name in p.entities:
            entity = self.catalog.by_name(name)
            if entity:
                aliases.extend(entity.aliases)
        return content_terms(" ".join([p.title, p.section, p.text, *aliases]))

    def encode_query(self, text: str) -> np.ndarray:
        # The safety check and the answer often encode the very same text for one message: once is enough.
        vector = self._recent_queries.get(text)
        if vector is None:
            vector = self.encoder.encode([text])[0]
            vector.flags.writeable = False  # shared between callers: nobody may change it in place
            self._recent_queries[text] = vector
            if len(self._recent_queries) > RECENT_QUERIES:
                self._recent_queries.popitem(last=False)
        return vector

    def dense_ranking(self, query_vec: np.ndarray, k: int) -> list[int]:
        k = min(k, self.stored.passage_index.ntotal)
        _, ids = self.stored.passage_index.search(query_vec.reshape(1, -1), k)
        return [int(i) for i in ids[0] if i >= 0]

    def lexical_ranking(self, terms: list[str], k: int) -> list[int]:
        if not terms:
            return []
        scores = self.bm25.get_scores(terms)
        order = np.argsort(-scores)[:k]
        return [int(i) for i in order if scores[i] > 0]

    def retrieve(self, query_vec: np.ndarray, terms: list[str], k: int = 8, focus: str | None = None) -> list[Hit]:
        depth = max(k * 3, 20)
        dense = self.dense_ranking(query_vec, depth)
        lexical = self.lexical_ranking(terms, depth)
        fused = rrf([dense, lexical], self.rrf_k)
        entity = self.catalog.by_name(focus) if focus else None
        if entity:
            # A named (or remembered) hospital outranks everything else: its own passages come first. The
            # school's pages get a smaller lift: a question about the school may be answered from a hospital's.
            lift = (1.0 if entity.type == "school" else 2.0) / (self.rrf_k + 1)
            for i, p in enumerate(self.passages):
                if focus in p.entities:
                    fused[i] = fused.get(i, 0.0) + lift
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        dense_pos = {p: r for r, p in enumerate(dense)}
        lexical_pos = {p: r for r, p in enumerate(lexical)}
        return [Hit(p, s, dense_pos.get(p), lexical_pos.get(p)) for p, s in ranked]

    def sentence_similarities(self, query_vec: np.ndarray) -> np.ndarray:
        """Cosine of the query to every sentence (a few hundred: exact and cheap)."""
        index = self.stored.sentence_index
        scores, ids = index.search(query_vec.reshape(1, -1), index.ntotal)
        out = np.zeros(index.ntotal, dtype=np.float32)
        out[ids[0]] = scores[0]
        return out

    def faq_best(self, query_vec: np.ndarray) -> tuple[int, float] | None:
        index = self.stored.faq_index
        if index.ntotal == 0:
            return None
        scores, ids = index.search(query_vec.reshape(1, -1), 1)
        return int(self.stored.faq_questions[int(ids[0][0])]["entry"]), float(scores[0][0])
