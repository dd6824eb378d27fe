"""Which FAISS index to use at which knowledge-base size, and how to build and search it.

Vectors are L2-normalised, so inner product is cosine similarity for every index type here.

- Below ``FLAT_MAX_VECTORS`` an exact ``IndexFlatIP`` is used: no build cost, exact results, and a single
  query stays around a millisecond or less (measured by ``make bench``, see docs/bench.md).
- From there on an ``IndexHNSWFlat`` (inner product, M=16, efConstruction=40, efSearch=256): no training
  step, vectors can be added incrementally, and ``make bench`` measured recall@10 >= 0.95 against
  exact search with single queries well under 5 ms at 1M vectors on 2 cores (docs/bench.md).

Pure functions, no project imports: ``bot.kb.index`` decides with ``choose_index_type`` and records the
returned kind in the manifest's ``index_type``.
"""
from __future__ import annotations

import faiss
import numpy as np

FLAT = "flat-ip"
HNSW = "hnsw-ip"
KINDS = (FLAT, HNSW)

# Exact search up to here. A flat single query scans n*d*4 bytes: 50k x 384 float32 is 77 MB, about
# 2-4 ms on this machine; beyond that latency grows linearly while HNSW stays near 1 ms.
FLAT_MAX_VECTORS = 50_000

HNSW_M = 16
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 256


def choose_index_type(n_vectors: int) -> str:
    """The index kind for a collection of ``n_vectors`` vectors (flat below the threshold, HNSW above)."""
    if n_vectors < 0:
        raise ValueError(f"n_vectors must be >= 0, got {n_vectors}")
    return FLAT if n_vectors < FLAT_MAX_VECTORS else HNSW


def _as_matrix(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"expected an (n, d) array, got shape {vectors.shape}")
    return vectors


def build_ann(vectors: np.ndarray, kind: str, *, m: int = HNSW_M, ef_construction: int = HNSW_EF_CONSTRUCTION,
              ef_search: int = HNSW_EF_SEARCH) -> faiss.Index:
    """Build an inner-product index of ``kind`` (``flat-ip`` or ``hnsw-ip``) over normalised ``vectors``."""
    vectors = _as_matrix(vectors)
    dim = vectors.shape[1]
    if kind == FLAT:
        index: faiss.Index = faiss.IndexFlatIP(dim)
    elif kind == HNSW:
        index = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_construction
        index.hnsw.efSearch = ef_search  # saved with the index by faiss.write_index
    else:
        raise ValueError(f"unknown index kind {kind!r}; expected one of {KINDS}")
    if len(vectors):
        index.add(vectors)
    return index


def index_kind(index: faiss.Index) -> str:
    """The kind of a built (or loaded) index, for checking it against the manifest."""
    if isinstance(index, faiss.IndexHNSWFlat):
        return HNSW
    if isinstance(index, faiss.IndexFlatIP):
        return FLAT
    raise ValueError(f"unsupported index class {type(index).__name__}")


def search(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` (scores, ids) per query row, best first. ``k`` is capped at the index size, so no -1 ids
    are returned for a small index; an empty index gives (n, 0) arrays."""
    queries = _as_matrix(queries)
    k = min(int(k), int(index.ntotal))
    if k <= 0:
        return np.zeros((len(queries), 0), dtype=np.float32), np.zeros((len(queries), 0), dtype=np.int64)
    return index.search(queries, k)


def recall_at_k(found: np.ndarray, exact: np.ndarray, k: int = 10) -> float:
    """Mean share of the exact top-``k`` ids that ``found`` also returns in its top ``k`` (ids, per query row)."""
    if len(exact) == 0:
        return 1.0
    hits = sum(len(set(f[:k].tolist()) & set(e[:k].tolist())) for f, e in zip(found, exact))
    return hits / (len(exact) * min(k, exact.shape[1]))
