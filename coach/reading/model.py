"""The Reading (what one message says, for the engines), its context, and the Reader seam.

A Reading is all the engines see of a message: they never read raw text. Readers (rules,
embedding, LLM) each return one; they never decide the step. Fields left at their default
mean "not read", never "read as false with confidence".
"""

from __future__ import annotations

import re
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from coach.knowledge import Topic
from coach.reading.normalise import sentences
from coach.story import Story
from coach.traps import Trap

Intent = Literal[
    "acknowledges", "denies", "heated", "urge_to_reply", "will_not_send", "calmer", "go_on",
    "skip", "back", "advice", "stuck", "cannot_ask", "same_offer",
]
INTENTS: tuple[Intent, ...] = (
    "acknowledges", "denies", "heated", "urge_to_reply", "will_not_send", "calmer", "go_on",
    "skip", "back", "advice", "stuck", "cannot_ask", "same_offer",
)
Risk = Literal["check_in", "crisis"]
_REPORTED = re.compile(
    r"\b(?:i(?:['’]ll| will|['’]d| would| could| can| might)? ask|asking|ask (?:him|her|them)"
    r"|i(?:['’]ll| will) (?:say|write|put)|something like)\b", re.I)
_QUOTED = re.compile(r":\s*['\"“].*['\"”]|“[^”]*”|\"[^\"]*\"|(?<!\w)'[^']*'(?!\w)")


class TrapSeen(BaseModel):
    """A thinking trap in the message, and the words that show it."""

    model_config = ConfigDict(extra="forbid")

    trap: Trap
    words: str = Field(default="", description="The span of the message that shows the trap.")


class Reading(BaseModel):
    """What one message says, as far as the engines need to know."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", description="The message as read (normalised): the engines "
                      "keep it in the plan, never parse it.")
    intents: list[Intent] = Field(
        default_factory=list,
        description="What the person does with the message: acknowledges the No, denies it, "
        "is heated, has an urge to reply, will not send, is calmer, wants to go on, asks to "
        "skip, asks to go back, asks for advice, is stuck, cannot ask for feedback, or means "
        "to make the same offer again.")
    back_to: int | None = Field(
        default=None, ge=0, le=6,
        description="With 'back': the step asked for (1-6), or 0 for 'the previous step'.")
    advice_topic: Topic | None = Field(
        default=None, description="With 'advice': the guide topic the question is about.")
    answers_step: bool = Field(
        default=False, description="The message does the work of the current step.")
    work: str | None = Field(
        default=None, description="The words of the message that do the current step's work "
        "(whole sentences, at most a few), for the plan; never a self-critical sentence.")
    own_message: str | None = Field(
        default=None, description="At step 4, a feedback message the person wrote themselves.")
    speaks_to: list[int] = Field(
        default_factory=list, description="Later steps (2-6) whose work it already does.")
    story: Story = Field(
        default_factory=Story, description="The story so far with this message's facts merged.")
    traps: list[TrapSeen] = Field(
        default_factory=list, description="Thinking traps, most likely first.")
    feelings: list[str] = Field(
        default_factory=list, description="The feelings the person names, in plain words "
        "('annoyed', 'embarrassed'), in the order they gave them.")
    follow_up: str | None = Field(
        default=None, description="When the person means to come back ('in March').")
    stop_rule: str | None = Field(
        default=None, description="When the person would stop asking, in their words.")
    risk: Risk | None = Field(
        default=None, description="A reader's own view of crisis risk; it can only add risk.")
    resembled: dict[str, str] = Field(
        default_factory=dict,
        description="For each label read by example, the example it resembled most.")
    reader: str = Field(default="rules", description="Who read it: rules, embedding, llm, ...")

    def has(self, intent: Intent) -> bool:
        """Whether the message carries this intent."""
        return intent in self.intents

    @property
    def words(self) -> int:
        """How many words the message has."""
        return len(self.text.split())

    @property
    def question(self) -> bool:
        """The message asks the coach something (a question inside quotes does not count)."""
        said = sentences(_QUOTED.sub("", self.text))
        asked = [x for x in said if x.endswith("?")]
        # "I'll ask Kelsey what is flexible: Fridays? Sundays? or the bar" lists what they
        # will ask someone else: reported questions and one-word fragments are not put to us
        put = [x for x in asked if len(x.split()) >= 3 and not _REPORTED.search(x)]
        return bool(put) or (len(asked) == len(said) == 1)

    @property
    def engaged(self) -> bool:
        """A reply of some substance: a statement, not a bare question, "ok" or "I don't know"."""
        return self.words >= 3 and not self.question and not self.has("stuck")


class ReadingContext(BaseModel):
    """What a reader knows besides the text: where the conversation stands."""

    mode: Literal["coach", "rehearse"] = "coach"
    step: int = Field(default=1, ge=1, le=6,
                      description="The step a reply works on (1-6; still 6 once the plan is done).")
    started: bool = Field(default=True, description="A rejection has already been told.")
    story: Story = Field(default_factory=Story)
    recent: list[str] = Field(default_factory=list, description="The person's recent messages.")
    llm_allowed: bool = Field(
        default=True, description="The conversation's LLM budget allows one more call.")


class Reader(Protocol):
    """Anything that reads a message in its context."""

    name: str

    def read(self, text: str, ctx: ReadingContext) -> Reading: ...
