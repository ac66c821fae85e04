"""Text made safe for Streamlit's markdown: neither the person's words nor replies run or fetch."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"([\\`{}\[\]()#.!|<>~$&:=^])")  # all but emphasis and list markers
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=://)|(?<=http)(?=://)|(?<=www)(?=\.)|(?=@)")
_JOINER = "\u2060"  # invisible; breaks the 'http://', 'www.' and '@' that GFM turns into links


def safe_markdown(text: str) -> str:
    """A reply's bold, italics and lists, but no HTML, link, image, math or colour directive.

    Replies quote the person (and an LLM may be coaxed into markup), so nothing that can
    fetch a URL or run a script survives. The person's own messages are not markdown at
    all: they are shown with st.text.
    """
    unlinked = _AUTOLINK.sub(_JOINER, text)
    return _UNSAFE.sub(r"\\\1", unlinked).replace("\n", "  \n")


def label(text: str) -> str:
    """Button labels render markdown, images included: the person's titles as plain text."""
    return safe_markdown(text).replace("*", "\\*").replace("_", "\\_")
