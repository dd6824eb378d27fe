"""Fixtures: a small deterministic fake encoder and an index built with it from the real knowledge/."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.kb import index, store
from bot.kb.answer import AnswerComposer
from bot.kb.retrieve import KnowledgeBase
from bot.kb.text import content_terms
from bot.settings import REPO_ROOT


class HashingEncoder:
    """Bag of stemmed words hashed into 256 dimensions: overlap-based similarity, no model needed."""

    name = "test/hashing-256"
    dimension = 256

    def encode(self, texts):
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in content_terms(text):
                h = int(hashlib.md5(term.encode()).hexdigest(), 16)
                out[row, h % self.dimension] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out


@pytest.fixture(scope="session")
def encoder():
    return HashingEncoder()


@pytest.fixture()
def knowledge_dir(tmp_path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", target)
    return target


@pytest.fixture(scope="session")
def built(encoder, tmp_path_factory):
    root = tmp_path_factory.mktemp("kb")
    knowledge = root / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", knowledge)
    stored = index.build(knowledge, encoder)
    store.save(root / "index", stored)
    return root, knowledge, root / "index"


@pytest.fixture(scope="session")
def kb(built, encoder):
    root, knowledge, index_dir = built
    stored = store.load(index_dir, expect_model=encoder.name)
    return KnowledgeBase(stored, encoder, index.load_catalog(knowledge))


@pytest.fixture(scope="session")
def composer(kb):
    # FAQ matching is switched off here so these tests exercise retrieval and composition.
    return AnswerComposer(kb, threshold=0.4, faq_threshold=2.0)
