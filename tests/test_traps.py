"""The thinking-trap spotter the reframe step uses to name what the person is doing."""

from __future__ import annotations

import importlib
import json
import time
from pathlib import Path
from types import ModuleType
from typing import get_args

import pytest

from coach.traps import TRAP_NAMES, Trap, explain, spot

CLEAR_CASES: list[tuple[Trap, str]] = [
    ("personalizing", "Lexa said no to my new rate. I'm probably just not good enough to charge "
                      "more."),
    ("overgeneralizing", "The investor passed. This always happens, every single pitch ends the "
                         "same way."),
    ("catastrophizing", "They withdrew the offer and now my career is over."),
    ("labeling", "I didn't get the contract. I'm such an idiot."),
    ("mind_reading", "The hiring manager said no. She probably thinks I'm arrogant."),
    ("fortune_telling", "My landlord refused. I'll never find a decent flat at this price."),
    ("all_or_nothing", "If I don't land this client the whole year is a complete failure."),
    ("should_statements", "I should have asked for less. I shouldn't have pushed so hard."),
    ("disqualifying_the_positive", "They liked my portfolio, but they were just being polite."),
    ("emotional_reasoning", "I feel like a fraud, so I must be one."),
    ("blaming", "It's all their fault, they never gave me a chance to explain."),
    ("comparing", "My colleagues all got raises this year but I got nothing."),
]


@pytest.mark.parametrize(("trap", "text"), CLEAR_CASES)
def test_a_clear_case_names_its_trap_first(trap: Trap, text: str) -> None:
    assert spot(text)[0] == trap


def test_every_trap_has_a_clear_case() -> None:
    assert {trap for trap, _ in CLEAR_CASES} == set(get_args(Trap))


@pytest.mark.parametrize(
    "text",
    [
        "My manager said the budget is closed until April, so I'll ask again in May.",
        "I asked for a 10% raise and my boss said no because there's no budget this quarter.",
        "Ok, I slept on it. Calmer now.",
        "They send me work every week.",
        "",
    ],
)
def test_a_neutral_account_has_no_trap(text: str) -> None:
    assert spot(text) == []


def test_a_lone_weak_word_is_not_enough() -> None:
    assert spot("I always prepare a one-page summary before a pitch.") == []


def test_several_traps_come_most_likely_first() -> None:
    found = spot("It's a disaster, my business is ruined, and honestly I'm such a failure.")
    assert found[:2] == ["catastrophizing", "labeling"]


def test_curly_apostrophes_are_read_like_straight_ones() -> None:
    assert spot("It\u2019s all my fault, I\u2019m the reason they said no.")[0] == "personalizing"


def test_every_trap_has_a_name_and_a_one_sentence_explanation() -> None:
    for trap in get_args(Trap):
        assert TRAP_NAMES[trap]
        sentence = explain(trap)
        assert sentence.endswith(".") and sentence.count(". ") == 0
        assert len(sentence.split()) <= 30


@pytest.mark.parametrize("text", ["a" * 200_000, "I'm " * 5_000, "\x00\ud800" * 1_000])
def test_hostile_input_is_quick_and_safe(text: str) -> None:
    started = time.perf_counter()
    assert isinstance(spot(text), list)
    assert time.perf_counter() - started < 0.5


@pytest.fixture
def suite(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The eval suite module (evals/ sits beside coach/, not inside the installed package)."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    return importlib.import_module("evals.suites.traps")


def test_the_external_eval_reports_missing_data_instead_of_failing(
    suite: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suite, "DATA_FILE", tmp_path / "absent.jsonl")
    [result] = suite.run(full=True)
    assert result.passed is None and "missing" in result.detail


def test_the_external_eval_groups_rows_and_maps_label_spellings(
    suite: ModuleType, tmp_path: Path
) -> None:
    rows = [
        ("I'm such an idiot, it's all my fault ->", " Labeling"),
        ("I'm such an idiot, it's all my fault ->", " Personalization"),
        ("We met on Tuesday ->", " Not distorted"),
        ("I can't stop thinking about it ->", " Negative feeling or emotion"),
    ]
    data = tmp_path / "rows.jsonl"
    data.write_text("\n".join(json.dumps({"prompt": p, "completion": c}) for p, c in rows))
    thoughts = suite.load(data)
    assert thoughts["I'm such an idiot, it's all my fault"][0] == {"labeling", "personalizing"}
    assert thoughts["We met on Tuesday"] == (set(), {"not distorted"})
    top1, _, coverage, quiet = suite._measure("dev", thoughts)
    assert (top1.value, coverage.value, quiet.value) == (1.0, 1.0, 1.0)
    assert "1 left out" in coverage.detail
