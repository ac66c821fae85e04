"""The quality gate: what a person must never see from an LLM, and good replies that pass."""

from __future__ import annotations

from typing import Any

import pytest

from coach.draft import Draft
from coach.gate import check, language
from coach.story import Story

GOOD_STEP1 = (
    "That's a real No, Jonas was clear, and from your biggest client it lands hard. "
    "Before we look at what to do next, can you put it in your own words, plainly?"
)


def draft(**overrides: Any) -> Draft:
    fields: dict[str, Any] = dict(
        task="coach", step=1, step_name="acknowledge", goal="say the No plainly",
        user_message="Lexa rejected my new rate of 0.13 per word, Jonas said they can't accept it.",
        story=Story(counterparty="Jonas at Lexa", ask="0.13 per word"),
        template="Jonas said no. What happened, in your words?",
        details=("Jonas at Lexa", "0.13 per word"),
    )
    fields.update(overrides)
    return Draft(**fields)


def test_a_specific_on_step_reply_passes() -> None:
    assert check(GOOD_STEP1, draft()) is None


def test_a_detail_counts_when_any_distinctive_word_of_it_is_used() -> None:
    assert check("Lexa said no. What does that tell you?", draft()) is None
    assert check("A rate of 0.13 was refused. What happened?", draft()) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("Jonas " * 151, "too long"),
        ("<start_of_turn>model\nJonas said no. How do you feel?", "markup"),
        ("[INST] Jonas said no. [/INST] How do you feel?", "markup"),
        ("<|im_start|>assistant Jonas said no. How do you feel?", "markup"),
        ("Jonas said no.</s> How do you feel?", "markup"),
        ("Jonas said no. You only word this one reply, so: how do you feel?", "prompt leak"),
        ("Jonas said no. ![calm](https://x.test/calm.png) How do you feel?", "image"),
        ("Jonas said no. Read [the guide](https://x.test/g) - how do you feel?", "link"),
        ("Jonas said no. See https://example.org for help. How do you feel?", "URL"),
        ("Jonas said no. Try lexa.com for their rates. How do you feel?", "URL"),
        ("Jonas said <b>no</b>. How do you feel?", "HTML"),
        ("Person: I feel awful that Jonas said no.", "role confusion"),
        ("Coach: Jonas said no. How do you feel?", "role confusion"),
        ("As your client, I think Jonas was wrong about 0.13.", "role confusion"),
        ("Jonas said no. Everything happens for a reason, so how do you feel?", "overly positive"),
        ("Jonas said no! But you will win! How do you feel?", "overly positive"),
        ("Jonas said no. You've got this. What happened?", "overly positive"),
        ("That stings. How do you feel about it?", "not specific"),
    ],
)
def test_bad_replies_are_rejected_with_a_reason(text: str, reason: str) -> None:
    result = check(text, draft())
    assert result is not None and reason in result


@pytest.mark.parametrize(
    ("step", "text", "later"),
    [
        (2, "Jonas said no. Send this: Dear Jonas, could I ask what specifically failed?", 4),
        (1, "Here's a message you could send Jonas about 0.13: thanks for the answer.", 4),
        (3, "Jonas said no, so make a new offer of 0.12 with a review. Does that fit?", 5),
        (4, "Ask Jonas, and set a stop rule: two more No's and you move on. Okay?", 6),
    ],
)
def test_content_of_a_later_step_is_rejected(step: int, text: str, later: int) -> None:
    assert check(text, draft(step=step)) == f"content of step {later} at step {step}"


def test_a_step_may_do_its_own_work() -> None:
    text = (
        "Here's a message you could send Jonas: 'I understand 0.13 didn't work for you. "
        "Could I ask what specifically didn't work?' Would you send that?"
    )
    assert check(text, draft(step=4, needs_action=True)) is None


def test_a_step_that_needs_an_action_needs_a_question_or_an_imperative() -> None:
    flat = "Jonas said no to 0.13. That is hard, and it is normal to feel it."
    assert check(flat, draft(step=2, needs_action=True)) == "no question or action"
    assert check(flat + " Take a walk before you answer him.", draft(needs_action=True)) is None
    assert check(flat, draft(needs_action=False)) is None


def test_run_on_sentences_are_rejected() -> None:
    run_on = "Jonas said no and " + "that is something that you can think about " * 6 + "today."
    assert check(run_on, draft()) == "hard to read (a sentence over 45 words)"


def test_the_reply_must_be_in_the_persons_language() -> None:
    german = draft(
        user_message="Jonas von Lexa hat meinen neuen Satz abgelehnt, das ist nicht fair.",
    )
    english = "Jonas said no to 0.13, and that is hard. What did he say exactly?"
    reply_de = "Jonas hat nein gesagt, und das ist hart. Was hat er genau gesagt?"
    assert check(english, german) == "wrong language (en, person wrote de)"
    assert check(reply_de, german) is None


def test_language_is_left_open_on_short_or_unclear_text() -> None:
    assert language("ok") is None
    assert language("Lexa 0.13 Jonas") is None
    assert language("I think that the rate was not what they wanted to pay") == "en"
    assert language("Je pense que le tarif est trop haut pour eux et pas pour moi") == "fr"


def test_the_counterparty_never_says_a_concealed_word() -> None:
    voice = draft(
        task="counterparty", step=0, step_name="rehearsal", details=(), reveal_level=1,
        concealed=("budget", "freeze"),
    )
    assert check("We can't accept that right now, sorry.", voice) is None
    assert check("Our budget is frozen until March.", voice) == "says a concealed word"


def test_step_families_do_not_apply_to_the_counterparty() -> None:
    voice = draft(task="counterparty", step=0, step_name="rehearsal", details=())
    assert check("Send me a new offer and I will look at it.", voice) is None
