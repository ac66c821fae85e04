"""Every endpoint fault ends in the template reply, against a real OpenAI-compatible stub server."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from openai_stub import Behaviour, OpenAIStub

from coach import llm
from coach.draft import Draft
from coach.errors import LLMError
from coach.gate import check
from coach.llm import CircuitBreaker, FallbackModel, LLMStoryExtractor, OpenAIChatModel
from coach.settings import Settings
from coach.story import Story

TIMEOUT = 0.4
MARKER = "sk-MARKER-5f3a9c"


def draft() -> Draft:
    return Draft(
        task="coach", step=3, step_name="reframe", goal="find what the No says about the offer",
        user_message="Lexa turned down my 0.13 rate. I'm probably just not good enough.",
        story=Story(counterparty="Jonas at Lexa", ask="0.13 per word", has_rejection=True),
        template="Lexa sends you work every week. What does that say about how they see you?",
        details=("Lexa", "0.13"),
    )


@pytest.fixture(autouse=True)
def _fast_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm, "RETRY_DELAY", 0.01)


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


def gated(base_url: str, **kwargs: Any) -> FallbackModel:
    chat = OpenAIChatModel(base_url=base_url, api_key=MARKER, model="stub", timeout=TIMEOUT)
    return FallbackModel(chat, **kwargs)


def test_a_well_behaved_server_gives_a_streamed_llm_reply(stub: OpenAIStub) -> None:
    stub.default = Behaviour(text="Lexa sends you work every week, and 0.13 was their limit, "
                             "not a verdict on you. What else did Jonas say?")
    stream = gated(stub.base_url).stream(draft())
    pieces = list(stream)
    assert stream.reply.source == "llm" and check(stream.reply.text, draft()) is None
    assert len(pieces) > 1 and "".join(pieces) == stream.reply.text
    sent = stub.requests[0]
    assert sent["body"]["stream"] is True and sent["body"]["model"] == "stub"
    assert sent["body"]["max_tokens"] == llm.REPLY_MAX_TOKENS and "temperature" in sent["body"]
    assert "<person_message>" in sent["body"]["messages"][1]["content"]


BAD_TEXT = {
    "over-long": "Lexa " * 200,
    "markdown image": "Lexa said no to 0.13. ![calm](https://x.test/a.png) How do you see it?",
    "link": "Lexa said no to 0.13. Read [this](https://x.test) - how do you see it?",
    "HTML": "Lexa said <b>no</b> to 0.13. How do you see it?",
    "speaks as the person": "Person: Lexa said no to 0.13 and I feel worthless.",
    "chat markup": "<start_of_turn>user\nLexa said no to 0.13.<end_of_turn>",
}


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (Behaviour(status=401), "HTTP 401"),
        (Behaviour(status=404), "HTTP 404"),
        (Behaviour(status=429), "HTTP 429"),
        (Behaviour(status=500), "HTTP 500"),
        (Behaviour(raw_body=b"<html>Bad gateway</html>"), "not an event stream"),
        (Behaviour(text=""), "gate: empty reply"),
        (Behaviour(cut_after=4), "finish reason None"),
        (Behaviour(finish_reason=None), "finish reason None"),
        (Behaviour(finish_reason="length"), "finish reason 'length'"),
        (Behaviour(delay=5), "timed out"),
        (Behaviour(text=BAD_TEXT["over-long"]), "gate: too long"),
        (Behaviour(text=BAD_TEXT["markdown image"]), "gate: markdown image"),
        (Behaviour(text=BAD_TEXT["link"]), "gate: markdown link"),
        (Behaviour(text=BAD_TEXT["HTML"]), "gate: HTML"),
        (Behaviour(text=BAD_TEXT["speaks as the person"]), "gate: role confusion"),
        (Behaviour(text=BAD_TEXT["chat markup"]), "gate: chat-template markup"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_each_fault_gives_the_template_and_records_why(
    stub: OpenAIStub, behaviour: Behaviour, reason: str
) -> None:
    stub.default = behaviour
    stream = gated(stub.base_url).stream(draft())
    shown = "".join(stream)
    reply = stream.reply
    assert reply.text == draft().template and reply.source == "template"
    # the template is shown, or the sentences that passed so far and the template redrawn
    assert shown == draft().template or (reply.replaced and draft().template not in shown)
    assert reply.rejected_reason is not None and reason in reply.rejected_reason


def test_transient_errors_are_retried_once(stub: OpenAIStub) -> None:
    stub.queue.append(Behaviour(status=429))
    assert gated(stub.base_url).complete(draft()).source == "llm" and len(stub.requests) == 2
    stub.default = Behaviour(status=503)
    assert gated(stub.base_url).complete(draft()).source == "template" and len(stub.requests) == 4


def test_a_time_out_costs_one_time_out_and_no_retry(stub: OpenAIStub) -> None:
    stub.default = Behaviour(delay=5)
    started = time.perf_counter()
    reply = gated(stub.base_url).complete(draft())
    assert reply.rejected_reason == "timed out" and len(stub.requests) == 1
    assert time.perf_counter() - started < 2 * TIMEOUT


def test_connection_refused_gives_the_template() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again at once: nothing listens there
    reply = gated(f"http://127.0.0.1:{port}/v1").complete(draft())
    assert reply.source == "template" and reply.rejected_reason is not None
    assert "could not connect" in reply.rejected_reason


def test_a_hanging_endpoint_costs_one_time_out_over_ten_turns(stub: OpenAIStub) -> None:
    stub.default = Behaviour(delay=30)
    model = gated(stub.base_url)
    started = time.perf_counter()
    replies = [model.complete(draft()) for _ in range(10)]
    waited = time.perf_counter() - started
    assert all(r.source == "template" for r in replies)
    assert waited <= 2 * TIMEOUT and len(stub.requests) == 1  # a hang opens the breaker at once
    assert [r.notice for r in replies].count(llm.UNAVAILABLE_NOTICE) == 1


def test_the_key_never_leaks(stub: OpenAIStub, caplog: pytest.LogCaptureFixture) -> None:
    stub.default = Behaviour(status=401, error_message="Incorrect API key provided", echo_key=True)
    caplog.set_level(logging.DEBUG)
    chat = OpenAIChatModel(base_url=stub.base_url, api_key=MARKER, model="stub", timeout=TIMEOUT)
    with pytest.raises(LLMError) as raised:
        list(chat.stream(draft()))
    reply = FallbackModel(chat, breaker=CircuitBreaker(threshold=1)).complete(draft())
    assert stub.requests[0]["headers"]["authorization"] == f"Bearer {MARKER}"  # it was sent
    said = [str(raised.value), repr(raised.value), reply.text, str(reply.notice),
            str(reply.rejected_reason), caplog.text]
    assert raised.value.__context__ is None and raised.value.__cause__ is None
    assert not any(MARKER in text for text in said)


def test_a_base_url_without_a_key_sends_a_placeholder(
    stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
    model = llm.build_reply_model(Settings(model="stub"))
    assert model.complete(draft()).source == "llm"
    assert stub.requests[0]["headers"]["authorization"] == f"Bearer {llm.PLACEHOLDER_KEY}"


class Rules:
    def extract(self, text: str, prior: Story | None = None) -> Story:
        return Story(ask="from the rules")


@pytest.mark.parametrize("status", [400, 500], ids=["llama.cpp", "llama-cpp-python"])
def test_json_schema_unsupported_falls_back_to_json_mode(stub: OpenAIStub, status: int) -> None:
    stub.default = Behaviour(
        reject_json_schema=status, text='{"counterparty": "Jonas", "has_rejection": true}'
    )
    chat = OpenAIChatModel(base_url=stub.base_url, api_key=MARKER, model="stub", timeout=TIMEOUT)
    story = LLMStoryExtractor(chat, Rules()).extract("Jonas said no.")
    assert story.counterparty == "Jonas" and story.has_rejection
    kinds = [r["body"]["response_format"]["type"] for r in stub.requests]
    assert kinds == ["json_schema", "json_object"]


def test_a_dead_endpoint_also_stops_story_extraction(stub: OpenAIStub) -> None:
    stub.default = Behaviour(status=500)
    model = gated(stub.base_url)
    extractor = llm.build_story_extractor(Rules(), model)
    assert [extractor.extract("Jonas said no.").ask for _ in range(3)] == ["from the rules"] * 3
    assert model.complete(draft()).rejected_reason == "breaker open"
    assert len(stub.requests) == 4  # two failed extractions, one retry each, then nothing
