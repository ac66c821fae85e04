"""Small linear heads over sentence vectors: one-vs-rest logistic regression, in numpy.

`fit` trains one head per label by Newton's method with L2 and balanced class weights;
`Heads.scores` gives each label's probability for a batch of vectors, and `nearest` the
training example most like each vector (for `--json` debugging). Thresholds are set by
`calibrate` on a held-out split of the examples, never on evaluation data. It does not
embed text (the shared model does) and holds nothing but arrays.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
SCALE = 8.0  # unit vectors have tiny coordinates; scaled, one L2 strength suits every head
L2 = 1.0
DEV_SHARE = 0.25  # examples held out to set the thresholds


def _fit_one(x: Array, y: Array, iterations: int = 6) -> Array:
    """Weights (dim + 1,) of a logistic regression of y (0/1) on x, by Newton steps."""
    xb = np.hstack([x * SCALE, np.ones((len(x), 1))])
    pos = max(float(y.sum()), 1.0)
    weight = np.where(y > 0, len(y) / (2 * pos), len(y) / (2 * max(len(y) - pos, 1.0)))
    w = np.zeros(xb.shape[1])
    ridge = L2 * np.eye(xb.shape[1])
    ridge[-1, -1] = 0.0  # no penalty on the bias
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (weight * (p - y)) + ridge @ w
        hess = (xb * (weight * p * (1 - p))[:, None]).T @ xb + ridge
        w -= np.linalg.solve(hess, grad)
    return w


@dataclass(frozen=True)
class Heads:
    """One logistic head per label, the threshold of each, and the examples they came from."""

    labels: tuple[str, ...]
    weights: Array  # (labels, dim + 1)
    thresholds: Array  # (labels,)
    examples: tuple[str, ...]
    vectors: Array  # (examples, dim), unit length
    targets: Array  # (examples, labels), 0/1

    def scores(self, x: Array) -> Array:
        """Probabilities (batch, labels) for unit vectors x (batch, dim)."""
        xb = np.hstack([x * SCALE, np.ones((len(x), 1))])
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(xb @ self.weights.T, -30, 30))))

    def on(self, x: Array) -> list[str]:
        """The labels over their threshold for one vector (dim,)."""
        s = self.scores(x[None, :])[0]
        return [label for label, v, t in zip(self.labels, s, self.thresholds, strict=True)
                if v >= t]

    def nearest(self, x: Array, label: str) -> str:
        """The training example of `label` most like the vector x (dim,)."""
        column = self.targets[:, self.labels.index(label)] > 0
        if not column.any():
            return ""
        sims = np.where(column, self.vectors @ x, -2.0)
        return self.examples[int(np.argmax(sims))]


def fit(labels: tuple[str, ...], examples: list[str], vectors: Array, targets: Array,
        thresholds: Array | None = None) -> Heads:
    """Heads trained on all the examples; thresholds given, or 0.5 each."""
    weights = np.stack([_fit_one(vectors, targets[:, j]) for j in range(len(labels))])
    chosen = thresholds if thresholds is not None else np.full(len(labels), 0.5)
    return Heads(labels, weights, chosen, tuple(examples), vectors, targets)


def dev_split(examples: list[str]) -> npt.NDArray[np.bool_]:
    """A fixed held-out mask: an example is dev by the hash of its text, not by chance."""
    return np.array([hashlib.sha1(e.encode()).digest()[0] < 256 * DEV_SHARE for e in examples])


def calibrate(labels: tuple[str, ...], examples: list[str], vectors: Array,
              targets: Array) -> Heads:
    """Heads on all examples with thresholds that maximise F1 on the dev split."""
    dev = dev_split(examples)
    train = fit(labels, [e for e, d in zip(examples, dev, strict=True) if not d],
                vectors[~dev], targets[~dev])
    scores = train.scores(vectors[dev])
    chosen = np.full(len(labels), 0.5)
    for j in range(len(labels)):
        truth = targets[dev, j] > 0
        if not truth.any():
            continue
        best = -1.0
        for t in np.arange(0.2, 0.96, 0.05):
            pred = scores[:, j] >= t
            tp = float((pred & truth).sum())
            f1 = 2 * tp / max(float(pred.sum() + truth.sum()), 1.0)
            if f1 > best + 1e-9:
                best, chosen[j] = f1, t
    return fit(labels, examples, vectors, targets, chosen)
