"""`make eval`: ask the real bot (Rasa + action server, over REST) every question of the evaluation sets,
score two baselines (BM25 top-1 passage, dense top-1 passage) the same way in the same run, and write a
report (Markdown + PNG) under models/eval/.
"""
from __future__ import annotations

import argparse
import json
import time
import uuid
from collections import defaultdict
from pathlib import Path

import requests
import yaml

from bot.kb import store
from bot.kb.encoder import make_encoder
from bot.kb.index import load_catalog, passage_context
from bot.kb.retrieve import KnowledgeBase
from bot.kb.text import content_terms
from bot.settings import REPO_ROOT, get_settings
from tests.eval.judge import has_source, judge, message_for
from tests.stack import Stack

KINDS = ["answer", "followup", "clarification", "conflict", "out_of_scope", "emergency", "medical_advice",
         "appointment", "smalltalk"]


def load_items(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class BotClient:
    def __init__(self, url: str) -> None:
        self.url = url
        self.latencies: list[float] = []

    def converse(self, item: dict) -> list[tuple[dict, str, list[dict]]]:
        sender = f"eval-{item['id']}-{uuid.uuid4().hex[:6]}"
        out = []
        buttons: list[dict] = []
        for turn in item["turns"]:
            message, _ = message_for(turn, buttons)
            if message is None:
                out.append((turn, "", []))
                continue
            started = time.perf_counter()
            r = requests.post(self.url, json={"sender": sender, "message": message}, timeout=60)
            self.latencies.append((time.perf_counter() - started) * 1000)
            replies = r.json() if r.ok else []
            text = "\n".join(m.get("text", "") for m in replies)
            buttons = [b for m in replies for b in (m.get("buttons") or [])]
            out.append((turn, text, buttons))
        return out


class PassageBaseline:
    """What a plain retrieval bot does: reply with the top-1 passage (same chunks), no dialogue, never declines."""

    def __init__(self, kb: KnowledgeBase, mode: str) -> None:
        self.kb, self.mode = kb, mode

    def top(self, question: str) -> int | None:
        if self.mode == "bm25":
            ranking = self.kb.lexical_ranking(content_terms(question), 1)
        else:
            ranking = self.kb.dense_ranking(self.kb.encode_query(question), 1)
        return ranking[0] if ranking else None

    def converse(self, item: dict) -> list[tuple[dict, str, list[dict]]]:
        out = []
        for turn in item["turns"]:
            if "pick" in turn:
                out.append((turn, "", []))
                continue
            best = self.top(turn["say"])
            if best is None:
                out.append((turn, "", []))
                continue
            p = self.kb.passages[best]
            out.append((turn, f"{passage_context(p)}: {p.text}\nSource: {p.title}", []))
        return out


def retrieval_metrics(kb: KnowledgeBase, items: list[dict]) -> dict:
    """Recall@1/@5 and MRR of the hybrid retriever for single-turn answer questions (page + section match)."""
    ranks = []
    for item in items:
        if item["kind"] != "answer":
            continue
        turn = item["turns"][0]
        q = turn["say"]
        focus_names = [m.name for m in kb.catalog.find(q) if (kb.catalog.by_name(m.name).sections)]
        hits = kb.retrieve(kb.encode_query(q), content_terms(q), k=10, focus=focus_names[0] if focus_names else None)
        rank = None
        wanted = turn.get("section") or ""
        page_sections = {p.section for p in kb.passages if p.page == turn["page"]}
        # A section that is the page's own H1 (no "##" heading of that name) means "anywhere on the page".
        section_known = any(sec.startswith(wanted) or wanted.startswith(sec) for sec in page_sections) and wanted
        for i, h in enumerate(hits):
            p = kb.passages[h.passage]
            if p.page == turn["page"] and (not section_known or p.section.startswith(wanted) or wanted.startswith(p.section)):
                rank = i + 1
                break
        ranks.append(rank)
    n = len(ranks) or 1
    return {"recall@1": sum(1 for r in ranks if r == 1) / n, "recall@5": sum(1 for r in ranks if r and r <= 5) / n,
            "mrr": sum(1 / r for r in ranks if r) / n, "questions": len(ranks)}


def score(system, items: list[dict]) -> dict:
    per_kind: dict[str, list[bool]] = defaultdict(list)
    sourced_right = right_facts = 0
    failures = []
    declines_expected = declines_made = declines_right = 0
    for item in items:
        turns = system.converse(item)
        ok = True
        for turn, text, buttons in turns:
            good = judge(turn, text, buttons)
            if turn.get("expect") == "fact" and good:
                right_facts += 1
                sourced_right += has_source(text)
            from tests.eval.judge import is_decline
            expected_decline = turn.get("expect") == "decline"
            made = is_decline(text)
            declines_expected += expected_decline
            declines_made += made
            declines_right += expected_decline and made
            if not good:
                ok = False
                failures.append({"id": item["id"], "say": turn.get("say") or turn.get("pick"), "got": text[:300]})
        per_kind[item["kind"]].append(ok)
    acc = {k: sum(v) / len(v) for k, v in per_kind.items()}
    total = [ok for v in per_kind.values() for ok in v]
    return {
        "per_kind": acc, "counts": {k: len(v) for k, v in per_kind.items()},
        "overall": sum(total) / len(total),
        "answer_accuracy": acc.get("answer", 0.0),
        "abstention_precision": declines_right / declines_made if declines_made else 0.0,
        "abstention_recall": declines_right / declines_expected if declines_expected else 0.0,
        "sourced_share_of_right_facts": sourced_right / right_facts if right_facts else 0.0,
        "failures": failures,
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def chart(results: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(results)
    fig, axes = plt.subplots(1, len(sets), figsize=(7 * len(sets), 4.5), squeeze=False)
    for ax, set_name in zip(axes[0], sets):
        systems = results[set_name]
        kinds = [k for k in KINDS if k in systems["bot"]["per_kind"]]
        width = 0.8 / len(systems)
        for i, (name, res) in enumerate(systems.items()):
            ax.bar([x + i * width for x in range(len(kinds))], [res["per_kind"].get(k, 0) for k in kinds], width, label=name)
        ax.set_xticks([x + width for x in range(len(kinds))])
        ax.set_xticklabels(kinds, rotation=35, ha="right")
        ax.set_ylim(0, 1.05)
        ax.set_title(f"accuracy per kind: {set_name}")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", action="append", required=True)
    parser.add_argument("--url", help="REST webhook of a running bot; default: start one on free ports")
    parser.add_argument("--out", default=str(REPO_ROOT / "models" / "eval"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    settings = get_settings()
    encoder = make_encoder(settings.model_name)
    kb = KnowledgeBase(store.load(settings.index_dir), encoder, load_catalog(settings.knowledge_dir))
    stack = None
    url = args.url
    if not url:
        stack = Stack(logs_dir=out).start()
        url = stack.url
    try:
        bot = BotClient(url)
        bot.converse({"id": "warmup", "turns": [{"say": "hello"}]})
        bot.latencies.clear()
        results: dict[str, dict] = {}
        retrieval: dict[str, dict] = {}
        for set_path in args.set:
            items = load_items(Path(set_path))
            name = Path(set_path).stem
            results[name] = {"bot": score(bot, items), "bm25-top1": score(PassageBaseline(kb, "bm25"), items),
                             "dense-top1": score(PassageBaseline(kb, "dense"), items)}
            retrieval[name] = retrieval_metrics(kb, items)
        latency = {"p50_ms": round(percentile(bot.latencies, 0.5), 1), "p95_ms": round(percentile(bot.latencies, 0.95), 1),
                   "requests": len(bot.latencies)}
        rss = stack.rss_mb() if stack else {}
    finally:
        if stack:
            stack.stop()

    lines = ["# Evaluation report", "", f"Command: `make eval`; bot over REST ({url}); baselines in-process on the same index.", ""]
    summary = []
    for name, systems in results.items():
        lines += [f"## {name}", "", "| kind | n | bot | BM25 top-1 | dense top-1 |", "|---|---|---|---|---|"]
        bot_res = systems["bot"]
        for kind in [k for k in KINDS if k in bot_res["per_kind"]]:
            lines.append(f"| {kind} | {bot_res['counts'][kind]} | " + " | ".join(
                f"{systems[s]['per_kind'][kind]:.0%}" for s in ("bot", "bm25-top1", "dense-top1")) + " |")
        lines.append("| **all** | {} | ".format(sum(bot_res["counts"].values())) + " | ".join(
            f"**{systems[s]['overall']:.0%}**" for s in ("bot", "bm25-top1", "dense-top1")) + " |")
        r = retrieval[name]
        better = max(systems["bm25-top1"]["answer_accuracy"], systems["dense-top1"]["answer_accuracy"])
        lines += ["", f"- retrieval (hybrid, {r['questions']} answer questions): recall@1 {r['recall@1']:.0%}, "
                  f"recall@5 {r['recall@5']:.0%}, MRR {r['mrr']:.2f}",
                  f"- abstention precision {bot_res['abstention_precision']:.0%}, recall {bot_res['abstention_recall']:.0%}",
                  f"- right fact answers with a source line: {bot_res['sourced_share_of_right_facts']:.0%}",
                  f"- answer accuracy vs better baseline: {bot_res['answer_accuracy']:.0%} vs {better:.0%}", ""]
        if bot_res["failures"]:
            lines += ["<details><summary>bot failures</summary>", ""]
            lines += [f"- `{f['id']}` {f['say']!r} -> {f['got']!r}" for f in bot_res["failures"]]
            lines += ["", "</details>", ""]
        def pct(kind: str, res: dict) -> str:
            return f"{res['per_kind'][kind]:.0%}" if kind in res["per_kind"] else "n/a"  # a set without that kind

        summary.append(f"{name}: answers {pct('answer', bot_res)} (baselines bm25 {pct('answer', systems['bm25-top1'])}, "
                       f"dense {pct('answer', systems['dense-top1'])}), out-of-scope declined {pct('out_of_scope', bot_res)}, "
                       f"follow-ups {pct('followup', bot_res)}, all {bot_res['overall']:.0%}")
    lines += [f"REST latency over {latency['requests']} requests: p50 {latency['p50_ms']} ms, p95 {latency['p95_ms']} ms.",
              f"RSS: {rss}" if rss else "", "", "![accuracy per kind](accuracy.png)"]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
    (out / "results.json").write_text(json.dumps({"results": results, "retrieval": retrieval, "latency": latency,
                                                  "rss_mb": rss}, indent=1), encoding="utf-8")
    chart(results, out / "accuracy.png")
    print("\n".join(lines[: lines.index("## " + list(results)[0])]) if False else "")
    for s in summary:
        print("EVAL " + s)
    print(f"EVAL latency p50 {latency['p50_ms']} ms, p95 {latency['p95_ms']} ms; RSS MB {rss}; report: {out / 'report.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
