"""Per-conversation budgets for the LLM (OWASP LLM10): turns, tokens and calls per minute.

Past a budget the conversation goes on with template replies and a notice; nothing fails.
Message size is limited earlier, in inputs.py. Tokens are estimated (4 characters each),
not counted by a tokenizer.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from coach.draft import Draft

MAX_TURNS = 200
MAX_TOKENS = 60_000
CALLS_PER_MINUTE = 10


class Usage(BaseModel):
    """What one conversation has spent on the LLM so far."""

    tokens: int = 0
    calls: list[float] = Field(default_factory=list, description="Call times, last minute.")


def estimate_tokens(draft: Draft) -> int:
    """Roughly what one reply costs: the prompt's data plus a reply of template length."""
    chars = len(draft.user_message) + 2 * len(draft.template)
    chars += sum(len(p.text) for p in draft.cards) + sum(len(t) for _, t in draft.history)
    return chars // 4 + 200  # + the instructions


def over(usage: Usage, turns: int, now: float) -> str | None:
    """Why the LLM may not answer this turn, as the notice the person sees; None if it may."""
    if turns > MAX_TURNS:
        return f"This conversation is over {MAX_TURNS} turns, so replies are templates now."
    if usage.tokens >= MAX_TOKENS:
        return "This conversation has used its LLM budget, so replies are templates now."
    if sum(1 for t in usage.calls if now - t < 60) >= CALLS_PER_MINUTE:
        return "That was a lot of messages in a minute; this reply is a template."
    return None


def spend(usage: Usage, draft: Draft, now: float) -> Usage:
    """Usage after one more LLM call for this draft."""
    return spend_tokens(usage, estimate_tokens(draft), now)


def spend_tokens(usage: Usage, tokens: int, now: float) -> Usage:
    """Usage after one more LLM call of about `tokens` (a reading: the message and its JSON)."""
    recent = [t for t in usage.calls if now - t < 60]
    return Usage(tokens=usage.tokens + tokens, calls=[*recent, now])
