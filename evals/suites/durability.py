"""Crash loops: SIGKILL writers 20 times each against SQLite (WAL) and Postgres, and the CLI.

Writers (evals/reliability/driver.py): "store" commits message, reply and state separately;
"app" follows app.py (message, then reply and state in one transaction). Gates per loop: every
kill survived (the database opens and passes its checks), no lost committed message, no
corrupt conversation. Postgres runs in a throwaway cluster (installed with apt-get when
missing); when it cannot be had, its rows say "not run" with the reason and no verdict.
"""

from __future__ import annotations

import json
import os

from evals.reliability import crashloop, postgres
from evals.reliability.env import model_dir, scratch_env
from evals.result import Result

KILLS = {True: 20, False: 5}


def _rows(name: str, report: crashloop.LoopReport, kills: int) -> list[Result]:
    detail = f"{report.commits} commits reported, {report.seconds:.0f}s"
    return [
        Result("durability", f"{name}: kills survived", report.kills, f"{kills}",
               report.kills == kills and not report.problems,
               "; ".join(report.problems[:2]) or detail),
        Result("durability", f"{name}: lost messages", len(report.lost), "0", not report.lost,
               ", ".join(report.lost[:5])),
    ]


def run(full: bool) -> list[Result]:
    kills = KILLS[full]
    results: list[Result] = []
    found = model_dir()
    extra = {"COACH_EMBEDDING_MODEL_DIR": str(found)} if found else {}
    with scratch_env(**extra) as data:
        data.mkdir(parents=True)
        for kind in ("store", "app"):
            report = crashloop.crash_loop(kind, f"sqlite:///{data / f'{kind}.db'}", kills)
            results += _rows(f"sqlite {kind}", report, kills)
        script = data.parent / "script.json"
        script.write_text(json.dumps({"turns": ["My landlord said no to fixing the heating.",
                                                "They said no. I got a no."]}))
        # The CLI writes no conversation; with a model it builds Chroma in the data dir.
        report = crashloop.cli_crash_loop(script, kills, env=dict(os.environ),
                                          reset=data / "chroma")
        results.append(Result("durability", "cli replay: kills mid-run, answers unchanged",
                              report.kills, f"<= {kills}", not report.problems,
                              "; ".join(report.problems) or
                              f"{report.kills} of {kills} kills landed before it finished"))
        try:
            with postgres.throwaway_cluster() as url:
                for kind in ("store", "app"):
                    results += _rows(f"postgres {kind}",
                                     crashloop.crash_loop(kind, url, kills, seed=1), kills)
        except postgres.PostgresUnavailable as exc:
            results.append(Result("durability", "postgres: not run", 0, "", None, str(exc)))
    return results
