"""The crisis screen's embedding layer: risk by example, on the message's one MiniLM vector.

Logistic heads over knowledge/safety.yaml and knowledge/safety_bank*.yaml (our own
statements: crisis, check-in and hard negatives such as figures of speech and quoted
speech), each averaged with a vote of the nearest examples: `crisis` (clear risk), `risky`
(crisis or ambiguous despair), `lookalike` (our hard negatives) and `ordinary` (everyday
coaching messages). Their thresholds are set on the bank's own dev split to favour recall
(`calibrate`). A long message is also read sentence by sentence, so risk buried in a
paragraph about the deal is not averaged away. It judges only self-harm and suicide;
threats to others are the rules' job.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from coach.reading import heads
from coach.reading.banks import Family
from coach.reading.embedding import Embedder, trained
from coach.reading.normalise import normalise, sentences
from coach.safety import rules

LABELS = ("crisis", "risky", "lookalike", "ordinary")  # lookalike: our hard negatives;
# ordinary: everyday coaching messages (the reading banks)
RECALL = 0.95  # the dev recall each head's threshold must keep
MAX_FALSE_ALARMS = (0.03, 0.15)  # and the dev share of hard negatives each may flag
MAX_ORDINARY = (0.005, 0.03)  # and of everyday coaching messages: a check-in is a real cost
NEIGHBOURS = 5
TEMPERATURE = 0.05  # cosine similarity: a neighbour 0.05 less alike weighs 1/e as much
LONG = 25  # words: longer messages are read sentence by sentence as well
KNOWN = 256  # messages whose scores are kept
SHORT = 3  # words: shorter messages say too little for a vector ("end", "ok"); rules only


def bank(paths: Sequence[Path], ordinary: Sequence[str] = ()) -> Family:
    """The banks' single statements as a family: crisis, risky (crisis or check-in), lookalike.

    `ordinary` are everyday coaching messages (the reading banks, and each bank's `ordinary`
    section), added as safe examples with their own label, so the heads learn what the coach
    usually hears and the screen can tell a message that resembles them from risk; a long
    one's sentences are added too; any the rules would flag are left out.
    """
    index: dict[str, tuple[float, float, float, float]] = {}
    everyday = list(ordinary)
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for tier in ("crisis", "check_in", "safe"):
            row = (float(tier == "crisis"), float(tier != "safe"), float(tier == "safe"), 0.0)
            for items in (data.get(tier) or {}).values():
                for text in items or []:
                    index.setdefault(normalise(str(text)), row)
        everyday += [str(t) for items in (data.get("ordinary") or {}).values() for t in items or []]
    for text in everyday:
        # a long message is read sentence by sentence too: its sentences are everyday as well
        parts = [text] + ([s for s in sentences(text) if len(s.split()) >= SHORT]
                          if len(text.split()) > LONG else [])
        for part in parts:
            if not (rules.screen([part]) or rules.hopeless(part)):
                index.setdefault(normalise(part), (0.0, 0.0, 0.0, 1.0))
    examples = [e for e in index if e]
    targets = np.array([index[e] for e in examples])
    return Family("safety", LABELS, examples, targets)


def vote(fitted: heads.Heads, x: heads.Array) -> heads.Array:
    """Each label's share among the k nearest examples, weighted by closeness (batch, labels)."""
    sims = x @ fitted.vectors.T
    top = np.argsort(-sims, axis=1)[:, :NEIGHBOURS]
    near = np.take_along_axis(sims, top, axis=1)
    w = np.exp((near - near[:, :1]) / TEMPERATURE)
    return np.asarray(np.einsum("bk,bkl->bl", w, fitted.targets[top]) / w.sum(1, keepdims=True))


def blend(fitted: heads.Heads, x: heads.Array) -> heads.Array:
    """The layer's score: the mean of the linear head and the nearest examples' vote.

    The head generalises to new phrasings; the vote keeps a figure of speech next to its
    own safe examples ("this deal is killing me"), which the head alone blurs into risk.
    """
    return np.asarray((fitted.scores(x) + vote(fitted, x)) / 2)


def calibrate(labels: tuple[str, ...], examples: list[str], vectors: heads.Array,
              targets: heads.Array) -> heads.Heads:
    """Heads whose thresholds on `blend` are the highest that keep RECALL on the dev split.

    A threshold never goes so low that it flags more than MAX_FALSE_ALARMS of the hard
    negatives in the dev split (figures of speech, quoted speech...), or MAX_ORDINARY of its
    everyday coaching messages: past that point a screen that asks everyone is no screen
    at all. The lookalike head keeps 0.5.
    """
    dev = heads.dev_split(examples)
    fitted = heads.fit(labels, [e for e, d in zip(examples, dev, strict=True) if not d],
                       vectors[~dev], targets[~dev])
    scores = blend(fitted, vectors[dev])
    hard = targets[dev, 2] > 0
    ordinary = targets[dev, 3] > 0
    chosen = np.full(len(labels), 0.5)
    for j in range(2):
        truth = targets[dev, j] > 0
        for t in np.arange(0.95, 0.04, -0.01):
            pred = scores[:, j] >= t
            if (float((pred & hard).sum()) > MAX_FALSE_ALARMS[j] * max(int(hard.sum()), 1)
                    or float((pred & ordinary).sum()) > MAX_ORDINARY[j] * int(ordinary.sum())):
                break
            chosen[j] = t
            if (pred & truth).sum() >= RECALL * truth.sum():
                break
    return heads.fit(labels, examples, vectors, targets, chosen)


@dataclass(frozen=True)
class Scores:
    """How sure each head is about one message: the most concerning of its readings."""

    crisis: float  # the whole message's: an embedding crisis is never called on one sentence
    risky: float
    lookalike: float  # how much it resembles our hard negatives (figures of speech...)
    ordinary: float  # how much it resembles everyday coaching messages
    support: float = 0.0  # cosine similarity of the whole message to its nearest crisis example

    @property
    def safe(self) -> float:
        """How much it resembles what is safe: our lookalikes or everyday coaching talk."""
        return max(self.lookalike, self.ordinary)


class EmbeddingScreen:
    """The bank's heads, and the shared embedder that gives each message its vector."""

    def __init__(self, embed: Embedder, paths: Sequence[Path], ordinary: Sequence[str] = (),
                 cache: Path | None = None) -> None:
        self._embed = embed
        family = bank(paths, ordinary)
        # the thresholds depend on these settings: a change retrains
        tag = f"{NEIGHBOURS}:{TEMPERATURE}:{RECALL}:{MAX_FALSE_ALARMS}:{MAX_ORDINARY}"
        self.heads = trained(embed, family, cache, calibrate, tag)
        self._known: OrderedDict[str, Scores] = OrderedDict()  # each turn re-reads the window
        self._lock = threading.Lock()  # the app screens from several sessions' threads

    @property
    def thresholds(self) -> tuple[float, float]:
        """The crisis and check-in thresholds on the blended scores."""
        return float(self.heads.thresholds[0]), float(self.heads.thresholds[1])

    def scores(self, text: str) -> Scores:
        """The heads' probabilities for the message and, when it is long, for each sentence;
        each text's scored once (the window's earlier messages come back every turn)."""
        with self._lock:
            if text in self._known:
                self._known.move_to_end(text)
                return self._known[text]
        found = self._score(text)
        with self._lock:
            self._known[text] = found
            if len(self._known) > KNOWN:
                self._known.popitem(last=False)
        return found

    def cache_clear(self) -> None:
        """Forget every message scored so far (benchmarks of a process that has not seen them)."""
        with self._lock:
            self._known.clear()

    def _score(self, text: str) -> Scores:
        text = normalise(text)
        if len(text.split()) < SHORT:
            return Scores(0.0, 0.0, 0.0, 0.0)
        parts = [text]
        if len(text.split()) > LONG:
            parts += [s for s in sentences(text) if len(s.split()) >= 3]
        vectors = np.asarray(self._embed.vectors(parts), dtype=np.float64)
        s = blend(self.heads, vectors)
        # A sentence counts only as clear risk (alone, most read as despair), and only as
        # a reason to ask: "Cut burn to stretch the runway" is not a crisis on its own.
        s[1:, 1] = s[1:, 0]
        best = int(np.argmax(s[:, 1]))
        crisis = self.heads.targets[:, 0] > 0
        support = float((self.heads.vectors[crisis] @ vectors[0]).max()) if crisis.any() else 0.0
        return Scores(float(s[0, 0]), float(s[best, 1]), float(s[best, 2]), float(s[0, 3]),
                      support)
