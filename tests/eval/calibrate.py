"""`make calibrate`: learn the answer-or-decline decision from the tuning sets (never the held-out sets).

Every answer, follow-up, clarification, conflict and out-of-scope turn of the tuning sets is asked with
the decision switched off (always answer). A turn whose forced answer is judged right is a positive;
an out-of-scope turn, or a wrong answer, is a negative. A logistic regression over the decision signals
is cross-validated (5 folds) to pick the probability threshold (middle of the best plateau), then fitted
on all rows and written to bot/kb/calibration.json.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bot.kb import calibrate
from bot.kb.service import KnowledgeService
from bot.settings import get_settings
from tests.eval.judge import judge, message_for
from tests.eval.run import load_items
from tests.eval.tune import KNOWLEDGE_KINDS


def collect(service: KnowledgeService, paths: list[str]) -> tuple[list[dict], list[float], list[bool]]:
    composer = service.composer
    saved = composer.calibrator, composer.threshold
    composer.calibrator, composer.threshold = None, -1.0
    rows, labels, should_decline = [], [], []
    try:
        for path in paths:
            for item in load_items(Path(path)):
                if item["kind"] not in KNOWLEDGE_KINDS:
                    continue
                context, buttons = None, []
                for turn in item["turns"]:
                    message, choice = message_for(turn, buttons)
                    if message is None:
                        continue
                    composer.last_features = None
                    reply = service.ask(message, context, [choice["title"]] if choice else [])
                    context, buttons = reply.context, reply.buttons
                    expect = turn.get("expect")
                    if composer.last_features is None or expect not in ("fact", "decline"):
                        continue  # this turn never reached the decision (FAQ, list, clarification, ...)
                    rows.append(dict(composer.last_features))
                    labels.append(1.0 if expect == "fact" and judge(turn, reply.text, reply.buttons) else 0.0)
                    should_decline.append(expect == "decline")
    finally:
        composer.calibrator, composer.threshold = saved
    return rows, labels, should_decline


def decision_accuracy(p: np.ndarray, labels: np.ndarray, should_decline: np.ndarray, threshold: float) -> float:
    answered = p >= threshold
    return float(np.mean(np.where(answered, labels == 1, should_decline)))


def decision_cost(p: np.ndarray, labels: np.ndarray, should_decline: np.ndarray, threshold: float,
                  wrong_answer_cost: float) -> float:
    """Mean cost per decision: a false decline costs 1, a wrong or unrelated answer `wrong_answer_cost`."""
    answered = p >= threshold
    cost = np.where(answered, np.where(labels == 1, 0.0, wrong_answer_cost), np.where(should_decline, 0.0, 1.0))
    return float(cost.mean())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", action="append", required=True, help="a tuning set (repeatable)")
    parser.add_argument("--out", default=str(get_settings().calibration_path))
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--wrong-answer-cost", type=float, default=1.5,
                        help="a wrong or unrelated answer costs this many false declines (2.0 declined answerable "
                             "questions the tuning sets answer right: 568 vs 577 of 601 items, in-process)")
    args = parser.parse_args(argv)
    service = KnowledgeService.load()
    rows, labels, should_decline = collect(service, args.set)
    y, d = np.array(labels), np.array(should_decline)
    folds = np.array_split(np.random.default_rng(0).permutation(len(rows)), 5)
    held = np.zeros(len(rows))
    for k, test in enumerate(folds):
        train = np.concatenate([f for j, f in enumerate(folds) if j != k])
        model = calibrate.train([rows[i] for i in train], [labels[i] for i in train], 0.5, [], args.l2,
                                args.wrong_answer_cost)
        held[test] = [model.probability(rows[i]) for i in test]
    sweep = [(round(t, 2), decision_accuracy(held, y, d, t), decision_cost(held, y, d, t, args.wrong_answer_cost))
             for t in np.arange(0.2, 0.81, 0.05)]
    for t, acc, cost in sweep:
        print(f"probability threshold {t:.2f}: cross-validated decision accuracy {acc:.3f}, cost {cost:.3f}")
    least = min(c for _, _, c in sweep)
    plateau = [t for t, _, c in sweep if c <= least + 1e-9]
    chosen = plateau[len(plateau) // 2]
    top = next(a for t, a, _ in sweep if t == chosen)
    heuristic = decision_accuracy(np.array([r["confidence"] for r in rows]), y, d, service.composer.threshold)
    model = calibrate.train(rows, labels, float(chosen), args.set, args.l2, args.wrong_answer_cost)
    calibrate.save(model, Path(args.out))
    print(f"{len(rows)} decisions ({int(y.sum())} answerable): calibrated {top:.3f} at threshold {chosen:.2f} "
          f"(cross-validated) vs sentence score >= {service.composer.threshold:.2f}: {heuristic:.3f}; "
          f"weights {dict(zip(model.features, np.round(model.weights, 2)))} -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
