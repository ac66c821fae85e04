"""Fuzz drivers shared by tests/test_fuzz.py and `python -m evals fuzz`.

Each driver runs generated conversations through one surface (the coach session, the
rehearsal session, `coach replay --offline --json` and its text output) and checks them with
properties.py. `run_cli` captures the CLI's stdout through a strict UTF-8 stream, as a
terminal or pipe would encode it. The eval wraps the drivers in hypothesis with failures
counted instead of raised (`collect`), so one bad input does not hide the rest.
"""

from __future__ import annotations

import io
import json
import time
import traceback
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach import cli
from coach.scenarios import Scenario
from coach.session import Deps, Session, SessionState
from evals.reliability import strategies
from evals.reliability.properties import Tally, Violation, check_record, converse

HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
          HealthCheck.function_scoped_fixture]


def fuzz_settings(examples: int) -> settings:
    """Derandomized (the same cases every run), no deadline: 200 KB turns take a while."""
    return settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                    suppress_health_check=HEALTH, print_blob=True)


def coach_turns(deps: Deps, messages: list[str], seed: int, tally: Tally) -> None:
    converse(Session(SessionState(seed=seed), deps=deps), messages, tally)


def rehearsal_turns(deps: Deps, scenario: Scenario, messages: list[str], seed: int,
                    tally: Tally) -> None:
    converse(Session.rehearse(scenario, seed=seed, deps=deps), messages, tally)


def run_cli(argv: list[str]) -> tuple[int, str]:
    """`coach ARGV...` in this process; its exit code and stdout, strictly UTF-8 encoded."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="\n")
    with redirect_stdout(out):
        code = cli.main(argv)
        out.flush()
    return code, raw.getvalue().decode("utf-8")


def replay_turns(scripts: list[dict[str, Any]], path: Path, tally: Tally) -> None:
    """Write the scripts, replay them with --json and as text; check every record."""
    path.write_text(json.dumps(scripts), encoding="utf-8")  # lone surrogates become \udxxx
    code, out = run_cli(["replay", str(path), "--offline", "--json"])
    if code != 0:
        raise Violation(f"coach replay --json exited {code}")
    records = json.loads(out)
    for script, record in zip(scripts, records, strict=True):
        check_record(script, record, tally)
    code, text = run_cli(["replay", str(path), "--offline"])
    answered = text.count("\n[")  # each turn prints "[step N, source] reply"
    if code != 0 or answered < sum(len(s["turns"]) for s in scripts):
        raise Violation(f"coach replay (text) exited {code} with {answered} turns shown")


def replay_scripts(scenario_ids: list[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
    """A replay file's worth of coach and rehearsal conversations."""
    coach = st.builds(lambda turns, seed: {"mode": "coach", "turns": turns, "seed": seed},
                      strategies.coach_conversation(max_extra=3), st.integers(0, 99))
    rehearse = st.builds(
        lambda turns, seed, sid: {"mode": "rehearse", "turns": turns, "seed": seed,
                                  "scenario": sid},
        strategies.rehearsal_conversation(8), st.integers(0, 99), st.sampled_from(scenario_ids))
    return st.lists(st.one_of(coach, rehearse), min_size=1, max_size=3)


@dataclass
class FuzzReport:
    """One surface's eval run."""

    name: str
    tally: Tally
    seconds: float


def collect(name: str, strategy: st.SearchStrategy[Any], examples: int,
            body: Callable[[Any, Tally], None]) -> FuzzReport:
    """Run `body` on `examples` generated cases, recording failures instead of stopping."""
    tally = Tally()

    @fuzz_settings(examples)
    @given(strategy)
    def each(case: Any) -> None:
        try:
            body(case, tally)
        except Exception as exc:  # the eval counts every failure; the tests raise them
            where = traceback.extract_tb(exc.__traceback__)[-1]
            tally.problems.append(f"{type(exc).__name__}: {str(exc)[:200]} "
                                  f"[{Path(where.filename).name}:{where.lineno}]")

    start = time.perf_counter()
    each()
    return FuzzReport(name, tally, time.perf_counter() - start)
