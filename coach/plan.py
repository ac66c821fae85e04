"""The plan a coaching conversation builds, and reading 'when' and stop rules from plain words.

It reads English time phrases ("in two weeks", "next quarter", "in March", "2026-12-10");
anything else leaves the follow-up date unknown rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from coach.story import Story
from coach.traps import Trap

DEFAULT_FOLLOW_UP = "in four weeks"
DEFAULT_STOP_RULE = "if it is still a No after two more rounds, stop and put the energy elsewhere"


class Plan(BaseModel):
    """What the person worked out, step by step (their own words where they gave them)."""

    model_config = ConfigDict(frozen=True)

    acknowledged: str | None = None
    feelings: str | None = None  # the feelings named, in plain words ("annoyed and hurt")
    trap: Trap | None = None
    reframe: str | None = None
    feedback_possible: bool = True
    feedback_message: str | None = None
    adjustment: str | None = None
    follow_up: str | None = None
    stop_rule: str | None = None

    def with_(self, **changes: object) -> Plan:
        """A copy with these fields changed (the model is frozen)."""
        return self.model_copy(update=changes)


_ARRANGEMENTS = {
    "job_offer": "keep the number but ask for a six-month salary review, a signing bonus or "
    "an extra week of leave",
    "business_deal": "offer a smaller first phase or a pilot at the same unit price, with the "
    "full scope once it has proven itself",
    "personal_request": "ask for a smaller, time-limited version of the request and a date to "
    "review how it went",
    "other": "offer a smaller or time-limited version of the ask, with a date to review it",
}


def suggested_arrangement(story: Story) -> str:
    """A 'different arrangement' for this kind of negotiation, used when the person accepts ours."""
    return _ARRANGEMENTS[story.context]


_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
        "couple of": 2, "few": 3}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "quarter": 91, "year": 365}
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WHEN = re.compile(
    r"\b(?:in|after|within|give (?:it|them|him|her))\s+(?:about\s+|around\s+|roughly\s+)?"
    r"(?:a\s+)?(?P<n>\d+|an?|one|two|three|four|five|six|couple of|few)\s+"
    r"(?P<unit>day|week|month|quarter|year)s?\b"
    r"|\bnext\s+(?P<next>week|month|quarter|year)\b"
    r"|\b(?:next\s+|this\s+|on\s+)?(?P<day>" + "|".join(_DAYS) + r")\b"
    r"|\b(?:end|start|beginning|first week|last week) of (?:the |next |this )?(?:week|month"
    r"|quarter|year)\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:" + "|".join(_MONTHS) + r")\b"
    r"|\b(?:this|next) weekend\b|\btomorrow\b"
    r"|\bnext (?:cycle|season|spring|summer|autumn|fall|winter|review)\b"
    r"|\b(?:in|on|by|early|mid|late|end of)\s+(?P<month>" + "|".join(_MONTHS) + r")\b"
    r"|\b(?P<iso>20\d\d-\d\d-\d\d)\b"
    r"|\b(?P<q>q[1-4])\b"
    r"|\b(?P<trigger>(?:once|when|after)\s+(?:their|the|his|her|they)\s+[\w' ]{3,40}?)"
    r"(?:[,.;]|$| and | then )",
    re.IGNORECASE,
)
_STOP = re.compile(
    r"\b(if (they|he|she|it)?\s*(still )?(say|says|said|is|'s)?\s*(still )?(a )?no"
    r"(\s+(again|twice|a second time|after that))?[^.;]*)"
    r"|\b((i'?ll|i will|then i)\s+(stop|walk away|move on|let it go|look elsewhere|give up)[^.;]*)"
    r"|\b(stop (after|if)[^.;]*)|\b(walk away (after|if)[^.;]*)|\b(last (try|attempt|time)[^.;]*)"
    r"|\b(if\b(?:[^.;]|\.(?=\d)){0,80}?\b(i|we)('ll| will)?\s+(walk|stop|drop|move on|give up"
    r"|look elsewhere|buy|go with|take|accept|start|raise|close|put|focus|book|hire|order"
    r"|switch)\b[^.;]*)",
    re.IGNORECASE,
)


def find_when(text: str) -> str | None:
    """The phrases that say when to come back, if any; both when two times are given
    ("email next week ... come back with the pilot in early February")."""
    found: list[str] = []
    for match in _WHEN.finditer(text):
        phrase = match.group(0).strip(" ,.;")
        if phrase.lower() not in (f.lower() for f in found):
            found.append(phrase)
    return " and ".join(found[:2]) or None


def find_stop_rule(text: str) -> str | None:
    """The phrase that says when to stop trying, if any."""
    match = _STOP.search(text)
    return match.group(0).strip(" ,.;") if match else None


def follow_up_date(when: str | None, today: date) -> date | None:
    """The calendar date a 'when' phrase points at, or None when it is only a trigger."""
    match = _WHEN.search(when or "")
    if not match:
        return None
    if match.group("iso"):
        try:
            return date.fromisoformat(match.group("iso"))
        except ValueError:
            return None
    if match.group("n"):
        n = int(match.group("n")) if match.group("n").isdigit() else _NUM[match.group("n").lower()]
        return today + timedelta(days=min(n, 100) * _UNIT_DAYS[match.group("unit").lower()])
    if match.group("next"):
        return today + timedelta(days=_UNIT_DAYS[match.group("next").lower()])
    if match.group("month"):
        month = _MONTHS.index(match.group("month").lower()) + 1
        year = today.year + (month <= today.month)
        return date(year, month, 1)
    if match.group("day"):
        ahead = (_DAYS.index(match.group("day").lower()) - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    if match.group("q"):
        month = 3 * (int(match.group("q")[1]) - 1) + 1
        year = today.year + (month <= today.month)
        return date(year, month, 1)
    return None
