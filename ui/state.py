"""This browser session's conversation: loaded from the store, started on its first message."""

from __future__ import annotations

import streamlit as st

from coach.conversation import OPENING_META, StoredSession
from coach.session import Session, SessionState
from coach.store import Conversation
from ui.resources import get_store, session_deps


def open_conversation(conv: Conversation | None) -> None:
    """Load a stored conversation (or a blank one) into this browser session."""
    ss = st.session_state
    ss.conv_id = conv.id if conv else None
    ss.mode = conv.mode if conv else ss.get("mode", "coach")
    ss.messages = [{"role": m.role, "text": m.text, "meta": m.meta}
                   for m in conv.messages] if conv else []
    ss.state = (SessionState.model_validate_json(conv.state) if conv and conv.state
                else SessionState(mode=ss.mode))


def stored_session(first_message: str = "") -> StoredSession:
    """This browser session's conversation in the store, started on its first message."""
    ss = st.session_state
    session = Session(ss.state, deps=session_deps())
    if ss.conv_id:
        return StoredSession(get_store(), ss.conv_id, session)
    stored = StoredSession.start(get_store(), session, first_message)
    ss.conv_id = stored.id
    st.query_params["c"] = stored.id
    return stored


def start_rehearsal(session: Session) -> None:
    """A new rehearsal conversation whose first message is the counterparty's No."""
    ss = st.session_state
    assert session.state.rehearsal is not None
    stored = StoredSession.start(get_store(), session)
    ss.mode, ss.state, ss.conv_id = "rehearse", session.state, stored.id
    ss.messages = [{"role": "assistant", "text": session.opening or "", "meta": OPENING_META}]
    st.query_params["c"] = ss.conv_id
