"""Synthetic sentence-embedding-like vectors for the knowledge-at-scale benchmark.

Uniform random unit vectors in 384-d are the wrong model of a text corpus: every pair is nearly
orthogonal, so "nearest neighbours" are barely nearer than anything else and no index (nor a real
corpus) looks like that. Sentence embeddings live near a low-dimensional, clustered, anisotropic set
(topics; a shared direction that makes random pairs of all-MiniLM-L6-v2 vectors have a positive
mean cosine). This generator draws vectors that way:

    x = normalise(B · (c_topic + z) + s + e)

with B a fixed random (latent x 384) basis with a decaying spectrum, c_topic one of `topics` cluster
centres, z ~ N(0, I) in the latent space, s a shared offset, e small isotropic noise in 384-d.
Queries are fresh draws from the same distribution (never database rows). The benchmark prints the
statistics of these vectors (mean pair cosine, nearest-neighbour cosine) next to those of the real
index so the resemblance can be judged.
"""
from __future__ import annotations

import numpy as np

DIM = 384


class SyntheticCorpus:
    def __init__(self, dim: int = DIM, latent: int = 64, topics: int = 2000, spread: float = 0.9,
                 offset: float = 0.55, noise: float = 0.35, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        decay = 1.0 / np.sqrt(1.0 + np.arange(latent) / 8.0)
        self.basis = (rng.standard_normal((latent, dim)) * decay[:, None] / np.sqrt(dim)).astype(np.float32)
        self.centers = rng.standard_normal((topics, latent)).astype(np.float32)
        # typical per-coordinate size of B·(c + z), so offset and noise are relative to the signal
        self.scale = float(np.sqrt((decay ** 2).sum() * 2 / dim))
        shared = rng.standard_normal(dim).astype(np.float32)
        self.shared = shared / np.linalg.norm(shared) * (offset * self.scale * np.sqrt(dim))
        self.spread, self.noise, self.dim, self.latent = spread, noise, dim, latent

    def draw(self, n: int, seed: int, chunk: int = 100_000) -> np.ndarray:
        """n unit vectors (float32); the same seed gives the same vectors."""
        rng = np.random.default_rng(seed)
        out = np.empty((n, self.dim), dtype=np.float32)
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            topic = rng.integers(len(self.centers), size=m)
            z = self.centers[topic] + self.spread * rng.standard_normal((m, self.latent), dtype=np.float32)
            x = z @ self.basis
            x += self.shared
            x += (self.noise * self.scale) * rng.standard_normal((m, self.dim), dtype=np.float32)
            x /= np.linalg.norm(x, axis=1, keepdims=True)
            out[start:start + m] = x
        return out


def neighbour_stats(vectors: np.ndarray, sample: int = 2000, seed: int = 0) -> dict:
    """Mean cosine of random pairs and of each row's 1st / 10th nearest neighbour (within a sample)."""
    rng = np.random.default_rng(seed)
    rows = vectors[rng.choice(len(vectors), size=min(sample, len(vectors)), replace=False)]
    sims = rows @ rows.T
    np.fill_diagonal(sims, -np.inf)
    srt = np.sort(sims, axis=1)
    finite = sims[np.isfinite(sims)]
    k10 = min(10, len(rows) - 1)
    return {"mean_pair_cos": round(float(finite.mean()), 3), "nn1_cos": round(float(srt[:, -1].mean()), 3),
            f"nn{k10}_cos": round(float(srt[:, -k10].mean()), 3), "sample": int(len(rows))}
