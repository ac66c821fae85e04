"""Whole conversations through a misbehaving endpoint still complete and show nothing bad.

The small version of `python -m evals llm_faults`: `coach.replay.run` with the default
(non-offline) deps pointed at a stub server on 127.0.0.1.
"""

from __future__ import annotations

import pytest

from coach import llm
from coach.scenarios import load_scenarios
from coach.session import Session
from coach.settings import get_settings
from evals.stub import Behaviour, OpenAIStub, configured, words_the_template
from evals.suites import llm_faults
from evals.suites.rehearsal import CURIOUS, PUSHY


@pytest.fixture(autouse=True)
def _fast_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm, "RETRY_DELAY", 0.01)
    monkeypatch.setattr(llm_faults, "TIMEOUT", 2.0)  # generous: a busy machine is not a fault


def shortest() -> dict:
    return min(llm_faults.cooperative(), key=lambda case: len(case["turns"]))


@pytest.mark.parametrize(
    "fault",
    ["connection refused", "time-out", "500", "200 not JSON", "stream cut mid-way",
     "over-long reply", "markdown image", "link", "HTML", "speaks as the person", "chat markup"],
)
def test_a_conversation_completes_on_templates_whatever_the_endpoint_does(
    fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if fault == "time-out":
        monkeypatch.setattr(llm_faults, "TIMEOUT", 0.3)
    outcome = llm_faults.run_fault(fault, [shortest()])
    assert outcome["problems"] == []  # every turn answered, offline trace, six steps, nothing bad
    assert outcome["sources"]["llm"] == 0 and outcome["sources"]["template"] == len(
        shortest()["turns"])


@pytest.mark.parametrize("fault", ["well-behaved", "json_schema unsupported", "empty story JSON"])
def test_a_well_behaved_endpoint_words_most_replies(fault: str) -> None:
    outcome = llm_faults.run_fault(fault, [shortest()])
    sources = outcome["sources"]
    assert outcome["problems"] == []
    assert sources["llm"] >= 0.75 * (sources["llm"] + sources["template"])


def test_a_never_answering_endpoint_costs_at_most_five_time_outs_over_ten_turns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(llm_faults, "TIMEOUT", 0.3)
    ten = next(case for case in llm_faults.cooperative() if len(case["turns"]) == 10)
    assert llm_faults.dead_endpoint_seconds(ten) <= 5 * llm_faults.TIMEOUT


def test_the_llm_voice_leaves_the_reveal_to_the_rules_and_the_gate_stops_a_leak() -> None:
    scenario = load_scenarios(get_settings().knowledge_dir)[0]
    with OpenAIStub() as stub, configured(stub.base_url, llm_faults.TIMEOUT) as deps:
        stub.default = llm_faults.FAULTS["well-behaved"]()
        curious = llm_faults.rehearse(scenario, CURIOUS, deps)
        pushy = llm_faults.rehearse(scenario, PUSHY, deps)
        stub.default = llm_faults._leaky(scenario)
        blurted = llm_faults.rehearse(scenario, PUSHY, deps)
    assert any(t["reveal_level"] == 3 for t in curious[:6])
    assert all(t["reveal_level"] < 3 for t in pushy)
    assert sum(t["source"] == "llm" for t in curious) >= len(CURIOUS) - 1
    assert [t["reveal_level"] for t in blurted] == [t["reveal_level"] for t in pushy]
    assert llm_faults.says_concealed(blurted, llm_faults.concealed(scenario, PUSHY)) == 0
    assert scenario.concealed[2] not in " ".join(t["reply"] for t in blurted)


def test_poisoned_replies_reach_the_gate_and_are_rejected_there() -> None:
    outcome = llm_faults.run_fault("markdown image", [shortest()])
    sent = len(shortest()["turns"]) - 1  # the plan's summary is never sent to the model
    assert outcome["reasons"]["markdown image"] == sent


def test_a_hanging_endpoint_at_a_persons_pace_costs_one_time_out_and_a_few_probes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(llm, "PROBE_TIMEOUT", 0.2)
    ten = next(case for case in llm_faults.cooperative() if len(case["turns"]) == 10)
    seconds, sent, probes = llm_faults.human_pace(ten, timeout=0.5)
    assert sent == 1  # the first turn's first call hangs; no other call waits in that turn
    assert probes == 3  # at 90 s, 270 s and 540 s: the cool-down doubles from 60 s
    assert seconds <= 0.5 + 3 * 0.2 + 1.5  # plus the offline turns' own cost


def test_the_plan_is_given_in_the_coachs_own_words_never_reworded() -> None:
    story = ("I sell hot sauce. I pitched Dana, the buyer at Greenleaf, to stock our jars and "
             "she said \"not for this season\".")
    steps = [story, "Yes, she said no.", "Annoyed. Not replying yet.",
             "The tasting went well and the aisle resets in spring.", "I'll send that.",
             "Offer a spring trial of two flavours on one shelf.",
             "In March; if she says no again I'll stop and pitch the co-op."]
    with OpenAIStub(Behaviour(compose=words_the_template)) as stub, \
            configured(stub.base_url, 5) as deps:
        session = Session(deps=deps)
        turns = [session.handle(m) for m in steps]
    assert turns[-1].kind == "summary" and turns[-1].source == "template"
    assert turns[-2].source == "llm"
