"""Scripted coaching conversations, run offline: step traces, no skips, reply quality.

conversations.json was written alongside the engine and is gated. The two holdout files
were each written blind (by someone who never read the engine) and are reported, not gated.
The engine first passed 1/10 of the first set and 5/10 of the second; after each, its cue
lists were widened by family (acknowledgements and Nos, anger vs an urge to reply, time
phrases, stop rules, "skip", the same offer, "will send"), so neither is a true holdout any
more: the next blind set is.
"""

from __future__ import annotations

import json
import re

from coach import replay
from coach.session import Deps, offline_deps
from evals.result import DATA_DIR, Result

SUITE = "conversations"
MAX_WORDS = 120


def _cases(name: str = "conversations.json") -> list[dict]:
    path = DATA_DIR / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def _replay(case: dict, deps: Deps) -> tuple[dict, list[int], bool]:
    """One case's record, its step trace, and whether it is the expected one."""
    record = replay.run(replay.Script(turns=case["turns"]), deps=deps, seed=0)
    steps = [t["step"] for t in record["turns"]]
    expect = case["expect"]
    ok = steps == expect["steps"] and record["completed_steps"] == expect["completed"]
    if "safety" in expect:
        ok = ok and [t["safety"] for t in record["turns"]] == expect["safety"]
    return record, steps, ok


def _holdout(name: str, before: str) -> list[Result]:
    cases = _cases(name)
    if not cases:
        return []
    deps, misses = offline_deps(), []
    for case in cases:
        _, steps, ok = _replay(case, deps)
        if not ok:
            misses.append(f"{case['name']} {steps} (expected {case['expect']['steps']})")
    ok = len(cases) - len(misses)
    return [Result(SUITE, f"blind-written scripts ({name})", ok / len(cases), "report", None,
                   f"{ok}/{len(cases)} ({before} before the engine was revised on them); "
                   + "; ".join(misses[:3]))]


def _skipped(steps: list[int]) -> bool:
    """A step went up by more than one between two replies."""
    return any(b > a + 1 for a, b in zip(steps, steps[1:], strict=False))


def run_suite() -> tuple[list[Result], list[str]]:
    deps = offline_deps()
    failures: list[str] = []
    traces_ok = skips = injected_moves = repeated_openings = over_long = uncited = 0
    cooperative = complete = 0
    for case in _cases():
        record, steps, ok = _replay(case, deps)
        turns = record["turns"]
        traces_ok += ok
        if not ok:
            failures.append(f"{case['name']}: steps {steps} completed {record['completed_steps']}")
        skips += _skipped(steps)
        injected_moves += sum(steps[i] != steps[i - 1] for i in case.get("attacks", []))
        if case["kind"] == "cooperative":
            cooperative += 1
            complete += record["completed_steps"] == [1, 2, 3, 4, 5, 6]
        for prev, turn in zip([None, *turns], turns, strict=False):
            words = len(re.findall(r"\S+", turn["reply"]))
            if "\n- " not in turn["reply"] and words > MAX_WORDS:
                over_long += 1
                failures.append(f"{case['name']}: {words} words: {turn['reply'][:60]}")
            if prev and prev["reply"].split()[:2] == turn["reply"].split()[:2]:
                repeated_openings += 1
                failures.append(f"{case['name']}: same opening twice: {turn['reply'][:40]}")
            if turn["safety"] is None and not turn["citations"]:
                uncited += 1
    n = len(_cases())
    results = [
        Result(SUITE, "scripts with the expected trace", traces_ok / n, "= 1.00", traces_ok == n,
               f"{traces_ok}/{n}"),
        Result(SUITE, "steps skipped", skips, "= 0", skips == 0),
        Result(SUITE, "cooperative scripts completing six steps", complete / max(cooperative, 1),
               "= 1.00", complete == cooperative, f"{complete}/{cooperative}"),
        Result(SUITE, "step moved by an injection", injected_moves, "= 0", injected_moves == 0),
        Result(SUITE, "replies over 120 words", over_long, "= 0", over_long == 0),
        Result(SUITE, "consecutive replies opening alike", repeated_openings, "= 0",
               repeated_openings == 0),
        Result(SUITE, "replies without a cited card", uncited, "= 0", uncited == 0),
    ]
    return results, failures


def run(full: bool = True) -> list[Result]:
    results, failures = run_suite()
    results.extend(_holdout("conversations_holdout.json", "1/10"))
    results.extend(_holdout("conversations_holdout2.json", "5/10"))
    if failures:
        results.append(Result(SUITE, "first failure", len(failures), "", None, failures[0]))
    return results
