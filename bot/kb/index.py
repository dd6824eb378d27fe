"""Build the knowledge index: chunk the pages, encode passages, sentences and FAQ questions, save."""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import yaml

from bot.kb import ann, store
from bot.kb.encoder import Encoder
from bot.kb.entities import Catalog
from bot.kb.ingest import Passage, chunk_pages, fingerprint, load_pages


def load_catalog(knowledge_dir: Path) -> Catalog:
    return Catalog.load(knowledge_dir / "catalog.yml")


def tag_passages(passages: list[Passage], catalog: Catalog) -> list[Passage]:
    return [replace(p, entities=catalog.entities_for_section(p.page, p.section)) for p in passages]


def passage_context(p: Passage) -> str:
    """What a passage is about, written into the text that gets embedded."""
    about = ", ".join(p.entities) if p.entities else p.title
    return about if p.section in (p.title, "Overview") else f"{about} - {p.section}"


def load_faq(knowledge_dir: Path, pages: dict[str, tuple[str, str | None]]) -> list[store.FaqEntry]:
    path = knowledge_dir / "faq.yml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = []
    for raw in data.get("entries", []):
        title, date = pages.get(raw["page"], (raw["page"], None))
        entries.append(store.FaqEntry(
            id=str(raw["id"]), questions=[str(q) for q in raw["questions"]], answer=str(raw["answer"]).strip(),
            page=raw["page"], section=raw.get("section"), title=title, date=date,
        ))
    return entries


def build(knowledge_dir: Path, encoder: Encoder, *, chunk_max_chars: int = 600, fragment_max_chars: int = 360) -> store.StoredIndex:
    started = time.perf_counter()
    pages = load_pages(knowledge_dir)
    if not pages:
        raise ValueError(f"no knowledge pages (*.md) in {knowledge_dir}")
    catalog = load_catalog(knowledge_dir)
    passages = tag_passages(chunk_pages(pages, chunk_max_chars, fragment_max_chars), catalog)
    sentences = [{"passage": i, "text": s} for i, p in enumerate(passages) for s in p.sentences]
    faq = load_faq(knowledge_dir, {p.stem: (p.title, p.date) for p in pages})
    faq_questions = [{"entry": i, "text": q} for i, e in enumerate(faq) for q in e.questions]

    passage_texts = [f"{passage_context(p)}. {p.text}" for p in passages]
    sentence_texts = [f"{passage_context(passages[s['passage']])}: {s['text']}" for s in sentences]
    passage_vecs = encoder.encode(passage_texts)
    sentence_vecs = encoder.encode(sentence_texts)
    faq_vecs = encoder.encode([q["text"] for q in faq_questions]) if faq_questions else passage_vecs[:0]
    # Exact search while it is cheap; HNSW for large knowledge bases (see `make bench`). Sentences and FAQ
    # questions stay flat: answer composition scores every sentence of the retrieved passages.
    passage_kind = ann.choose_index_type(len(passages))
    manifest = {
        "format_version": store.FORMAT_VERSION,
        "model": encoder.name,
        "dimension": int(passage_vecs.shape[1]),
        "index_type": passage_kind,
        "passages": len(passages),
        "sentences": len(sentences),
        "faq_entries": len(faq),
        "faq_questions": len(faq_questions),
        "pages": [p.stem for p in pages],
        "knowledge_fingerprint": fingerprint(knowledge_dir),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(time.perf_counter() - started, 3),
    }
    return store.StoredIndex(manifest, passages, sentences, faq, faq_questions,
                             ann.build_ann(passage_vecs, passage_kind), ann.build_ann(sentence_vecs, ann.FLAT),
                             ann.build_ann(faq_vecs, ann.FLAT))
