"""Chat bubbles: the person's words as plain text, replies as safe markdown, crisis help linked."""

from __future__ import annotations

from typing import Any

import streamlit as st

from coach import llm
from coach.conversation import StoredSession
from coach.session import Turn
from ui.markup import safe_markdown
from ui.rehearsal import show_debrief, show_feedback
from ui.resources import card_bodies

# Tappable on a phone; nothing here is fetched until the person taps it.
HELP_LINKS = ("[Call 988](tel:988) · [Text 988](sms:988) · [Chat at 988lifeline.org]"
              "(https://988lifeline.org) · [Outside the US: findahelpline.com]"
              "(https://findahelpline.com)")


def avatar() -> str:
    return ":material/person:" if st.session_state.mode == "rehearse" else ":material/psychology:"


def show_user(text: str, feedback: dict[str, Any] | None) -> Any:
    with st.chat_message("user"):
        st.text(text)
        box = st.container()
        if feedback:
            show_feedback(box, feedback)
    return box


def show_safety(box: Any, text: str, tier: str) -> None:
    """A crisis reply in red, a check-in in amber, each with the help lines as links."""
    body = f"{safe_markdown(text)}\n\n{HELP_LINKS}"
    if tier == "crisis":
        box.error(body, icon=":material/favorite:")
    else:
        box.warning(body, icon=":material/volunteer_activism:")


def show_reply_extras(meta: dict[str, Any]) -> None:
    if meta.get("source") == "template":
        st.badge("offline: template replies", icon=":material/cloud_off:", color="gray")
    if meta.get("notice") and meta["notice"] != llm.OFFLINE_NOTICE:
        st.caption(safe_markdown(meta["notice"]))
    if meta.get("citations"):
        with st.expander("Guide cards this draws on"):
            for c in meta["citations"]:
                st.markdown(f"**{c['title']}**")
                st.markdown(card_bodies().get(c["id"], ""))


def show_reply(text: str, meta: dict[str, Any]) -> None:
    if meta.get("debrief"):  # its own card, not words in the counterparty's mouth
        show_debrief(meta["debrief"])
        return
    with st.chat_message("assistant", avatar=avatar()):
        if meta.get("safety"):
            show_safety(st, text, meta["safety"])
        else:
            st.markdown(safe_markdown(text))
        show_reply_extras(meta)


def respond(stored: StoredSession, text: str, feedback_box: Any, *, sent: bool) -> None:
    """Stream the reply to the person's message (committed first unless `sent`), then show
    and keep it; the store commits the reply with its state (coach/conversation.py)."""
    ss = st.session_state
    holder = st.empty()  # the bubble, so that a debrief can take its place
    with holder.chat_message("assistant", avatar=avatar()):
        slot = st.empty()
        slot.caption("They are typing..." if ss.mode == "rehearse" else "Writing...")
        stream = stored.answer(text) if sent else stored.say(text)
        shown = slot.write_stream(safe_markdown(chunk) for chunk in stream)
        turn: Turn | None = stream.turn
        assert turn is not None
        if isinstance(shown, str) and shown.strip() != safe_markdown(turn.reply).strip():
            slot.markdown(safe_markdown(turn.reply))  # a streamed reply failed its last checks
        meta = turn.model_dump(exclude={"user", "reply"}, exclude_none=True)
        if turn.safety:
            show_safety(slot, turn.reply, turn.safety)
        if not turn.debrief:
            show_reply_extras(meta)
    if turn.debrief:
        holder.empty()
        show_debrief(turn.debrief)
    show_feedback(feedback_box, meta)
    ss.state = stored.session.state
    ss.messages.append({"role": "assistant", "text": turn.reply, "meta": meta})
