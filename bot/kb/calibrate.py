"""Answer-or-decline as a learned decision: logistic regression over a few signals of the best sentence.

The hand-made sentence score ranks sentences well (forced to answer, the best sentence is right for
almost every answerable tuning question) but is a poor yes/no signal on its own: a visitor's odd word
sinks it, and naming the place or a clear lead over the runner-up should raise it. A calibrated
probability over those signals is the confidence the threshold applies to.

Persistence is a small versioned JSON file (no pickle), written by `make calibrate`.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Calibrator:
    features: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    threshold: float
    trained_on: list[str]
    examples: int

    def probability(self, values: dict[str, float]) -> float:
        x = (np.array([values[f] for f in self.features]) - np.array(self.mean)) / np.array(self.scale)
        return float(1.0 / (1.0 + np.exp(-(x @ np.array(self.weights) + self.bias))))


def fit(rows: list[dict[str, float]], labels: list[float], l2: float = 1.0, steps: int = 4000,
        rate: float = 0.1, negative_weight: float = 1.0) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, float]:
    """Plain gradient descent on standardised features: a few hundred rows, no library needed.
    `negative_weight` > 1 makes answering wrongly cost more than declining wrongly."""
    names = sorted(rows[0])
    x = np.array([[r[n] for n in names] for r in rows], dtype=np.float64)
    y = np.array(labels, dtype=np.float64)
    weight = np.where(y > 0.5, 1.0, negative_weight)
    weight = weight / weight.mean()
    mean, scale = x.mean(0), x.std(0) + 1e-9
    z = (x - mean) / scale
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        g = (p - y) * weight
        w -= rate * (z.T @ g / len(y) + l2 * w / len(y))
        b -= rate * float(g.mean())
    return names, mean, scale, w, b


def train(rows: list[dict[str, float]], labels: list[float], threshold: float, trained_on: list[str],
          l2: float = 1.0, negative_weight: float = 1.0) -> Calibrator:
    names, mean, scale, w, b = fit(rows, labels, l2, negative_weight=negative_weight)
    return Calibrator(names, mean.tolist(), scale.tolist(), w.tolist(), float(b), threshold, trained_on, len(rows))


def save(calibrator: Calibrator, path: Path) -> None:
    data = {"format_version": FORMAT_VERSION, **asdict(calibrator)}
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def load(path: Path) -> Calibrator | None:
    """None when there is no calibration file; a file of another format is an error, not a silent fallback."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.pop("format_version", None) != FORMAT_VERSION:
        raise ValueError(f"{path}: unknown calibration format; rebuild it with `make calibrate`")
    return Calibrator(**data)
