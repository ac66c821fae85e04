"""What the engine asks a reply model to say this turn: the task, the facts, and the template."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from coach.retrieval import Passage
from coach.story import Story


@dataclass(frozen=True)
class Draft:
    """One reply to write. The engine has already decided the state; a model only words it.

    `template` is the offline reply for this turn: the template model returns it as is,
    and every other model falls back to it.
    """

    task: Literal["coach", "counterparty"]
    step: int  # 1-6 in coach mode; 0 in rehearsal
    step_name: str  # e.g. "reframe", or "rehearsal"
    goal: str  # what this reply must achieve, in one sentence
    user_message: str  # the person's latest message (untrusted data)
    story: Story
    template: str
    cards: tuple[Passage, ...] = ()
    history: tuple[tuple[str, str], ...] = ()  # recent ("user"|"assistant", text), oldest first
    details: tuple[str, ...] = ()  # the person's specifics a good reply reuses
    plan: tuple[tuple[str, str], ...] = ()  # the plan's fields so far ("reframe", "...")
    reveal_level: int = 0  # rehearsal: how much of the hidden reason may be said (0-3)
    concealed: tuple[str, ...] = field(default=())  # rehearsal: words not to say at this level
