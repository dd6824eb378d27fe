"""`make tune`: choose the answer/decline threshold on the tuning set, in-process (no Rasa needed).

Only the kinds the knowledge service decides are used (answers, follow-ups, clarification, conflicts,
out of scope). The held-out set is never read here.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from bot.kb.service import KnowledgeService
from bot.settings import get_settings
from tests.eval.judge import judge, message_for
from tests.eval.run import load_items

KNOWLEDGE_KINDS = {"answer", "followup", "clarification", "conflict", "out_of_scope"}


class OfflineBot:
    def __init__(self, service: KnowledgeService) -> None:
        self.service = service

    def converse(self, item: dict):
        context, buttons, out = None, [], []
        for turn in item["turns"]:
            message, choice = message_for(turn, buttons)
            if message is None:
                out.append((turn, "", []))
                continue
            entities = [choice["title"]] if choice else []
            reply = self.service.ask(message, context, entities)
            context, buttons = reply.context, reply.buttons
            out.append((turn, reply.text, reply.buttons))
        return out


def accuracy(bot: OfflineBot, items: list[dict], show: bool = False) -> dict[str, float]:
    per: dict[str, list[bool]] = {}
    for item in items:
        ok = True
        for turn, text, buttons in bot.converse(item):
            if not judge(turn, text, buttons):
                ok = False
                if show:
                    print(f"  MISS {item['id']} {turn.get('say') or turn.get('pick')!r}\n       -> {text[:220]!r}")
        per.setdefault(item["kind"], []).append(ok)
    return {k: sum(v) / len(v) for k, v in per.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", action="append", required=True, help="a tuning set (repeatable)")
    parser.add_argument("--low", type=int, default=30, help="lowest threshold swept, in hundredths")
    parser.add_argument("--high", type=int, default=64, help="highest threshold swept, in hundredths")
    parser.add_argument("--show", action="store_true", help="print the misses at the chosen threshold")
    args = parser.parse_args(argv)
    items = [i for path in args.set for i in load_items(Path(path)) if i["kind"] in KNOWLEDGE_KINDS]
    service = KnowledgeService.load()
    composer = service.composer
    sweep = []
    for t in [x / 100 for x in range(args.low, args.high + 1, 2)]:
        composer.threshold = t
        acc = accuracy(OfflineBot(service), items)
        # Declining an answerable question and answering an unanswerable one both cost one item.
        overall = sum(acc[k] * sum(1 for i in items if i["kind"] == k) for k in acc) / len(items)
        print(f"threshold {t:.2f}: overall {overall:.3f} " + " ".join(f"{k} {v:.2f}" for k, v in sorted(acc.items())))
        sweep.append((t, overall))
    top = max(o for _, o in sweep)
    # The middle of the best plateau, not its edge: the held-out set will not sit exactly on the edge.
    plateau = [t for t, o in sweep if o == top]
    chosen = plateau[len(plateau) // 2]
    print(f"best on {' + '.join(args.set)}: {top:.3f} for thresholds {plateau[0]:.2f}-{plateau[-1]:.2f}; choose {chosen:.2f} "
          f"(current setting {get_settings().answer_threshold:.2f})")
    if args.show:
        composer.threshold = get_settings().answer_threshold
        accuracy(OfflineBot(service), items, show=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
