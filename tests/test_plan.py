"""Reading when to come back and when to stop from plain words, and the follow-up date."""

from __future__ import annotations

from datetime import date

import pytest

from coach.plan import find_stop_rule, find_when, follow_up_date

TODAY = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize("text, when, due", [
    ("I'll check back in two weeks.", "in two weeks", date(2026, 12, 10)),
    ("I'll go back to them in about 8 weeks", "in about 8 weeks", date(2027, 1, 21)),
    ("next quarter, once their budget resets", "next quarter and once their budget resets",
     date(2027, 2, 25)),
    ("I'll call her on Monday", "on Monday", date(2026, 11, 30)),
    ("early March, before their planning", "early March", date(2027, 3, 1)),
    ("on 2026-12-15 after the board meeting", "2026-12-15 and after the board meeting",
     date(2026, 12, 15)),
])
def test_when_phrases_and_their_dates(text: str, when: str, due: date) -> None:
    found = find_when(text)
    assert found is not None and found.lower() == when.lower()
    assert follow_up_date(found, TODAY) == due


def test_two_times_are_both_kept_and_the_first_sets_the_date() -> None:
    when = find_when("I'll email her next week, and come back with the pilot in early February.")
    assert when == "next week and early February"
    assert follow_up_date(when, TODAY) == date(2026, 12, 3)


def test_a_trigger_has_no_date_and_nothing_is_guessed() -> None:
    assert find_when("whenever") is None
    assert follow_up_date("once their budget resets", TODAY) is None


@pytest.mark.parametrize("text", [
    "if they say no again I'll stop",
    "If she still says 7.80 I'll order from the other importer.",
    "if they wont go under 17.8 i walk and buy the mazda",
    "I'll walk away after two more rounds",
])
def test_stop_rules(text: str) -> None:
    assert find_stop_rule(text)


def test_no_stop_rule_in_a_plain_date() -> None:
    assert find_stop_rule("I'll come back in two weeks with the new numbers.") is None
