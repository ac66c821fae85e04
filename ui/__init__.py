"""The Streamlit shell's rooms: markup, resources, bubbles, chat, rehearsal, sidebar, journal."""
