"""The properties every turn must keep, checked over coach and rehearsal sessions and the CLI.

Per turn: no exception; a non-empty reply that encodes as UTF-8; at most REPLY_LIMIT
characters, except the plan summary and the rehearsal debrief, which quote the person's own
words and may take up to SUMMARY_LIMIT; the step (or the reveal level) rises by at most one;
the session state survives a JSON round trip unchanged. A breach raises Violation; a
`Tally` counts what was checked. It does not generate input (strategies.py does).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from coach.inputs import MAX_CHARS
from coach.session import Session, SessionState, Turn
from coach.steps import DONE

REPLY_LIMIT = 1_000
# The summary quotes up to five of the person's answers, each already cut to MAX_CHARS.
SUMMARY_LIMIT = REPLY_LIMIT + 5 * MAX_CHARS


class Violation(AssertionError):
    """Raised when a turn breaks one of the properties."""


@dataclass
class Tally:
    """What a fuzz run checked."""

    turns: int = 0
    conversations: int = 0
    longest_reply: int = 0
    longest_message: int = 0
    highest_step: int = 0  # coach step reached (7: the plan is complete)
    highest_reveal: int = 0
    problems: list[str] = field(default_factory=list)

    def saw(self, message: str, reply: str) -> None:
        self.turns += 1
        self.longest_reply = max(self.longest_reply, len(reply))
        self.longest_message = max(self.longest_message, len(message))


def _require(ok: bool, what: str, message: str) -> None:
    if not ok:
        raise Violation(f"{what} (message {message[:80]!r})")


def check_reply(message: str, reply: str, *, long_allowed: bool) -> None:
    """A reply the person can read: not empty, printable as UTF-8, and bounded."""
    _require(bool(reply.strip()), "empty reply", message)
    try:
        reply.encode("utf-8")
    except UnicodeEncodeError:
        raise Violation(f"reply not encodable as UTF-8 (message {message[:80]!r})") from None
    limit = SUMMARY_LIMIT if long_allowed else REPLY_LIMIT
    _require(len(reply) <= limit, f"reply of {len(reply)} chars > {limit}", message)


def check_state(state: SessionState, message: str) -> None:
    """The state is what the store keeps: it must come back from JSON unchanged."""
    text = state.model_dump_json()
    json.loads(text)
    _require(SessionState.model_validate_json(text) == state, "state changed in JSON", message)


def _summary_or_debrief(turn: Turn, state: SessionState) -> bool:
    return turn.debrief is not None or (state.mode == "coach" and state.coach.step == DONE)


def converse(session: Session, messages: Iterable[str], tally: Tally) -> None:
    """Send each message to the session, checking every turn."""
    tally.conversations += 1
    for message in messages:
        before = session.state
        turn = session.handle(message)
        after = session.state
        check_reply(message, turn.reply, long_allowed=_summary_or_debrief(turn, after))
        _require(after.coach.step <= before.coach.step + 1,
                 f"step {before.coach.step} -> {after.coach.step}", message)
        if after.mode == "coach" and turn.safety is None:
            _require(turn.step is not None and 1 <= turn.step <= 6,
                     f"turn works on step {turn.step}", message)
        if before.rehearsal and after.rehearsal:
            _require(after.rehearsal.reveal_level <= before.rehearsal.reveal_level + 1,
                     f"reveal {before.rehearsal.reveal_level} -> "
                     f"{after.rehearsal.reveal_level}", message)
            tally.highest_reveal = max(tally.highest_reveal, after.rehearsal.reveal_level)
        check_state(after, message)
        tally.highest_step = max(tally.highest_step, after.coach.step)
        tally.saw(message, turn.reply)


def check_record(script: dict[str, Any], record: dict[str, Any], tally: Tally) -> None:
    """One conversation of `coach replay --json` output against the script it ran."""
    tally.conversations += 1
    turns = record["turns"]
    _require(len(turns) == len(script["turns"]), "a turn went unanswered", str(script["turns"]))
    previous = 1
    for message, turn in zip(script["turns"], turns, strict=True):
        step = turn["step"]
        # The summary comes on step 6, in a conversation that completed all six steps.
        finished = turn.get("debrief") is not None or (
            step == 6 and len(record.get("completed_steps", [])) == 6)
        check_reply(message, turn["reply"], long_allowed=finished)
        if step is not None:
            _require(step <= previous + 1, f"replay step {previous} -> {step}", message)
            previous = step
        tally.saw(message, turn["reply"])
