"""Scripted conversations: load a replay file and run each conversation to its JSON record.

A script is {"mode": "coach"|"rehearse", "turns": [...], "seed": N, "scenario": ...}, or a
JSON list of them, each run independently. It does not talk to the store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach import rehearsal
from coach.errors import ScriptError
from coach.scenarios import Scenario, load_scenarios
from coach.session import Deps, Session, SessionState
from coach.settings import get_settings


class Script(BaseModel):
    """One scripted conversation."""

    model_config = ConfigDict(extra="ignore")  # evals annotate scripts with their own keys

    mode: Literal["coach", "rehearse"] = "coach"
    turns: list[str] = Field(min_length=1)
    seed: int | None = None
    scenario: str | dict[str, Any] | None = None


def load_scripts(path: Path) -> tuple[list[Script], bool]:
    """The conversations in a replay file, and whether it held a list; ScriptError otherwise."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScriptError(f"no such script: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScriptError(f"{path}: not a JSON file ({exc.__class__.__name__})") from None
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise ScriptError(f"{path}: no conversations in the file")
    try:
        scripts = [Script.model_validate(item) for item in items]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "conversation"
        raise ScriptError(f"{path}: {where}: {first['msg']}") from None
    for script in scripts:  # fail on a bad scenario before any conversation runs
        if script.mode == "rehearse":
            scenario(script.scenario)
    return scripts, isinstance(raw, list)


def scenario(ref: str | dict[str, Any] | None) -> Scenario:
    """A library scenario by id (the first one when None), or an inline one."""
    if isinstance(ref, dict):
        try:
            return Scenario.model_validate(ref)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "scenario"
            raise ScriptError(f"inline scenario: {where}: {first['msg']}") from None
    library = load_scenarios(get_settings().knowledge_dir)
    if ref is None:
        return library[0]
    found = next((s for s in library if s.id == ref), None)
    if found is None:
        raise ScriptError(f"unknown scenario {ref!r}; `coach rehearse --list` lists them")
    return found


def run(script: Script, deps: Deps | None = None, seed: int = 0) -> dict[str, Any]:
    """Run one conversation and return its record (the documented --json shape)."""
    seed = script.seed if script.seed is not None else seed
    if script.mode == "rehearse":
        session = Session.rehearse(scenario(script.scenario), seed=seed, deps=deps)
    else:
        session = Session(SessionState(seed=seed), deps=deps)
    turns = [session.handle(message).model_dump() for message in script.turns]
    record: dict[str, Any] = {"mode": script.mode, "turns": turns}
    if session.state.rehearsal is not None:
        record["opening"] = session.opening
        record["debrief"] = rehearsal.debrief(session.state.rehearsal).model_dump()
    else:
        record["completed_steps"] = session.state.coach.completed
        record["plan"] = session.state.coach.plan.model_dump(mode="json")
    return record
