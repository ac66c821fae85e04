"""The app driven by AppTest: the coaching flow, the badge, resume by ?c=, exports, the plan."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from coach import retrieval
from coach.knowledge import load_cards
from coach.retrieval import Retriever
from coach.settings import REPO_DIR, get_settings
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


NOTICE = "No embedding model: searching the cards by keywords."
MODES_SHOWN = ("Talk through a rejection", "Rehearse the conversation")


@pytest.fixture(autouse=True)
def _fresh_caches_and_keyword_search(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # st.cache_resource outlives an AppTest: without clearing it the Store would keep
    # pointing at an earlier test's data dir. Keyword search over the real cards keeps
    # these UI tests fast whatever embedding model the machine has (tests/test_retrieval.py
    # covers the dense search; tests/test_browser.py runs the app as configured).
    retriever = Retriever(load_cards(REPO_DIR / "knowledge"), notice=NOTICE)
    monkeypatch.setattr(retrieval, "get_retriever", lambda: retriever)
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
    """(role, text as shown) of each chat message, in order (replies are escaped markdown)."""
    return [(m.name, m.text[0].value if m.name == "user"
             else re.sub(r"\\(.)", r"\1", m.markdown[0].value) if len(m.markdown) else "")
            for m in at.chat_message]


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
    assert [i.value for i in at.sidebar.info] == [NOTICE]  # once, not under every reply


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
    assert Store().get(conv_id) is not None  # one click only asks
    at.sidebar.button(key="delete-no").click().run()
    assert Store().get(conv_id) is not None
    at.sidebar.button(key="delete").click().run()
    at.sidebar.button(key="delete-yes").click().run()
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
    assert [text for _, text in bubbles(at)][1] == "That's a real No."


def test_a_crisis_message_gets_the_crisis_reply_prominently() -> None:
    at = start()
    say(at, "They turned me down again and I don't want to live anymore.")
    errors = [e.value for e in at.error]
    assert errors and "988" in errors[0]
    assert "(tel:988)" in errors[0] and "(sms:988)" in errors[0]  # tappable on a phone


def test_a_check_in_is_shown_apart_from_a_crisis_with_the_help_links() -> None:
    at = start()
    say(at, "What's the point anymore.")
    warnings = [w.value for w in at.warning]
    assert not at.error and warnings and "the deal" in warnings[0]
    assert "(tel:988)" in warnings[0] and "findahelpline.com" in warnings[0]


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



def test_rehearsal_shows_feedback_under_each_move_a_meter_and_the_debrief() -> None:
    at = start()
    at.segmented_control[0].set_value("rehearse").run()
    assert at.title[0].value == "Rehearse the conversation"
    assert "My story (describe it)" in at.selectbox[0].options
    [b for b in at.button if b.label == "Start the rehearsal"][0].click().run()
    opening = bubbles(at)
    assert [role for role, _ in opening] == ["assistant"]  # their No comes first
    assert at.get("progress")[0].value == 0
    assert any("real reason" in c.value for c in at.caption)  # what is being practised

    say(at, "Is it the budget?")
    move = [m for m in at.chat_message if m.name == "user"][-1]
    assert move.caption[0].value.startswith("Your move: **closed question**")
    assert move.info[0].value.startswith("Try: Can you walk me through")
    say(at, "Can you walk me through what's preventing you from moving forward?")
    move = [m for m in at.chat_message if m.name == "user"][-1]
    assert "walk me through" in move.caption[0].value and not move.info
    say(at, "What would need to change for this to work?")
    assert at.get("progress")[0].value > 0  # they have started to open up

    [b for b in at.main.button if b.label == "End and debrief"][0].click().run()
    assert not at.exception
    assert at.chat_message[-1].name == "user"  # the debrief is its own card, not their bubble
    assert any(h.value == "Debrief" for h in at.main.subheader)
    assert [m.label for m in at.main.get("metric")][0] == "Score"
    assert not [b for b in at.main.button if b.label == "End and debrief"]
    conv = Store().get(at.query_params["c"])
    assert conv is not None and conv.mode == "rehearse" and conv.messages[-2].text == "end"

    again = start(c=conv.id)  # the rehearsal comes back with its feedback and debrief
    assert bubbles(again) == bubbles(at)
    assert any(h.value == "Debrief" for h in again.main.subheader)
    exported = Store().export_markdown(conv.id) or ""
    assert "## Debrief" in exported and "**Counterparty:**" in exported


def test_my_story_rehearsal_uses_the_persons_counterparty() -> None:
    at = start()
    at.segmented_control[0].set_value("rehearse").run()
    at.selectbox[0].select("").run()
    at.text_area(key="my_story").input(STORY)  # typed, then one click sends both (a form)
    [b for b in at.button if b.label == "Start the rehearsal"][0].click().run()
    assert "0.13" in bubbles(at)[0][1]


def test_rehearse_this_from_step_4_starts_a_rehearsal_seeded_with_the_story() -> None:
    at = start()
    for turn in TO_THE_PLAN[:6]:
        say(at, turn)
    assert current_step(at) == "4. Ask for feedback"
    coaching = at.query_params["c"]
    [b for b in at.sidebar.button if b.label == "Rehearse this"][0].click().run()
    assert not at.exception
    assert at.query_params["c"] != coaching
    assert at.title[0].value == "Rehearse the conversation"
    assert "0.13" in bubbles(at)[0][1] and len(bubbles(at)) == 1
    assert Store().get(coaching) is not None


def test_llm_settings_can_come_from_streamlit_secrets() -> None:
    with OpenAIStub(Behaviour(text="Jonas at Lexa said no to 0.13, and that stings. "
                              "Can you say plainly what happened, in your own words?")) as stub:
        at = AppTest.from_file(APP, default_timeout=90)
        at.secrets["OPENAI_BASE_URL"] = stub.base_url
        at.run()
        say(at, STORY)
        assert stub.requests
    reply = [m for m in at.chat_message if m.name == "assistant"][0]
    assert not any(BADGE in md.value for md in reply.markdown)


def quick(at: AppTest) -> list:
    return [g for g in at.get("button_group") if (g.key or "").startswith("quick-")]


def test_the_mode_choice_goes_once_the_first_message_is_sent() -> None:
    at = start()
    assert [g.options for g in at.get("button_group")] == [list(MODES_SHOWN)]
    say(at, STORY)
    assert all(g.options != list(MODES_SHOWN) for g in at.get("button_group"))


def test_a_quick_reply_is_sent_as_the_persons_message_and_moves_the_step() -> None:
    at = start()
    say(at, STORY)
    pills = quick(at)
    assert len(pills) == 1 and "Yes, it was a No." in pills[0].options
    pills[0].set_value("Yes, it was a No.").run()
    assert not at.exception, at.exception
    assert bubbles(at)[-2] == ("user", "Yes, it was a No.")
    assert current_step(at) == "2. Detach emotionally"
    assert "Go back a step" in quick(at)[0].options  # the next reply's own answers
