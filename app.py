"""The Streamlit shell: coaching and rehearsal in the browser, saved conversations, a journal.

Thin on purpose: coach.session decides and words every reply, coach.conversation keeps it
(each message committed before its reply, the reply with its state), and the rooms of ui/
only draw them. The person's text is always shown as plain text.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.chat import chat_page
from ui.journal import journal_page

ICON = Path(__file__).parent / "static" / "icon.png"  # the tab icon, served by the app itself

st.set_page_config(page_title="Rejection coach", page_icon=str(ICON))  # local: nothing fetched
st.navigation([st.Page(chat_page, title="Coach", icon=":material/forum:", default=True),
               st.Page(journal_page, title="Journal", icon=":material/insights:",
                       url_path="journal")]).run()
