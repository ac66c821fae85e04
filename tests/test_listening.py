"""A coach that listens: each miss from the issue's walkthrough, as a conversation (offline)."""

from __future__ import annotations

import re

from coach.session import Deps, Session, Turn

STORY = ("I sell hot sauce. I pitched Dana, the buyer at Greenleaf, to stock our jars at $4.20 "
         "a unit and she said \"not for this season\".")


def talk(deps: Deps, *messages: str) -> tuple[Session, list[Turn]]:
    session = Session(deps=deps)
    return session, [session.handle(m) for m in messages]


def test_the_first_reply_uses_the_story_instead_of_asking_for_it(offline_deps: Deps) -> None:
    _, [turn] = talk(offline_deps, STORY)
    assert "Dana" in turn.reply and "not for this season" in turn.reply
    assert not re.search(r"who (said|turned)|what did (they|she) say|to what\?", turn.reply,
                         re.IGNORECASE)


def test_both_halves_of_step_two_answered_moves_on_and_names_the_feeling(
        offline_deps: Deps) -> None:
    _, turns = talk(offline_deps, STORY, "Yes, she said no.",
                    "I'm hurt, honestly, and a bit embarrassed. I won't reply to her till Monday.")
    assert [t.step for t in turns] == [1, 2, 3]
    assert "hurt" in turns[-1].reply and turns[-1].reply != turns[-2].reply


def test_a_feeling_given_with_the_no_is_named_back(offline_deps: Deps) -> None:
    _, turns = talk(offline_deps, STORY, "She said no, and I'm gutted.")
    assert turns[-1].step == 2 and "disappointed" in turns[-1].reply


def test_their_own_feedback_message_is_kept_and_not_answered_with_our_draft(
        offline_deps: Deps) -> None:
    own = "Dana, what would need to be true for Greenleaf to try us next season?"
    session, turns = talk(offline_deps, STORY, "Yes, she said no.", "Annoyed. Not replying yet.",
                          "The tasting went well and the aisle resets in spring.",
                          f'I\'d rather send my own: "{own}"')
    assert turns[-1].step == 5 and turns[-1].kind == "advance"
    assert session.state.coach.plan.feedback_message == own
    assert "walk me through" not in turns[-1].reply  # our draft is not sent again


def test_a_self_critical_reframe_is_named_as_a_trap_and_never_called_fairer(
        offline_deps: Deps) -> None:
    session, turns = talk(offline_deps, STORY, "Yes, she said no.", "Annoyed. Not replying yet.",
                          "She liked the samples, so I guess... I'm just an amateur.", "ok")
    assert turns[3].kind == "trap" and turns[3].step == 3
    assert turns[4].step == 4 and "fairer picture" not in turns[4].reply
    assert session.state.coach.plan.reframe is None or "amateur" not in \
        session.state.coach.plan.reframe


def test_the_feedback_draft_asks_openly_and_puts_no_reason_in_their_mouth(
        offline_deps: Deps) -> None:
    _, turns = talk(offline_deps, STORY, "Yes, she said no.", "Annoyed. Not replying yet.",
                    "The tasting went well and the aisle resets in spring.")
    draft = re.search(r'"([^"]{60,})"', turns[-1].reply)
    assert turns[-1].step == 4 and draft
    assert "walk me through" in draft.group(1).lower()
    assert "4.20" not in draft.group(1) and "price" not in draft.group(1).lower()
    assert not re.search(r"\bwas it the\b", draft.group(1), re.IGNORECASE)  # no multiple choice


def test_the_plan_is_a_synthesis_not_the_raw_messages(offline_deps: Deps) -> None:
    critical = "Honestly I'm useless at pitching, I always blow it."
    session, turns = talk(
        offline_deps, STORY, "Yes, she said no.", "Annoyed. Not replying yet.",
        f"The tasting went well. {critical}", "I'd adapt it.",
        "Offer a spring trial of two flavours on one shelf, with in-store tastings.",
        "I'll email her next week, and come back with the trial in early February; if she "
        "says no again I'll stop and pitch the co-op instead.")
    plan = session.state.coach.plan
    assert turns[-1].kind == "summary"
    assert plan.feedback_message != "I'd adapt it."
    assert plan.reframe == "The tasting went well."
    assert plan.follow_up == "next week and early February"
    assert "useless" not in turns[-1].reply and "I'd adapt it." not in turns[-1].reply


def test_a_self_harm_disclosure_at_step_one_gets_crisis_help(offline_deps: Deps) -> None:
    _, turns = talk(offline_deps, STORY, "I cut my wrist a bit last night.")
    assert turns[-1].safety == "crisis" and "988" in turns[-1].reply
    assert "honest starting point" not in turns[-1].reply


def test_no_reply_is_given_twice_in_one_conversation(offline_deps: Deps) -> None:
    _, turns = talk(offline_deps, STORY, "Yes, she said no.", "Furious.", "Still furious.",
                    "Still furious, honestly.", "Still so angry.", "furious")
    replies = [t.reply for t in turns]
    assert all(t.kind == "cool_down" for t in turns[2:])
    assert len(set(replies)) == len(replies)


def test_back_by_name_lands_on_that_step(offline_deps: Deps) -> None:
    _, turns = talk(offline_deps, STORY, "Yes, she said no.", "Annoyed. Not replying yet.",
                    "The tasting went well and the aisle resets in spring.", "I'll send that.",
                    "can we go back to the feedback question?")
    assert [t.step for t in turns] == [1, 2, 3, 4, 5, 4] and turns[-1].kind == "back"


def test_ok_whats_next_moves_on(offline_deps: Deps) -> None:
    _, turns = talk(offline_deps, STORY, "Yes, she said no.", "ok whats next")
    assert [t.step for t in turns] == [1, 2, 3]


TO_STEP_3 = (STORY, "Yes, she said no.", "Annoyed, but I won't reply to her till Monday.")


def test_a_stop_rule_with_a_date_completes_step_six(offline_deps: Deps) -> None:
    session, turns = talk(
        offline_deps, *TO_STEP_3, "The tasting went well and the aisle resets in spring.",
        "I'd send that.", "I'll offer a smaller first order at $4.20 with a tasting day.",
        "I send Dana the offer by end of this month. My own deadline is 1 March: if they have "
        "not agreed by then, I stop asking them and pitch the co-op instead.")
    assert turns[-1].kind == "summary"
    assert session.state.coach.plan.follow_up and session.state.coach.plan.stop_rule


def test_a_plan_given_with_the_new_offer_is_kept_for_step_six(offline_deps: Deps) -> None:
    _, turns = talk(
        offline_deps, *TO_STEP_3, "The tasting went well and the aisle resets in spring.",
        "I'd send that.",
        "New offer: a 6-jar trial shelf at $3.90. Goal is the trial, walk-away is $3.60. "
        "I'll email her the numbers this weekend and I'm back at Greenleaf on Monday; if she "
        "still says no after that, I'll stop and pitch the co-op.",
        "Cool. Thanks, that was quick.")
    assert turns[-1].kind == "summary"
