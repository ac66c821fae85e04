"""SIGKILL a writer at random moments, then check the store: nothing committed is lost.

`crash_loop(kind, url, kills)` starts `python -m evals.reliability.driver KIND URL`, waits for
a random number of commits (0-12) plus a random 0-30 ms, SIGKILLs it, and checks the store
after every kill: the database opens (SQLite: `PRAGMA integrity_check` is ok), every commit
the driver reported is there with the same role and text, and each conversation alternates
user, reply, user... from seq 1 (a reply never without its message before it). For "app",
whose reply and state commit together, the state's turn count must equal the replies stored.
`cli_crash_loop` does the same to `coach replay`, which writes no conversation, only the
Chroma index in the data dir: after the kills the CLI must answer exactly as before.
It does not start databases (postgres.py does).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from coach.session import SessionState
from coach.settings import REPO_DIR
from coach.store import Store
from evals.reliability.driver import digest


@dataclass
class LoopReport:
    """What one crash loop did and found."""

    kills: int = 0
    commits: int = 0  # commits the driver reported before being killed, over all runs
    lost: list[str] = field(default_factory=list)  # reported commits missing or changed
    problems: list[str] = field(default_factory=list)  # corruption, crashes, bad states
    seconds: float = 0.0


def _run_once(argv: list[str], env: dict[str, str], ready: Callable[[list[str]], bool],
              delay: float) -> tuple[list[str], str, bool]:
    """Start, wait until `ready(stdout lines so far)`, then `delay` seconds, then SIGKILL.

    Returns the stdout lines printed before the kill, stderr, and whether it was killed
    (False: it had already exited).
    """
    proc = subprocess.Popen(argv, cwd=REPO_DIR, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    lines: list[str] = []
    out = proc.stdout

    def read() -> None:  # line by line, so that `ready` sees each commit as it is printed
        for line in out:
            if line.endswith("\n"):  # a line cut short by the kill was never fully reported
                lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    while not ready(lines) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join(timeout=10)  # the pipe still holds what was printed before the kill
    err = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    return lines, err, killed


def _wait_for_dead_clients(store: Store) -> None:
    """Postgres: let the server finish the killed client's last statement before reading.

    A client killed right after sending COMMIT leaves the server to complete it a moment
    later; reading before then could see half of what is about to be committed.
    """
    if store.engine.dialect.name != "postgresql":
        return
    others = text("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                  " AND pid <> pg_backend_pid() AND datname = current_database()")
    deadline = time.monotonic() + 10
    with store.engine.connect() as db:
        while db.execute(others).scalar() and time.monotonic() < deadline:
            time.sleep(0.02)


def _commits_at_least(count: int) -> Callable[[list[str]], bool]:
    return lambda lines: sum(line.startswith("commit ") for line in lines) >= count


def check_store(url: str, committed: dict[tuple[str, int], tuple[str, str]], kind: str,
                report: LoopReport) -> None:
    """Open the store and compare it with what the driver reported as committed."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            report.problems.append(f"integrity_check: {verdict}")
    store = Store(url)
    try:
        _wait_for_dead_clients(store)
        for conv_id in {conv for conv, _ in committed}:
            conv = store.get(conv_id)
            if conv is None:
                report.lost.append(f"conversation {conv_id}")
                continue
            have = {m.seq: (m.role, digest(m.text)) for m in conv.messages}
            report.lost += [f"{conv_id}#{seq}" for (c, seq), v in committed.items()
                            if c == conv_id and have.get(seq) != v]
            roles = [m.role for m in conv.messages]
            if [m.seq for m in conv.messages] != list(range(1, len(roles) + 1)) or any(
                    role != ("user" if i % 2 == 0 else "assistant")
                    for i, role in enumerate(roles)):
                report.problems.append(f"{conv_id}: messages out of order: {roles[-6:]}")
            state = SessionState.model_validate_json(conv.state or "{}")
            replies = roles.count("assistant")
            if kind == "app" and state.turns != replies:
                report.problems.append(f"{conv_id}: state has {state.turns} turns for "
                                       f"{replies} stored replies")
    finally:
        store.engine.dispose()


def crash_loop(kind: str, url: str, kills: int, *, seed: int = 0,
               env: dict[str, str] | None = None) -> LoopReport:
    """Kill the driver `kills` times at random moments, checking the store after each."""
    rng = random.Random(seed)
    report = LoopReport()
    committed: dict[tuple[str, int], tuple[str, str]] = {}
    argv = [sys.executable, "-m", "evals.reliability.driver", kind, url]
    start = time.perf_counter()
    for _ in range(kills):
        lines, err, killed = _run_once(argv, env or dict(os.environ),
                                       _commits_at_least(rng.randint(0, 12)),
                                       rng.uniform(0, 0.03))
        if not killed:
            report.problems.append(f"driver exited by itself: {err.strip()[-300:]}")
            break
        report.kills += 1
        for line in lines:
            if line.startswith("commit "):
                _, conv, seq, role, text_digest = line.split()
                committed[(conv, int(seq))] = (role, text_digest)
                report.commits += 1
        check_store(url, committed, kind, report)
    report.seconds = time.perf_counter() - start
    return report


def cli_crash_loop(script: Path, kills: int, *, seed: int = 0,
                   env: dict[str, str] | None = None, reset: Path | None = None) -> LoopReport:
    """Kill `coach replay SCRIPT --offline --json` mid-run; it must then answer as before.

    `reset` (Chroma's folder in the data dir) is deleted before each killed run, so that a
    kill can land in the one write the CLI makes: building the search index.
    """
    rng = random.Random(seed)
    report = LoopReport()
    argv = [sys.executable, "-m", "coach.cli", "replay", str(script), "--offline", "--json"]
    run_env = env or dict(os.environ)
    start = time.perf_counter()
    before = subprocess.run(argv, cwd=REPO_DIR, env=run_env, capture_output=True, text=True)
    whole = time.perf_counter() - start
    for _ in range(kills):
        # Its output comes in one print at the end, so kill on time, not on lines.
        if reset is None:
            # Within the first third: a warm rerun can be much faster than the first run.
            _, _, killed = _run_once(argv, run_env, lambda _: True, rng.uniform(0, whole / 3))
        else:
            shutil.rmtree(reset, ignore_errors=True)
            # The index build starts when its folder appears and takes a second or more.
            _, _, killed = _run_once(argv, run_env, lambda _: reset.exists(), rng.uniform(0, 1))
        report.kills += killed
    after = subprocess.run(argv, cwd=REPO_DIR, env=run_env, capture_output=True, text=True)
    if before.returncode != 0 or after.returncode != 0:
        report.problems.append(f"replay failed: exit {before.returncode} before the kills, "
                               f"{after.returncode} after: {after.stderr.strip()[-300:]}")
    elif after.stdout != before.stdout:
        report.problems.append("replay answers differently after the kills than before")
    report.seconds = time.perf_counter() - start
    return report
