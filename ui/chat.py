"""The chat page: the mode choice, the transcript, the step in one line, quick replies, the plan."""

from __future__ import annotations

from typing import Any

import streamlit as st

from coach import replies
from coach.quick import quick_replies
from coach.session import SessionState
from coach.steps import DONE, STEPS
from ui import rehearsal
from ui.bubbles import respond, show_reply, show_user
from ui.markup import safe_markdown
from ui.resources import get_store, shared_retriever
from ui.sidebar import sidebar
from ui.state import open_conversation, stored_session

MODES = {"coach": "Talk through a rejection", "rehearse": "Rehearse the conversation"}
WELCOME = (
    "Tell me about the No you'd like to work through: who said it, to what, and what they said. "
    "We'll go through six short steps, from saying it plainly to a plan for coming back; you "
    "can tap a suggested answer or type your own. Conversations are stored by this app only, "
    "and nothing you write is sent anywhere unless you connect a model under Model settings. "
    "You can delete a conversation from the sidebar.")


def chat_page() -> None:
    ss = st.session_state
    wanted = st.query_params.get("c")
    if "state" not in ss or (wanted and wanted != ss.conv_id):
        conv = get_store().get(wanted) if wanted else None
        if wanted and conv is None:
            st.query_params.clear()
            st.warning("That conversation was not found; here is a new one.")
        open_conversation(conv)
    intro = st.empty()  # the mode choice, until the first message is sent
    if not ss.messages and not ss.conv_id:
        choice = intro.segmented_control("Mode", list(MODES), format_func=MODES.__getitem__,
                                         default=ss.mode, label_visibility="collapsed")
        if choice and choice != ss.mode:
            ss.mode = choice
            ss.state = SessionState(mode=choice)
    st.title(MODES[ss.mode])
    welcome = st.empty()  # how it works and what is kept, until the first message
    if not ss.messages and ss.mode == "coach":
        welcome.caption(WELCOME)
    if ss.mode == "rehearse" and ss.state.rehearsal is None:
        rehearsal.scenario_picker()
        sidebar()
        return
    if ss.state.rehearsal is not None:
        rehearsal.about(ss.state)
    transcript(ss.messages)
    messages = ss.messages
    pending = bool(messages) and messages[-1]["role"] == "user"
    prompt = st.chat_input("Your message" if ss.mode == "coach" else "Your move")
    prompt = prompt or ss.pop("queued", None)
    if pending:  # the server stopped before the reply: answer it now
        respond(stored_session(), messages[-1]["text"], st.container(), sent=True)
    if prompt:
        intro.empty()
        welcome.empty()
        stored = stored_session(prompt)
        ss.messages.append({"role": "user", "text": prompt, "meta": {}})
        box = show_user(prompt, None)
        respond(stored, prompt, box, sent=False)
    if ss.state.rehearsal is not None:  # under the latest reply, where a phone is looking
        rehearsal.meter(ss.state)
    elif ss.messages:
        progress(ss.state)
    if ss.mode == "coach" and ss.state.coach.step >= DONE:
        show_plan(ss.state)
    elif ss.mode == "coach" and messages and messages[-1]["role"] == "assistant":
        show_quick_replies(messages[-1]["meta"], len(messages))
    sidebar()  # last, so that it shows the step and the conversation after this turn
    shared_retriever()  # the page is usable already: build the search while they type


def transcript(messages: list[dict[str, Any]]) -> None:
    for i, m in enumerate(messages):
        if m["role"] == "user":
            reply_meta = messages[i + 1]["meta"] if i + 1 < len(messages) else None
            show_user(m["text"], reply_meta)
        else:
            show_reply(m["text"], m["meta"])


def progress(state: SessionState) -> None:
    """The step in one line under the chat: a phone, whose sidebar is hidden, sees it too."""
    step = state.coach.step
    if step >= DONE:
        st.progress(1.0, text="All six steps done: your plan is below")
        return
    title = next(s.title for s in STEPS if s.number == step)
    st.progress((step - 1) / 6, text=f"Step {step} of 6: {title}")


def show_quick_replies(meta: dict[str, Any], at: int) -> None:
    """One-tap answers under the latest reply, sent as the person's message (the engine
    reads them as it reads typed words)."""
    options = quick_replies(meta.get("kind"), meta.get("step"))
    if not options:
        return
    choice = st.pills("Quick replies", options, key=f"quick-{at}", label_visibility="collapsed")
    if choice:
        st.session_state.queued = choice
        st.rerun()


def show_plan(state: SessionState) -> None:
    summary = replies.summary(state.coach)
    with st.container(border=True):
        st.subheader("Your plan")
        st.markdown(safe_markdown(summary))
        st.download_button("Download the plan", summary, file_name="plan.md",
                           mime="text/markdown", icon=":material/download:")
