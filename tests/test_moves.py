"""Move assessment: the feedback a person sees on each rehearsal move."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.moves import WALK_ME_THROUGH, assess, quality


def test_the_guides_walk_me_through_question_is_open_and_needs_no_rewrite() -> None:
    a = assess("Can you walk me through what's preventing you from moving forward with this offer?")
    assert a.question_type == "open"
    assert {"walk_me_through", "calibrated_question"} <= set(a.tags)
    assert a.better is None


def test_guessing_the_reason_is_closed_and_rewritten_as_walk_me_through() -> None:
    a = assess("Is it the budget?")
    assert (a.question_type, a.tags) == ("closed", [])
    assert a.better == WALK_ME_THROUGH


@pytest.mark.parametrize(
    ("move", "question_type", "tag"),
    [
        ("Why not?", "open", "why_question"),
        ("Don't you think my rate is fair?", "closed", "leading"),
        ("Would it help if I started a month later?", "closed", "asks_alternative"),
        ("Who else is involved in signing off on this?", "open", "asks_who_decides"),
        ("It sounds like you're under pressure from finance.", "statement", "labels_emotion"),
        ("That's my final offer, take it or leave it.", "statement", "pushy"),
        ("I deserve more than this after ten years.", "statement", "defensive"),
        ("I could go down to 85k if that helps.", "statement", "concession"),
        ("what's really holding you back here", "open", "calibrated_question"),
    ],
)
def test_the_documented_conventions(move: str, question_type: str, tag: str) -> None:
    a = assess(move)
    assert a.question_type == question_type
    assert tag in a.tags


def test_a_why_question_gets_a_rewrite_that_keeps_its_subject() -> None:
    better = assess("Why can't you pay more?").better
    assert better == "What's making it hard to pay more right now?"


def test_weak_moves_get_rewrites_and_good_ones_do_not() -> None:
    assert assess("Come on, you're being unreasonable.").better
    assert "different arrangement" in (assess("As I said, I need 95k.").better or "")
    assert assess("What would need to change for this to work for you?").better is None
    assert assess("You seem hesitant about this.").better is None


def test_saying_the_same_thing_again_is_repeating_the_offer() -> None:
    assert "repeats_offer" not in assess("I need 95k for this role.").tags
    again = assess("I need 95k for this role.", ["I need 95k for this role."])
    assert "repeats_offer" in again.tags
    assert "repeats_offer" not in assess("What's behind it?", ["What's behind it?"]).tags
    assert "repeats_offer" in assess("Fine. 95k.", ["My number is 95k."]).tags


def test_quality_ranks_curious_moves_above_pushy_ones() -> None:
    curious = assess("Can you walk me through how the decision was made?")
    closed = assess("Is it the budget?")
    pushy = assess("Take it or leave it.")
    assert quality(curious) > quality(closed) > quality(pushy)


@pytest.mark.parametrize(
    "move",
    ["", "   ", "?" * 50_000, "\x00\x1b[31m", "\u202eevil", "🙂?", "ＷＨＡＴ？", "a\u0301" * 999],
)
def test_odd_input_is_assessed_without_raising(move: str) -> None:
    assert assess(move).question_type in {"open", "closed", "statement"}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.lists(st.text(max_size=80), max_size=3))
def test_any_text_gets_a_valid_assessment(move: str, history: list[str]) -> None:
    a = assess(move, history)
    assert len(a.tags) == len(set(a.tags))
