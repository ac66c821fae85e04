"""Readers on labelled messages written blind: `python -m evals.reading --reader rules|auto|llm`.

Per-intent precision, recall and F1, macro-F1, accuracy of "answers the current step", and
the trap spotter's top-1 on the external test split (../shared/eval-data, evaluation only).
evals/data/blind/messages.jsonl was written by a helper who never read the readers or banks.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from coach.reading.model import INTENTS, Reader, ReadingContext
from coach.reading.rules import RuleReader
from coach.session import Deps
from coach.settings import REPO_DIR

BLIND = Path(__file__).parent / "data" / "blind" / "messages.jsonl"
TRAPS = REPO_DIR.parent / "shared/eval-data/cognitive-reframing/thinking_traps.jsonl"
_TRAP_NAMES = {"overgeneralization": "overgeneralizing", "personalization": "personalizing",
               "overgeneralizing": "overgeneralizing", "personalizing": "personalizing",
               "comparing": "comparing",
               "comparing and despairing": "comparing", "mind reading": "mind_reading",
               "fortune telling": "fortune_telling", "labeling": "labeling",
               "catastrophizing": "catastrophizing", "all-or-nothing thinking": "all_or_nothing",
               "should statements": "should_statements", "emotional reasoning":
               "emotional_reasoning", "blaming": "blaming", "disqualifying the positive":
               "disqualifying_the_positive"}


READERS = ("rules", "auto", "llm")


@contextlib.contextmanager
def deps_for(name: str) -> Iterator[Deps]:
    """Offline deps reading with `name`: rules, auto (the offline default), or llm (the LLM
    reader through the stub server, a model that reads as the rules do: plumbing, not skill)."""
    from coach.session import offline_deps

    if name == "rules":
        yield dataclasses.replace(offline_deps(), reader=RuleReader())
    elif name == "auto":
        yield offline_deps()
    else:
        from evals.stub import Behaviour, OpenAIStub, configured, words_the_template

        with OpenAIStub(Behaviour(compose=words_the_template)) as stub, \
                configured(stub.base_url, 10, reader="llm") as deps:
            yield deps


def intents(reader: Reader, rows: list[dict]) -> dict[str, object]:
    tp = dict.fromkeys(INTENTS, 0)
    fp, fn = dict(tp), dict(tp)
    step_ok = 0
    for row in rows:
        got = reader.read(row["text"], ReadingContext(step=row["step"]))
        truth = set(row["intents"])
        for i in INTENTS:
            tp[i] += i in truth and got.has(i)
            fp[i] += i not in truth and got.has(i)
            fn[i] += i in truth and not got.has(i)
        step_ok += got.answers_step == row["answers_step"]
    per = {}
    for i in INTENTS:
        p = tp[i] / max(tp[i] + fp[i], 1)
        r = tp[i] / max(tp[i] + fn[i], 1)
        per[i] = {"precision": round(p, 2), "recall": round(r, 2),
                  "f1": round(2 * p * r / max(p + r, 1e-9), 2)}
    macro = sum(v["f1"] for v in per.values()) / len(per)
    return {"messages": len(rows), "macro_f1": round(macro, 3),
            "answers_step_accuracy": round(step_ok / len(rows), 3), "per_intent": per}


def traps_top1(reader: Reader) -> dict[str, object] | None:
    if not TRAPS.is_file():
        return None
    labels: dict[str, set[str]] = {}
    for line in TRAPS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        thought = row["prompt"].removesuffix("->").strip()
        if hashlib.sha1(thought.encode()).hexdigest()[0] not in "012":
            continue  # dev split: not used here
        name = _TRAP_NAMES.get(row["completion"].strip().lower())
        if name:
            labels.setdefault(thought, set()).add(name)
    hits = 0
    for thought, names in labels.items():
        found = reader.read(thought, ReadingContext(step=3)).traps
        hits += bool(found) and found[0].trap in names
    return {"thoughts": len(labels), "top1": round(hits / max(len(labels), 1), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reader", choices=READERS, default="auto")
    parser.add_argument("--file", type=Path, default=BLIND, help="labelled messages (JSONL)")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines()
            if line]
    with deps_for(args.reader) as deps:
        reader = deps.reader
        report = {"reader": reader.name, **intents(reader, rows), "traps": traps_top1(reader)}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
