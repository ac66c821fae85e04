"""search(query, k) -> passages over the guide's cards: Chroma dense, BM25 fallback, fusion.

A `Retriever` gets its cards, its Chroma client and its embedding function injected; without an
embedding function (no model to be had) it searches by keywords (BM25) and says why in `notice`.
The Chroma collection is rebuilt only when the cards or the model change, so a second start does
no embedding work. `get_retriever()` builds the process's one retriever from the settings.
It does not check the query for size or safety: the session does that before it searches.
"""

from __future__ import annotations

import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import suppress
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from coach.knowledge import Card, content_hash, load_cards
from coach.settings import Settings, get_settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from coach.embedding import MiniLMEmbedding

Backend = Literal["dense", "hybrid", "lexical"]
COLLECTION = "coach_cards"
# Fusion measured better than dense alone on evals/data/retrieval.jsonl (58 cases, recall@3
# 0.914 vs 0.845; `python -m evals retrieval` reports both), so it is the default with a model.
FUSE_BY_DEFAULT = True
_RRF_K = 60  # the usual reciprocal-rank-fusion constant; the rankings have ~50 entries
_CACHE_SIZE = 256
_Scores = tuple[dict[str, float], dict[str, float] | None]  # (BM25, cosine) per card id


class Passage(BaseModel):
    """One retrieved card with its score (higher is better)."""

    id: str
    topic: str
    step: int | None
    title: str
    score: float
    text: str


def card_document(card: Card) -> str:
    """What gets indexed for a card: its title, then its body."""
    return f"{card.title}\n\n{card.body}"


_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: the Snowball stemmers in C, ~100x the pure-Python speed

    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Keyword terms for BM25: lower-cased words, Snowball-stemmed ("rejected" -> "reject").

    Stopwords stay: BM25's IDF already discounts them, and words like "me", "why" and "not"
    carry meaning in what people say after a No (measured: recall@3 0.914 -> 0.931).
    """
    return list(_stemmer().stemWords(_WORD.findall(text.lower().replace("'", ""))))


def _fuse(*rankings: list[str]) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: a card high in either ranking rises."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, card_id in enumerate(ranking):
            scores[card_id] = scores.get(card_id, 0.0) + 1.0 / (_RRF_K + rank + 1)
    return sorted(scores.items(), key=lambda item: -item[1])


class Retriever:
    """Search over the cards: dense (Chroma), hybrid (dense + BM25 fused) or lexical (BM25)."""

    def __init__(
        self,
        cards: Sequence[Card],
        client: ClientAPI | None = None,
        embedding_function: MiniLMEmbedding | None = None,
        *,
        fuse: bool = FUSE_BY_DEFAULT,
        notice: str | None = None,
    ) -> None:
        from rank_bm25 import BM25Okapi

        self.cards = {card.id: card for card in cards}
        self._ids = [card.id for card in cards]
        self._bm25 = BM25Okapi([terms(card_document(card)) for card in cards])
        self._embed = embedding_function
        self._collection = None
        if client is not None and embedding_function is not None:
            self._collection = _open_collection(client, embedding_function, cards)
        self.backend: Backend = (
            "lexical" if self._collection is None else ("hybrid" if fuse else "dense")
        )
        self.notice = notice  # why the search is keyword-only, for the UI to show
        self.embedder = embedding_function if self._collection is not None else None
        self._cache: OrderedDict[str, _Scores] = OrderedDict()
        self._cache_lock = threading.Lock()  # the app searches from several sessions' threads

    def search(self, query: str, k: int = 3, topics: Sequence[str] | None = None) -> list[Passage]:
        """The k best cards for the query (optionally only from `topics`), best first."""
        if not query.strip() or k < 1:
            return []
        lexical, dense = self._scores(query)
        allowed = [i for i in self._ids if not topics or self.cards[i].topic in topics]

        def ranking(scores: dict[str, float]) -> list[str]:
            return sorted(allowed, key=lambda i: -scores[i])  # stable: ties keep id order

        if dense is None:
            ranked = [(i, lexical[i]) for i in ranking(lexical)]
        elif self.backend == "dense":
            ranked = [(i, dense[i]) for i in ranking(dense)]
        else:
            ranked = _fuse(ranking(dense), ranking(lexical))
        return [self._passage(card_id, score) for card_id, score in ranked[:k]]

    def _scores(self, query: str) -> _Scores:
        """Every card's BM25 score and (with a model) cosine similarity for the query, cached:
        the coach asks about the same words with several topic filters in one turn."""
        with self._cache_lock:
            if query in self._cache:
                self._cache.move_to_end(query)
                return self._cache[query]
        lexical = dict(zip(self._ids, map(float, self._bm25.get_scores(terms(query))), strict=True))
        dense = None
        if self._collection is not None and self._embed is not None:
            found = self._collection.query(
                query_embeddings=self._embed.vectors([query]),  # the message's shared vector
                n_results=len(self._ids),  # ~50 cards: all of them costs what the top 3 cost
                include=["distances"],
            )
            distances = (found["distances"] or [[]])[0]
            # Cosine space: distance = 1 - similarity, so keep the similarity (-1 if not returned).
            dense = dict.fromkeys(self._ids, -1.0)
            dense.update((i, 1.0 - d) for i, d in zip(found["ids"][0], distances, strict=True))
        with self._cache_lock:
            self._cache[query] = (lexical, dense)
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return lexical, dense

    def _passage(self, card_id: str, score: float) -> Passage:
        card = self.cards[card_id]
        return Passage(
            id=card.id, topic=card.topic, step=card.step, title=card.title,
            score=round(score, 4), text=card.body,
        )  # fmt: skip


def _open_collection(client: ClientAPI, ef: MiniLMEmbedding, cards: Sequence[Card]) -> Any:
    """The cards' collection, rebuilt (and embedded) only when the cards or the model changed."""
    from chromadb.errors import NotFoundError

    wanted = {"content_hash": content_hash(list(cards)), "embedding": ef.identity()}
    try:
        collection = client.get_collection(COLLECTION, embedding_function=ef)  # type: ignore[arg-type]
        current = all((collection.metadata or {}).get(k) == v for k, v in wanted.items())
        # The metadata is written before the cards: a build killed in between leaves it short.
        if current and collection.count() == len(cards):
            return collection
    except (NotFoundError, ValueError):  # none yet, or made with another embedding function
        pass
    # Another process may be rebuilding at the same moment: tolerate its delete and its create.
    with suppress(NotFoundError):
        client.delete_collection(COLLECTION)
    collection = client.get_or_create_collection(
        COLLECTION,
        metadata=wanted,
        configuration={"hnsw": {"space": "cosine"}},
        embedding_function=ef,  # type: ignore[arg-type]
    )
    collection.upsert(
        ids=[card.id for card in cards],
        documents=[card_document(card) for card in cards],
        metadatas=[{"topic": card.topic} for card in cards],
    )
    return collection


def make_client(settings: Settings) -> ClientAPI:
    """A Chroma client: the server at COACH_CHROMA_URL, else a local store in the data dir."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlsplit

        url = urlsplit(settings.chroma_url)
        ssl = url.scheme == "https"
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if ssl else 8000),
            ssl=ssl,
            settings=chroma_settings,
        )
    return chromadb.PersistentClient(
        path=str(settings.data_dir / "chroma"), settings=chroma_settings
    )


def build_retriever(settings: Settings) -> Retriever:
    """A retriever from the settings: dense when a model and a store can be had, else BM25."""
    cards = load_cards(settings.knowledge_dir)
    try:
        from coach.embedding import MiniLMEmbedding

        ef = MiniLMEmbedding(settings.embedding_model_dir)
        ef.load()
        return Retriever(cards, make_client(settings), ef)
    except Exception as exc:  # any failure here means: search by keywords instead
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        hint = ("" if settings.embedding_model_dir else
                " Set COACH_EMBEDDING_MODEL_DIR to a local all-MiniLM-L6-v2 copy to fix this.")
        notice = ("Searching the guide by keywords: the embedding model or the vector store "
                  f"could not be opened ({reason[:120]}).{hint}")
        return Retriever(cards, notice=notice)


@lru_cache(maxsize=1)
def get_retriever() -> Retriever:
    """The process's retriever; its fallback notice goes to stderr once, here."""
    retriever = build_retriever(get_settings())
    if retriever.notice:
        print(f"coach: {retriever.notice}", file=sys.stderr)
    return retriever


def search(query: str, k: int = 3, topics: Sequence[str] | None = None) -> list[Passage]:
    """The k best cards for the query, from the process's retriever."""
    return get_retriever().search(query, k, topics)
