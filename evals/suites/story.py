"""The rule-based story extractor on first messages we wrote (evals/data/stories.jsonl).

Gates from issue 3's story understanding: context right on >= 85% of messages, whether a No
happened right on >= 95%. Finding the counterparty, the ask and the stated reason is
report-only: "found" means the field is filled when a value was expected, "matches" means
the expected words appear in what was extracted.
"""

from __future__ import annotations

import json
import statistics
import time

from coach.story import RuleStoryExtractor, Story
from evals.result import DATA_DIR, Result

SUITE = "story"
CASES = DATA_DIR / "stories.jsonl"
GATES = {"context": 0.85, "has_rejection": 0.95}
FREE_TEXT = ("counterparty", "ask", "stated_reason")


def load() -> list[dict[str, object]]:
    with CASES.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def run(full: bool) -> list[Result]:
    """Field accuracy over every case (the set is small, so --quick runs it all too)."""
    cases = load()
    extractor = RuleStoryExtractor()
    stories: list[Story] = []
    timings: list[float] = []
    for case in cases:
        started = time.perf_counter()
        stories.append(extractor.extract(str(case["text"])))
        timings.append((time.perf_counter() - started) * 1000)
    results = []
    for field, gate in GATES.items():
        wrong = [str(c["id"]) for c, s in zip(cases, stories, strict=True)
                 if getattr(s, field) != c[field]]
        value = 1 - len(wrong) / max(len(cases), 1)
        detail = f"{len(cases) - len(wrong)}/{len(cases)}" + (f"; wrong: {', '.join(wrong)}"
                                                               if wrong else "")
        results.append(Result(SUITE, f"{field}_accuracy", value, f">= {gate:.2f}",
                              value >= gate, detail))
    for field in FREE_TEXT:
        expected = [(c, s) for c, s in zip(cases, stories, strict=True) if c[field]]
        found = [(c, s) for c, s in expected if getattr(s, field)]
        matched = [c for c, s in found if str(c[field]).lower() in getattr(s, field).lower()]
        n = max(len(expected), 1)
        spurious = sum(1 for c, s in zip(cases, stories, strict=True)
                       if not c[field] and getattr(s, field))
        results.append(Result(SUITE, f"{field}_found", len(found) / n, "report", None,
                              f"{len(found)}/{len(expected)} filled when expected; "
                              f"{spurious} filled when none was expected"))
        results.append(Result(SUITE, f"{field}_matches", len(matched) / n, "report", None,
                              f"{len(matched)}/{len(expected)} hold the expected words"))
    results.append(Result(SUITE, "extract_ms_median", statistics.median(timings), "report", None,
                          f"max {max(timings):.2f} ms over {len(cases)} messages; aim < 1 ms"))
    return results
