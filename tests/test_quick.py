"""Quick replies do what they say when sent, through the same engine path as typed words."""

from __future__ import annotations

import pytest

from coach.quick import BACK, quick_replies
from coach.session import Deps, Session, SessionState

STORY = ("I sell hot sauce. I pitched Dana, the buyer at Greenleaf, to stock our jars at $4.20 "
         "a unit and she said \"not for this season\".")
TO_STEP = {1: [STORY], 2: [STORY, "Yes, she said no."],
           3: [STORY, "Yes, she said no.", "Annoyed. Not replying yet."],
           4: [STORY, "Yes, she said no.", "Annoyed. Not replying yet.",
               "The tasting went well and the aisle resets in spring."]}
TO_STEP[5] = [*TO_STEP[4], "I'll send that."]
TO_STEP[6] = [*TO_STEP[5], "Offer a spring trial of two flavours on one shelf."]
EXPECT = {  # what each answer does: how far the next reply's step is from this one
    "Yes, it was a No.": +1, "Maybe it wasn't really a No.": 0, "Okay, it was a No.": +1,
    "I'm calmer, let's go on.": +1, "I'm calmer now, let's go on.": +1,
    "I want to reply to them right now.": 0, "I don't know what went well.": 0,
    "Ok, let's go on.": +1, "That's fair, let's go on.": +1, "I'll send that message.": +1,
    "I'll adapt it.": +1, "They won't answer, so asking isn't possible.": 0,
    "Ok, go on with your suggestion.": +1, BACK: -1,
}


def at(step: int, deps: Deps) -> tuple[Session, str, int]:
    session = Session(SessionState(), deps=deps)
    turn = None
    for message in TO_STEP[step]:
        turn = session.handle(message)
    assert turn is not None and turn.step == step
    return session, turn.kind or "", step


@pytest.mark.parametrize("step", [1, 2, 3, 4, 5, 6])
def test_each_quick_reply_moves_as_its_words_say(step: int, offline_deps: Deps) -> None:
    _, kind, _ = at(step, offline_deps)
    offered = quick_replies(kind, step)
    assert offered and (BACK in offered) == (step > 1)
    for answer in offered:
        session, _, _ = at(step, offline_deps)
        turn = session.handle(answer)
        moved = (turn.step or 0) - step
        if step == 6 and EXPECT[answer] == +1:
            assert turn.kind == "summary", answer
        else:
            assert moved == EXPECT[answer], (answer, turn.kind, turn.step)


def test_nothing_is_offered_once_the_plan_is_made_or_on_a_safety_reply() -> None:
    assert quick_replies("summary", 6) == () and quick_replies("crisis", 2) == ()
