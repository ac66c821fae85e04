"""The sidebar: the six steps in detail, this conversation's title, exports, delete, past ones."""

from __future__ import annotations

import streamlit as st

from coach.session import Session
from coach.settings import get_settings
from coach.steps import STEPS
from ui.markup import label
from ui.resources import get_store, shared_retriever
from ui.state import open_conversation, start_rehearsal


def sidebar() -> None:
    ss = st.session_state
    with st.sidebar:
        if st.button("New conversation", icon=":material/add:", width="stretch"):
            st.query_params.clear()
            open_conversation(None)
            st.rerun()
        if ss.mode == "coach":
            steps()
        conversations_panel()
        with st.expander("Model settings", icon=":material/settings:"):
            st.text_input("Base URL", key="base_url", placeholder="http://127.0.0.1:8080/v1")
            st.text_input("Model", key="model_name", placeholder=get_settings().model)
            st.text_input("API key", key="api_key", type="password",
                          help="Kept in this browser session only; never saved.")
        if "deps" in ss and shared_retriever().notice:  # once the search has been built
            st.info(shared_retriever().notice, icon=":material/info:")


def steps() -> None:
    ss = st.session_state
    st.subheader("The six steps")
    coach = ss.state.coach
    for spec in STEPS:
        if spec.number == coach.step:
            st.markdown(f":material/arrow_forward: **{spec.number}. {spec.title}**")
        elif spec.number < coach.step or spec.number in coach.completed:
            st.markdown(f":material/check_circle: {spec.number}. {spec.title}")
        else:
            st.markdown(f":material/radio_button_unchecked: {spec.number}. {spec.title}")
    if coach.step >= 4 and st.button("Rehearse this", icon=":material/theater_comedy:",
                                      help="Practise the conversation with "
                                      "the person who said no"):
        start_rehearsal(Session(ss.state).rehearse_this())
        st.rerun()


def conversations_panel() -> None:
    ss = st.session_state
    store = get_store()
    if ss.conv_id:
        st.subheader("This conversation")
        conv = store.get(ss.conv_id)
        title = st.text_input("Title", value=conv.title if conv else "", key=f"t-{ss.conv_id}")
        if conv and title.strip() and title != conv.title:
            store.rename(ss.conv_id, title.strip())
        left, right = st.columns(2)
        left.download_button("Markdown", store.export_markdown(ss.conv_id) or "",
                             file_name=f"conversation-{ss.conv_id}.md", mime="text/markdown",
                             icon=":material/download:")
        right.download_button("JSON", store.export_json(ss.conv_id) or "",
                              file_name=f"conversation-{ss.conv_id}.json",
                              mime="application/json", icon=":material/download:")
        if ss.get("confirm_delete") != ss.conv_id:
            if st.button("Delete", icon=":material/delete:", key="delete"):
                ss.confirm_delete = ss.conv_id  # ask first: a click should not lose a story
                st.rerun()
        else:
            st.warning("Delete this conversation and its plan? This cannot be undone.")
            yes, no = st.columns(2)
            if yes.button("Yes, delete", key="delete-yes", type="primary"):
                store.delete(ss.conv_id)
                ss.confirm_delete = None
                st.query_params.clear()
                open_conversation(None)
                st.rerun()
            if no.button("Keep it", key="delete-no"):
                ss.confirm_delete = None
                st.rerun()
    past = [c for c in store.recent(20) if c.id != ss.conv_id]
    if past:
        st.subheader("Past conversations")
        for c in past:
            icon = ":material/forum:" if c.mode == "coach" else ":material/theater_comedy:"
            if st.button(label(c.title), key=f"open-{c.id}", icon=icon, width="stretch"):
                st.query_params["c"] = c.id
                open_conversation(store.get(c.id))
                st.rerun()
