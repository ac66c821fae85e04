"""search(query, k) -> passages over the guide's cards: Chroma dense, BM25 fallback, fusion."""

from __future__ import annotations

from pydantic import BaseModel


class Passage(BaseModel):
    """One retrieved card with its score (higher is better)."""

    id: str
    topic: str
    step: int | None
    title: str
    score: float
    text: str
