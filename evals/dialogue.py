"""Conversations against a good coach's pace: `python -m evals.dialogue FILE [--reader R]`.

Each case is {"name", "kind", "turns", "expect": {"steps", "completed"}, "advice_turns",
"back_turns"}: `steps` is the step a thoughtful human coach would work on in each reply.
R is rules, auto (the offline default) or llm (through the stub). Reported: cooperative
cases completing the six steps, turns stalled below that step, skips, replies repeated
within a conversation, back requests honoured, advice questions answered.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from coach import replay
from coach.session import Deps
from evals.reading import READERS, deps_for

ALL_SIX = [1, 2, 3, 4, 5, 6]


def _repeats(replies: list[str]) -> int:
    """Replies identical to an earlier one in the same conversation."""
    seen: set[str] = set()
    count = 0
    for reply in replies:
        count += reply in seen
        seen.add(reply)
    return count


def _skips(steps: list[int]) -> int:
    return sum(b > a + 1 for a, b in zip(steps, steps[1:], strict=False))


def score(cases: list[dict[str, Any]], deps: Deps) -> dict[str, Any]:
    """The figures over these cases, with the misses named."""
    totals = {"conversations": len(cases), "should_complete": 0, "completed": 0, "turns": 0,
              "stalled": 0, "ahead": 0, "skips": 0, "repeats": 0, "back": 0, "back_ok": 0,
              "advice": 0, "advice_ok": 0, "exact": 0}
    misses: list[str] = []
    readers: Counter[str] = Counter()
    for case in cases:
        record = replay.run(replay.Script(turns=case["turns"]), deps=deps, seed=0)
        turns = record["turns"]
        readers.update(t["reader"] or t["kind"] for t in turns)
        steps = [t["step"] for t in turns]
        expected = case["expect"]["steps"]
        totals["turns"] += len(turns)
        totals["stalled"] += sum(s < e for s, e in zip(steps, expected, strict=True))
        totals["ahead"] += sum(s > e for s, e in zip(steps, expected, strict=True))
        totals["skips"] += _skips(steps)
        totals["repeats"] += _repeats([t["reply"] for t in turns])
        totals["exact"] += steps == expected
        if case["expect"]["completed"] == ALL_SIX:
            totals["should_complete"] += 1
            done = record["completed_steps"] == ALL_SIX
            totals["completed"] += done
            if not done:
                misses.append(f"{case['name']}: {steps} expected {expected}")
        for i in case.get("back_turns", []):
            totals["back"] += 1
            totals["back_ok"] += steps[i] == expected[i]
        for i in case.get("advice_turns", []):
            totals["advice"] += 1
            totals["advice_ok"] += turns[i].get("kind") == "advice"
    return {**totals, "readers": dict(readers), "misses": misses}


def report(name: str, s: dict[str, Any]) -> str:
    """One block of plain lines for a case file's figures."""
    def ratio(a: int, b: int) -> str:
        return f"{a}/{b} ({a / b:.2f})" if b else "-"

    lines = [
        f"{name}: {s['conversations']} conversations, {s['turns']} turns",
        f"  complete the six steps (of those a good coach completes): "
        f"{ratio(s['completed'], s['should_complete'])}",
        f"  turns stalled below a good coach's step: {ratio(s['stalled'], s['turns'])}",
        f"  turns ahead of it: {ratio(s['ahead'], s['turns'])}",
        f"  skips: {s['skips']}   replies repeated within a conversation: {s['repeats']}",
        f"  back requests honoured: {ratio(s['back_ok'], s['back'])}",
        f"  advice questions answered: {ratio(s['advice_ok'], s['advice'])}",
        f"  exact step traces: {ratio(s['exact'], s['conversations'])}",
        "  read by: " + ", ".join(f"{k} {v}" for k, v in sorted(s["readers"].items())),
    ]
    lines += [f"  miss: {m}" for m in s["misses"][:8]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.dialogue", description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--reader", choices=READERS, default="auto")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with deps_for(args.reader) as deps:
        results = {str(f): score(json.loads(f.read_text(encoding="utf-8")), deps)
                   for f in args.files}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print("\n".join(report(name, s) for name, s in results.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
