"""The `coach` command: replay's JSON shape, its errors, and bad settings, as a user sees them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.cli import main

COACH = {"mode": "coach", "turns": [
    "My landlord said no to lowering the rent by 100 a month.", "skip to step 6",
    "Yes, he said no."]}
REHEARSE = {"mode": "rehearse", "scenario": {
    "title": "Rent", "context": "rent renewal", "counterparty": "Mr Hale, landlord",
    "offer": "rent 100 lower", "opening_no": "No, the rent stays.", "hidden_reason": "timing"},
    "seed": 3, "turns": ["Is it the money?", "What would need to change for this to work?", "end"]}


def replay(tmp_path: Path, capsys: pytest.CaptureFixture[str], script: object,
           *flags: str) -> tuple[int, str, str]:
    path = tmp_path / "script.json"
    path.write_text(json.dumps(script) if not isinstance(script, str) else script)
    code = main(["replay", str(path), "--offline", *flags])
    out, err = capsys.readouterr()
    return code, out, err


def test_replay_json_gives_every_turn_in_the_documented_shape(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = replay(tmp_path, capsys, COACH, "--json")
    record = json.loads(out)
    assert code == 0 and record["mode"] == "coach"
    assert [t["step"] for t in record["turns"]] == [1, 1, 2]
    assert record["completed_steps"] == [1]
    turn = record["turns"][0]
    assert {"user", "reply", "step", "step_name", "citations", "source", "safety"} <= set(turn)
    assert turn["source"] == "template" and turn["safety"] is None
    assert {"id", "topic"} <= set(turn["citations"][0])


def test_a_list_of_scripts_gives_a_list_back(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = replay(tmp_path, capsys, [COACH, REHEARSE], "--json")
    records = json.loads(out)
    assert code == 0 and [r["mode"] for r in records] == ["coach", "rehearse"]


def test_rehearsal_replay_reports_moves_and_a_debrief(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = replay(tmp_path, capsys, REHEARSE, "--json")
    record = json.loads(out)
    first = record["turns"][0]
    assert code == 0 and first["assessment"]["question_type"] == "closed"
    assert {"user", "reply", "source", "safety", "reveal_level"} <= set(first)
    assert set(first["assessment"]) >= {"question_type", "tags", "better"}
    assert record["debrief"]["hidden_reason"] == "timing"
    assert {"uncovered", "uncovered_at_turn", "score", "best_move", "weakest_move"} <= set(
        record["debrief"])


@pytest.mark.parametrize("script, says", [
    ("{not json", "not a JSON file"),
    ({"mode": "coach"}, "turns"),
    ({"mode": "lecture", "turns": ["hi"]}, "mode"),
    ([], "no conversations"),
    ({"mode": "rehearse", "scenario": "no-such-one", "turns": ["hi"]}, "unknown scenario"),
    ({"mode": "rehearse", "scenario": {"title": "x"}, "turns": ["hi"]}, "inline scenario"),
])
def test_a_malformed_script_gives_one_clear_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], script: object, says: str) -> None:
    code, out, err = replay(tmp_path, capsys, script)
    assert code == 2 and out == ""
    assert says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_missing_script_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "/no/such/file.json"]) == 2
    assert "no such script" in capsys.readouterr().err


def test_an_invalid_setting_is_named_with_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LLM_TIMEOUT", "soon")
    path = tmp_path / "s.json"
    path.write_text(json.dumps(COACH))
    assert main(["replay", str(path)]) == 2
    err = capsys.readouterr().err
    assert "COACH_LLM_TIMEOUT" in err and "Traceback" not in err
