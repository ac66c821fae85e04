"""The API key never shows: not in replies, CLI output, logs, errors, exports, SQLite or Chroma.

Every surface runs with OPENAI_API_KEY set to a fresh marker, against the stub (which even
echoes the key back in its error bodies) and against a closed port.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

import pytest

from evals.reliability import leaks
from evals.reliability.env import clear_caches, model_dir
from tests.openai_stub import Behaviour, OpenAIStub

# Failures that carry the key in their body, between good replies (so the breaker stays shut).
ECHOES = [Behaviour(status=401, echo_key=True), Behaviour(),
          Behaviour(status=500, echo_key=True), Behaviour()] * 3


def _configure(monkeypatch: pytest.MonkeyPatch, marker: str, base_url: str) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", marker)
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    if model_dir() is not None:  # then the retriever writes a Chroma store to scan as well
        monkeypatch.setenv("COACH_EMBEDDING_MODEL_DIR", str(model_dir()))
    clear_caches()


def _logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [caplog.handler.format(r) + (r.exc_text or "") for r in caplog.records]


def test_the_key_reaches_the_server_but_nothing_the_person_or_disk_sees(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    data_dir = Path(os.environ["COACH_DATA_DIR"])
    marker = leaks.new_marker()
    caplog.set_level(logging.DEBUG)
    with OpenAIStub() as stub:
        stub.queue.extend(ECHOES)
        _configure(monkeypatch, marker, stub.base_url)
        seen = leaks.exercise(data_dir)
    used = [r for r in stub.requests if marker in r["headers"].get("authorization", "")]
    assert len(used) >= 6  # the LLM path really ran with the key, echoes included
    assert any(t for where, t in seen.texts.items() if "llm" in t and "turns" in where)
    found = leaks.scan(marker, seen, data_dir, _logs(caplog))
    assert found.hits == []
    # At least the SQLite database was read (its WAL only while a connection holds it open).
    assert (data_dir / "coach.db").exists() and found.files >= 1


def test_a_closed_port_fails_without_showing_the_key(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    data_dir = Path(os.environ["COACH_DATA_DIR"])
    marker = leaks.new_marker()
    caplog.set_level(logging.DEBUG)
    with socket.socket() as s:  # bound, never listening: connections are refused
        s.bind(("127.0.0.1", 0))
        _configure(monkeypatch, marker, f"http://127.0.0.1:{s.getsockname()[1]}/v1")
        seen = leaks.exercise(data_dir)
    found = leaks.scan(marker, seen, data_dir, _logs(caplog))
    assert found.hits == []
    assert found.places > 10


def test_the_scan_finds_a_planted_marker(tmp_path: Path) -> None:
    marker = leaks.new_marker()
    (tmp_path / "db.sqlite-wal").write_bytes(b"\x00\x01" + marker.encode() + b"\x00")
    seen = leaks.Exposure()
    seen.add("stdout", "nothing here")
    seen.errors.append(f"AuthenticationError: bad key {marker}")
    found = leaks.scan(marker, seen, tmp_path, [f"openai DEBUG {marker}"])
    assert sorted(found.hits) == ["db.sqlite-wal", "error 0", "log 0"]
