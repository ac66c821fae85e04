"""The rule-based story extractor: what the coach learns from a person's first messages."""

from __future__ import annotations

import time

import pytest

from coach.story import RuleStoryExtractor, Story, StoryExtractor, details

LEXA = (
    "I'm a freelance translator. I told my biggest agency, Lexa, that my rate goes from 0.10 "
    "to 0.13 per word next month. Their project manager, Jonas, wrote back \u201cwe can\u2019t "
    "accept that\u201d and that was it."
)


@pytest.fixture
def extractor() -> StoryExtractor:
    return RuleStoryExtractor()


def test_freelance_rate_story_keeps_who_what_and_their_words(extractor: StoryExtractor) -> None:
    story = extractor.extract(LEXA)
    assert story.context == "business_deal"
    assert story.has_rejection
    assert story.counterparty is not None and "Jonas" in story.counterparty
    assert "Lexa" in story.counterparty
    assert story.ask is not None and "0.13 per word" in story.ask
    assert story.stated_reason == "we can't accept that"


def test_salary_story_with_reason_emotions_and_time(extractor: StoryExtractor) -> None:
    story = extractor.extract(
        "I asked my manager for a 10% raise last Friday and she said no because there's no "
        "budget this quarter. I'm frustrated and honestly a bit embarrassed."
    )
    assert story.context == "job_offer"
    assert story.counterparty == "my manager"
    assert story.ask == "a 10% raise"
    assert story.stated_reason == "there's no budget this quarter"
    assert story.emotions == ["frustrated", "embarrassed"]
    assert story.time_since == "last Friday"
    assert story.has_rejection


@pytest.mark.parametrize(
    ("text", "context", "who"),
    [
        ("My landlord refused to lower the rent when the lease renews.", "personal_request",
         "my landlord"),
        ("I asked my boss for two days off next month and he turned me down.",
         "personal_request", "my boss"),
        ("Priya from Halden Capital passed on our seed round two weeks ago.", "business_deal",
         "Priya"),
        ("The recruiter called: the hiring manager went with someone else.", "job_offer",
         "the hiring manager"),
        ("I offered $18,500 for the car and the dealer wouldn't go below $21,000.", "other",
         "the dealer"),
    ],
)
def test_context_and_counterparty_across_kinds_of_negotiation(
    extractor: StoryExtractor, text: str, context: str, who: str
) -> None:
    story = extractor.extract(text)
    assert story.context == context
    assert story.counterparty is not None and who in story.counterparty
    assert story.has_rejection


@pytest.mark.parametrize(
    "text",
    [
        "Next week I'm going to ask for a raise. What if my manager says no?",
        "I'm afraid of being rejected if I pitch to the investor again.",
        "Hi, I'm not sure where to start.",
        "Good news: I asked for a raise and my manager said yes!",
    ],
)
def test_no_rejection_is_not_invented(extractor: StoryExtractor, text: str) -> None:
    assert not extractor.extract(text).has_rejection


def test_negated_feelings_are_not_recorded(extractor: StoryExtractor) -> None:
    story = extractor.extract("They said no. I'm not angry, just disappointed.")
    assert story.emotions == ["disappointed"]


def test_later_messages_fill_gaps_and_keep_what_was_known(extractor: StoryExtractor) -> None:
    first = extractor.extract(LEXA)
    later = extractor.extract("I'm annoyed. My friend said I should just find other clients.",
                              prior=first)
    assert later.counterparty == first.counterparty  # a friend mentioned later is not who said no
    assert later.stated_reason == first.stated_reason
    assert later.ask == first.ask
    assert later.context == "business_deal"
    assert later.emotions == ["annoyed"]
    again = extractor.extract("Still annoyed, and anxious about rent.", prior=later)
    assert again.emotions == ["annoyed", "anxious"]
    assert again.has_rejection  # a No once heard stays heard


def test_a_clear_new_value_replaces_an_unknown_or_weak_one(extractor: StoryExtractor) -> None:
    vague = extractor.extract("I got turned down and I feel awful.")
    assert vague.ask is None and vague.context == "other"
    clearer = extractor.extract(
        "It was my salary talk: I asked for $120k and the hiring manager said \"that's above "
        "our band\".",
        prior=vague,
    )
    assert clearer.context == "job_offer"
    assert clearer.ask == "$120k"
    assert clearer.stated_reason == "that's above our band"


def test_the_persons_own_quote_is_not_their_reason(extractor: StoryExtractor) -> None:
    story = extractor.extract('They rejected my proposal. I almost wrote back "fine, find someone '
                              'else".')
    assert story.stated_reason is None


def test_details_lists_the_specifics_a_reply_should_reuse(extractor: StoryExtractor) -> None:
    assert details(extractor.extract(LEXA)) == (
        "Jonas, their project manager at Lexa", "a rate of 0.13 per word", "we can't accept that"
    )
    assert details(Story()) == ()


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t", "\x00\x1b[31m\u202e\ufeff", "🙂" * 50_000, "a" * 200_000, "my " * 3_000,
     "asked for " + "9" * 5_000, "$1" * 3_000, '"' * 5_001, "\ud800 lone surrogate"],
)
def test_hostile_input_never_raises_and_stays_fast(extractor: StoryExtractor, text: str) -> None:
    started = time.perf_counter()
    story = extractor.extract(text)
    assert time.perf_counter() - started < 0.5
    assert isinstance(story, Story)


def test_non_text_input_returns_the_prior_story(extractor: StoryExtractor) -> None:
    prior = Story(context="job_offer", counterparty="the recruiter")
    assert extractor.extract(None, prior=prior) == prior  # type: ignore[arg-type]


def test_a_new_no_in_another_setting_changes_the_context(extractor: StoryExtractor) -> None:
    job = extractor.extract("The recruiter told me the hiring manager went with someone else.")
    chat = extractor.extract("My friends think I should relax this weekend.", prior=job)
    assert chat.context == "job_offer"  # talk about friends is not a new negotiation
    landlord = extractor.extract("And now my landlord refused to renew the lease.", prior=chat)
    assert landlord.context == "personal_request"


def test_the_time_of_the_no_is_not_overwritten_by_later_chat(extractor: StoryExtractor) -> None:
    first = extractor.extract("The client rejected my proposal yesterday.")
    later = extractor.extract("I want to answer them today.", prior=first)
    assert later.time_since == "yesterday"


def test_plain_spoken_nos_are_recognised() -> None:
    from coach.story import RuleStoryExtractor

    for text in ("asked the booker for a 70/30 split. he said 'not happening' and walked off",
                 "Got the decline letter today, a form letter.",
                 "I asked my head nurse Mrs. Okafor for day shifts. She said the ward cannot give "
                 "this to me now."):
        assert RuleStoryExtractor().extract(text).has_rejection, text


@pytest.mark.parametrize("text", ["we're going to pass", "they say no to discount",
                                  "got a job offer pulled"])
def test_plain_ways_of_saying_no_are_heard(extractor: StoryExtractor, text: str) -> None:
    assert extractor.extract(text, None).has_rejection


def test_the_one_who_said_no_is_the_counterparty_not_a_relation_named_later(
        extractor: StoryExtractor) -> None:
    story = extractor.extract("my ex said no to swapping weekends so I can take the kids to my "
                              "mum's 70th", None)
    assert story.counterparty == "my ex"


def test_a_pitch_is_the_ask_and_rehearse_this_is_built_around_it(
        extractor: StoryExtractor) -> None:
    from coach.scenarios import scenario_from_story

    story = extractor.extract("I pitched Dana, the buyer at Greenleaf, to stock our jars at "
                              "$4.20 a unit and she said \"not for this season\".", None)
    assert story.ask == "to stock our jars at $4.20 a unit"
    scenario = scenario_from_story(story)
    assert scenario.title == "Rehearse this: stock our jars at $4.20 a unit"
    assert scenario.opening_no.startswith("Sorry, we can't accept your request to stock")


def test_a_later_amount_or_draft_is_not_what_was_refused(extractor: StoryExtractor) -> None:
    story = extractor.extract("Jonas at Lexa rejected my new rate of 0.13 per word.")
    later = extractor.extract("Plan: offer 0.12 per word with a six-month review.", story)
    later = extractor.extract('I\'ll ask Priya too: "What would make 0.12 work for you?"', later)
    assert (later.ask, later.counterparty) == (story.ask, story.counterparty)
    again = extractor.extract("I misread it: Lexa said no to a rate of 0.15 per word.", later)
    assert again.ask is not None and "0.15" in again.ask
