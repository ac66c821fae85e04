"""`coach retrieve` over the real cards: the JSON shape, the readable listing, the errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.cli import main
from coach.retrieval import get_retriever
from coach.settings import REPO_DIR


@pytest.fixture(autouse=True)
def _keyword_retriever(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keyword search: embedding all the real cards would take seconds; test_retrieval.py
    covers the model-backed retriever behind the same command."""
    monkeypatch.setenv("COACH_EMBEDDING_MODEL_DIR", str(tmp_path))
    get_retriever.cache_clear()
    yield
    get_retriever.cache_clear()


def test_json_lists_each_query_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    queries = ["how do I ask them why they said no", "I am furious and want to reply right now"]
    assert main(["retrieve", *queries, "--k", "2", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["query"] for e in entries] == queries
    for entry in entries:
        assert entry["backend"] == "lexical"
        assert len(entry["passages"]) == 2
        for passage in entry["passages"]:
            assert set(passage) == {"id", "topic", "step", "title", "score", "text"}
            assert passage["text"]
    assert entries[0]["passages"][0]["topic"] in ("ask-feedback", "real-reason")


def test_readable_listing_names_the_cards(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retrieve", "should I try again with a better offer"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("should I try again with a better offer  [")
    assert out.count("\n  ") == 3  # three cards, one line each


def test_query_over_the_model_limit_is_answered(capsys: pytest.CaptureFixture[str]) -> None:
    long_query = "they rejected my proposal and I do not know what to do next " * 60
    assert main(["retrieve", long_query, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)[0]["passages"]) == 3


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_is_one_clear_error(query: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retrieve", "they said no", query]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "empty query" in captured.err


def test_bad_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COACH_LLM_TIMEOUT", "soon")
    assert main(["retrieve", "they said no"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "COACH_LLM_TIMEOUT" in err


def test_broken_card_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "bad.md").write_text("no front matter here")
    monkeypatch.setenv("COACH_KNOWLEDGE_DIR", str(tmp_path))
    assert main(["retrieve", "they said no"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.md" in err


def test_the_command_exits_2_on_an_empty_query() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "coach.cli", "retrieve", " "],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == "" and done.stderr.startswith("coach: error: empty query")
