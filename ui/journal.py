"""The journal page: rejections worked through per month, the follow-ups ahead as a calendar."""

from __future__ import annotations

from datetime import date

import streamlit as st

from coach import journal
from ui.markup import safe_markdown
from ui.resources import get_store


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
