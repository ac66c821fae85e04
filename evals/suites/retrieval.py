"""Retrieval quality: recall@1 and recall@3 of each backend over evals/data/retrieval.jsonl.

A case is a hit at k when any of the top-k cards has one of the case's topics. The gates are
the foundation issue's: recall@3 >= 0.90 for the default model-backed backend, >= 0.70 for
keywords only; the other figures are reported, so dense and hybrid can be compared.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from coach.knowledge import Card, load_cards
from coach.retrieval import FUSE_BY_DEFAULT, Retriever
from coach.settings import get_settings
from evals.result import DATA_DIR, Result

SUITE = "retrieval"
CASES = DATA_DIR / "retrieval.jsonl"
GATES = {"model": 0.90, "lexical": 0.70}


class Case(BaseModel):
    """One thing a person might say, and the topics whose cards would answer it."""

    model_config = ConfigDict(extra="forbid")

    name: str
    query: str
    topics: list[str]


def load_cases() -> list[Case]:
    lines = CASES.read_text(encoding="utf-8").splitlines()
    return [Case.model_validate_json(line) for line in lines if line.strip()]


def recall(retriever: Retriever, cases: Sequence[Case], k: int) -> tuple[float, list[str]]:
    """The share of cases with a right-topic card in the top k, and the names of the misses."""
    misses = [
        case.name
        for case in cases
        if not {p.topic for p in retriever.search(case.query, k)} & set(case.topics)
    ]
    return 1 - len(misses) / len(cases), misses


def _retrievers(cards: list[Card]) -> tuple[dict[str, Retriever], str]:
    """Every backend this machine can run, and a note when the model could not be had."""
    lexical = Retriever(cards)
    try:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        from coach.embedding import MiniLMEmbedding

        ef = MiniLMEmbedding(get_settings().embedding_model_dir)
        ef.load()
    except Exception as exc:  # no model here: only the keyword backend can be measured
        return {"lexical": lexical}, f"no model ({str(exc).splitlines()[0]})"
    # An in-memory store: the evals must not touch the person's own index.
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    return {
        "dense": Retriever(cards, client, ef, fuse=False),
        "hybrid": Retriever(cards, client, ef, fuse=True),
        "lexical": lexical,
    }, ""


def run(full: bool) -> list[Result]:
    if not CASES.exists():
        return [Result(SUITE, "cases", 0, detail=f"{CASES.name} not written yet: nothing measured")]
    cases = load_cases()
    cards = load_cards(get_settings().knowledge_dir)
    retrievers, note = _retrievers(cards)
    # The gate is on what get_retriever() would use here.
    gated = "lexical" if len(retrievers) == 1 else ("hybrid" if FUSE_BY_DEFAULT else "dense")
    results = [Result(SUITE, "cases", len(cases), detail=note)]
    for backend, retriever in retrievers.items():
        for k in (1, 3):
            value, misses = recall(retriever, cases, k)
            target, passed = "", None
            if k == 3 and backend in (gated, "lexical"):
                floor = GATES["lexical" if backend == "lexical" else "model"]
                target, passed = f">= {floor:.2f}", value >= floor
            detail = ("default; " if backend == gated else "") + (
                f"missed: {', '.join(misses)}" if misses else "no misses"
            )
            results.append(Result(SUITE, f"{backend} recall@{k}", value, target, passed, detail))
    return results
