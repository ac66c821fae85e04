"""The conversation suite through a real local model (`make test-llm`): every flow completes.

Needs LIVE_LLM_URL (an OpenAI-compatible base URL, e.g. llama-cpp-python's server with
SmolLM2-135M-Instruct); skipped without it, and marked live_llm so `make test` never waits for
a model. A tiny model writes poor text: the point is that the gate catches it and the person
still gets a good reply every turn, on the same steps as offline. It prints how many replies
came from the model, how many the gate rejected and why; LIVE_LLM_REPORT names a file to write
that table to as well.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from coach import replay
from coach.session import default_deps, offline_deps
from coach.settings import get_settings
from evals.result import DATA_DIR

pytestmark = pytest.mark.live_llm
URL = os.environ.get("LIVE_LLM_URL")
SHOWN_BAD = re.compile(r"https?://|!\[|\]\(|</?[a-zA-Z][\w-]*[^<>]*>|<start_of_turn>|<\|", re.I)


def _reason(message: str) -> str:
    """'gate: too long (154 words)' -> 'gate: too long': group by kind, not by count."""
    return re.sub(r" \(\d+ words\)| at step \d", "", message.split(": ", 1)[-1])


@pytest.mark.skipif(not URL, reason="LIVE_LLM_URL is unset (make test-llm sets it)")
def test_the_conversation_suite_completes_through_a_real_model(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", str(URL))
    monkeypatch.setenv("COACH_MODEL", os.environ.get("LIVE_LLM_MODEL", "smollm2"))
    monkeypatch.setenv("COACH_LLM_TIMEOUT", os.environ.get("LIVE_LLM_TIMEOUT", "180"))
    get_settings.cache_clear()
    default_deps.cache_clear()
    offline = {case["name"]: [t["step"] for t in replay.run(
        replay.Script(turns=case["turns"]), deps=offline_deps(), seed=0)["turns"]]
        for case in json.loads((DATA_DIR / "conversations.json").read_text(encoding="utf-8"))}
    deps = default_deps()
    caplog.set_level(logging.INFO, logger="coach.llm")
    cases = json.loads((DATA_DIR / "conversations.json").read_text(encoding="utf-8"))
    sources: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    extraction = Counter[str]()
    traces_as_offline, seconds, problems = 0, [], []
    for case in cases:
        caplog.clear()
        started = time.perf_counter()
        record = replay.run(replay.Script(turns=case["turns"]), deps=deps, seed=0)
        seconds.append((time.perf_counter() - started) / len(case["turns"]))
        turns = record["turns"]
        sources.update(t["source"] for t in turns)
        said = [r.getMessage() for r in caplog.records]
        rejected.update(_reason(m) for m in said if "using the template" in m)
        extraction.update(_reason(m) for m in said if "extraction failed" in m)
        steps = [t["step"] for t in turns]
        traces_as_offline += steps == offline[case["name"]]
        if steps != offline[case["name"]]:
            problems.append(f"{case['name']}: steps {steps}, offline {offline[case['name']]}")
        if len(turns) != len(case["turns"]) or not all(t["reply"].strip() for t in turns):
            problems.append(f"{case['name']}: a turn went unanswered")
        if case["kind"] == "cooperative" and record["completed_steps"] != [1, 2, 3, 4, 5, 6]:
            problems.append(f"{case['name']}: completed only {record['completed_steps']}")
        problems += [f"{case['name']}: shown {t['reply'][:80]!r}" for t in turns
                     if SHOWN_BAD.search(t["reply"])]
    rows = [f"live model {URL}: {len(cases)} conversations, {sum(sources.values())} turns",
            f"  replies from the model (passed the gate): {sources['llm']}"
            f" ({sources['llm'] / max(sum(sources.values()), 1):.0%})",
            f"  replies from templates: {sources['template']}",
            f"  step traces identical to offline: {traces_as_offline}/{len(cases)}",
            f"  seconds per turn: median {sorted(seconds)[len(seconds) // 2]:.1f}",
            "  template because (LLM reply rejected by the gate, or the call failed):"]
    rows += [f"    {n:3d}  {reason}" for reason, n in rejected.most_common()]
    rows.append("  story extraction fell back to the rules because:")
    rows += [f"    {n:3d}  {reason}" for reason, n in extraction.most_common()]
    table = "\n".join(rows)
    print(table)
    if os.environ.get("LIVE_LLM_REPORT"):
        Path(os.environ["LIVE_LLM_REPORT"]).write_text(table + "\n", encoding="utf-8")
    assert not problems, problems
