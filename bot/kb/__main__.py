"""`python -m bot.kb index|ask|check`: build the index, ask from the terminal, check the index."""
from __future__ import annotations

import argparse
import json
import sys
import time

from bot.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.kb")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("index", help="build models/index from knowledge/")
    ask = sub.add_parser("ask", help="answer questions (one per argument; context carries over)")
    ask.add_argument("questions", nargs="+")
    sub.add_parser("check", help="exit 0 if the index is present and current")
    args = parser.parse_args(argv)
    settings = get_settings()

    if args.command == "index":
        from bot.kb import index, safety_neighbours, store
        from bot.kb.encoder import make_encoder

        started = time.perf_counter()
        encoder = make_encoder(settings.model_name)
        stored = index.build(settings.knowledge_dir, encoder,
                             chunk_max_chars=settings.chunk_max_chars, fragment_max_chars=settings.fragment_max_chars)
        store.save(settings.index_dir, stored)
        examples = safety_neighbours.load_examples(settings.nlu_dir)
        safety_neighbours.SafetyNeighbours.index(examples, encoder).save(
            settings.index_dir, safety_neighbours.fingerprint(examples, encoder.name), encoder.name)
        m = stored.manifest
        print(f"index: {m['passages']} passages, {m['sentences']} sentences, {m['faq_questions']} FAQ questions, "
              f"dim {m['dimension']}, fingerprint {m['knowledge_fingerprint']}, "
              f"{len(examples)} safety neighbours, {time.perf_counter() - started:.1f}s (incl. model load) -> {settings.index_dir}")
        return 0
    if args.command == "check":
        from bot.kb import store
        from bot.kb.ingest import fingerprint

        try:
            store.load(settings.index_dir, expect_model=settings.model_name, expect_fingerprint=fingerprint(settings.knowledge_dir))
        except store.IndexUnavailable as exc:
            print(exc, file=sys.stderr)
            return 1
        print("index is current")
        return 0
    from bot.kb.service import KnowledgeService
    from bot.kb.store import IndexUnavailable

    try:
        service = KnowledgeService.load(settings)
    except IndexUnavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    context = None
    for question in args.questions:
        reply = service.ask(question, context)
        context = reply.context
        print(json.dumps({"q": question, "kind": reply.kind, "confidence": round(reply.confidence, 3),
                          "text": reply.text, "buttons": [b["title"] for b in reply.buttons]}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
