"""The rehearsal engine: reveal levels, trust, the counterparty's lines, the debrief, scenarios."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from coach.errors import KnowledgeError
from coach.rehearsal import ENDED, RehearsalState, RehearsalTurn, debrief, step
from coach.scenarios import Scenario, load_scenarios, scenario_from_story
from coach.settings import REPO_DIR
from coach.story import Story

WALK = "Can you walk me through what's preventing you from moving forward with 0.13?"
LABEL = "It sounds like something about this is weighing on you."
CHANGE = "What would need to change for this to work for you?"
ALTERNATIVE = "Is there a different arrangement or condition that might work better for you?"
PUSHY = "That's my final offer, take it or leave it."


@pytest.fixture
def scenario() -> Scenario:
    return Scenario.model_validate({
        "title": "A new rate", "context": "A translator raises her rate with an agency.",
        "counterparty": "Jonas, project manager", "offer": "0.13 per word",
        "opening_no": "We can't accept 0.13, sorry.", "hidden_reason": "budget",
    })


def play(scenario: Scenario, moves: list[str], seed: int = 0) -> tuple[RehearsalState,
                                                                        list[RehearsalTurn]]:
    state, turns = RehearsalState(scenario=scenario, seed=seed), []
    for move in moves:
        state, turn = step(state, move)
        turns.append(turn)
    return state, turns


def test_the_library_covers_ten_contexts_and_every_hidden_reason() -> None:
    scenarios = load_scenarios(REPO_DIR / "knowledge")
    assert len(scenarios) >= 10
    assert {s.hidden_reason for s in scenarios} == {
        "budget", "authority", "timing", "need", "trust", "competing_offer"}
    assert all(len(s.concealed) == 3 and s.alternative for s in scenarios)


def test_an_inline_scenario_gets_its_details_from_the_hidden_reason(scenario: Scenario) -> None:
    assert (scenario.counterparty.name, scenario.counterparty.role) == ("Jonas", "project manager")
    assert scenario.id == "a-new-rate"
    assert len(scenario.concealed) == 3 and "0.13 per word" in scenario.alternative
    with pytest.raises(ValidationError):
        Scenario.model_validate({**scenario.model_dump(), "secret": "x"})
    with pytest.raises(ValidationError):
        Scenario.model_validate({**scenario.model_dump(), "concealed": ["only one"]})


def test_good_moves_raise_the_level_one_at_a_time_and_reveal_the_reason(scenario: Scenario) -> None:
    state, turns = play(scenario, [WALK, LABEL, CHANGE])
    assert [t.reveal_level for t in turns] == [1, 2, 3]
    for level, turn in enumerate(turns, start=1):
        assert scenario.concealed[level - 1] in turn.reply
        assert not any(later in turn.reply for later in scenario.concealed[level:])
    assert state.uncovered_at_turn == 3


def test_closed_questions_get_short_answers_and_reveal_nothing(scenario: Scenario) -> None:
    state, turns = play(scenario, ["Is it the budget?", "Can you pay more?", "Was it the timing?"])
    assert state.reveal_level == 0
    assert all(len(t.reply.split()) <= 5 for t in turns)
    assert turns[0].assessment is not None and turns[0].assessment.question_type == "closed"


def test_pressure_lowers_trust_and_the_counterparty_closes_up(scenario: Scenario) -> None:
    state, turns = play(scenario, [WALK, PUSHY, "As I said, I need 0.13 per word.", LABEL])
    assert turns[1].trust < turns[0].trust and turns[2].trust < turns[1].trust
    assert state.reveal_level == 1  # the curious move after the pushing drew nothing more
    assert scenario.concealed[1] not in turns[3].reply
    assert "wary" in turns[3].goal


def test_trust_can_be_won_back_with_curious_moves(scenario: Scenario) -> None:
    state, _ = play(scenario, [PUSHY, WALK, CHANGE, LABEL])
    assert state.reveal_level >= 1


def test_the_alternative_comes_only_after_the_reason_and_the_question(scenario: Scenario) -> None:
    state, turns = play(scenario, [ALTERNATIVE, WALK, LABEL, CHANGE])
    assert not any(scenario.alternative.lower() in t.reply.lower() for t in turns)
    assert not state.alternative_offered
    state, turn = step(state, ALTERNATIVE)
    assert scenario.alternative.lower() in turn.reply.lower() and state.alternative_offered


def test_the_counterparty_never_says_the_same_line_twice_in_a_row(scenario: Scenario) -> None:
    _, turns = play(scenario, ["Is it the budget?"] * 8 + [PUSHY] * 6 + ["ok"] * 6 + [""] * 4)
    replies = [scenario.opening_no] + [t.reply for t in turns]
    assert all(a != b for a, b in zip(replies, replies[1:], strict=False))


def test_the_same_seed_replays_the_same_lines_and_state_survives_json(scenario: Scenario) -> None:
    moves = [WALK, "Is it the budget?", LABEL, PUSHY]
    first, turns_a = play(scenario, moves, seed=7)
    _, turns_b = play(scenario, moves, seed=7)
    assert [t.reply for t in turns_a] == [t.reply for t in turns_b]
    restored = RehearsalState.model_validate_json(first.model_dump_json())
    assert step(restored, CHANGE)[1] == step(first, CHANGE)[1]


def test_step_does_not_change_the_state_it_is_given(scenario: Scenario) -> None:
    state = RehearsalState(scenario=scenario)
    before = state.model_dump()
    step(state, WALK)
    assert state.model_dump() == before


def test_end_returns_the_debrief_and_closes_the_rehearsal(scenario: Scenario) -> None:
    state, _ = play(scenario, ["Is it the budget?", WALK, LABEL, CHANGE, ALTERNATIVE, PUSHY])
    state, turn = step(state, "  END ")
    assert state.ended and turn.debrief is not None
    d = turn.debrief
    assert (d.hidden_reason, d.uncovered, d.uncovered_at_turn) == ("budget", True, 4)
    assert (d.open_count, d.closed_count, d.statement_count) == (2, 2, 2)
    assert d.best_move is not None and d.best_move.move == WALK
    assert d.weakest_move is not None and d.weakest_move.move == PUSHY
    assert 0 <= d.score <= 100 and "Debrief" in turn.reply and "0.13 per word" in d.next_step
    later_state, later = step(state, WALK)
    assert later.reply == ENDED and later_state.turns == state.turns


def test_end_inside_a_sentence_is_just_a_move(scenario: Scenario) -> None:
    state, turn = step(RehearsalState(scenario=scenario), "Let's not end it here. What's up?")
    assert not state.ended and turn.debrief is None


def test_a_curious_rehearsal_scores_higher_than_a_pushy_one(scenario: Scenario) -> None:
    curious, _ = play(scenario, [WALK, LABEL, CHANGE, ALTERNATIVE])
    pushy, _ = play(scenario, [PUSHY, "Is it the budget?", PUSHY, "Come on!"])
    assert debrief(curious).score > 80 > 20 > debrief(pushy).score
    assert debrief(RehearsalState(scenario=scenario)).score == 0
    assert debrief(pushy).best_move is None and debrief(pushy).weakest_move is not None


def test_debrief_cards_are_ids_when_cards_exist_and_topics_otherwise(
    scenario: Scenario, tmp_path: Path
) -> None:
    state, _ = play(scenario, [WALK])
    assert debrief(state, tmp_path).cards == ["real-reason", "no-as-leverage"]
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "why.md").write_text(
        "---\nid: find-the-why\ntopic: real-reason\ntitle: Find the real reason\n---\n"
        + "Ask open questions until the real reason behind the No is on the table. " * 2,
        encoding="utf-8")
    assert debrief(state, tmp_path).cards == ["find-the-why", "no-as-leverage"]


def test_scenario_from_story_uses_the_persons_own_details() -> None:
    story = Story(context="business_deal", counterparty="Jonas, project manager at Lexa",
                  ask="a rate of 0.13 per word", stated_reason="we can't afford that right now")
    s = scenario_from_story(story)
    assert (s.counterparty.name, s.offer, s.hidden_reason) == ("Jonas", story.ask, "budget")
    assert "We can't afford that right now." in s.opening_no and s.id == "your-story"
    bare = scenario_from_story(Story(context="personal_request", ask="  ", counterparty=" "))
    assert bare.hidden_reason == "timing" and bare.counterparty.name == "the other side"
    assert bare.offer == "your proposal"
    later = Story(stated_reason="not now, maybe next quarter", ask="a promotion")
    assert scenario_from_story(later).hidden_reason == "timing"
    assert scenario_from_story(Story(stated_reason="my boss said no")).hidden_reason == "authority"
    because = Story(context="job_offer", stated_reason="because we said so")
    assert scenario_from_story(because).hidden_reason == "budget"  # no reason named: by context


def test_the_draft_for_the_llm_voice_conceals_what_is_not_yet_allowed(scenario: Scenario) -> None:
    _, turns = play(scenario, [WALK])
    draft = turns[0].to_draft()
    assert (draft.task, draft.reveal_level, draft.template) == ("counterparty", 1, turns[0].reply)
    assert scenario.concealed[2] in draft.concealed and scenario.alternative in draft.concealed
    assert scenario.concealed[0] in draft.goal


@pytest.mark.parametrize("scenario_id", [s.id for s in load_scenarios(REPO_DIR / "knowledge")])
def test_no_reply_says_what_its_level_conceals(scenario_id: str) -> None:
    library = {s.id: s for s in load_scenarios(REPO_DIR / "knowledge")}
    moves = ["Why not?", "Is it the money?", "ok", PUSHY, WALK, "Why is that?", "I could pay more.",
             "Don't you think so?", LABEL, "What else?", CHANGE, "Tell me more.", ALTERNATIVE]
    for seed in range(3):
        _, turns = play(library[scenario_id], moves, seed=seed)
        for turn in turns:
            said = [w for w in turn.concealed
                    if re.search(rf"\b{re.escape(w)}\b", turn.reply, re.IGNORECASE)]
            assert said == [], (turn.reveal_level, turn.reply)


@pytest.mark.parametrize(
    "move",
    ["", " \n\t ", "x" * 100_000, "\x00\x07\u202e\u200b", "🙂" * 500, "Ｗｈａｔ？", "end\x00"],
)
def test_hostile_input_never_raises(scenario: Scenario, move: str) -> None:
    state, turn = step(RehearsalState(scenario=scenario), move)
    assert turn.reply and len(state.turns) <= 1


def test_empty_input_records_no_turn(scenario: Scenario) -> None:
    state, turn = step(RehearsalState(scenario=scenario), "   ")
    assert state.turns == [] and turn.assessment is None and state.reveal_level == 0


def test_a_malformed_library_names_the_problem(tmp_path: Path) -> None:
    library = tmp_path / "scenarios.yaml"
    library.write_text("- title: x\n  hidden_reason: fear\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="scenario 1"):
        load_scenarios(tmp_path)
