"""Rehearsal on screen: choosing who to practise with, the meter, move feedback, the debrief."""

from __future__ import annotations

from typing import Any

import streamlit as st

from coach.moves import WALK_ME_THROUGH
from coach.scenarios import scenario_from_story
from coach.session import Session, SessionState
from ui.markup import safe_markdown
from ui.resources import scenario_library, session_deps
from ui.state import start_rehearsal

REVEAL = ("nothing yet", "a hint", "part of the reason", "the real reason")
PRACTICE = ("You're practising how to find the real reason behind a No. Ask open questions, "
            f'such as "{WALK_ME_THROUGH.replace("this offer", "this")}", and listen. The bar '
            "shows how much of their real reason you have uncovered so far.")


def scenario_picker() -> None:
    """Choose who to rehearse with: the library, or a counterparty from the person's story."""
    library = {s.id: s for s in scenario_library()}
    labels = {k: s.title for k, s in library.items()} | {"": "My story (describe it)"}
    choice = st.selectbox("Who do you want to practise with?", list(labels),
                          format_func=labels.__getitem__)
    if choice:
        s = library[choice]
        who = f"{s.counterparty.name}, {s.counterparty.role}" if s.counterparty.role else \
            s.counterparty.name
        st.caption(safe_markdown(f"{who}. {s.context} You asked for {s.offer}."))
        if st.button("Start the rehearsal", type="primary", icon=":material/play_arrow:"):
            start_rehearsal(Session.rehearse(s))
            st.rerun()
        return
    with st.form("my-story", border=False):  # one click: the text is sent with the button
        told = st.text_area("Who said no, to what, and what did they say?", key="my_story")
        started = st.form_submit_button("Start the rehearsal", type="primary",
                                        icon=":material/play_arrow:")
    if started and not told.strip():
        st.warning("Tell me first who said no, and to what.")
    elif started:
        start_rehearsal(Session.rehearse(scenario_from_story(
            session_deps().extractor.extract(told))))
        st.rerun()


def about(state: SessionState) -> None:
    """Above the chat: who this is, and what is being practised."""
    assert state.rehearsal is not None
    s = state.rehearsal.scenario
    who = ", ".join(p for p in (s.counterparty.name, s.counterparty.role) if p)
    st.caption(safe_markdown(f"{s.title}: {who}. {s.context}"))
    st.caption(safe_markdown(PRACTICE))


def meter(state: SessionState) -> None:
    """Under the latest move, so a phone sees it: how much they have uncovered, and the end."""
    r = state.rehearsal
    assert r is not None
    bar, end = st.columns([3, 1], vertical_alignment="bottom")
    bar.progress(r.reveal_level / 3,
                   text=f"Uncovered: {REVEAL[r.reveal_level]} ({r.reveal_level}/3)")
    if st.session_state.conv_id and not r.ended and end.button(
            "End and debrief", icon=":material/flag:"):
        st.session_state.queued = "end"
        st.rerun()


def show_feedback(box: Any, meta: dict[str, Any]) -> None:
    """Under a rehearsal move: its question type, tags and a better version."""
    a = meta.get("assessment")
    if not a:
        return
    tags = ", ".join(t.replace("_", " ") for t in a.get("tags", [])) or "no particular habit"
    box.caption(f"Your move: **{a.get('question_type', '?')} question** · {tags}"
                if a.get("question_type") != "statement" else f"Your move: **statement** · {tags}")
    if a.get("better"):
        box.info(f"Try: {safe_markdown(a['better'])}", icon=":material/tips_and_updates:")


def show_debrief(d: dict[str, Any]) -> None:
    """The end of a rehearsal: what was hidden, how the questions did, what to do for real."""
    with st.container(border=True):
        st.subheader("Debrief")
        score, found, moves = st.columns(3)
        score.metric("Score", f"{d['score']}/100")
        found.metric("The real reason", "uncovered" if d["uncovered"] else "still hidden",
                     f"turn {d['uncovered_at_turn']}" if d.get("uncovered_at_turn") else None,
                     delta_color="off")
        moves.metric("Open / closed questions", f"{d['open_count']} / {d['closed_count']}")
        st.markdown(f"**It was:** {safe_markdown(d['reason_label'])}")
        if d.get("best_move"):
            st.success(f"**Best move:** {safe_markdown(d['best_move']['move'])}  \n"
                       f"{safe_markdown(d['best_move']['why'])}", icon=":material/thumb_up:")
        if d.get("weakest_move"):
            st.warning(f"**Weakest move:** {safe_markdown(d['weakest_move']['move'])}  \n"
                       f"**Try:** {safe_markdown(d['weakest_move']['better'])}",
                       icon=":material/edit:")
        st.info(f"**Next step:** {safe_markdown(d['next_step'])}", icon=":material/flag:")
