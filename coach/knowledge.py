"""Load and validate the guide's cards: knowledge/cards/*.md, YAML front matter plus body."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.errors import KnowledgeError

Topic = Literal[
    "acknowledge",
    "detach",
    "reframe",
    "ask-feedback",
    "adjust-strategy",
    "persist-smart",
    "realistic-goals",
    "prepare-for-no",
    "no-as-leverage",
    "real-reason",
    "why-rejection-happens",
]
STEP_TOPICS: tuple[Topic, ...] = (
    "acknowledge",
    "detach",
    "reframe",
    "ask-feedback",
    "adjust-strategy",
    "persist-smart",
)
ADVICE_TOPICS: tuple[Topic, ...] = (
    "realistic-goals",
    "prepare-for-no",
    "no-as-leverage",
    "real-reason",
    "why-rejection-happens",
)
TOPICS: tuple[Topic, ...] = STEP_TOPICS + ADVICE_TOPICS


class Card(BaseModel):
    """One idea from the guide, in our own words."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9-]+$", description="Stable slug, used in citations.")
    topic: Topic
    step: int | None = Field(default=None, ge=1, le=6, description="1-6 for step cards.")
    title: str = Field(min_length=3)
    body: str = Field(min_length=40, description="Idea, why it matters, what to do, phrasings.")


def parse_card(text: str, source: str = "<card>") -> Card:
    """One Markdown card; raises KnowledgeError naming the file on any problem."""
    if not text.startswith("---"):
        raise KnowledgeError(f"{source}: missing YAML front matter")
    try:
        _, front, body = text.split("---", 2)
        meta = yaml.safe_load(front) or {}
        card = Card(**meta, body=body.strip())
    except (ValueError, TypeError, yaml.YAMLError, ValidationError) as exc:
        raise KnowledgeError(f"{source}: {exc}") from None
    expected_step = STEP_TOPICS.index(card.topic) + 1 if card.topic in STEP_TOPICS else None
    if card.step != expected_step:
        raise KnowledgeError(f"{source}: topic {card.topic} needs step {expected_step}")
    return card


def load_cards(knowledge_dir: Path) -> list[Card]:
    """All cards, sorted by id; every topic must have at least one."""
    paths = sorted((knowledge_dir / "cards").glob("*.md"))
    cards: list[Card] = []
    seen: dict[str, str] = {}
    for path in paths:
        card = parse_card(path.read_text(encoding="utf-8"), path.name)
        if card.id in seen:
            raise KnowledgeError(
                f"{path.name}: duplicate card id {card.id!r} (also in {seen[card.id]})")
        seen[card.id] = path.name
        cards.append(card)
    missing = set(TOPICS) - {c.topic for c in cards}
    if missing:
        raise KnowledgeError(f"no card for topic(s): {', '.join(sorted(missing))}")
    return sorted(cards, key=lambda c: c.id)


def content_hash(cards: list[Card]) -> str:
    """A fingerprint of the cards' content; the retrieval index is rebuilt when it changes."""
    digest = hashlib.sha256()
    for card in cards:
        digest.update(card.model_dump_json().encode())
    return digest.hexdigest()[:16]
