"""Scripted conversations: load a replay file and run each conversation to its JSON record.

A script is {"mode": "coach"|"rehearse", "turns": [...], "seed": N, "scenario": ...}, or a
JSON list of them, each run independently. It does not talk to the store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.errors import ScriptError
from coach.session import Deps, Session, SessionState


class Script(BaseModel):
    """One scripted conversation."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["coach", "rehearse"] = "coach"
    turns: list[str] = Field(min_length=1)
    seed: int | None = None
    scenario: str | dict[str, Any] | None = None
    name: str | None = None
    expect: dict[str, Any] | None = Field(default=None, description="For evals; ignored here.")


def load_scripts(path: Path) -> list[Script]:
    """The conversations in a replay file; ScriptError with one clear line otherwise."""
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
        return [Script.model_validate(item) for item in items]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "conversation"
        raise ScriptError(f"{path}: {where}: {first['msg']}") from None


def run(script: Script, deps: Deps | None = None, seed: int = 0) -> dict[str, Any]:
    """Run one conversation and return its record (the documented --json shape)."""
    session = Session(SessionState(seed=script.seed if script.seed is not None else seed),
                      deps=deps)
    turns = [session.handle(message).model_dump(exclude={"replaced"}) for message in script.turns]
    return {
        "mode": script.mode,
        "turns": turns,
        "completed_steps": session.state.coach.completed,
    }
