"""The labelled example banks (knowledge/reading/*.yaml) as training sets for the heads.

Four families: intents (intents.yaml, with advice_topics.yaml's questions as "advice"),
step work (steps.yaml: answers, near misses, and the intents that never do a step's work),
thinking traps (traps.yaml) and advice topics. The examples are our own words; evaluation
sets (evals/data, ../shared/eval-data) are never read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from coach.reading.model import INTENTS
from coach.traps import TRAP_NAMES

STEP_LABELS = ("1", "2", "3", "4", "5", "6")
TOPICS = ("real-reason", "no-as-leverage", "realistic-goals", "prepare-for-no",
          "why-rejection-happens")
TRAPS = tuple(TRAP_NAMES)
# Intent examples that do one step's work by definition, and those that do none.
_STEP_OF_INTENT = {"acknowledges": "1", "calmer": "2", "will_not_send": "2"}
_NO_STEP_WORK = ("go_on", "skip", "back", "advice", "stuck", "cannot_ask", "same_offer",
                 "denies", "urge_to_reply")


@dataclass(frozen=True)
class Family:
    """One head family's training set: labels, examples, and each example's labels."""

    name: str
    labels: tuple[str, ...]
    examples: list[str]
    targets: np.ndarray  # (examples, labels), 0/1


def _load(folder: Path, name: str) -> dict[str, object]:
    data = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{folder / name}: expected a mapping of label -> examples")
    return data


def _family(name: str, labels: tuple[str, ...], pairs: list[tuple[str, str | None]]) -> Family:
    """Merge (example, label or None) pairs: an example seen under two labels keeps both."""
    index: dict[str, set[str]] = {}
    for text, label in pairs:
        text = str(text).strip()
        if text:
            index.setdefault(text, set()).update({label} if label else set())
    examples = list(index)
    targets = np.array([[float(label in index[e]) for label in labels] for e in examples])
    return Family(name, labels, examples, targets)


def load_families(folder: Path) -> list[Family]:
    """The four training sets from the banks in `folder` (knowledge/reading)."""
    intents = _load(folder, "intents.yaml")
    topics = _load(folder, "advice_topics.yaml")
    steps = _load(folder, "steps.yaml")
    traps = _load(folder, "traps.yaml")
    unknown = set(intents) - {*INTENTS, "neutral"}
    if unknown:
        raise ValueError(f"intents.yaml: unknown intents {sorted(unknown)}")

    def items(bank: dict[str, object], key: str) -> list[str]:
        value = bank.get(key) or []
        return [str(v) for v in value] if isinstance(value, list) else []

    intent_pairs = [(t, None if k == "neutral" else k) for k in intents for t in items(intents, k)]
    intent_pairs += [(t, "advice") for k in topics for t in items(topics, k)]
    step_pairs: list[tuple[str, str | None]] = []
    for k in STEP_LABELS:
        work: dict[str, list[str]] = steps.get(k) or steps.get(int(k)) or {}  # type: ignore
        step_pairs += [(t, k) for t in work.get("answers", [])]
        step_pairs += [(t, None) for t in work.get("not_answers", [])]
    step_pairs += [(t, _STEP_OF_INTENT[k]) for k in _STEP_OF_INTENT for t in items(intents, k)]
    step_pairs += [(t, None) for k in _NO_STEP_WORK for t in items(intents, k)]
    trap_pairs = [(t, None if k == "none" else k) for k in traps for t in items(traps, k)]
    topic_pairs: list[tuple[str, str | None]] = [(t, k) for k in topics for t in items(topics, k)]
    return [
        _family("intents", INTENTS, intent_pairs),
        _family("steps", STEP_LABELS, step_pairs),
        _family("traps", TRAPS, trap_pairs),
        _family("topics", TOPICS, topic_pairs),
    ]
