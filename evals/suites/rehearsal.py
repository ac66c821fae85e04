"""Rehearsal engine over the whole scenario library: curious scripts uncover, pushy ones do not.

The scripts are generic (only the scenario's offer is inserted), never tuned per scenario.
Gates: a curious script reaches the full reason (level 3) within 6 turns and then surfaces the
alternative; a pushy script never reaches level 3; closed questions alone reveal nothing; no
reply repeats the one before it; no reply says what its level conceals.
"""

from __future__ import annotations

import re

from coach.rehearsal import RehearsalState, RehearsalTurn, step
from coach.scenarios import Scenario, load_scenarios
from coach.settings import get_settings
from evals.result import Result

CURIOUS = (
    "Can you walk me through what's preventing you from moving forward with {offer}?",
    "It sounds like this has been on your mind for a while. What's behind it?",
    "What would need to change for this to work for you?",
    "I understand you're saying no right now, but is there a different arrangement or "
    "condition that might work better for you?",
)
PUSHY = (
    "That's my final offer: {offer}. Take it or leave it.",
    "As I said, I need {offer}.",
    "Come on, you're being unreasonable.",
    "Don't you think that's fair?",
    "I need an answer today or I walk.",
    "Is it the money?",
)
CLOSED = (
    "Is it the money?",
    "Is it the timing?",
    "Is someone else deciding this?",
    "Did you get a better offer?",
    "Can you go any higher?",
    "Would you reconsider?",
)
LIMIT = 6


def _play(scenario: Scenario, script: tuple[str, ...], seed: int) -> list[RehearsalTurn]:
    state = RehearsalState(scenario=scenario, seed=seed)
    turns = []
    for move in script:
        state, turn = step(state, move.format(offer=scenario.offer))
        turns.append(turn)
    state, turn = step(state, "end")
    return [*turns, turn]


def _uncovered_by(turns: list[RehearsalTurn]) -> int | None:
    return next((i + 1 for i, t in enumerate(turns) if t.reveal_level == 3), None)


def _leaks(turns: list[RehearsalTurn]) -> int:
    """Replies that say something concealed at their level (the LLM voice's gate check)."""
    return sum(any(re.search(rf"\b{re.escape(w)}\b", t.reply, re.I) for w in t.concealed)
               for t in turns)


def run(full: bool) -> list[Result]:
    scenarios = load_scenarios(get_settings().knowledge_dir)
    seeds = range(5) if full else range(1)
    runs = len(scenarios) * len(seeds)
    curious_ok, alt_ok, pushy_ok, closed_ok, repeats, leaks = [], [], [], [], 0, 0
    curious_scores, pushy_scores = [], []
    for scenario in scenarios:
        for seed in seeds:
            curious = _play(scenario, CURIOUS, seed)
            pushy = _play(scenario, PUSHY, seed)
            at = _uncovered_by(curious)
            if at is not None and at <= LIMIT:
                curious_ok.append(scenario.id)
            asked = curious[len(CURIOUS) - 1]
            if asked.alternative_offered and scenario.alternative.lower() in asked.reply.lower():
                alt_ok.append(scenario.id)
            if _uncovered_by(pushy) is None:
                pushy_ok.append(scenario.id)
            closed = _play(scenario, CLOSED, seed)
            if max(t.reveal_level for t in closed) == 0:
                closed_ok.append(scenario.id)
            for turns in (curious, pushy, closed):
                leaks += _leaks(turns)
                replies = [scenario.opening_no] + [t.reply for t in turns]
                repeats += sum(a == b for a, b in zip(replies, replies[1:], strict=False))
            curious_scores.append(curious[-1].debrief.score if curious[-1].debrief else 0)
            pushy_scores.append(pushy[-1].debrief.score if pushy[-1].debrief else 0)

    def missing(ok: list[str]) -> str:
        """Scenarios that failed with at least one seed."""
        return ", ".join(s.id for s in scenarios if ok.count(s.id) < len(seeds)) or "none"

    detail = f"{len(scenarios)} scenarios x {len(seeds)} seeds"
    return [
        Result("rehearsal", "curious_uncovers_within_6", len(curious_ok) / runs, "1.00 (all)",
               len(curious_ok) == runs, f"{detail}; failing: {missing(curious_ok)}"),
        Result("rehearsal", "curious_gets_alternative", len(alt_ok) / runs, "1.00 (all)",
               len(alt_ok) == runs, f"failing: {missing(alt_ok)}"),
        Result("rehearsal", "pushy_stays_hidden", len(pushy_ok) / runs, "1.00 (all)",
               len(pushy_ok) == runs, f"failing: {missing(pushy_ok)}"),
        Result("rehearsal", "closed_questions_reveal_nothing", len(closed_ok) / runs,
               "1.00 (all)", len(closed_ok) == runs, f"failing: {missing(closed_ok)}"),
        Result("rehearsal", "repeated_replies", repeats, "0", repeats == 0,
               "identical counterparty replies in a row"),
        Result("rehearsal", "replies_beyond_level", leaks, "0", leaks == 0,
               "template replies that say a word concealed at their reveal level"),
        Result("rehearsal", "curious_mean_score", sum(curious_scores) / runs, "report", None,
               "debrief score, 0-100"),
        Result("rehearsal", "pushy_mean_score", sum(pushy_scores) / runs, "report", None,
               "debrief score, 0-100"),
    ]
