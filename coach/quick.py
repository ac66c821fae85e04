"""Quick replies: the natural next answers to offer under the coach's latest message.

Each is an ordinary message: the app sends it as if it were typed, and the engine decides
what it means, exactly as for typed words. None is offered once the plan is made.
"""

from __future__ import annotations

BACK = "Go back a step"
_NONE = {"summary", "after_done", "intake", "empty", "crisis", "check_in", "safe_mode"}
_BY_KIND: dict[str, tuple[str, ...]] = {
    "open": ("Yes, it was a No.", "Maybe it wasn't really a No."),
    "challenge": ("Okay, it was a No.",),
    "cool_down": ("I'm calmer now, let's go on.", "I want to reply to them right now."),
    "trap": ("That's fair, let's go on.",),
    "no_feedback": ("Ok, let's go on.",),
    "same_offer": ("Ok, go on with your suggestion.",),
    "need_stop_rule": ("Ok, let's go on.",),
}
_BY_STEP: dict[int, tuple[str, ...]] = {
    1: ("Yes, it was a No.",),
    2: ("I'm calmer, let's go on.", "I want to reply to them right now."),
    3: ("I don't know what went well.", "Ok, let's go on."),
    4: ("I'll send that message.", "I'll adapt it.",
        "They won't answer, so asking isn't possible."),
    5: ("Ok, go on with your suggestion.",),
    6: ("Ok, let's go on.",),
}


def quick_replies(kind: str | None, step: int | None) -> tuple[str, ...]:
    """The answers to offer after a reply of this kind at this step (none after the plan)."""
    if step is None or kind is None or kind in _NONE:
        return ()
    options = _BY_KIND.get(kind, _BY_STEP[step])
    return (*options, BACK) if step > 1 else options
