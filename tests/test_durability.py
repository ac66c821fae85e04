"""SIGKILL during writes loses nothing: SQLite (WAL), Postgres, and the CLI (5 kills each here).

`python -m evals durability` runs the same loops with 20 kills each.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.store import Store
from evals.reliability import crashloop, postgres
from evals.reliability.driver import digest
from evals.reliability.env import model_dir

KILLS = 5


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    try:
        with postgres.throwaway_cluster() as url:
            yield url
    except postgres.PostgresUnavailable as exc:
        pytest.skip(f"no postgres here: {exc}")


def _assert_survived(report: crashloop.LoopReport) -> None:
    assert report.problems == []
    assert report.lost == []
    assert report.kills == KILLS
    assert report.commits > KILLS  # the kills landed while it was writing, not before


@pytest.mark.parametrize("kind", ["store", "app"])
def test_sqlite_keeps_every_committed_message_through_kills(tmp_path: Path, kind: str) -> None:
    _assert_survived(crashloop.crash_loop(kind, f"sqlite:///{tmp_path / 'coach.db'}", KILLS,
                                          seed=1))


@pytest.mark.parametrize("kind", ["store", "app"])
def test_postgres_keeps_every_committed_message_through_kills(postgres_url: str,
                                                              kind: str) -> None:
    report = crashloop.crash_loop(kind, postgres_url, KILLS, seed=2)
    _assert_survived(report)


def test_cli_replay_answers_the_same_after_kills(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"turns": ["My landlord said no to fixing the heating.",
                                            "They said no. I got a no."]}), encoding="utf-8")
    data = Path(os.environ["COACH_DATA_DIR"])
    env = dict(os.environ)
    found = model_dir()
    if found is not None:  # then the CLI builds a Chroma index: kill it mid-build
        env["COACH_EMBEDDING_MODEL_DIR"] = str(found)
    # Without a model the CLI writes nothing but its output: kill it on time instead.
    reset = data / "chroma" if found is not None else None
    report = crashloop.cli_crash_loop(script, 2, seed=3, env=env, reset=reset)
    assert report.problems == []
    assert report.kills >= 1  # at least one kill landed before it had finished


def test_the_check_notices_a_lost_message_and_a_reply_without_its_message(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    store = Store(url)
    conv = store.create("coach", "t", "{}")
    store.add_message(conv, "assistant", "a reply with no message before it")
    report = crashloop.LoopReport()
    crashloop.check_store(url, {(conv, 1): ("assistant", digest("a reply with no message "
                                                                "before it")),
                                (conv, 2): ("user", digest("never written"))}, "store", report)
    assert report.lost == [f"{conv}#2"]
    assert "out of order" in report.problems[0]
