"""The Story of one rejection, as the coach understands it, and its rule-based extractor."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Context = Literal["business_deal", "job_offer", "personal_request", "other"]


class Story(BaseModel):
    """What the person told us about their rejection; every field may still be unknown."""

    model_config = ConfigDict(extra="forbid")

    context: Context = Field(default="other", description="What kind of negotiation it was.")
    counterparty: str | None = Field(
        default=None, description="Who said no, in the person's words (e.g. 'Jonas at Lexa')."
    )
    ask: str | None = Field(
        default=None, description="What the person asked for or offered (e.g. 'a 0.13 rate')."
    )
    stated_reason: str | None = Field(
        default=None, description="The reason the other side gave, if any."
    )
    emotions: list[str] = Field(default_factory=list, description="Feelings the person named.")
    time_since: str | None = Field(default=None, description="When it happened, as said.")
    has_rejection: bool = Field(
        default=False, description="Whether the text actually describes a No."
    )
