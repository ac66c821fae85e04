"""Hostile-input fuzzing at eval size: coach, rehearsal and `coach replay`, >= 10,000 turns.

The same strategies and properties as tests/test_fuzz.py (evals/reliability/), derandomized,
with failures counted rather than raised. Gates: at least 10,000 turns (the issue's size;
--quick runs a few hundred), zero failed turns, and the engine still reaching the plan and the
full reveal under fire. Reported: turns, seconds, longest message and reply per surface.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from coach.knowledge import load_cards
from coach.llm import FallbackModel
from coach.retrieval import Retriever
from coach.scenarios import load_scenarios
from coach.session import Deps
from coach.settings import REPO_DIR
from coach.story import RuleStoryExtractor
from evals.reliability import fuzzing, strategies
from evals.reliability.env import scratch_env
from evals.reliability.properties import REPLY_LIMIT, SUMMARY_LIMIT, Tally
from evals.result import Result

TARGET_TURNS = 10_000
# Generated cases per surface (full, quick): ~14 turns per coach case, ~7 per rehearsal,
# ~25 per replay file (each run twice: --json and text).
EXAMPLES = {"coach": (600, 20), "rehearsal": (300, 15), "replay": (40, 3)}


def _reports(full: bool) -> list[fuzzing.FuzzReport]:
    deps = Deps(Retriever(load_cards(REPO_DIR / "knowledge")).search, FallbackModel(None),
                RuleStoryExtractor())
    scenarios = load_scenarios(REPO_DIR / "knowledge")
    size = {name: sizes[0 if full else 1] for name, sizes in EXAMPLES.items()}

    def coach(case: tuple[list[str], int], tally: Tally) -> None:
        fuzzing.coach_turns(deps, case[0], case[1], tally)

    def rehearse(case: tuple[list[str], Any, int], tally: Tally) -> None:
        fuzzing.rehearsal_turns(deps, case[1], case[0], case[2], tally)

    with tempfile.TemporaryDirectory() as tmp, scratch_env():
        path = Path(tmp) / "script.json"
        return [
            fuzzing.collect("coach", st.tuples(strategies.coach_conversation(),
                                               st.integers(0, 999)), size["coach"], coach),
            fuzzing.collect("rehearsal", st.tuples(strategies.rehearsal_conversation(),
                                                   st.sampled_from(scenarios),
                                                   st.integers(0, 999)),
                            size["rehearsal"], rehearse),
            fuzzing.collect("replay", fuzzing.replay_scripts([s.id for s in scenarios]),
                            size["replay"], lambda scripts, t: fuzzing.replay_turns(
                                scripts, path, t)),
        ]


def run(full: bool) -> list[Result]:
    reports = _reports(full)
    turns = sum(r.tally.turns for r in reports)
    problems = [p for r in reports for p in r.tally.problems]
    target = TARGET_TURNS if full else 100
    by_name = {r.name: r.tally for r in reports}
    results = [
        Result("fuzz", "turns fuzzed", turns, f">= {target:,}", turns >= target,
               ", ".join(f"{r.name} {r.tally.turns}" for r in reports)),
        Result("fuzz", "failed turns", len(problems), "0", not problems,
               "; ".join(sorted(set(problems))[:3])),
        Result("fuzz", "plan reached under fire", by_name["coach"].highest_step, "7",
               by_name["coach"].highest_step == 7, "highest coach step (7: plan complete)"),
        Result("fuzz", "full reveal under fire", by_name["rehearsal"].highest_reveal, "3",
               by_name["rehearsal"].highest_reveal == 3, "highest rehearsal reveal level"),
    ]
    for r in reports:
        results.append(Result(
            "fuzz", f"{r.name} seconds", round(r.seconds, 1), "",
            None, f"{r.tally.conversations} conversations, {r.tally.turns} turns, longest "
            f"message {r.tally.longest_message:,} chars, longest reply "
            f"{r.tally.longest_reply} (bound {REPLY_LIMIT}; summary/debrief {SUMMARY_LIMIT:,})"))
    return results
