"""The LLM reader: one structured call that returns a Reading, validated, behind the breaker.

The model reads intents, step work, traps, feelings and its own view of risk; it never
sets the step (the engine decides from the Reading) and never writes the story (the story
extractor does). Any failure raises, so a FallbackReader (compose.py) reads instead.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from coach import prompts
from coach.errors import LLMError
from coach.knowledge import Topic
from coach.llm import AnswerError, CircuitBreaker, LLMTimeout
from coach.reading.model import Intent, Reading, ReadingContext, Risk, TrapSeen
from coach.reading.normalise import normalise

T = TypeVar("T", bound=BaseModel)


class LLMReading(BaseModel):
    """The part of a Reading the model is asked for (the JSON schema it answers in)."""

    model_config = ConfigDict(extra="ignore")

    intents: list[Intent] = Field(default_factory=list)
    back_to: int | None = Field(default=None, ge=0, le=6)
    advice_topic: Topic | None = None
    answers_step: bool = False
    speaks_to: list[int] = Field(default_factory=list)
    traps: list[TrapSeen] = Field(default_factory=list)
    feelings: list[str] = Field(default_factory=list)
    risk: Risk | None = None


class Structured(Protocol):
    """A model that answers messages as JSON validated into a schema (llm.OpenAIChatModel)."""

    def structured(self, messages: list[dict[str, str]], schema: type[T]) -> T: ...


class LLMReader:
    """Reads with the configured model; shares the reply model's breaker."""

    name = "llm"

    def __init__(self, model: Structured, breaker: CircuitBreaker) -> None:
        self._model, self._breaker = model, breaker

    def read(self, text: str, ctx: ReadingContext) -> Reading:
        if not ctx.llm_allowed:
            raise LLMError("over the conversation's LLM budget")
        if not self._breaker.allow():
            raise LLMError("breaker open")
        text = normalise(text)
        try:
            got = self._model.structured(
                prompts.reading_messages(text, ctx.step, ctx.recent[:-1]), LLMReading)
        except AnswerError:
            raise  # the model answered, badly: the endpoint is up, the breaker stays closed
        except LLMError as exc:
            self._breaker.record_failure(hang=isinstance(exc, LLMTimeout))
            raise
        self._breaker.record_success()
        later = sorted({s for s in got.speaks_to if ctx.step < s <= 6})
        back_to = got.back_to if "back" in got.intents else None
        return Reading(
            text=text, intents=got.intents, back_to=back_to,
            advice_topic=got.advice_topic if "advice" in got.intents else None,
            answers_step=got.answers_step, speaks_to=later, story=ctx.story,
            traps=got.traps, feelings=[f[:40] for f in got.feelings[:3]], risk=got.risk,
            reader=self.name,
        )
