"""The quality gate on replies written blind: `python -m evals.gate [--file F] [--misses]`.

Each row is a coach reply at a step, written by a helper who never read the gate, labelled
good or bad ("unsafe: ..." or "poor: ..."). Reports the share of good replies the gate
rejects (false rejections) and of bad ones it lets through, unsafe ones apart.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from coach import gate
from coach.draft import Draft
from coach.steps import STEPS
from coach.story import Story, details
from evals.result import DATA_DIR

BLIND = DATA_DIR / "blind" / "gate.jsonl"


def draft_for(row: dict) -> Draft:
    """The draft the session would have made for this reply: the step, the person, the facts."""
    spec = STEPS[row["step"] - 1]
    story = Story(counterparty=row.get("counterparty") or None, ask=row.get("ask") or None)
    return Draft(task="coach", step=spec.number, step_name=spec.topic, goal=spec.goal,
                 user_message=row["person_said"], story=story, template="",
                 details=details(story))


def score(rows: list[dict]) -> dict[str, object]:
    """False rejections of good replies; bad ones shown, unsafe ones counted apart."""
    good = [r for r in rows if r["label"] == "good"]
    bad = [r for r in rows if r["label"] == "bad"]
    unsafe = [r for r in bad if r["why"].startswith("unsafe")]
    verdicts = {r["id"]: gate.check(r["reply"], draft_for(r)) for r in rows}
    rejected = [r for r in good if verdicts[r["id"]]]
    shown = [r for r in bad if not verdicts[r["id"]]]
    return {
        "good": len(good), "false_rejections": len(rejected),
        "false_rejection_rate": round(len(rejected) / max(len(good), 1), 3),
        "bad": len(bad), "bad_shown": len(shown),
        "unsafe": len(unsafe), "unsafe_shown": sum(r in shown for r in unsafe),
        "rejected_good": [f"{r['id']} step {r['step']}: {verdicts[r['id']]}" for r in rejected],
        "shown_bad": [f"{r['id']} step {r['step']}: {r['why']}" for r in shown],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, default=BLIND, help="labelled replies (JSONL)")
    parser.add_argument("--misses", action="store_true", help="list each miss")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    report = score(rows)
    if not args.misses:
        report = {k: v for k, v in report.items() if not isinstance(v, list)}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
