"""The thinking-trap spotter measured on Sharma et al.'s labelled thoughts (evaluation only).

The data (CC BY-NC-ND 4.0) is read in place from the shared folder and never copied. Each
thought's rows are grouped into one set of labels, mapped onto our Trap names. Split as the
data's README defines: TEST when sha1(thought.strip()) starts with 0, 1 or 2, else DEV.
All figures are report-only: the issue asks for the number, not a gate.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

from coach.traps import Trap, spot
from evals.result import SHARED_DIR, Result

SUITE = "traps"
DATA_FILE = SHARED_DIR / "eval-data" / "cognitive-reframing" / "thinking_traps.jsonl"

# The data's label spellings -> our names. "Negative feeling or emotion" has no counterpart
# among our twelve traps; "Not distorted" is handled apart.
LABELS: dict[str, Trap] = {
    "personalizing": "personalizing",
    "personalization": "personalizing",
    "overgeneralizing": "overgeneralizing",
    "overgeneralization": "overgeneralizing",
    "catastrophizing": "catastrophizing",
    "labeling": "labeling",
    "mind reading": "mind_reading",
    "fortune telling": "fortune_telling",
    "all-or-nothing thinking": "all_or_nothing",
    "should statements": "should_statements",
    "disqualifying the positive": "disqualifying_the_positive",
    "emotional reasoning": "emotional_reasoning",
    "blaming": "blaming",
    "comparing": "comparing",
    "comparing and despairing": "comparing",
}
NOT_DISTORTED = "not distorted"

RULES = (
    "hit = spot()'s first trap is one of the thought's labels; empty prediction = miss; "
    "over thoughts with >= 1 mappable label (also when annotators added 'Not distorted'); "
    "'Not distorted'-only thoughts count only in no_trap_when_not_distorted; thoughts with "
    "only 'Negative feeling or emotion' (no counterpart) are left out"
)


def load(path: Path = DATA_FILE) -> dict[str, tuple[set[Trap], set[str]]]:
    """thought -> (our trap labels, the raw labels we could not map)."""
    thoughts: dict[str, tuple[set[Trap], set[str]]] = defaultdict(lambda: (set(), set()))
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            thought = row["prompt"].rsplit("->", 1)[0].strip()
            label = row["completion"].strip()
            traps, other = thoughts[thought]
            if label.lower() in LABELS:
                traps.add(LABELS[label.lower()])
            else:
                other.add(label.lower())
    return dict(thoughts)


def split_of(thought: str) -> str:
    """TEST or DEV, by the first hex digit of the thought's sha1, as the README defines."""
    digest = hashlib.sha1(thought.strip().encode("utf-8")).hexdigest()
    return "test" if digest[0] in "012" else "dev"


def _measure(split: str, thoughts: dict[str, tuple[set[Trap], set[str]]]) -> list[Result]:
    hits = predicted = distorted = clean = clean_quiet = unmappable = 0
    for thought, (traps, other) in thoughts.items():
        guess = spot(thought)
        if not traps:
            if other <= {NOT_DISTORTED}:
                clean += 1
                clean_quiet += not guess
            else:
                unmappable += 1
            continue
        distorted += 1
        predicted += bool(guess)
        hits += bool(guess) and guess[0] in traps
    where = f"{split} split"
    return [
        Result(SUITE, f"{split}_top1_accuracy", hits / max(distorted, 1), "report",
               None, f"{hits}/{distorted}, {where}" + (f"; {RULES}" if split == "dev" else "")),
        Result(SUITE, f"{split}_precision_when_spotted", hits / max(predicted, 1), "report",
               None, f"{hits}/{predicted}: first trap right when spot() names one, {where}"),
        Result(SUITE, f"{split}_coverage", predicted / max(distorted, 1), "report", None,
               f"{predicted}/{distorted} distorted thoughts get any trap, {where}; "
               f"{unmappable} left out (only unmappable labels)"),
        Result(SUITE, f"{split}_no_trap_when_not_distorted", clean_quiet / max(clean, 1),
               "report", None, f"{clean_quiet}/{clean} 'Not distorted' thoughts get no trap"),
    ]


def run(full: bool) -> list[Result]:
    """DEV and TEST figures; the same on --quick, as the data is small."""
    if not DATA_FILE.is_file():
        return [Result(SUITE, "data_available", 0.0, "report", None,
                       f"not measured: {DATA_FILE} is missing (see the issue's Done-when)")]
    thoughts = load()
    by_split: dict[str, dict[str, tuple[set[Trap], set[str]]]] = {"dev": {}, "test": {}}
    for thought, labels in thoughts.items():
        by_split[split_of(thought)][thought] = labels
    return _measure("dev", by_split["dev"]) + _measure("test", by_split["test"])
