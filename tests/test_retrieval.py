"""Retrieval over a tiny card set: dense with the local model, keywords without it, one index."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings

from coach.embedding import MiniLMEmbedding
from coach.knowledge import STEP_TOPICS, TOPICS, Card
from coach.retrieval import Retriever, build_retriever, get_retriever
from coach.settings import get_settings
from tests.model import MODEL_DIR, needs_model

# One card per topic, each about something a person would say in other words.
BODIES = {
    "acknowledge": "Say plainly that you were turned down. Denial and excuses only delay you.",
    "detach": "Anger is normal. Wait a day before you reply; do not send the furious email.",
    "reframe": "List what went well in the meeting and what you learned about their priorities.",
    "ask-feedback": "Ask them politely what specifically did not work in your proposal.",
    "adjust-strategy": "Change the offer: a different price, a smaller scope, or new terms.",
    "persist-smart": "Follow up later with something new instead of repeating the same pitch.",
    "realistic-goals": "Before the talk, decide the outcome you would accept and your limits.",
    "prepare-for-no": "Expect a refusal as a possible answer and rehearse your calm response.",
    "no-as-leverage": "A refusal opens the bargaining: ask what would make a yes possible.",
    "real-reason": "Budget, authority or timing often hide behind the stated reason.",
    "why-rejection-happens": "A refusal is about the offer and their situation, not your worth.",
}


def make_cards(**changed: str) -> list[Card]:
    return [
        Card(
            id=f"{topic}-card",
            topic=topic,
            step=STEP_TOPICS.index(topic) + 1 if topic in STEP_TOPICS else None,
            title=topic.replace("-", " ").capitalize(),
            body=changed.get(topic, BODIES[topic]) + " This card is for the tests only.",
        )
        for topic in TOPICS
    ]


def write_cards(knowledge_dir: Path) -> Path:
    (knowledge_dir / "cards").mkdir(parents=True, exist_ok=True)
    for card in make_cards():
        step = f"step: {card.step}\n" if card.step else ""
        front = f"id: {card.id}\ntopic: {card.topic}\n{step}title: {card.title}\n"
        (knowledge_dir / "cards" / f"{card.id}.md").write_text(f"---\n{front}---\n{card.body}\n")
    return knowledge_dir


class CountingEmbedding(MiniLMEmbedding):
    """The real model, counting the texts it embeds."""

    def __init__(self) -> None:
        super().__init__(MODEL_DIR)
        self.texts = 0

    def _forward(self, documents: list[str], batch_size: int = 32) -> Any:
        self.texts += len(documents)  # every text the model runs on, cards and queries alike
        return super()._forward(documents, batch_size)


def persistent(path: Path) -> chromadb.ClientAPI:
    return chromadb.PersistentClient(str(path), settings=ChromaSettings(anonymized_telemetry=False))


@pytest.fixture(autouse=True)
def _fresh_retriever() -> Iterator[None]:
    get_retriever.cache_clear()
    yield
    get_retriever.cache_clear()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chroma")


@pytest.fixture(scope="module")
def dense(store: Path) -> Retriever:
    return Retriever(make_cards(), persistent(store), CountingEmbedding(), fuse=False)


@needs_model
def test_dense_search_answers_in_other_words(dense: Retriever) -> None:
    passages = dense.search("I was so mad I almost wrote an angry message back", k=3)
    assert dense.backend == "dense"
    assert passages[0].topic == "detach"
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


@needs_model
def test_topic_filter_keeps_to_the_topics(dense: Retriever) -> None:
    passages = dense.search("I was so mad", k=3, topics=["reframe", "ask-feedback"])
    assert {p.topic for p in passages} == {"reframe", "ask-feedback"}


@needs_model
def test_second_start_reuses_the_index_and_repeats_are_cached(
    dense: Retriever, store: Path
) -> None:
    again = CountingEmbedding()
    second = Retriever(make_cards(), persistent(store), again, fuse=False)
    assert again.texts == 0  # no card embedded on the second start
    query = "what exactly was wrong with my proposal"
    assert second.search(query) == dense.search(query)
    second.search(query)
    second.search(query, k=1, topics=["ask-feedback"])
    assert again.texts == 1  # the repeats, with any k and topics, came from the cache


@needs_model
def test_changed_card_rebuilds_the_index(tmp_path: Path) -> None:
    first = CountingEmbedding()
    Retriever(make_cards(), persistent(tmp_path), first)
    changed = make_cards(detach="Go for a long walk by the river to clear your head.")
    second = CountingEmbedding()
    retriever = Retriever(changed, persistent(tmp_path), second, fuse=False)
    assert second.texts == len(changed)
    assert retriever.search("a stroll near the water", k=1)[0].topic == "detach"


class SwitchedModel(CountingEmbedding):
    def identity(self) -> str:
        return "another-model"


@needs_model
def test_index_from_another_model_is_rebuilt(tmp_path: Path) -> None:
    from chromadb.utils.embedding_functions import DefaultEmbeddingFunction

    client = persistent(tmp_path)
    client.create_collection("coach_cards", embedding_function=DefaultEmbeddingFunction())
    for model in (CountingEmbedding(), SwitchedModel()):
        retriever = Retriever(make_cards(), client, model)
        assert model.texts == len(TOPICS)
        assert retriever.search("ask them what did not work", k=1)[0].topic == "ask-feedback"


@needs_model
def test_query_over_the_model_limit_is_truncated(dense: Retriever) -> None:
    query = "they refused my offer and I am furious " * 120  # ~1000 tokens
    assert len(dense.search(query, k=2)) == 2


@needs_model
def test_embedding_ignores_padding_and_matches_stock_chroma() -> None:
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    class Stock(ONNXMiniLM_L6_V2):
        DOWNLOAD_PATH = MODEL_DIR

    texts = ["no", "they turned down my offer for the flat after two weeks of talks"]
    ours = MiniLMEmbedding(MODEL_DIR)
    batched = np.array(ours(texts))
    alone = np.array([ours([text])[0] for text in texts])
    np.testing.assert_allclose(batched, alone, atol=1e-5)
    np.testing.assert_allclose(batched, np.array(Stock()(texts)), atol=1e-5)


@needs_model
def test_settings_with_model_dir_give_a_model_backed_retriever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COACH_KNOWLEDGE_DIR", str(write_cards(tmp_path / "knowledge")))
    monkeypatch.setenv("COACH_EMBEDDING_MODEL_DIR", str(MODEL_DIR))
    retriever = get_retriever()
    assert retriever.backend in ("dense", "hybrid") and retriever.notice is None
    assert retriever.search("what they really meant by no budget", k=1)[0].topic == "real-reason"
    assert (tmp_path / "data" / "chroma").is_dir()
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("model_dir", [None, "empty"])
def test_without_a_model_search_uses_keywords_and_says_so_once(
    model_dir: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COACH_KNOWLEDGE_DIR", str(write_cards(tmp_path / "knowledge")))
    if model_dir is None:  # unset: the download is tried, and the test's network guard stops it
        monkeypatch.delenv("COACH_EMBEDDING_MODEL_DIR", raising=False)
        monkeypatch.setattr(MiniLMEmbedding, "DOWNLOAD_PATH", tmp_path / "download")
    else:
        (tmp_path / model_dir).mkdir()
        monkeypatch.setenv("COACH_EMBEDDING_MODEL_DIR", str(tmp_path / model_dir))
    first = get_retriever()
    assert get_retriever() is first
    assert first.backend == "lexical" and first.notice and "keywords" in first.notice
    passages = first.search("should I change the price or the scope of my offer?", k=2)
    assert passages[0].topic == "adjust-strategy"
    assert first.search("furious", k=3, topics=["reframe"])[0].topic == "reframe"
    assert capsys.readouterr().err.count("keywords") == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """A real `chroma run` on 127.0.0.1, stopped after the test."""
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen(
        [str(chroma), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "chroma run failed"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@needs_model
def test_chroma_server_holds_the_index(
    chroma_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_KNOWLEDGE_DIR", str(write_cards(tmp_path / "knowledge")))
    monkeypatch.setenv("COACH_EMBEDDING_MODEL_DIR", str(MODEL_DIR))
    monkeypatch.setenv("COACH_CHROMA_URL", chroma_server)
    retriever = build_retriever(get_settings())
    assert retriever.backend in ("dense", "hybrid")
    assert retriever.search("ask them what did not work", k=1)[0].topic == "ask-feedback"
    assert not (tmp_path / "data" / "chroma").exists()  # nothing stored locally
    port = int(chroma_server.rsplit(":", 1)[1])
    client = chromadb.HttpClient(
        "127.0.0.1", port, settings=ChromaSettings(anonymized_telemetry=False)
    )
    assert client.get_collection("coach_cards").count() == len(TOPICS)
