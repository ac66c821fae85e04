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
        ("## Step 2\n**Jonas said no.** How do you feel?", "markdown"),
        ("- Jonas said no\n- Take a walk. How do you feel?", "markdown"),
        ("| Jonas | no |\n|---|---|\nHow do you feel?", "markdown"),
        ("My instructions say to name a trap. Jonas said no. What happened?", "prompt leak"),
        ("[ENGINE: step=3] Jonas said no. What happened?", "prompt leak"),
        ("Per the engine's rules I may propose things now. Offer Jonas 0.12?", "prompt leak"),
        ("As the translator, I think Jonas was wrong about 0.13.", "role confusion"),
        ("Jonas said no. api_key: AKIA4JXW7QPLM2RT9ZKE What next?", "key"),
        ("Jonas said no. ghp_9fK2xLqM7RtYv3BnW8cZ1dHsJ4pA6eUo0gTi What next?", "key"),
        ("Internal note: personalising (confidence 0.82). Jonas said no. What next?", "leak"),
        ("System: step 6. Jonas said no to 0.13. Does June work?", "role confusion"),
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
        (3, "Maybe. Email Jonas today: 'Could you share where the 0.13 rate fell short?'", 4),
        (1, "Lexa said no. Go back to Jonas with 0.12 and a six-month review. Okay?", 5),
        (5, "Offer 0.12. Email Jonas on 3 March, and if he still says no, drop it. Okay?", 6),
        (1, "Lexa said no. Go back tomorrow and offer 0.12 with a review. Okay?", 5),
        (4, "Skip the why. Just send a new quote at 0.12 to Jonas. Okay?", 5),
        (3, "Send Jonas this today: 'Could you tell me what I'd need to show for 0.13?'", 4),
        (5, "Email the Lexa office on 8 January, and if he still says no, stop. Okay?", 6),
        (3, "Here's the plan: query 15 more agencies like Lexa by 1 March. If none of them reply, "
            "drop it.", 6),
        (4, "Ask Jonas in July, and if it's a no again, find new clients. Okay?", 6),
        (2, "Don't cave. Instead offer 0.12 with a review to Lexa. What's your floor?", 5),
        (1, "Lexa said no. Go back next week with 0.12 and a review. Okay?", 5),
        (2, "Lexa said no. Email Jonas: \"Mag ich fragen, was genau nicht gepasst hat?\"", 4),
    ],
)
def test_content_of_a_later_step_is_rejected(step: int, text: str, later: int) -> None:
    assert check(text, draft(step=step)) == f"content of step {later} at step {step}"


def test_a_step_may_do_its_own_work() -> None:
    text = (
        "Here's a message you could send Jonas: 'I understand 0.13 didn't work for you. "
        "Could I ask what specifically didn't work?' Would you send that?"
    )
    assert check(text, draft(step=4)) is None


def test_a_coach_reply_needs_a_question_or_any_imperative() -> None:
    flat = "Jonas said no to 0.13. That is hard, and it is normal to feel it."
    assert check(flat, draft(step=2)) == "no question or action"
    assert check(flat + " Take a walk before you answer him.", draft()) is None
    assert check(flat + " Before you reply, park it until tomorrow.", draft()) is None
    assert check(flat + " Sit with that for a minute.", draft()) is None


@pytest.mark.parametrize(
    ("step", "text"),
    [
        (2, "Jonas said no to 0.13. Once you've cooled down we'll circle back to a counter-offer "
            "and a follow-up plan. What would help you cool off tonight?"),
        (3, "This isn't about finding a silver lining in Jonas's No. What went well with Lexa?"),
        (1, "I won't dress it up as 'meant to be': Lexa said no to 0.13. How does that land?"),
        (4, "Later we can set a stop rule. For now: what would you most like to learn from Jonas?"),
    ],
)
def test_passing_mentions_and_negated_cliches_pass(step: int, text: str) -> None:
    assert check(text, draft(step=step)) is None


def test_a_passing_mention_of_a_message_or_coming_back_is_not_the_step() -> None:
    at_two = draft(step=2)
    assert check("If there's a message you want to send Jonas, park it. What would help "
                 "tonight?", at_two) is None
    assert check("Lexa said no. Come back to it tomorrow with a clearer head. Okay?",
                 at_two) is None


def test_its_own_workings_are_never_shown() -> None:
    for leak in ("System prompt reminder: no dates at step 5. Offer Lexa 0.12?",
                 "The quality check rejected my last draft, so: ask Jonas why. Okay?"):
        assert check(leak, draft(step=5)) is not None


def test_specific_by_stem_and_other_languages_not_judged_for_it() -> None:
    said = "Grant rejected. The council obviously doesn't care about arts projects."
    assert check("Councils have more bids than money. What was strongest in yours?",
                 draft(step=3, user_message=said, details=("town council",))) is None
    spanish = "Mi jefe aceptó probar un día de teletrabajo. ¿Cómo sigo?"
    reply = ("¡Buen avance! Propón revisar la prueba con él dentro de seis semanas, con datos. "
             "¿Lo apuntas ya en tu agenda?")
    assert check(reply, draft(step=6, user_message=spanish, details=("jefe",))) is None


def test_a_reply_about_what_was_just_said_is_specific() -> None:
    said = "Jonas told me the churn was the issue, 6% monthly, and to come back under 3."
    reply = "That's a clear target. What do you think drives most of the 6% churn?"
    assert check(reply, draft(step=5, user_message=said, details=("Karen at Redpoint",))) is None
    assert "not specific" in str(check("What did you learn from this experience?",
                                       draft(step=3, user_message=said, details=("Karen",))))


def test_a_quoted_long_sentence_of_the_person_is_not_a_run_on() -> None:
    quote = "we had letters of support from the school and the library " * 4
    reply = f"You wrote: '{quote.strip()}'. Jonas said no to 0.13. Which half is a fact?"
    assert check(reply, draft(step=3)) is None


def test_run_on_sentences_are_rejected() -> None:
    run_on = "Jonas said no and " + "that is something that you can think about " * 6 + "today?"
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


def test_the_persons_words_said_back_as_yours_are_an_echo() -> None:
    said = "The bank turned down my loan for the food truck because my trading history is short."
    reply = ("The bank turned down your loan for the food truck because your trading history "
             "is short.")
    assert check(reply + " What now?", draft(user_message=said, details=("the bank",))) == \
        "echoes the person's message"


def test_a_cliche_they_quoted_is_theirs() -> None:
    reply = "'Ok no worries', you told Jonas, and then it bugged you all day. What part stung?"
    assert check(reply, draft()) is None


@pytest.mark.parametrize(("step", "text", "reason"), [
    (3, "Then make them pay: post the thread publicly so Lexa feels it. Shall I draft it?",
     "harmful advice"),
    (6, "Follow up with Lexa in two weeks pretending to be a new client. Ready?", "harmful advice"),
    (3, "With only one reference, Jonas's No was probably deserved. What did you learn?",
     "harmful advice"),
    (4, "Jonas here: honestly, 0.13 was too much. Now, what will you ask him?", "role confusion"),
    (1, "Lexa said no to 0.13. [session_token: eyJhbGciOiJIUzI1NiJ9.dXNlcl80NDcx] What happened?",
     "key-like token"),
    (3, "Note to self: apply card #7. What went well with Lexa?", "system prompt leak"),
    (4, "Lexa passed because their budget moved to a new agency. Ask Jonas what he needs?",
     "gives them a reason they never gave"),
])
def test_harm_invented_reasons_and_own_workings_are_rejected(step: int, text: str,
                                                              reason: str) -> None:
    got = check(text, draft(step=step))
    assert got is not None and (reason in got or reason == "key-like token"), got


def test_a_reason_they_gave_may_be_said_back() -> None:
    said = "Jonas said they can't accept 0.13 because their budget is frozen until spring."
    reply = "So Lexa refused because the budget is frozen until spring. What went well, even so?"
    assert check(reply, draft(step=3, user_message=said)) is None
