"""bot.kb.ann: index-type choice by size, flat is exact, HNSW recall against exact search."""
from __future__ import annotations

import faiss
import numpy as np
import pytest

from bot.kb import ann


def unit_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_chooser_thresholds():
    assert ann.choose_index_type(0) == ann.FLAT
    assert ann.choose_index_type(39) == ann.FLAT
    assert ann.choose_index_type(ann.FLAT_MAX_VECTORS - 1) == ann.FLAT
    assert ann.choose_index_type(ann.FLAT_MAX_VECTORS) == ann.HNSW
    assert ann.choose_index_type(1_000_000) == ann.HNSW
    with pytest.raises(ValueError):
        ann.choose_index_type(-1)


def test_flat_is_exact():
    base, queries = unit_vectors(2000, 48, seed=1), unit_vectors(50, 48, seed=2)
    index = ann.build_ann(base, ann.FLAT)
    assert ann.index_kind(index) == ann.FLAT
    scores, ids = ann.search(index, queries, 10)
    exact = np.argsort(-(queries @ base.T), axis=1)[:, :10]
    assert ann.recall_at_k(ids, exact, 10) == 1.0
    np.testing.assert_allclose(scores[:, 0], (queries @ base.T).max(axis=1), rtol=1e-5)


def test_hnsw_recall_at_10():
    base, queries = unit_vectors(20_000, 32, seed=3), unit_vectors(200, 32, seed=4)
    exact_index = ann.build_ann(base, ann.FLAT)
    _, exact = ann.search(exact_index, queries, 10)
    index = ann.build_ann(base, ann.HNSW)
    assert ann.index_kind(index) == ann.HNSW
    assert index.hnsw.efSearch == ann.HNSW_EF_SEARCH
    assert index.metric_type == faiss.METRIC_INNER_PRODUCT
    scores, found = ann.search(index, queries, 10)
    assert ann.recall_at_k(found, exact, 10) >= 0.95
    assert np.all(np.diff(scores, axis=1) <= 1e-6)  # best first


def test_hnsw_settings_survive_serialisation():
    index = ann.build_ann(unit_vectors(500, 16, seed=5), ann.HNSW, ef_search=77)
    again = faiss.deserialize_index(faiss.serialize_index(index))
    assert ann.index_kind(again) == ann.HNSW and again.hnsw.efSearch == 77


def test_search_caps_k_and_handles_empty():
    base = unit_vectors(5, 8, seed=6)
    for kind in ann.KINDS:
        _, ids = ann.search(ann.build_ann(base, kind), base[:2], 10)
        assert ids.shape == (2, 5) and (ids >= 0).all()
        empty = ann.build_ann(base[:0], kind)
        scores, ids = ann.search(empty, base[:2], 10)
        assert scores.shape == (2, 0) and ids.shape == (2, 0)


def test_rejects_unknown_kind_and_bad_shape():
    with pytest.raises(ValueError):
        ann.build_ann(unit_vectors(10, 8, seed=7), "ivf-pq")
    with pytest.raises(ValueError):
        ann.build_ann(np.zeros(8, dtype=np.float32), ann.FLAT)


def test_recall_at_k():
    exact = np.array([[1, 2, 3], [4, 5, 6]])
    assert ann.recall_at_k(np.array([[3, 2, 1], [4, 9, 8]]), exact, 3) == pytest.approx(4 / 6)
