"""The persistence protocol one stored conversation follows, shared by the app and the CLI."""

from __future__ import annotations

import builtins
from datetime import date

import pytest

from coach.cli import main
from coach.conversation import StoredSession
from coach.scenarios import load_scenarios
from coach.session import Deps, Session, SessionState
from coach.settings import get_settings
from coach.store import Store

STORY = "My landlord said no to lowering the rent by 100 a month."
TO_THE_PLAN = [STORY, "Yes, he said no.", "Annoyed. Not replying till Monday.",
               "He was polite and the flat is in demand, so it's his market, not me.",
               "I'll send that.", "Offer a two-year lease for 50 less a month.",
               "In March; if he says no again I'll stop and look elsewhere."]


def test_the_message_is_kept_before_the_reply_and_the_reply_with_its_state(
        offline_deps: Deps) -> None:
    store = Store()
    stored = StoredSession.start(store, Session(deps=offline_deps), STORY)
    stream = stored.say(STORY)
    assert [m.role for m in store.get(stored.id).messages] == ["user"]  # before any reply
    for _ in stream:
        pass
    conv = store.get(stored.id)
    assert conv.title == STORY[:60] and [m.role for m in conv.messages] == ["user", "assistant"]
    assert SessionState.model_validate_json(conv.state).turns == 1
    assert conv.messages[1].meta["step"] == 1


def test_a_message_left_unanswered_is_answered_on_reopen(offline_deps: Deps) -> None:
    store = Store()
    conv_id = StoredSession.start(store, Session(deps=offline_deps), STORY).id
    store.add_message(conv_id, "user", STORY)  # the process died before the reply
    reopened = StoredSession.open(store, conv_id, offline_deps)
    assert reopened is not None and reopened.pending() == STORY
    for _ in reopened.answer(STORY):
        pass
    assert reopened.pending() is None
    assert [m.role for m in store.get(conv_id).messages] == ["user", "assistant"]


def test_reaching_the_plan_records_the_journal_once(offline_deps: Deps) -> None:
    store = Store()
    stored = StoredSession(store, store.create("coach", "rent"), Session(deps=offline_deps),
                           today=lambda: date(2026, 12, 2))
    for message in [*TO_THE_PLAN, "thanks"]:
        for _ in stored.say(message):
            pass
    entries = store.journal()
    assert len(entries) == 1 and entries[0].conversation_id == stored.id


def test_a_rehearsal_starts_with_the_counterpartys_no() -> None:
    scenario = load_scenarios(get_settings().knowledge_dir)[0]
    store = Store()
    stored = StoredSession.start(store, Session.rehearse(scenario))
    assert store.get(stored.id).title == scenario.title[:60]
    messages = store.get(stored.id).messages
    assert [(m.role, m.text) for m in messages] == [("assistant", scenario.opening_no)]


def test_coach_chat_saves_the_conversation_and_resumes_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    typed = iter([STORY, "quit"])
    monkeypatch.setattr(builtins, "input", lambda prompt="": next(typed))
    assert main(["chat", "--offline"]) == 0
    out = capsys.readouterr().out
    conv_id = out.split("Saved as conversation ")[1].split(":")[0]
    assert [m.role for m in Store().get(conv_id).messages] == ["user", "assistant"]
    typed = iter(["Yes, he said no.", "quit"])
    assert main(["chat", "--offline", "--resume", conv_id]) == 0
    conv = Store().get(conv_id)
    assert len(conv.messages) == 4 and conv.messages[-1].meta["step"] == 2
