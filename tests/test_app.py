"""The app driven by AppTest: the coaching flow, the badge, resume by ?c=, exports, the plan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from coach.settings import get_settings
from coach.store import Store
from tests.openai_stub import Behaviour, OpenAIStub

APP = str(Path(__file__).resolve().parent.parent / "app.py")
STORY = ("I'm a freelance translator. I told my biggest agency, Lexa, that my rate goes from "
         "0.10 to 0.13 per word next month. Their project manager, Jonas, wrote back "
         "\"we can't accept that\" and that was it.")
TO_THE_PLAN = [
    STORY,
    "Lexa rejected my new rate. I got a no.",
    "I'm annoyed. I almost wrote back right now telling them to find someone else.",
    "Ok, I slept on it. Calmer now.",
    "They send me work every week. But honestly I'm probably just not good enough to charge more.",
    "That's fair. I learned that announcing it by email was abrupt.",
    "I'd send that, maybe a bit shorter.",
    "I'll propose 0.12 with a six-month review, and a higher rate only for rush jobs.",
    "I'll check back in two weeks, and if they say no again I'll replace a third of their "
    "volume with new clients.",
]
BADGE = "offline: template replies"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    # st.cache_resource outlives an AppTest: without this the Store would keep pointing at
    # an earlier test's data dir.
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def start(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def say(at: AppTest, text: str) -> None:
    at.chat_input[0].set_value(text).run()
    assert not at.exception, at.exception


def bubbles(at: AppTest) -> list[tuple[str, str]]:
    """(role, first markdown) of each chat message, in order."""
    return [(m.name, m.markdown[0].value if len(m.markdown) else "") for m in at.chat_message]


def current_step(at: AppTest) -> str:
    marked = [m.value for m in at.sidebar.markdown if m.value.startswith(":material/arrow_forward")]
    assert len(marked) == 1, marked
    return marked[0].split("**")[1]


def test_a_story_reaches_step_2_with_the_tracker_cards_and_offline_badge() -> None:
    at = start()
    assert current_step(at) == "1. Acknowledge the rejection"
    say(at, STORY)
    assert [role for role, _ in bubbles(at)] == ["user", "assistant"]
    assert current_step(at) == "1. Acknowledge the rejection"
    say(at, "Lexa rejected my new rate. I got a no.")
    assert current_step(at) == "2. Detach emotionally"
    done = [m.value for m in at.sidebar.markdown if m.value.startswith(":material/check_circle")]
    assert done == [":material/check_circle: 1. Acknowledge the rejection"]
    replies = [m for m in at.chat_message if m.name == "assistant"]
    assert len(replies) == 2
    for reply in replies:
        assert any(BADGE in md.value for md in reply.markdown)
        assert reply.expander[0].label == "Guide cards this draws on"
        assert len(reply.expander[0].markdown) >= 2  # a title and the card's text
    assert "c" in at.query_params


def test_with_an_llm_answering_there_is_no_offline_badge_and_the_key_is_not_stored() -> None:
    marker = "sk-test-MARKER-4411"
    with OpenAIStub(Behaviour(text="Jonas at Lexa said no to 0.13, and that stings. "
                              "Can you say plainly what happened, in your own words?")) as stub:
        at = start()
        with_settings = at.sidebar
        with_settings.text_input(key="base_url").input(stub.base_url)
        with_settings.text_input(key="api_key").input(marker)
        at.run()
        say(at, STORY)
        assert stub.requests, "the app never called the configured model"
    reply = [m for m in at.chat_message if m.name == "assistant"][0]
    assert "Jonas at Lexa said no to 0.13" in reply.markdown[0].value.replace("\\", "")
    assert not any(BADGE in md.value for md in reply.markdown)
    store = Store()
    conv_id = at.query_params["c"]
    for text in (store.export_json(conv_id), store.export_markdown(conv_id)):
        assert text and marker not in text
    db = (get_settings().data_dir / "coach.db").read_bytes()
    assert marker.encode() not in db
    assert all(marker not in str(e.value) for e in at.markdown)


def test_resume_by_query_param_restores_messages_and_step() -> None:
    first = start()
    say(first, STORY)
    say(first, "Lexa rejected my new rate. I got a no.")
    conv_id = first.query_params["c"]

    again = start(c=conv_id)
    assert bubbles(again) == bubbles(first)
    assert current_step(again) == "2. Detach emotionally"
    say(again, "I'm annoyed. I almost wrote back right now telling them to find someone else.")
    assert len(Store().get(conv_id).messages) == 6  # type: ignore[union-attr]


def test_an_unknown_conversation_id_opens_a_new_conversation() -> None:
    at = start(c="nosuchconversation")
    assert "not found" in at.warning[0].value
    assert bubbles(at) == [] and "c" not in at.query_params


def test_a_message_left_without_reply_is_answered_when_reopened() -> None:
    store = Store()
    conv_id = store.create("coach", "cut off")
    store.add_message(conv_id, "user", STORY)  # the server died before the reply
    at = start(c=conv_id)
    assert [role for role, _ in bubbles(at)] == ["user", "assistant"]
    assert [m.role for m in store.get(conv_id).messages] == ["user", "assistant"]  # type: ignore[union-attr]


def test_exports_rename_and_delete_from_the_sidebar() -> None:
    at = start()
    say(at, STORY)
    conv_id = at.query_params["c"]
    labels = [b.label for b in at.sidebar.get("download_button")]
    assert labels == ["Markdown", "JSON"]
    at.sidebar.text_input(key=f"t-{conv_id}").input("Lexa rate talk").run()
    assert Store().get(conv_id).title == "Lexa rate talk"  # type: ignore[union-attr]
    at.sidebar.button(key="delete").click().run()
    assert Store().get(conv_id) is None
    assert bubbles(at) == [] and "c" not in at.query_params


def test_past_conversations_are_listed_and_resumable() -> None:
    store = Store()
    older = store.create("coach", "Salary talk")
    store.add_message(older, "user", "My manager said no to a raise.")
    store.add_message(older, "assistant", "That's a real No.", {"step": 1})
    at = start()
    at.sidebar.button(key=f"open-{older}").click().run()
    assert at.query_params["c"] == older
    assert [text for _, text in bubbles(at)][1] == "That's a real No\\."


def test_a_crisis_message_gets_the_crisis_reply_prominently() -> None:
    at = start()
    say(at, "They turned me down again and I don't want to live anymore.")
    errors = [e.value for e in at.error]
    assert errors and "988" in errors[0]


def test_the_plan_is_shown_downloadable_and_journaled() -> None:
    at = start()
    for turn in TO_THE_PLAN:
        say(at, turn)
    done = [m.value for m in at.sidebar.markdown if m.value.startswith(":material/check_circle")]
    assert len(done) == 6
    assert any(h.value == "Your plan" for h in at.subheader)
    assert "Download the plan" in [b.label for b in at.get("download_button")]
    entries = Store().journal()
    assert len(entries) == 1
    assert entries[0].context == "business_deal"
    assert entries[0].follow_up == date.today() + timedelta(days=14)

