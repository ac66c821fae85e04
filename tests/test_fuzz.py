"""Hostile input never breaks a turn: the coach, the rehearsal and `coach replay` (hypothesis).

Small and derandomized here; `python -m evals fuzz` runs the same drivers on >= 10,000 turns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coach.scenarios import load_scenarios
from coach.session import Deps, Session
from coach.settings import REPO_DIR
from evals.reliability import fuzzing, strategies
from evals.reliability.properties import REPLY_LIMIT, Tally, Violation, converse

SCENARIOS = load_scenarios(REPO_DIR / "knowledge")


@fuzzing.fuzz_settings(25)
@given(strategies.coach_conversation(), st.integers(0, 999))
def test_coach_answers_every_hostile_turn_without_skipping_a_step(
        offline_deps: Deps, messages: list[str], seed: int) -> None:
    fuzzing.coach_turns(offline_deps, messages, seed, Tally())


@fuzzing.fuzz_settings(25)
@given(strategies.rehearsal_conversation(), st.sampled_from(SCENARIOS), st.integers(0, 999))
def test_rehearsal_answers_every_hostile_move(offline_deps: Deps, messages: list[str],
                                              scenario: Any, seed: int) -> None:
    fuzzing.rehearsal_turns(offline_deps, scenario, messages, seed, Tally())


@fuzzing.fuzz_settings(6)
@given(fuzzing.replay_scripts([s.id for s in SCENARIOS]))
def test_cli_replay_answers_generated_scripts_as_json_and_text(
        tmp_path: Path, scripts: list[dict[str, Any]]) -> None:
    fuzzing.replay_turns(scripts, tmp_path / "script.json", Tally())


def test_the_fuzzed_coach_still_completes_the_plan(offline_deps: Deps) -> None:
    """Hostile turns between real ones must not stop the engine from reaching the plan."""
    script = strategies.coaching_scripts()[0]
    noise = [strategies.STATE_POSING[0], strategies.CHAT_TOKENS[2], strategies.SQL[0],
             "\ud800\u202e" + strategies.PATHS[0], "x" * strategies.BIG]
    messages = [m for pair in zip(noise * 2, script, strict=False) for m in pair]
    tally = Tally()
    converse(Session(deps=offline_deps), messages, tally)
    assert tally.highest_step == 7
    assert tally.longest_message == strategies.BIG


def test_the_properties_catch_a_broken_reply(offline_deps: Deps) -> None:
    """The checker itself must fail on what it is meant to catch."""
    session = Session(deps=offline_deps)
    original = session.handle
    session.handle = lambda m: original(m).model_copy(update={"reply": "x" * (REPLY_LIMIT + 1)})
    with pytest.raises(Violation, match="reply of"):
        converse(session, ["My boss said no to my raise."], Tally())
    session.handle = lambda m: original(m).model_copy(update={"reply": " "})
    with pytest.raises(Violation, match="empty reply"):
        converse(session, ["My boss said no to my raise."], Tally())
