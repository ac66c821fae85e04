"""The endpoint's moderation check as a layer of the crisis screen (a stub on 127.0.0.1)."""

from __future__ import annotations

import pytest

from coach.safety import moderation
from coach.session import Session
from coach.settings import Settings
from evals.stub import OpenAIStub, configured


@pytest.fixture
def on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_MODERATION", "on")  # the stub is not api.openai.com


def test_self_harm_intent_from_the_endpoint_is_a_crisis(on: None) -> None:
    with OpenAIStub() as stub, configured(stub.base_url, 5) as deps:
        stub.moderation = {"self-harm", "self-harm/intent"}
        turn = Session(deps=deps).handle("I've made up my mind about tonight.")
    assert turn.safety == "crisis" and "988" in turn.reply
    assert stub.moderated == ["I've made up my mind about tonight."]


def test_self_harm_alone_asks_and_nothing_flagged_adds_nothing(on: None) -> None:
    with OpenAIStub() as stub, configured(stub.base_url, 5) as deps:
        stub.moderation = {"self-harm"}
        assert Session(deps=deps).handle("It has been a long week.").safety == "check_in"
        stub.moderation = set()
        assert Session(deps=deps).handle("My landlord said no to the rent cut.").safety is None


def test_a_dead_moderation_endpoint_adds_nothing_and_the_rules_still_flag(on: None) -> None:
    with OpenAIStub() as stub, configured(stub.base_url, 5) as deps:
        url = stub.base_url
    deps.model.breaker.record_failure(hang=True)  # the endpoint is gone: replies from templates
    session = Session(deps=deps)
    assert session.handle("My landlord said no to the rent cut.").safety is None
    assert session.handle("I want to kill myself").safety == "crisis"
    assert url  # the stub is closed: every request to it fails


def test_on_by_default_only_for_openai_itself() -> None:
    key = {"openai_api_key": "sk-test"}
    assert moderation.wanted(Settings(**key))
    assert not moderation.wanted(Settings(openai_base_url="http://127.0.0.1:8080/v1", **key))
    assert not moderation.wanted(Settings(moderation="off", **key))
