"""Shared fixtures: no test reaches beyond 127.0.0.1, and each gets its own data dir."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from coach.settings import get_settings
from tests.model import MODEL_DIR

if TYPE_CHECKING:
    from coach.session import Deps

_real_connect = socket.socket.connect
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host not in _LOOPBACK:
        raise RuntimeError(f"test tried to reach the network: {host}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(scope="session")
def _heads_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of trained heads for the whole run: the screen's bank embeds once (~15 s)."""
    return tmp_path_factory.mktemp("heads")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       _heads_cache: Path) -> Iterator[None]:
    """Each test gets a fresh data dir and no LLM unless it configures one."""
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COACH_CACHE_DIR", str(_heads_cache))
    # The shared model when there is one; else a folder that is not there, so that nothing
    # (a CLI subprocess included) tries to download one: the no-model path runs instead.
    has_model = (MODEL_DIR / "onnx" / "model.onnx").is_file()
    # The rules reader unless a test asks for the embedding one (tests/test_reading.py): the
    # banks take ~20 s to embed and fit on a fresh data dir.
    monkeypatch.setenv("COACH_READER", "rules")
    monkeypatch.setenv("COACH_EMBEDDING_MODEL_DIR",
                       str(MODEL_DIR if has_model else tmp_path / "no-model"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COACH_CHROMA_URL", "COACH_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    from coach.retrieval import get_retriever
    from coach.session import default_deps

    caches = (get_settings, get_retriever, default_deps)
    for cache in caches:
        cache.cache_clear()
    yield
    for cache in caches:
        cache.cache_clear()


@pytest.fixture(scope="session")
def offline_deps() -> Deps:
    """Templates, rules and keyword search over the real cards: no model, no network."""
    from coach.knowledge import load_cards
    from coach.llm import FallbackModel
    from coach.retrieval import Retriever
    from coach.session import Deps
    from coach.settings import REPO_DIR
    from coach.story import RuleStoryExtractor

    retriever = Retriever(load_cards(REPO_DIR / "knowledge"))
    return Deps(retriever.search, FallbackModel(None), RuleStoryExtractor())
