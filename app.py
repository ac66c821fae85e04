"""The Streamlit shell: coaching and rehearsal in the browser, saved conversations, a journal.

Thin on purpose: coach.session decides and words every reply, coach.store keeps it; this
file only draws them. Each message the person sends is committed before the reply is
generated, and the reply (with the state it leads to) when it is complete, so a crash
loses nothing that was on screen; a conversation whose last message has no reply gets
one when it is opened again. The person's text is always shown as plain text.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st
from pydantic import SecretStr

from coach import journal, llm, replies, retrieval
from coach.conversation import OPENING_META, StoredSession
from coach.knowledge import load_cards
from coach.quick import quick_replies
from coach.scenarios import Scenario, load_scenarios, scenario_from_story
from coach.session import Deps, Session, SessionState, Turn, build_deps
from coach.settings import Settings, get_settings
from coach.steps import DONE, STEPS
from coach.store import Conversation, Store

MODES = {"coach": "Talk through a rejection", "rehearse": "Rehearse the conversation"}
ICON = Path(__file__).parent / "static" / "icon.png"  # the tab icon, served by the app itself
REVEAL = ("nothing yet", "a hint", "part of the reason", "the real reason")
_UNSAFE = re.compile(r"([\\`{}\[\]()#.!|<>~$&:=^])")  # all but emphasis and list markers
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=://)|(?<=http)(?=://)|(?<=www)(?=\.)|(?=@)")
_JOINER = "\u2060"  # invisible; breaks the 'http://', 'www.' and '@' that GFM turns into links


def label(text: str) -> str:
    """Button labels render markdown, images included: the person's titles as plain text."""
    return safe_markdown(text).replace("*", "\\*").replace("_", "\\_")


def safe_markdown(text: str) -> str:
    """A reply's bold, italics and lists, but no HTML, link, image, math or colour directive.

    Replies quote the person (and an LLM may be coaxed into markup), so nothing that can
    fetch a URL or run a script survives. The person's own messages are not markdown at
    all: they are shown with st.text.
    """
    unlinked = _AUTOLINK.sub(_JOINER, text)
    return _UNSAFE.sub(r"\\\1", unlinked).replace("\n", "  \n")


@st.cache_resource
def get_store() -> Store:
    return Store()


@st.cache_resource(show_spinner="Opening the guide...")
def shared_retriever() -> retrieval.Retriever:
    # Building it can take seconds (the embedding index): once per process, under a lock.
    return retrieval.get_retriever()


@st.cache_resource
def card_bodies() -> dict[str, str]:
    return {c.id: c.body for c in load_cards(get_settings().knowledge_dir)}


@st.cache_resource
def scenario_library() -> list[Scenario]:
    return load_scenarios(get_settings().knowledge_dir)


def llm_settings() -> Settings:
    """The environment's settings, overridden by .streamlit/secrets.toml, then the sidebar."""
    changes: dict[str, Any] = {}
    try:
        secrets = {k: st.secrets[k] for k in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "COACH_MODEL")
                   if k in st.secrets}
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        secrets = {}
    ui = {"OPENAI_BASE_URL": st.session_state.get("base_url"),
          "OPENAI_API_KEY": st.session_state.get("api_key"),
          "COACH_MODEL": st.session_state.get("model_name")}
    for source in (secrets, ui):
        if source.get("OPENAI_BASE_URL"):
            changes["openai_base_url"] = str(source["OPENAI_BASE_URL"]).strip()
        if source.get("OPENAI_API_KEY"):
            changes["openai_api_key"] = SecretStr(str(source["OPENAI_API_KEY"]).strip())
        if source.get("COACH_MODEL"):
            changes["model"] = str(source["COACH_MODEL"]).strip()
    return get_settings().model_copy(update=changes)


def session_deps() -> Deps:
    """This browser session's reply model: rebuilt only when the sidebar settings change."""
    settings = llm_settings()
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    fingerprint = hash((settings.openai_base_url, settings.model, key))
    if st.session_state.get("deps_for") != fingerprint:
        st.session_state.deps = build_deps(settings, shared_retriever().search)
        st.session_state.deps_for = fingerprint
    deps: Deps = st.session_state.deps
    return deps


def open_conversation(conv: Conversation | None) -> None:
    """Load a stored conversation (or a blank one) into this browser session."""
    ss = st.session_state
    ss.conv_id = conv.id if conv else None
    ss.mode = conv.mode if conv else ss.get("mode", "coach")
    ss.messages = [{"role": m.role, "text": m.text, "meta": m.meta}
                   for m in conv.messages] if conv else []
    ss.state = (SessionState.model_validate_json(conv.state) if conv and conv.state
                else SessionState(mode=ss.mode))


def show_user(text: str, feedback: dict[str, Any] | None) -> Any:
    with st.chat_message("user"):
        st.text(text)
        box = st.container()
        if feedback:
            show_feedback(box, feedback)
    return box


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


def avatar() -> str:
    return ":material/person:" if st.session_state.mode == "rehearse" else ":material/psychology:"


# Tappable on a phone; nothing here is fetched until the person taps it.
HELP_LINKS = ("[Call 988](tel:988) · [Text 988](sms:988) · [Chat at 988lifeline.org]"
              "(https://988lifeline.org) · [Outside the US: findahelpline.com]"
              "(https://findahelpline.com)")


def show_safety(box: Any, text: str, tier: str) -> None:
    """A crisis reply in red, a check-in in amber, each with the help lines as links."""
    body = f"{safe_markdown(text)}\n\n{HELP_LINKS}"
    if tier == "crisis":
        box.error(body, icon=":material/favorite:")
    else:
        box.warning(body, icon=":material/volunteer_activism:")


def show_reply(text: str, meta: dict[str, Any]) -> None:
    with st.chat_message("assistant", avatar=avatar()):
        if meta.get("safety"):
            show_safety(st, text, meta["safety"])
        elif meta.get("debrief"):
            show_debrief(meta["debrief"])
        else:
            st.markdown(safe_markdown(text))
        show_reply_extras(meta)


def show_debrief(d: dict[str, Any]) -> None:
    """The end of a rehearsal: what was hidden, how the questions did, what to do for real."""
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


def respond(stored: StoredSession, text: str, feedback_box: Any, *, sent: bool) -> None:
    """Stream the reply to the person's message (committed first unless `sent`), then show
    and keep it; the store commits the reply with its state (coach/conversation.py)."""
    ss = st.session_state
    with st.chat_message("assistant", avatar=avatar()):
        slot = st.empty()
        stream = stored.answer(text) if sent else stored.say(text)
        shown = slot.write_stream(safe_markdown(chunk) for chunk in stream)
        turn: Turn | None = stream.turn
        assert turn is not None
        if isinstance(shown, str) and shown.strip() != safe_markdown(turn.reply).strip():
            slot.markdown(safe_markdown(turn.reply))  # a streamed reply failed its last checks
        meta = turn.model_dump(exclude={"user", "reply"}, exclude_none=True)
        if turn.safety:
            show_safety(slot, turn.reply, turn.safety)
        elif turn.debrief:
            with slot.container():
                show_debrief(turn.debrief)
        show_reply_extras(meta)
    show_feedback(feedback_box, meta)
    ss.state = stored.session.state
    ss.messages.append({"role": "assistant", "text": turn.reply, "meta": meta})


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


def scenario_picker() -> None:
    """Choose who to rehearse with: the library, or a counterparty from the person's story."""
    library = {s.id: s for s in scenario_library()}
    labels = {k: s.title for k, s in library.items()} | {"": "My story (describe it)"}
    choice = st.selectbox("Who do you want to practise with?", list(labels),
                          format_func=labels.__getitem__)
    told = ""
    if choice:
        s = library[choice]
        who = f"{s.counterparty.name}, {s.counterparty.role}" if s.counterparty.role else \
            s.counterparty.name
        st.caption(safe_markdown(f"{who}. {s.context} You asked for {s.offer}."))
    else:
        told = st.text_area("Who said no, to what, and what did they say?", key="my_story")
    if st.button("Start the rehearsal", type="primary", icon=":material/play_arrow:",
                 disabled=not choice and not told.strip()):
        scenario = library[choice] if choice else scenario_from_story(
            session_deps().extractor.extract(told))
        start_rehearsal(Session.rehearse(scenario))
        st.rerun()


def sidebar() -> None:
    ss = st.session_state
    with st.sidebar:
        if st.button("New conversation", icon=":material/add:", width="stretch"):
            st.query_params.clear()
            open_conversation(None)
            st.rerun()
        if ss.mode == "coach":
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
        elif ss.state.rehearsal is not None:
            level = ss.state.rehearsal.reveal_level
            st.subheader("What they have revealed")
            st.progress(level / 3, text=f"{REVEAL[level]} ({level}/3)")
            if ss.conv_id and not ss.state.rehearsal.ended and st.button(
                    "End and debrief", icon=":material/flag:"):
                ss.queued = "end"
                st.rerun()
        conversations_panel()
        with st.expander("Model settings", icon=":material/settings:"):
            st.text_input("Base URL", key="base_url", placeholder="http://127.0.0.1:8080/v1")
            st.text_input("Model", key="model_name", placeholder=get_settings().model)
            st.text_input("API key", key="api_key", type="password",
                          help="Kept in this browser session only; never saved.")
        if "deps" in ss and shared_retriever().notice:  # once the search has been built
            st.info(shared_retriever().notice, icon=":material/info:")


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
        welcome.caption(
            "Tell me about the No you'd like to work through: who said it, to what, and what "
            "they said. We'll go through six short steps, from saying it plainly to a plan for "
            "coming back; you can tap a suggested answer or type your own. Conversations are "
            "stored by this app only, and nothing you write is sent anywhere unless you connect "
            "a model under Model settings. You can delete a conversation from the sidebar.")
    if ss.mode == "rehearse" and ss.state.rehearsal is None:
        scenario_picker()
        sidebar()
        return
    if ss.state.rehearsal is not None:
        s = ss.state.rehearsal.scenario
        who = ", ".join(p for p in (s.counterparty.name, s.counterparty.role) if p)
        st.caption(safe_markdown(f"{s.title}: {who}. {s.context}"))
    messages = ss.messages
    for i, m in enumerate(messages):
        if m["role"] == "user":
            reply_meta = messages[i + 1]["meta"] if i + 1 < len(messages) else None
            show_user(m["text"], reply_meta)
        else:
            show_reply(m["text"], m["meta"])
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
    if ss.mode == "coach" and ss.state.coach.step >= DONE:
        show_plan(ss.state)
    elif ss.mode == "coach" and messages and messages[-1]["role"] == "assistant":
        show_quick_replies(messages[-1]["meta"], len(messages))
    sidebar()  # last, so that it shows the step and the conversation after this turn
    shared_retriever()  # the page is usable already: build the search while they type


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


def journal_page() -> None:
    st.title("Journal")
    entries = get_store().journal()
    if not entries:
        st.info("Conversations that reach a plan show up here.")
        return
    import altair as alt  # here, not at the top: the chat page should not wait for it

    rows = journal.per_month(entries)
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("label:O", title=None, sort=alt.EncodingSortField("month", op="min"),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count:Q", title="Rejections worked through", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("context:N", title="Kind"),
    )
    st.altair_chart(chart, width="stretch")
    st.subheader("Upcoming follow-ups")
    due = journal.upcoming(entries, date.today())
    if not due:
        st.caption("No follow-up dates ahead.")
    for e in due:
        st.markdown(f"**{e.follow_up:%a %d %b %Y}** · {journal.CONTEXT_LABELS[e.context]}")
        st.caption(safe_markdown(e.summary[:300]))
    if due:
        st.download_button("Add the follow-ups to my calendar (.ics)",
                           journal.follow_up_ics(due), file_name="follow-ups.ics",
                           mime="text/calendar", icon=":material/event:")


st.set_page_config(page_title="Rejection coach", page_icon=str(ICON))  # local: nothing fetched
st.navigation([st.Page(chat_page, title="Coach", icon=":material/forum:", default=True),
               st.Page(journal_page, title="Journal", icon=":material/insights:",
                       url_path="journal")]).run()
