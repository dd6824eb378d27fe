"""Persistence of the knowledge index: FAISS files plus JSON, with a versioned manifest (no pickle)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import faiss

from bot.kb import ann
from bot.kb.ingest import Passage

FORMAT_VERSION = 1
REBUILD_HINT = "rebuild it with `make index`"


class IndexUnavailable(RuntimeError):
    """The index is missing, corrupt or stale; the message says how to rebuild it."""


@dataclass
class FaqEntry:
    id: str
    questions: list[str]
    answer: str
    page: str
    section: str | None
    title: str
    date: str | None


@dataclass
class StoredIndex:
    manifest: dict
    passages: list[Passage]
    sentences: list[dict]          # {"passage": int, "text": str}
    faq: list[FaqEntry]
    faq_questions: list[dict]      # {"entry": int, "text": str}
    passage_index: faiss.Index
    sentence_index: faiss.Index
    faq_index: faiss.Index


def save(index_dir: Path, stored: StoredIndex) -> None:
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = index_dir / ".building"
    tmp.mkdir(exist_ok=True)
    faiss.write_index(stored.passage_index, str(tmp / "passages.faiss"))
    faiss.write_index(stored.sentence_index, str(tmp / "sentences.faiss"))
    faiss.write_index(stored.faq_index, str(tmp / "faq.faiss"))
    records = {
        "passages": [p.to_json() for p in stored.passages],
        "sentences": stored.sentences,
        "faq": [vars(e) for e in stored.faq],
        "faq_questions": stored.faq_questions,
    }
    (tmp / "records.json").write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    (tmp / "manifest.json").write_text(json.dumps(stored.manifest, indent=2), encoding="utf-8")
    # Files are moved in only when all are written, manifest last, so a crash mid-build
    # leaves either the old index or an obviously incomplete one, never a mix.
    for name in ("passages.faiss", "sentences.faiss", "faq.faiss", "records.json", "manifest.json"):
        (tmp / name).replace(index_dir / name)
    tmp.rmdir()


def load(index_dir: Path, *, expect_model: str | None = None, expect_fingerprint: str | None = None) -> StoredIndex:
    manifest_path = index_dir / "manifest.json"
    if not manifest_path.exists():
        raise IndexUnavailable(f"no knowledge index at {index_dir}: {REBUILD_HINT}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        records = json.loads((index_dir / "records.json").read_text(encoding="utf-8"))
        passage_index = faiss.read_index(str(index_dir / "passages.faiss"))
        sentence_index = faiss.read_index(str(index_dir / "sentences.faiss"))
        faq_index = faiss.read_index(str(index_dir / "faq.faiss"))
    except Exception as exc:  # corrupt JSON, truncated FAISS file, missing file
        raise IndexUnavailable(f"knowledge index at {index_dir} is unreadable ({exc.__class__.__name__}: {exc}); {REBUILD_HINT}") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnavailable(f"index format {manifest.get('format_version')} != {FORMAT_VERSION}; {REBUILD_HINT}")
    if expect_model and manifest.get("model") != expect_model:
        raise IndexUnavailable(f"index was built with {manifest.get('model')}, not {expect_model}; {REBUILD_HINT}")
    if expect_fingerprint and manifest.get("knowledge_fingerprint") != expect_fingerprint:
        raise IndexUnavailable(f"index is stale: knowledge/ changed since it was built; {REBUILD_HINT}")
    passages = [Passage.from_json(p) for p in records["passages"]]
    sentences = records["sentences"]
    faq = [FaqEntry(**e) for e in records["faq"]]
    checks = [
        (passage_index.ntotal, len(passages), manifest.get("passages")),
        (sentence_index.ntotal, len(sentences), manifest.get("sentences")),
        (faq_index.ntotal, len(records["faq_questions"]), manifest.get("faq_questions")),
    ]
    for in_faiss, in_json, in_manifest in checks:
        if not (in_faiss == in_json == in_manifest):
            raise IndexUnavailable(f"index files disagree ({in_faiss} vectors, {in_json} records, manifest {in_manifest}); {REBUILD_HINT}")
    if ann.index_kind(passage_index) != manifest.get("index_type"):
        raise IndexUnavailable(f"passage index is {ann.index_kind(passage_index)}, manifest says "
                               f"{manifest.get('index_type')}; {REBUILD_HINT}")
    dims = {passage_index.d, sentence_index.d, faq_index.d}
    if dims != {manifest.get("dimension")}:
        raise IndexUnavailable(f"index dimension {dims} != manifest {manifest.get('dimension')}; {REBUILD_HINT}")
    return StoredIndex(manifest, passages, sentences, faq, records["faq_questions"],
                       passage_index, sentence_index, faq_index)
